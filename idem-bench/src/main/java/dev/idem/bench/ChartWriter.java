package dev.idem.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** Draws a horizontal bar chart of Idem / raw ratios, with the 1.0 line, as a PNG. */
final class ChartWriter {

    private ChartWriter() {
    }

    static void ratios(String title, List<Map.Entry<String, Double>> bars, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int rowHeight = 26;
        int labelWidth = 520;
        int barWidth = 420;
        int width = labelWidth + barWidth + 80;
        int height = 60 + bars.size() * rowHeight + 30;
        double max = Math.max(1.2, bars.stream().mapToDouble(Map.Entry::getValue).max().orElse(1.0));
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, 12, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int top = 50;
        for (int i = 0; i < bars.size(); i++) {
            Map.Entry<String, Double> bar = bars.get(i);
            int y = top + i * rowHeight;
            g.setColor(Color.DARK_GRAY);
            g.drawString(bar.getKey(), 12, y + 17);
            int length = (int) (bar.getValue() / max * barWidth);
            g.setColor(bar.getValue() >= 0.9 ? new Color(46, 139, 87) : new Color(210, 120, 40));
            g.fillRect(labelWidth, y + 4, length, rowHeight - 8);
            g.setColor(Color.BLACK);
            g.drawString(String.format("%.2f", bar.getValue()), labelWidth + length + 6, y + 17);
        }
        int one = labelWidth + (int) (1.0 / max * barWidth);
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {4f, 4f}, 0f));
        g.drawLine(one, top - 4, one, top + bars.size() * rowHeight);
        g.drawString("raw = 1.0", one - 30, top + bars.size() * rowHeight + 18);
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
    }
}
