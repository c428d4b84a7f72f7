package dev.switchboard.broker.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The console's voice page in headless Chromium, its fake microphone fed a WAV that speaks once every loop
 * ({@link SpeechWav}), against the real dev-mode broker and {@code sim-realtime}: the first utterance gets an audio
 * answer that plays, the next one speaks over it and barges in — playback stops, the cut is measured — and none of
 * the stumbles of the old example happen: no {@code error} event (no cancel without a running response, no
 * truncate beyond what was received), Start disabled while running, every seq exactly once.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class VoiceBrowserTest {
    /** One loop of the fake microphone: the answer to one utterance is still playing when the next one starts. */
    private static final int LEAD_MS = 500;
    private static final int SPEECH_MS = 1200;
    private static final int TAIL_MS = 3300;

    /** The Interrupt test's microphone: one utterance, then quiet long enough to listen to the whole answer. */
    private static final int LONG_TAIL_MS = 40_000;

    private static ConsoleBroker broker;
    @TempDir
    static Path dir;
    private Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        Chromium.assumeInstalled();
        broker = ConsoleBroker.dev();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void close() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
    }

    /** A browser whose microphone loops a WAV of one utterance followed by {@code tailMs} of quiet room. */
    private Chromium browserSpeaking(String name, int tailMs) throws Exception {
        Path wav = SpeechWav.write(dir.resolve(name + ".wav"), LEAD_MS, SPEECH_MS, tailMs);
        assertTrue(Files.size(wav) > 0);
        return Chromium.start(List.of("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--use-file-for-fake-audio-capture=" + wav));
    }

    @Test
    void speech_gets_an_audio_answer_and_speaking_over_it_barges_in() throws Exception {
        chromium = browserSpeaking("barge-in", TAIL_MS);
        startAndHearAnAnswer();
        // The next utterance speaks over it: a barge-in that stopped playback, measured.
        WebElement bargeIn = chromium.waiting().until(d -> d.findElements(By.cssSelector("#vc-bargeins li"))
                .stream().filter(li -> li.getAttribute("data-latency-ms") != null).findFirst().orElse(null));
        String trigger = bargeIn.getAttribute("data-trigger");
        assertTrue(trigger.endsWith("speech_started"), trigger);
        double latencyMs = Double.parseDouble(bargeIn.getAttribute("data-latency-ms"));
        assertTrue(latencyMs >= 0, bargeIn.getText());
        WebElement interrupted = chromium.waiting().until(d -> d.findElements(
                By.cssSelector("#vc-transcript li.assistant.cancelled[data-heard-ms]")).stream().findFirst()
                .orElse(null));
        assertTrue(Long.parseLong(interrupted.getAttribute("data-heard-ms")) > 0, interrupted.getText());
        // The truncate named a position within the item's audio: the provider confirms it.
        chromium.waiting().until(d -> !rows("conversation.item.truncated").isEmpty());
        String heardText = interrupted.findElement(By.cssSelector(".heard")).getText();
        assertFalse(heardText.isEmpty(), "the transcript shows what the caller heard");
        chromium.screenshot("console-voice");
        chromium.driver.manage().window().setSize(Chromium.PHONE);
        chromium.assertNoHorizontalScroll();
        chromium.screenshot("console-voice-phone");
        chromium.driver.manage().window().setSize(Chromium.LAPTOP);
        chromium.byId("vc-stop").click();
        chromium.waiting().until(d -> chromium.byId("vc-start").isEnabled());
        assertEquals(List.of(), rows("error").stream().map(WebElement::getText).toList(), "error events");
        WebElement seq = chromium.byId("vc-seq");
        assertEquals("0", seq.getAttribute("data-missing"), seq.getText());
        assertEquals("0", seq.getAttribute("data-repeated"), seq.getText());
        chromium.assertNoScriptErrors();
        chromium.assertOnlyRequested(broker.origin());
    }

    @Test
    void interrupt_after_the_answer_was_generated_stops_playback_and_truncates_without_a_cancel() throws Exception {
        chromium = browserSpeaking("interrupt", LONG_TAIL_MS);
        startAndHearAnAnswer();
        // The answer is generated about ten times faster than it plays: it is done while most of it still plays.
        chromium.waiting().until(d -> !rows("response.done").isEmpty());
        assertEquals("completed", rows("response.done").get(0).getAttribute("data-status"));
        assertEquals("true", chromium.byId("vc-playback").getAttribute("data-playing"));
        WebElement interrupt = chromium.byId("vc-interrupt");
        assertTrue(interrupt.isEnabled(), "Interrupt is offered while audio plays");
        interrupt.click();
        WebElement entry = chromium.waiting().until(d -> d.findElements(By.cssSelector("#vc-bargeins li"))
                .stream().filter(li -> "Interrupt button".equals(li.getAttribute("data-trigger"))).findFirst()
                .orElse(null));
        assertTrue(entry.getText().contains("only playback was stopped"), entry.getText());
        chromium.waiting().until(d -> !rows("conversation.item.truncated").isEmpty());
        chromium.waiting().until(d -> "false".equals(chromium.byId("vc-playback").getAttribute("data-playing")));
        assertEquals(List.of(), rows("response.cancel").stream().map(WebElement::getText).toList(),
                "no response.cancel without a running response");
        chromium.byId("vc-stop").click();
        assertEquals(List.of(), rows("error").stream().map(WebElement::getText).toList(), "error events");
        chromium.assertNoScriptErrors();
    }

    /** Opens the voice page, starts a session and waits until an answer's audio plays and its transcript shows. */
    private void startAndHearAnAnswer() {
        chromium.open(broker.origin(), "voice");
        chromium.enterKey(ConsoleBroker.KEY);
        new Select(chromium.byId("vc-model")).selectByValue("sim-realtime");
        chromium.byId("vc-start").click();
        assertFalse(chromium.byId("vc-start").isEnabled(), "Start is disabled while the session runs");
        chromium.waiting().until(d -> "open".equals(chromium.byId("vc-status").getAttribute("data-state")));
        // The microphone is heard: its level is above the quiet room at some point.
        chromium.waiting().until(d -> Double.parseDouble(chromium.byId("vc-level").getAttribute("value")) > -40);
        // An answer: its transcript streams and its audio plays.
        chromium.waiting().until(d -> "true".equals(chromium.byId("vc-playback").getAttribute("data-playing")));
        chromium.waiting().until(d -> assistantTranscripts().stream().anyMatch(t -> t.length() > 20));
    }

    private List<String> assistantTranscripts() {
        return chromium.driver.findElements(By.cssSelector("#vc-transcript li.assistant .text")).stream()
                .map(e -> e.getAttribute("textContent")).toList();
    }

    private List<WebElement> rows(String type) {
        return chromium.driver.findElements(By.cssSelector("#vc-inspector li[data-type='" + type + "']"));
    }
}
