package dev.idem.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.util.unit.DataSize;

/**
 * The Spring Boot page ({@code docs/spring-boot.md}) says what the tests run: its controller is
 * {@code OrdersController} verbatim (exercised by {@link StarterHttpTest}), and its {@code application.yml} binds and
 * states the defaults.
 */
class ReadmeSpringBootSectionTest {

    private static final Path SECTION = Path.of("../docs/spring-boot.md");
    private static final Path CONTROLLER = Path.of("src/test/java/dev/idem/spring/app/OrdersController.java");
    private static final Pattern BLOCK = Pattern.compile("```(\\w*)\\n(.*?)```", Pattern.DOTALL);

    @Test
    void theControllerExampleIsTheTestedControllerVerbatim() throws Exception {
        String source = Files.readString(CONTROLLER).replaceFirst("package [\\w.]+;\\n\\n", "");

        assertThat(block(Files.readString(SECTION), "java", "class OrdersController")).isEqualTo(source);
    }

    @Test
    void theApplicationYmlBindsAndStatesTheDefaults() throws Exception {
        String yaml = block(Files.readString(SECTION), "yaml", "idem:");
        List<PropertySource<?>> sources = new YamlPropertySourceLoader()
                .load("readme", new ByteArrayResource(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        List<String> pairs = new ArrayList<>();
        for (PropertySource<?> source : sources) {
            EnumerablePropertySource<?> enumerable = (EnumerablePropertySource<?>) source;
            for (String name : enumerable.getPropertyNames()) {
                pairs.add(name + "=" + enumerable.getProperty(name));
            }
        }
        assertThat(pairs).hasSizeGreaterThan(20);

        new WebApplicationContextRunner().withConfiguration(StarterAutoConfigurations.ALL)
                .withPropertyValues(pairs.toArray(String[]::new))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    IdempotencyProperties bound = context.getBean(IdempotencyProperties.class);
                    IdempotencyProperties defaults = new IdempotencyProperties();
                    assertThat(bound).usingRecursiveComparison().isEqualTo(defaults);
                    assertThat(bound.getTtl()).isEqualTo(Duration.ofHours(24));
                    assertThat(bound.getHttp().getMaxRequestBodySize()).isEqualTo(DataSize.ofMegabytes(1));
                });
    }

    /** The first fenced block of {@code language} containing {@code marker}. */
    private static String block(String markdown, String language, String marker) {
        Matcher m = BLOCK.matcher(markdown);
        while (m.find()) {
            if (m.group(1).equals(language) && m.group(2).contains(marker)) {
                return m.group(2);
            }
        }
        throw new AssertionError("no ```" + language + " block with " + marker);
    }
}
