package dev.switchboard.broker;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A WebSocket client on a plain blocking socket, for tests that need exact control of the frames on the wire and
 * must send very large ones without copying them per connection: a payload is written straight from the caller's
 * array, masked with the all-zero key (a valid key that leaves the bytes as they are), so many connections can
 * share one array. Reads only what the broker sends: unmasked, unfragmented text and close frames. Not
 * thread-safe; every read is bounded by the socket timeout given to {@link #connect}.
 */
final class RawWebSocket implements AutoCloseable {
    private static final int WRITE_CHUNK = 64 * 1024;
    private static final int MAX_SERVER_FRAME = 1 << 20;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = socket.getOutputStream();
    }

    /** Opens {@code /v1/realtime?model=sim-chat} with {@code key}; throws unless the broker answers 101. */
    static RawWebSocket connect(int port, String key, Duration timeout) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
        socket.setSoTimeout((int) timeout.toMillis());
        RawWebSocket ws = new RawWebSocket(socket);
        ws.out.write(("GET /v1/realtime?model=sim-chat HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " + key + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        ws.out.flush();
        String head = ws.readHead();
        if (!head.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("no upgrade: " + head);
        }
        return ws;
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4 && head.size() < 16 * 1024) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the upgrade");
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** Sends {@code payload} as one unfragmented text frame, written in 64 KiB pieces. */
    void sendTextFrame(byte[] payload) throws IOException {
        byte[] header = new byte[14];
        header[0] = (byte) 0x81;  // FIN, text
        header[1] = (byte) (0x80 | 127);  // masked, 64-bit length
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) ((long) payload.length >>> (56 - 8 * i));
        }
        // header[10..13]: the all-zero masking key.
        out.write(header);
        for (int offset = 0; offset < payload.length; offset += WRITE_CHUNK) {
            out.write(payload, offset, Math.min(WRITE_CHUNK, payload.length - offset));
        }
        out.flush();
    }

    /**
     * The next text frame's payload, or {@code "close CODE REASON"} when the broker closed the connection.
     *
     * @throws java.net.SocketTimeoutException when nothing arrives within the socket timeout
     */
    String next() throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        if (length > MAX_SERVER_FRAME || (second & 0x80) != 0) {
            throw new IOException("unexpected server frame: length " + length + ", byte 1 " + second);
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        int opcode = first & 0x0F;
        if (opcode == 0x8) {
            int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
            return "close " + code + " " + new String(payload, Math.min(2, payload.length),
                    Math.max(0, payload.length - 2), StandardCharsets.UTF_8);
        }
        if (opcode != 0x1 || (first & 0x80) == 0) {
            throw new IOException("unexpected server frame: byte 0 " + first);
        }
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
