package dev.switchboard.loadtest;

import dev.switchboard.loadtest.report.Summary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * The broker's CPU time from Linux {@code /proc}: {@code utime + stime} of {@code /proc/PID/stat} (all its threads),
 * and, when the broker is pinned, how busy its core was over the same interval from {@code /proc/stat} (every
 * process on that core, not only the broker). Also pins processes with {@code taskset}. Same machine only.
 *
 * <p>Stateless apart from the start sample; call {@link #start} and {@link #stop} from one thread.
 */
final class ProcCpu {
    /** Clock ticks per second of {@code /proc} times; {@code getconf CLK_TCK} is 100 on every Linux we run. */
    static final double TICKS_PER_SECOND = 100;

    /**
     * One reading.
     *
     * @param processTicks {@code utime + stime} of the process, clock ticks
     * @param coreBusyTicks the pinned core's non-idle ticks ({@code user + nice + system + irq + softirq + steal})
     * @param coreTotalTicks the pinned core's ticks in all states
     * @param nanos {@link System#nanoTime()} when read
     */
    record Reading(long processTicks, long coreBusyTicks, long coreTotalTicks, long nanos) {
    }

    private final long pid;
    private final OptionalInt core;
    private Reading first;

    ProcCpu(long pid, OptionalInt core) {
        this.pid = pid;
        this.core = core;
    }

    /** A meter for the broker of {@code settings}, if {@code --broker-pid} was given and {@code /proc} is there. */
    static Optional<ProcCpu> forBroker(Settings settings) {
        if (settings.brokerPid().isEmpty() || !Files.isReadable(stat(settings.brokerPid().getAsLong()))) {
            return Optional.empty();
        }
        return Optional.of(new ProcCpu(settings.brokerPid().getAsLong(), settings.pin().brokerCore()));
    }

    private static Path stat(long pid) {
        return Path.of("/proc", Long.toString(pid), "stat");
    }

    /** Takes the start reading; false (and no meter) when {@code /proc} cannot be read. */
    boolean start() {
        try {
            first = read();
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The started meter for {@code settings}' broker, if there is a broker pid and its {@code /proc} is readable. */
    static Optional<ProcCpu> started(Settings settings) {
        return forBroker(settings).filter(ProcCpu::start);
    }

    /** The figures since {@link #start}, or empty if the process is gone or {@code /proc} unreadable. */
    Optional<Summary.BrokerCpu> finish(long events) {
        try {
            return Optional.of(stop(events));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Applies {@code --pin-self} and {@code --pin-broker}; a failure is printed and the run goes on unpinned. */
    static void applyPins(Settings settings, java.io.PrintStream out) throws InterruptedException {
        if (settings.pin().selfCore().isPresent()) {
            pin(ProcessHandle.current().pid(), settings.pin().selfCore().getAsInt())
                    .ifPresent(why -> out.println("warning: --pin-self failed: " + why));
        }
        if (settings.pin().brokerCore().isPresent() && settings.brokerPid().isPresent()) {
            pin(settings.brokerPid().getAsLong(), settings.pin().brokerCore().getAsInt())
                    .ifPresent(why -> out.println("warning: --pin-broker failed: " + why));
        }
    }

    /** The reading now. */
    Reading read() throws IOException {
        long ticks = processTicks(Files.readString(stat(pid)));
        long[] coreTicks = core.isPresent() ? coreTicks(Files.readString(Path.of("/proc/stat")),
                core.getAsInt()) : new long[] {-1, -1};
        return new Reading(ticks, coreTicks[0], coreTicks[1], System.nanoTime());
    }

    /** From the start reading to now, with {@code events} received by the harness in between. */
    Summary.BrokerCpu stop(long events) throws IOException {
        return between(first, read(), events, core);
    }

    /** The report figures between two readings. */
    static Summary.BrokerCpu between(Reading from, Reading to, long events, OptionalInt core) {
        double cpuS = (to.processTicks() - from.processTicks()) / TICKS_PER_SECOND;
        double wallS = (to.nanos() - from.nanos()) / 1e9;
        double coreBusy = core.isEmpty() || to.coreTotalTicks() <= from.coreTotalTicks() ? -1
                : (double) (to.coreBusyTicks() - from.coreBusyTicks()) / (to.coreTotalTicks() - from.coreTotalTicks());
        return new Summary.BrokerCpu(cpuS, wallS, wallS <= 0 ? 0 : cpuS / wallS, events,
                events == 0 ? -1 : cpuS * 1e3 * 1000 / events, core.orElse(-1), coreBusy);
    }

    /**
     * {@code utime + stime} (fields 14 and 15) of a {@code /proc/PID/stat} line. The command name (field 2) is in
     * parentheses and may hold spaces or parentheses itself, so fields are counted from the last {@code ')'}.
     */
    static long processTicks(String statLine) {
        String[] rest = statLine.substring(statLine.lastIndexOf(')') + 2).trim().split("\\s+");
        // rest[0] is field 3 (state): utime, field 14, is rest[11].
        return Long.parseLong(rest[11]) + Long.parseLong(rest[12]);
    }

    /**
     * {busy, total} ticks of {@code cpuN} in {@code /proc/stat}: busy is every state but idle and iowait; guest
     * time is already inside user.
     *
     * @throws IllegalArgumentException if there is no such core
     */
    static long[] coreTicks(String procStat, int core) {
        String prefix = "cpu" + core + " ";
        for (String line : procStat.split("\n")) {
            if (line.startsWith(prefix)) {
                String[] f = line.substring(prefix.length()).trim().split("\\s+");
                long total = 0;
                for (int i = 0; i < Math.min(f.length, 8); i++) {
                    total += Long.parseLong(f[i]);
                }
                long idle = Long.parseLong(f[3]) + Long.parseLong(f[4]);
                return new long[] {total - idle, total};
            }
        }
        throw new IllegalArgumentException("no cpu" + core + " line in /proc/stat");
    }

    /**
     * Pins every thread of process {@code pid} to {@code core} with {@code taskset -a -p -c}; the message says why
     * not when it fails.
     */
    static Optional<String> pin(long pid, int core) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of("taskset", "-a", "-p", "-c", Integer.toString(core),
                Long.toString(pid)));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.of("taskset did not finish within 10 s");
            }
            return process.exitValue() == 0 ? Optional.empty()
                    : Optional.of("taskset exited with " + process.exitValue());
        } catch (IOException e) {
            return Optional.of("cannot run taskset: " + e.getMessage());
        }
    }
}
