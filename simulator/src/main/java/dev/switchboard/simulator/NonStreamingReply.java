package dev.switchboard.simulator;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A non-streaming completion. It honours the time to first token only: the whole response object (OpenAI
 * {@code chat.completion} or Anthropic {@code message}, as its {@link ProviderApi} builds it) is written once the
 * TTFT has elapsed, without waiting for per-token pacing, so tests of the
 * non-streaming path stay fast while still seeing a realistic initial delay.
 *
 * <p>Exactly one of {@link #run()} (reply) and {@link #abort} (shutdown or request failure) completes the
 * handler callback.
 */
final class NonStreamingReply implements Runnable, InFlight.Work {

    private final Response response;
    private final Callback completion;
    private final GenerationPlan plan;
    private final SimulatorRuntime runtime;
    private final ProviderApi api;
    private final AtomicBoolean done = new AtomicBoolean();

    NonStreamingReply(Response response, Callback completion, GenerationPlan plan, SimulatorRuntime runtime,
            ProviderApi api) {
        this.response = response;
        this.api = api;
        this.completion = completion;
        this.plan = plan;
        this.runtime = runtime;
    }

    /** Schedules the reply for {@code arrivalNanos + ttft}; from here on this reply owns the callback. */
    void start(Request request, long arrivalNanos) {
        if (!runtime.inFlight().tryAdd(this)) {
            abort(new IOException("provider simulator is stopping"));
            return;
        }
        request.addFailureListener(this::abort);
        long delayNanos = arrivalNanos + plan.ttftNanos() - System.nanoTime();
        if (!runtime.scheduler().trySchedule(this, delayNanos)) {
            abort(new IOException("provider simulator is stopping"));
        }
    }

    @Override
    public void run() {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        runtime.inFlight().remove(this);
        SimulatorJson.write(response, completion, HttpStatus.OK_200, api.reply(plan));
    }

    @Override
    public void abort(Throwable cause) {
        if (done.compareAndSet(false, true)) {
            runtime.inFlight().remove(this);
            completion.failed(cause);
        }
    }
}
