package dev.switchboard.simulator;

import java.util.List;

/**
 * The model names the simulator advertises on {@code GET /v1/models}.
 *
 * <p>Chat completions accept any model name and echo it back; for them this list only says which names are
 * "known". The Realtime endpoint serves only {@link #SIM_REALTIME} and refuses other names with 404.
 */
public final class SimulatorModels {

    /** The general chat model. */
    public static final String SIM_CHAT = "sim-chat";

    /** The Realtime model: the only model {@code GET /v1/realtime} accepts. */
    public static final String SIM_REALTIME = "sim-realtime";

    /** Owner reported for every listed model. */
    public static final String OWNER = "switchboard-simulator";

    /** Fixed {@code created} timestamp (epoch seconds, 2025-01-01T00:00:00Z) so the listing is deterministic. */
    public static final long CREATED_EPOCH_SECONDS = 1_735_689_600L;

    private static final List<String> NAMES = List.of(SIM_CHAT, SIM_REALTIME);

    private SimulatorModels() {
    }

    /** Returns the advertised model names, in listing order; immutable. */
    public static List<String> names() {
        return NAMES;
    }

    /** Whether the Realtime endpoint serves {@code model}. */
    public static boolean servesRealtime(String model) {
        return SIM_REALTIME.equals(model);
    }
}
