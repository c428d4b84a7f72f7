package dev.switchboard.broker.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BatchFlushTest {
    @Test
    void only_the_bound_consumer_thread_may_defer() throws Exception {
        BatchFlush batch = new BatchFlush();
        assertFalse(batch.isConsumerThread(), "no consumer yet");
        batch.bind(Thread.currentThread());
        assertTrue(batch.isConsumerThread());
        boolean[] other = {true};
        Thread thread = new Thread(() -> other[0] = batch.isConsumerThread());
        thread.start();
        thread.join(5_000);
        assertFalse(other[0]);
    }

    @Test
    void every_writer_is_flushed_once_even_when_one_throws() {
        BatchFlush batch = new BatchFlush();
        List<String> flushed = new ArrayList<>();
        IllegalStateException bug = new IllegalStateException("bug");
        batch.defer(() -> flushed.add("a"));
        batch.defer(() -> {
            throw bug;
        });
        batch.defer(() -> flushed.add("c"));
        assertSame(bug, assertThrows(IllegalStateException.class, batch::flushAll));
        assertEquals(List.of("a", "c"), flushed);
        batch.flushAll();
        assertEquals(List.of("a", "c"), flushed, "nothing is flushed twice");
    }
}
