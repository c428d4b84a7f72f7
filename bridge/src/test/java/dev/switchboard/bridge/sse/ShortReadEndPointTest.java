package dev.switchboard.bridge.sse;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.util.BufferUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** {@link ShortReadEndPoint} on a real loopback socket pair. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ShortReadEndPointTest {
    private ServerSocketChannel server;
    private SocketChannel peer;
    private SocketChannel local;
    private final LongAdder skipped = new LongAdder();
    private ShortReadEndPoint endPoint;

    @BeforeEach
    void connect() throws Exception {
        server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        local = SocketChannel.open(server.getLocalAddress());
        peer = server.accept();
        local.configureBlocking(false);
        endPoint = new ShortReadEndPoint(local, null, null, null, skipped);
    }

    @AfterEach
    void close() throws Exception {
        peer.close();
        local.close();
        server.close();
    }

    private void send(String text) throws Exception {
        peer.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
    }

    /** Fills until {@code expected} bytes arrived; returns them. */
    private String readAll(ByteBuffer buffer, int expected) {
        StringBuilder got = new StringBuilder();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            endPoint.fill(buffer);
            got.append(BufferUtil.toString(buffer, StandardCharsets.US_ASCII));
            buffer.clear().flip();
            return got.length() >= expected;
        });
        return got.toString();
    }

    @Test
    void after_a_short_read_the_next_fill_returns_nothing_without_reading_and_the_one_after_reads() throws Exception {
        ByteBuffer buffer = BufferUtil.allocate(100);
        send("0123456789");
        assertEquals("0123456789", readAll(buffer, 10));
        long before = skipped.sum();

        send("abcde");
        // The socket now holds five bytes, but the read before emptied it: no read this time.
        assertEquals(0, endPoint.fill(buffer));
        assertEquals(before + 1, skipped.sum());
        assertEquals("abcde", readAll(buffer, 5));
    }

    @Test
    void a_read_that_fills_all_the_room_is_followed_by_a_real_read() throws Exception {
        ByteBuffer small = BufferUtil.allocate(4);
        // One write of ten bytes on loopback is one segment: it becomes readable whole.
        send("0123456789");
        int[] first = new int[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> (first[0] = endPoint.fill(small)) > 0);
        assertEquals(4, first[0]);
        assertEquals("0123", take(small));
        assertEquals(4, endPoint.fill(small));
        assertEquals("4567", take(small));
        assertEquals(2, endPoint.fill(small));
        assertEquals("89", take(small));
        assertEquals(0, skipped.sum());
    }

    private static String take(ByteBuffer buffer) {
        String text = BufferUtil.toString(buffer, StandardCharsets.US_ASCII);
        buffer.clear().flip();
        return text;
    }

    @Test
    void the_end_of_the_stream_is_still_seen() throws Exception {
        ByteBuffer buffer = BufferUtil.allocate(100);
        send("x");
        assertEquals("x", readAll(buffer, 1));
        peer.shutdownOutput();
        assertEquals(0, endPoint.fill(buffer));
        await().atMost(Duration.ofSeconds(10)).until(() -> endPoint.fill(buffer) == -1);
    }
}
