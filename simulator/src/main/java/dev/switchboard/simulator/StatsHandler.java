package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code GET /sim/stats}: the live {@link SimulatorStats} as JSON. Not part of the OpenAI API. Thread-safe. */
final class StatsHandler implements Request.Handler {

    static final String PATH = "/sim/stats";

    private final SimulatorStats stats;

    StatsHandler(SimulatorStats stats) {
        this.stats = stats;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        ObjectNode body = SimulatorJson.object();
        body.put("requests", stats.requests());
        body.put("streams_started", stats.streamsStarted());
        body.put("streams_completed", stats.streamsCompleted());
        body.put("streams_aborted", stats.streamsAborted());
        body.put("streams_active", stats.streamsActive());
        body.put("faults_injected", stats.faultsInjected());
        body.put("realtime_sessions_opened", stats.realtimeSessionsOpened());
        body.put("realtime_sessions_closed", stats.realtimeSessionsClosed());
        body.put("realtime_sessions_active", stats.realtimeSessionsActive());
        body.put("realtime_responses", stats.realtimeResponses());
        body.put("realtime_responses_cancelled", stats.realtimeResponsesCancelled());
        SimulatorJson.write(response, callback, HttpStatus.OK_200, body);
        return true;
    }
}
