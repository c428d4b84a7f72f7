package dev.switchboard.broker.resume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The replay log's small start (issue 12): no pooled block until the frames held pass the start buffer's cap. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ReplayLogStartTest {

    @Test
    void a_log_holding_a_session_created_frame_takes_no_pooled_block() {
        BlockPool pool = poolWithIdleBlocks(1);
        ReplayLog log = new ReplayLog(4096, 1 << 20, pool);
        log.append(1, frame(1, 1000));
        log.append(2, frame(2, 500));
        assertEquals(1, pool.idle(), "no block taken for 1.5 KB of frames");
        assertEquals(frame(1, 1000), log.frame(1));
        assertEquals(frame(2, 500), log.frame(2));
        log.release();
        assertEquals(1, pool.idle(), "the start buffer is not given to the pool");
    }

    @Test
    void a_streaming_log_moves_into_pooled_blocks_and_gives_back_only_those() {
        BlockPool pool = poolWithIdleBlocks(1);
        ReplayLog log = new ReplayLog(4096, 1 << 20, pool);
        List<String> all = new ArrayList<>();
        for (long seq = 1; seq <= 200; seq++) {
            String frame = frame(seq, 180);
            all.add(frame);
            log.append(seq, frame);
        }
        assertEquals(0, pool.idle(), "the idle block was taken once the frames passed the start buffer");
        assertTrue(log.bytes() > 2 * ReplayLog.BLOCK_BYTES);
        for (long seq = 1; seq <= 200; seq++) {
            assertEquals(all.get((int) seq - 1), log.frame(seq));
        }
        log.release();
        int released = pool.idle();
        assertEquals(blocksSpanned(all), released, "every block the frames spanned, and nothing else");
        for (int i = 0; i < released; i++) {
            assertEquals(ReplayLog.BLOCK_BYTES, pool.take().length, "only whole blocks go back to the pool");
        }
    }

    @Test
    void resume_after_the_start_buffer_grew_into_blocks_replays_every_frame_after_the_client_seq() {
        ReplayLog log = new ReplayLog(4096, 1 << 20);
        List<String> all = new ArrayList<>();
        for (long seq = 1; seq <= 60; seq++) {
            String frame = frame(seq, 10 + (int) seq * 7);
            all.add(frame);
            log.append(seq, frame);
        }
        long clientSeq = 3;
        assertTrue(log.canReplayAfter(clientSeq));
        for (long seq = clientSeq + 1; seq <= log.lastSeq(); seq++) {
            assertEquals(all.get((int) seq - 1), log.frame(seq));
        }
        assertFalse(log.canReplayAfter(61));
    }

    @Test
    void the_bounds_and_frames_match_a_plain_queue_in_both_modes_with_multibyte_text() {
        int[][] bounds = {{3, 1 << 20}, {50, 900}, {50, 5000}, {1000, 40_000}, {16, 4096}, {200, 1 << 20}};
        Random random = new Random(12);
        for (int[] bound : bounds) {
            ReplayLog log = new ReplayLog(bound[0], bound[1], new BlockPool(2));
            ArrayDeque<String> model = new ArrayDeque<>();
            long modelBytes = 0;
            for (long seq = 1; seq <= 1500; seq++) {
                String frame = "{\"n\":" + seq + ",\"t\":\"" + "é€😀x".repeat(randomRepeat(random)) + "\"}";
                int length = utf8(frame);
                while (!model.isEmpty() && (model.size() >= bound[0] || modelBytes + length > bound[1])) {
                    modelBytes -= utf8(model.removeFirst());
                }
                model.addLast(frame);
                modelBytes += length;
                log.append(seq, frame);
                assertEquals(model.size(), log.size(), "events held");
                assertEquals(modelBytes, log.bytes(), "bytes held");
                assertEquals(seq - model.size() + 1, log.firstSeq());
                assertEquals(frame, log.frame(seq));
                // Every frame after every append while the log is small (its start buffer moves often), else now
                // and then: checking thousands of frames each time would make the test slow.
                if (model.size() <= 64 || seq % 37 == 0 || seq == 1500) {
                    assertSameFrames(model, log);
                }
            }
        }
    }

    @Test
    void a_released_log_starts_small_again_and_keeps_its_seq() {
        BlockPool pool = new BlockPool(8);
        ReplayLog log = new ReplayLog(4096, 1 << 20, pool);
        for (long seq = 1; seq <= 100; seq++) {
            log.append(seq, frame(seq, 200));
        }
        log.release();
        int idle = pool.idle();
        assertTrue(idle > 0);
        log.append(101, frame(101, 300));
        assertEquals(idle, pool.idle(), "a small frame after release takes no block");
        assertEquals(101, log.firstSeq());
        assertEquals(frame(101, 300), log.frame(101));
    }

    private static void assertSameFrames(ArrayDeque<String> model, ReplayLog log) {
        long seq = log.firstSeq();
        for (String expected : model) {
            assertEquals(expected, log.frame(seq++));
        }
    }

    /** Blocks that frames written back to back from a block's start span (nothing was evicted). */
    private static int blocksSpanned(List<String> all) {
        long total = 0;
        for (String frame : all) {
            total += utf8(frame);
        }
        return (int) ((total + ReplayLog.BLOCK_BYTES - 1) / ReplayLog.BLOCK_BYTES);
    }

    private static BlockPool poolWithIdleBlocks(int blocks) {
        BlockPool pool = new BlockPool(16);
        for (int i = 0; i < blocks; i++) {
            pool.release(new byte[ReplayLog.BLOCK_BYTES]);
        }
        return pool;
    }

    private static int randomRepeat(Random random) {
        return random.nextInt(10) == 0 ? random.nextInt(2000) : random.nextInt(40);
    }

    private static String frame(long seq, int length) {
        String head = "{\"seq\":" + seq + ",\"p\":\"";
        return head + "x".repeat(Math.max(0, length - head.length() - 2)) + "\"}";
    }

    private static int utf8(String frame) {
        return frame.getBytes(StandardCharsets.UTF_8).length;
    }
}
