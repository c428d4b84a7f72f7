package dev.switchboard.broker.resume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ReplayLogTest {

    @Test
    void the_log_keeps_the_newest_events_within_its_event_bound_across_growth_and_wrap() {
        ReplayLog log = new ReplayLog(100, 1 << 20);
        for (long seq = 1; seq <= 1000; seq++) {
            log.append(seq, "f" + seq);
        }
        assertEquals(100, log.size());
        assertEquals(901, log.firstSeq());
        assertEquals(1000, log.lastSeq());
        for (long seq = 901; seq <= 1000; seq++) {
            assertEquals("f" + seq, log.frame(seq));
        }
        assertTrue(log.canReplayAfter(900));
        assertTrue(log.canReplayAfter(1000));
        assertFalse(log.canReplayAfter(899));
        assertFalse(log.canReplayAfter(1001));
    }

    @Test
    void the_byte_bound_evicts_oldest_first_but_always_keeps_the_newest_frame() {
        ReplayLog log = new ReplayLog(1000, 10);
        log.append(1, "aaaa");
        log.append(2, "bbbb");
        log.append(3, "cccc");
        assertEquals(2, log.firstSeq());
        log.append(4, "x".repeat(50));
        assertEquals(1, log.size());
        assertEquals(4, log.firstSeq());
    }

    @Test
    void frames_survive_wrapping_growth_and_multibyte_text_byte_for_byte() {
        ReplayLog log = new ReplayLog(50, 3000);
        java.util.Random random = new java.util.Random(7);
        java.util.List<String> all = new java.util.ArrayList<>();
        for (long seq = 1; seq <= 2000; seq++) {
            String frame = "{\"n\":" + seq + ",\"t\":\"" + "é€😀x".repeat(random.nextInt(20)) + "\"}";
            all.add(frame);
            log.append(seq, frame);
            for (long check = log.firstSeq(); check <= log.lastSeq(); check += 7) {
                assertEquals(all.get((int) check - 1), log.frame(check));
            }
            assertTrue(log.bytes() <= 3000 || log.size() == 1, "byte bound held");
            assertTrue(log.size() <= 50);
        }
    }

    @Test
    void seqs_must_be_contiguous() {
        ReplayLog log = new ReplayLog(10, 100);
        log.append(1, "a");
        assertThrows(IllegalStateException.class, () -> log.append(3, "c"));
        assertThrows(IllegalArgumentException.class, () -> log.frame(2));
    }

    @Test
    void nearly_full_is_three_quarters_of_either_bound() {
        ReplayLog log = new ReplayLog(8, 1000);
        for (long seq = 1; seq <= 5; seq++) {
            log.append(seq, "x");
        }
        assertFalse(log.nearlyFull());
        log.append(6, "x");
        assertTrue(log.nearlyFull());
    }

    @Test
    void a_token_verifies_only_for_its_tenant_and_only_unaltered() {
        ResumeTokens tokens = ResumeTokens.create(Optional.of("0123456789abcdef"));
        String token = tokens.issue("acme", "sess_1");
        assertEquals(Optional.of("sess_1"), tokens.verify(token, "acme"));
        assertEquals(Optional.empty(), tokens.verify(token, "other"));
        assertEquals(Optional.empty(), tokens.verify(token.replace("rt1.", "rt1.x"), "acme"));
        assertEquals(Optional.empty(), tokens.verify(token + "A", "acme"));
        assertEquals(Optional.empty(), ResumeTokens.create(Optional.of("another-secret-key")).verify(token, "acme"));
        assertEquals(Optional.empty(), tokens.verify("", "acme"));
        assertEquals(Optional.empty(), tokens.verify("rt1..", "acme"));
    }
}
