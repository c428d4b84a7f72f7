package dev.switchboard.broker.abuse;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The fuzzer against relayed sessions (model {@code sim-realtime}). The relay reads only the envelope
 * ({@code EventCodec.peekClient}: one JSON object, a non-empty string type, a string event_id if any) and forwards
 * everything else to the provider, whose answers (the simulator's own {@code error} events included) are its own.
 * What must hold: the broker refuses broken envelopes with exactly the code a bridged session gives, it never closes
 * the connection, the session still completes a response, and seq has no gap. Seeded: see {@link Fuzzer}.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RelayFuzzTest {
    private static AbuseBroker broker;
    private static Documented docs;

    @BeforeAll
    static void start() throws Exception {
        docs = Documented.load();
        broker = AbuseBroker.start();
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    @Test
    void a_relayed_session_refuses_broken_envelopes_stays_open_and_usable_while_a_bystander_is_unharmed()
            throws Exception {
        Fuzzer fuzzer = Fuzzer.of("relayed frames and sequences", 60, 6, Duration.ofSeconds(15));
        try (Bystander bystander = Bystander.start(broker)) {
            fuzzer.run(random -> new ScriptGenerator(random, true).any(), RelayFuzzTest::play);
            bystander.stopAndAssertUnharmed();
            System.out.println("abuse: " + bystander.summary());
        }
    }

    @Test
    void the_same_broken_envelope_gets_the_same_code_on_relayed_and_bridged_sessions() throws Exception {
        Fuzzer fuzzer = Fuzzer.of("envelope parity", 150, 15, Duration.ofSeconds(10));
        AtomicInteger masked = new AtomicInteger();
        try (FuzzSession bridged = FuzzSession.open(broker, AbuseBroker.BRIDGED);
             FuzzSession relayed = FuzzSession.open(broker, AbuseBroker.RELAYED)) {
            fuzzer.run(random -> List.of(new FrameGenerator(random, false).next()), script -> {
                Frame frame = script.get(0);
                List<JsonNode> fromBridged = bridged.exchange(frame);
                List<JsonNode> fromRelayed = relayed.exchange(frame);
                if (KnownDefects.parityMask(frame).isPresent()) {
                    masked.incrementAndGet();
                    return;
                }
                try {
                    Verdicts.sameEnvelopeAnswer(frame, fromBridged, fromRelayed);
                } catch (AssertionError e) {
                    throw new AssertionError(frame.describe() + ": " + e.getMessage(), e);
                }
                Verdicts.check(bridged.closeStatus().isEmpty() && relayed.closeStatus().isEmpty(),
                        "the broker closed a connection", frame);
            });
            SeqCheck.gapFree(bridged.received());
            SeqCheck.gapFree(relayed.received());
        }
        System.out.println("abuse: envelope parity skipped " + masked.get() + " frames masked by known defects");
    }

    /** Plays one script on a fresh relayed session and checks the relay's invariants; closes it normally. */
    static void play(List<Frame> script) throws Exception {
        try (FuzzSession session = FuzzSession.open(broker, AbuseBroker.RELAYED)) {
            for (int step = 0; step < script.size(); step++) {
                Frame frame = script.get(step);
                List<JsonNode> window = session.exchange(frame);
                try {
                    Verdicts.relayedWindow(frame, window, docs);
                } catch (AssertionError e) {
                    throw new AssertionError("step " + step + " " + frame.describe() + ": " + e.getMessage(), e);
                }
                Verdicts.check(session.closeStatus().isEmpty(), "the broker closed the connection",
                        session.closeStatus());
            }
            session.assertUsable();
            SeqCheck.gapFree(session.received());
            Verdicts.check(session.closeStatus().isEmpty(), "the broker closed the connection",
                    session.closeStatus());
        }
    }
}
