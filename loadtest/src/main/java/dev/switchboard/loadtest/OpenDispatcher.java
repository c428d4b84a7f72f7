package dev.switchboard.loadtest;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Hands the open workload's slots to sessions round-robin (slot {@code k} to session {@code k mod N}) at their
 * intended times. Runs on the scheduler thread only: each run dispatches every slot that is due, then
 * re-schedules itself for the next one. A session that is busy queues the slot (see
 * {@link VirtualClient#sendRequest}).
 */
final class OpenDispatcher implements Runnable {
    private final RunContext run;
    private final VirtualClient[] clients;
    private final RequestSchedule schedule;
    private long slot;
    private long nextIntended;

    OpenDispatcher(RunContext run, VirtualClient[] clients, RequestSchedule schedule) {
        this.run = run;
        this.clients = clients.clone();
        this.schedule = schedule;
        this.nextIntended = schedule.next();
    }

    /** Schedules the first dispatch. */
    void start() {
        reschedule();
    }

    @Override
    public void run() {
        long now = System.nanoTime();
        while (!run.stopping() && nextIntended - now <= 0 && nextIntended - run.endNanos() < 0) {
            run.measurements().requestsScheduled.increment();
            clients[(int) (slot++ % clients.length)].sendRequest(nextIntended);
            nextIntended = schedule.next();
        }
        reschedule();
    }

    private void reschedule() {
        if (run.stopping() || nextIntended - run.endNanos() >= 0) {
            return;
        }
        try {
            run.scheduler().schedule(this, Math.max(0, nextIntended - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The run is shutting down.
        }
    }
}
