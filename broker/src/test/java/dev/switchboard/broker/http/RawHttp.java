package dev.switchboard.broker.http;

import dev.switchboard.broker.Broker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One TCP connection speaking raw HTTP/1.1 bytes, for what no HTTP client sends: malformed requests, bodies and
 * headers trickled a byte at a time. Every read is bounded by a 10 s socket timeout.
 */
final class RawHttp implements AutoCloseable {
    private static final int READ_TIMEOUT_MS = 10_000;
    /** CR LF CR LF as the last four bytes read. */
    private static final int END_OF_HEAD = 0x0d0a0d0a;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /**
     * One response.
     *
     * @param headers by lower-case name
     */
    record Reply(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
        }
    }

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static RawHttp connect(Broker broker) throws IOException {
        Socket socket = new Socket("127.0.0.1", broker.port());
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        return new RawHttp(socket);
    }

    /** One request on a new connection, and its response. */
    static Reply exchange(Broker broker, String request) throws IOException {
        try (RawHttp http = connect(broker)) {
            http.send(request);
            return http.read(false);
        }
    }

    void send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Sends {@code text}; false if the connection is closed (the write failed). */
    boolean trySend(String text) {
        try {
            send(text);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the response has started arriving, without waiting. */
    boolean hasReply() throws IOException {
        return in.available() > 0;
    }

    /** Whether the broker has closed the connection (end of stream or reset), waiting at most 1 ms. */
    boolean closedByBroker() throws IOException {
        socket.setSoTimeout(1);
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        } finally {
            socket.setSoTimeout(READ_TIMEOUT_MS);
        }
    }

    /** The next byte, or -1 at the end of the stream. */
    int readByte() throws IOException {
        return in.read();
    }

    /** Reads one response: head, then a {@code Content-Length} body (none for a {@code HEAD} request). */
    Reply read(boolean head) throws IOException {
        String[] lines = readHead().split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        int length = head ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0"));
        return new Reply(status, headers, new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != END_OF_HEAD) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head.size() + " bytes of response head: "
                        + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        byte[] bytes = head.toByteArray();
        return new String(bytes, 0, bytes.length - 4, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
