package dev.idem.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time consumed so far, in nanoseconds: by this JVM, and by every PostgreSQL server process on this machine (read
 * from Linux's {@code /proc}; 0 where there is none). Differences over a benchmark round tell where a request's cost
 * lies. Thread-safe.
 */
final class Cpu {

    /** Linux reports process times in clock ticks of 1/100 s (USER_HZ). */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private Cpu() {
    }

    static long thisJvm() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static long postgres() {
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            return processes.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .mapToLong(Cpu::postgresTicks).sum() * NANOS_PER_TICK;
        } catch (IOException e) {
            return 0;
        }
    }

    /** utime + stime of a postgres process (fields 14 and 15 of its stat line), else 0. */
    private static long postgresTicks(Path process) {
        try {
            String stat = Files.readString(process.resolve("stat"));
            int nameEnd = stat.lastIndexOf(')');
            if (!stat.substring(stat.indexOf('(') + 1, nameEnd).startsWith("postgres")) {
                return 0;
            }
            String[] fields = stat.substring(nameEnd + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // fields 14, 15 counting from pid = 1
        } catch (IOException | RuntimeException e) {
            return 0; // the process ended meanwhile, or is not readable
        }
    }
}
