package dev.switchboard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.loadtest.report.Summary;
import dev.switchboard.loadtest.report.VoiceHtmlReport;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The voice harness's audio, onset bookkeeping, flags and HTML page, without a broker. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class VoiceHarnessTest {

    private static short[] samples(String append) {
        String audio = append.substring(append.indexOf("\"audio\":\"") + 9, append.lastIndexOf('"'));
        byte[] pcm = Base64.getDecoder().decode(audio);
        short[] out = new short[pcm.length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
        }
        return out;
    }

    @Test
    void utterances_start_where_their_onset_says_and_the_room_is_quiet() {
        for (int onset = 0; onset < VoiceAudio.ONSETS; onset++) {
            short[] first = samples(VoiceAudio.speech(onset, 0));
            assertEquals(2_400, first.length);
            int lead = VoiceAudio.onsetMs(onset) * 24;
            for (int i = 0; i < lead; i++) {
                assertTrue(Math.abs(first[i]) < 100, "onset " + onset + " sample " + i + " is room noise");
            }
            int loudFrom = lead + 24 * VoiceAudio.ATTACK_MS;
            for (int i = loudFrom; i < first.length; i++) {
                assertFalse(i + 48 < first.length && java.util.stream.IntStream.range(i, i + 48)
                        .allMatch(k -> Math.abs(first[k]) < 100), "speech after the attack at " + i);
            }
        }
        short[] room = samples(VoiceAudio.room(3));
        double sum = 0;
        for (short s : room) {
            sum += (double) s * s;
        }
        double dbfs = 20 * Math.log10(Math.sqrt(sum / room.length) / 32768);
        assertEquals(VoiceAudio.ROOM_DBFS, dbfs, 1.0);
    }

    @Test
    void the_first_of_the_two_speech_started_events_is_the_one_with_the_lower_seq() {
        VoiceOnsets.Detection early = new VoiceOnsets.Detection(10, 5_000, 85);
        VoiceOnsets.Detection late = new VoiceOnsets.Detection(14, 30_000, 85);
        assertTrue(VoiceOnsets.firstIsBroker(new VoiceOnsets.Utterance(early, late, 17)));
        assertFalse(VoiceOnsets.firstIsBroker(new VoiceOnsets.Utterance(late, early, 17)));
        assertTrue(VoiceOnsets.firstIsBroker(new VoiceOnsets.Utterance(late, VoiceOnsets.Detection.NONE, 17)));
        VoiceOnsets onsets = new VoiceOnsets();
        onsets.add(new VoiceOnsets.Utterance(early, late, 17));
        onsets.add(new VoiceOnsets.Utterance(late, early, 17));
        onsets.add(new VoiceOnsets.Utterance(VoiceOnsets.Detection.NONE, early, -1));
        assertEquals(3, onsets.utterances.sum());
        assertEquals(1, onsets.brokerFirst.sum());
        assertEquals(2, onsets.providerFirst.sum());
        assertEquals(1, onsets.brokerMissed.sum());
        assertEquals(2, onsets.brokerWall.getTotalCount());
        assertEquals(2, onsets.brokerDecided.getTotalCount());
    }

    @Test
    void barge_in_kinds_and_pinning_are_flags() {
        Settings s = Settings.parse("--scenario", "voice", "--barge-in", "broker_vad,client", "--broker-pid", "42",
                "--pin-broker", "1", "--pin-self", "0");
        assertEquals(List.of("broker_vad", "client"), s.bargeKinds());
        assertEquals(1, s.pin().brokerCore().getAsInt());
        assertEquals(0, s.pin().selfCore().getAsInt());
        assertEquals(Settings.BARGE_KINDS, Settings.parse().bargeKinds());
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Settings.parse("--barge-in", "client,shout")).getMessage().contains("--barge-in"));
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Settings.parse("--pin-broker", "1")).getMessage().contains("--broker-pid"));
    }

    @Test
    void the_voice_page_has_its_tables_and_charts_and_escapes_text() {
        Summary.LatencyStats stats = new Summary.LatencyStats(2, 3, 2, 4, 4, 4, 4, List.of(
                new Summary.PercentilePoint(0, 2), new Summary.PercentilePoint(50, 2),
                new Summary.PercentilePoint(100, 4)));
        Map<String, Summary.LatencyStats> latencies = new LinkedHashMap<>();
        latencies.put("bargein_broker_vad_ms", stats);
        latencies.put("onset_provider_vad_ms", stats);
        List<VoiceHtmlReport.Second> timeline = List.of(
                new VoiceHtmlReport.Second(1, 3, 900, new Summary.Window(2, 2, 4, 4), 35),
                new VoiceHtmlReport.Second(2, 3, 950, Summary.Window.EMPTY, 37));
        String html = VoiceHtmlReport.render(new VoiceHtmlReport.Voice(true, "3 sessions <b>", latencies,
                Map.of("onsets", Map.of("broker first", 2L)), Optional.of(new Summary.BrokerCpu(7, 20, 0.35,
                        20_000, 350, 1, 0.5)), timeline, Map.of("sessions", 3), List.of("--scenario", "voice")));
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("3 sessions &lt;b&gt;"));
        assertTrue(html.contains("bargein_broker_vad_ms") && html.contains("onset_provider_vad_ms"));
        assertTrue(html.contains("Barge-in latency per second") && html.contains("Broker CPU per second"));
        assertTrue(html.contains("pinned to core 1"));
        assertEquals(5, html.split("<svg", -1).length - 1, "five charts");
        assertFalse(html.contains("<script"));
    }
}
