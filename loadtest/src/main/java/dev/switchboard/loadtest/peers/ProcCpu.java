package dev.switchboard.loadtest.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * CPU time of processes from Linux {@code /proc/PID/stat}: user plus system time ({@code utime + stime}, fields 14
 * and 15) in clock ticks ({@code getconf CLK_TCK}, 100 on Linux). A process's own time only: the threads are
 * included, children are not, so a proxy made of several processes (nginx's master and workers) is listed pid by
 * pid. Stateless; any thread.
 */
final class ProcCpu {
    private static final int UTIME_FIELD = 14;
    private static final int STIME_FIELD = 15;

    private ProcCpu() {
    }

    /** The summed ticks of {@code pids} (0 for none), or empty if one of them cannot be read. */
    static OptionalLong ticks(List<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            try {
                sum += parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
            } catch (IOException | RuntimeException e) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.of(sum);
    }

    /**
     * The summed ticks of the JIT compiler threads ({@code C1 CompilerThre…}, {@code C2 CompilerThre…}) of
     * {@code pids}, read from {@code /proc/PID/task/TID/stat}: how much of a JVM proxy's time went to compiling
     * rather than to the traffic. 0 for a process that has none (nginx); empty if a process cannot be read.
     */
    static OptionalLong compilerTicks(List<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    sum += compilerThreadTicks(task);
                }
            } catch (IOException | RuntimeException e) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.of(sum);
    }

    /** One thread's ticks if it is a JIT compiler thread, else 0; 0 too if it ended while being read. */
    private static long compilerThreadTicks(Path task) {
        try {
            String stat = Files.readString(task.resolve("stat"));
            return isCompilerThread(stat) ? parse(stat) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Whether a thread's stat line names a HotSpot JIT compiler thread. */
    static boolean isCompilerThread(String stat) {
        int open = stat.indexOf('(');
        return stat.startsWith("C1 ", open + 1) || stat.startsWith("C2 ", open + 1);
    }

    /** The ticks of this JVM. */
    static OptionalLong self() {
        return ticks(List.of(ProcessHandle.current().pid()));
    }

    /**
     * {@code utime + stime} of one stat line. The command name (field 2) is in parentheses and may itself hold
     * spaces and parentheses, so fields are counted from the last {@code ')'}.
     */
    static long parse(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line");
        }
        // After ") " comes field 3 (state); field N is at index N - 3.
        String[] fields = stat.substring(close + 2).trim().split(" ");
        return Long.parseLong(fields[UTIME_FIELD - 3]) + Long.parseLong(fields[STIME_FIELD - 3]);
    }
}
