package dev.switchboard.broker.stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.RealtimeClient;
import dev.switchboard.broker.SeqAssert;
import dev.switchboard.broker.config.ConfigLoader;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The lock-free parking wait strategy ({@code rings.wait_strategy: parking}): nothing lost, shutdown, end to end. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ParkingWaitStrategyTest {
    private static final class Box {
        long value;
    }

    @Test
    void every_event_of_four_producers_that_pause_now_and_then_reaches_the_consumer() throws Exception {
        AtomicLong sum = new AtomicLong();
        AtomicLong count = new AtomicLong();
        List<Thread> consumers = new ArrayList<>();
        Disruptor<Box> disruptor = new Disruptor<>(Box::new, 1024, runnable -> {
            Thread thread = new Thread(runnable, "parking-test-consumer");
            thread.setDaemon(true);
            consumers.add(thread);
            return thread;
        }, ProducerType.MULTI, new ParkingWaitStrategy());
        disruptor.handleEventsWith((box, sequence, endOfBatch) -> {
            sum.addAndGet(box.value);
            count.incrementAndGet();
        });
        RingBuffer<Box> ring = disruptor.start();
        int perProducer = 20_000;
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            Thread producer = new Thread(() -> {
                for (int i = 1; i <= perProducer; i++) {
                    long value = i;
                    ring.publishEvent((box, sequence) -> box.value = value);
                    if (i % 97 == 0) {
                        LockSupport.parkNanos(20_000);  // lets the consumer drain and park between bursts
                    }
                }
            });
            producer.start();
            producers.add(producer);
        }
        for (Thread producer : producers) {
            producer.join(30_000);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> count.get() == 4L * perProducer);
        assertEquals(4L * perProducer * (perProducer + 1) / 2, sum.get());
        disruptor.shutdown(5, java.util.concurrent.TimeUnit.SECONDS);
        consumers.get(0).join(5_000);
        assertFalse(consumers.get(0).isAlive(), "the parked consumer is alerted and stops on shutdown");
    }

    @Test
    void a_broker_on_parking_rings_streams_an_answer_with_every_seq() throws Exception {
        Broker broker = Broker.start(new ConfigLoader(name -> null).parse("""
                listen: {host: 127.0.0.1, port: 0}
                simulator: {enabled: true}
                rings: {wait_strategy: parking}
                tenants:
                  dev: {keys: [dev-key], models: ["*"]}
                """));
        WebSocketClient ws = new WebSocketClient();
        ws.start();
        try (RealtimeClient client = RealtimeClient.connect(ws, URI.create("ws://127.0.0.1:" + broker.port()
                + "/v1/realtime?model=sim-chat"), "dev-key")) {
            client.next();
            client.send(RealtimeClient.userMessage("Hello."));
            client.send(RealtimeClient.responseCreate("go", "{\"sim_tokens\":\"200\",\"sim_ttft_ms\":\"0\"}"));
            List<JsonNode> frames = client.until("response.done");

            assertEquals("completed", frames.get(frames.size() - 1).path("response").path("status").asText());
            SeqAssert.contiguousFromOne(client.received());
        } finally {
            ws.stop();
            broker.close();
        }
    }
}
