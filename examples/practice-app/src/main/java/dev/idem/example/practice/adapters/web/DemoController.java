package dev.idem.example.practice.adapters.web;

import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /demo/config}: what the web page offers, e.g. its flaky-network panel. */
@RestController
public class DemoController {

    private final boolean faults;

    public DemoController(@Value("${practice.demo.faults:false}") boolean faults) {
        this.faults = faults;
    }

    @GetMapping("/demo/config")
    public Map<String, Object> config() {
        return Map.of("faults", faults);
    }
}
