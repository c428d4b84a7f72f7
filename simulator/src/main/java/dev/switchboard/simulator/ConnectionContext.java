package dev.switchboard.simulator;

import java.util.Objects;

/**
 * What every part of one Realtime connection shares. The members are each documented for their own threading;
 * {@code out} and {@code ids} are confined to {@code executor}.
 *
 * @param out            the connection's event writer
 * @param executor       the connection's serial executor
 * @param ids            the connection's id source
 * @param runtime        the simulator's shared services
 */
record ConnectionContext(EventWriter out, SerialExecutor executor, RealtimeIds ids, SimulatorRuntime runtime) {

    ConnectionContext {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(runtime, "runtime");
    }

    /** Runs {@code task} on the executor after {@code delayNanos}; {@code false} if the simulator is stopping. */
    boolean schedule(Runnable task, long delayNanos) {
        return runtime.scheduler().trySchedule(() -> executor.execute(task), delayNanos);
    }
}
