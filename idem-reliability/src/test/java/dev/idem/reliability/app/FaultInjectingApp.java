package dev.idem.reliability.app;

import dev.idem.example.practice.PracticeApplication;
import org.springframework.boot.SpringApplication;

/**
 * The reference app plus the test-only hooks of {@link FaultHooks}, as the reliability suite starts it in a JVM of
 * its own. The process halts when the test JVM that started it is gone, so no instance outlives a test run.
 */
public final class FaultInjectingApp {

    private FaultInjectingApp() {
    }

    public static void main(String[] args) {
        String parent = System.getProperty("reliability.parent-pid");
        if (parent != null) {
            ProcessHandle.of(Long.parseLong(parent)).ifPresentOrElse(
                    handle -> handle.onExit().thenRun(() -> Runtime.getRuntime().halt(3)),
                    () -> Runtime.getRuntime().halt(3));
        }
        SpringApplication.run(new Class<?>[] {PracticeApplication.class, FaultHooks.class}, args);
    }
}
