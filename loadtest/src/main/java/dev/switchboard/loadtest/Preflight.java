package dev.switchboard.loadtest;

import dev.switchboard.protocol.codec.EventCodec;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * One session before the run: proves the URL, key and model work (a clear message instead of N identical
 * connect errors), and in {@code --stamp auto} mode asks for one tiny stamped response to learn whether the
 * upstream simulator supports {@code sim_stamp}. The session is closed before the run begins. Run thread only.
 */
final class Preflight {
    private static final long PROBE_TIMEOUT_SECONDS = 10;
    private static final long CLOSE_TIMEOUT_SECONDS = 2;

    /**
     * The outcome.
     *
     * @param stamps whether responses should ask for stamps
     * @param note how that was decided, for the report
     */
    record Result(boolean stamps, String note) {
    }

    /** The broker could not be reached or refused the first session. */
    static final class PreflightException extends Exception {
        PreflightException(String message) {
            super(message);
        }
    }

    private Preflight() {
    }

    static Result run(WebSocketClient client, Settings settings, EventCodec codec, boolean probeStamps)
            throws PreflightException, InterruptedException {
        Result result = run(client, settings, settings.endpoint(), codec, probeStamps);
        // Cluster: every other node must open a session too, or the run would only find out by refused resumes.
        for (URI node : settings.cluster().nodes().stream().skip(1).toList()) {
            run(client, settings, node, codec, false);
        }
        return result;
    }

    private static Result run(WebSocketClient client, Settings settings, URI endpoint, EventCodec codec,
                              boolean probeStamps) throws PreflightException, InterruptedException {
        Probe probe = new Probe();
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Bearer " + settings.key());
        long timeoutMs = settings.connectTimeout().toMillis();
        request.setTimeout(timeoutMs, TimeUnit.MILLISECONDS);
        Session session;
        try {
            session = client.connect(new ListenerAdapter(probe, Transport.MAX_TEXT_MESSAGE_BYTES), endpoint,
                    request).get(timeoutMs + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | IOException e) {
            throw new PreflightException("cannot open a session at " + endpoint + ": "
                    + VirtualClient.describe(e));
        } catch (TimeoutException e) {
            throw new PreflightException("no WebSocket upgrade from " + endpoint + " within "
                    + settings.connectTimeout().toMillis() + " ms");
        }
        try {
            if (!probe.created.await(timeoutMs, TimeUnit.MILLISECONDS) || !probe.sessionCreated) {
                throw new PreflightException("no session.created from " + endpoint + " within " + timeoutMs
                        + " ms" + (probe.closeReason.isEmpty() ? "" : " (closed: " + probe.closeReason + ")"));
            }
            if (!probeStamps) {
                return new Result(false, "not requested");
            }
            // The same turn as the run's requests (an upstream may refuse a response with no input at all).
            ClientFrames frames = ClientFrames.of(codec, probeMetadata());
            session.sendText(frames.userMessage(), Callback.NOOP);
            session.sendText(frames.responseCreate(), Callback.NOOP);
            if (!probe.done.await(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                return new Result(false, "the stamp probe got no response.done within " + PROBE_TIMEOUT_SECONDS
                        + " s; running without stamps");
            }
            return decide(probe);
        } finally {
            session.close(1000, "preflight done", Callback.NOOP);
            probe.closed.await(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private static Result decide(Probe probe) {
        if (probe.status.equals("completed") && probe.stamped) {
            return new Result(true, "the simulator stamps deltas (probed)");
        }
        if (probe.status.equals("completed")) {
            return new Result(false, "the probe response carried no stamp: the upstream does not support sim_stamp; "
                    + "running without broker-added latency");
        }
        String why = probe.status.isEmpty() ? "error " + probe.errorCode : probe.status + " " + probe.reason;
        return new Result(false, "the probe response with sim_stamp ended " + why.trim()
                + ": the upstream does not accept sim_stamp; running without broker-added latency");
    }

    private static Map<String, String> probeMetadata() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("sim_tokens", "2");
        metadata.put("sim_ttft_ms", "0");
        metadata.put("sim_tokens_per_second", "1000");
        metadata.put("sim_stamp", "true");
        return metadata;
    }

    /** The preflight session's listener; its fields are published by the latches. */
    private static final class Probe implements FrameAssembler.Handler {
        final CountDownLatch created = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        private final ServerFrameReader reader = new ServerFrameReader();
        private final ParsedFrame frame = new ParsedFrame();
        volatile boolean sessionCreated;
        volatile boolean stamped;
        volatile String status = "";
        volatile String reason = "";
        volatile String errorCode = "";
        volatile String closeReason = "";

        @Override
        public void onOpen(Session session) {
        }

        @Override
        public void onText(byte[] utf8, int offset, int length) {
            if (!reader.read(utf8, offset, length, frame)) {
                return;
            }
            switch (frame.kind) {
                case SESSION_CREATED -> {
                    sessionCreated = true;
                    created.countDown();
                }
                case TEXT_DELTA -> stamped |= frame.stampMicros != Stamp.NONE;
                case RESPONSE_DONE -> {
                    status = frame.status;
                    reason = frame.statusReason;
                    done.countDown();
                }
                case ERROR -> {
                    if (frame.errorEventId.equals(ClientFrames.CREATE_ID)) {
                        errorCode = frame.errorCode;
                        done.countDown();
                    }
                }
                case RESPONSE_CREATED, SESSION_RESUMED, SESSION_UPDATED, TEXT_DONE, OTHER -> {
                }
            }
        }

        @Override
        public void onError(Throwable cause) {
        }

        @Override
        public void onClose(int statusCode, String why) {
            closeReason = statusCode + " " + why;
            created.countDown();
            done.countDown();
            closed.countDown();
        }
    }
}
