package dev.switchboard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BrokerProbeTest {

    @Test
    void heap_is_the_sum_of_the_heap_pools_and_sessions_come_from_the_gauge() throws IOException {
        String body = """
                # HELP broker_sessions_active Sessions with an open client connection
                # TYPE broker_sessions_active gauge
                broker_sessions_active 20.0
                # TYPE broker_connections_slow_consumer_total counter
                broker_connections_slow_consumer_total 3.0
                jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 8388608.0
                jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 6605312.0
                jvm_memory_used_bytes{area="heap",id="G1 Survivor Space"} 4194304.0
                jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 1.7751688E7
                """;
        BrokerProbe.Sample sample = BrokerProbe.parse(body, true);
        assertEquals(8388608L + 6605312L + 4194304L, sample.heapBytes());
        assertEquals(20, sample.sessionsActive());
        assertEquals(3, sample.slowConsumerClosed());
    }

    @Test
    void a_broker_without_the_slow_consumer_counter_reads_as_minus_one() throws IOException {
        BrokerProbe.Sample sample = BrokerProbe.parse("jvm_memory_used_bytes{area=\"heap\",id=\"x\"} 1.0\n", false);
        assertEquals(-1, sample.slowConsumerClosed());
        assertEquals(-1, sample.sessionsActive());
    }

    @Test
    void metrics_without_heap_series_are_refused() {
        assertThrows(IOException.class, () -> BrokerProbe.parse("broker_sessions_active 1\n", false));
    }
}
