package dev.switchboard.broker.transport.ws;

import java.util.function.Consumer;

/**
 * Reassembles one client text message at a time from Jetty's partial deliveries, never holding more than
 * {@code maxBytes} (UTF-8) of it. A message that grows past the limit is dropped at once, its remaining fragments
 * are discarded as they arrive without being kept, and when its last fragment arrives {@code onTooLarge} runs
 * exactly once. A message within the limit goes to {@code onMessage} whole, when its last fragment arrives.
 *
 * <p>Cost: a message that arrives in one piece (most client events: Jetty delivers a frame that came in one
 * network read as a single, final fragment) is handed on as the very {@code String} Jetty decoded, with no copy.
 * Only messages split across fragments are copied into a builder, which is kept for the next message unless it
 * grew beyond {@value #RETAINED_CHARS} characters: one large audio append must not pin a megabyte for the
 * connection's whole life.
 *
 * <p>Not thread-safe. Jetty calls a connection's listener one fragment at a time, each after the demand for it,
 * which orders the calls. The handlers run on the calling thread after this assembler has reset, so they may
 * demand the next fragment.
 */
final class TextAssembler {
    private static final int RETAINED_CHARS = 64 * 1024;
    private static final int INITIAL_CHARS = 8 * 1024;

    private final int maxBytes;
    private final Consumer<String> onMessage;
    private final Runnable onTooLarge;
    private StringBuilder parts = new StringBuilder(0);
    /** Whether a message has begun with a fragment that was not its last. */
    private boolean assembling;
    /** UTF-8 bytes of the message so far; above {@link #maxBytes} once the message is being discarded. */
    private long bytes;

    /**
     * @param maxBytes the largest message accepted, in UTF-8 bytes ({@code limits.max_frame_bytes})
     * @param onMessage receives each complete message within the limit
     * @param onTooLarge runs once for each message over the limit, after its last fragment
     */
    TextAssembler(int maxBytes, Consumer<String> onMessage, Runnable onTooLarge) {
        this.maxBytes = maxBytes;
        this.onMessage = onMessage;
        this.onTooLarge = onTooLarge;
    }

    /** Takes the next fragment of the current message; {@code last} ends the message. */
    void accept(String fragment, boolean last) {
        if (!assembling && last) {
            // The whole message in one fragment: the common case, handed on without a copy.
            if (fitsUtf8(fragment, maxBytes)) {
                onMessage.accept(fragment);
            } else {
                onTooLarge.run();
            }
            return;
        }
        assembling = true;
        if (bytes <= maxBytes) {
            bytes += utf8Length(fragment, maxBytes - bytes);
            if (bytes <= maxBytes) {
                append(fragment);
            } else {
                release();
            }
        }
        if (last) {
            boolean tooLarge = bytes > maxBytes;
            String message = tooLarge ? "" : parts.toString();
            assembling = false;
            bytes = 0;
            release();
            if (tooLarge) {
                onTooLarge.run();
            } else {
                onMessage.accept(message);
            }
        }
    }

    /**
     * Appends, growing the builder at most to {@link #maxBytes} characters, which is enough because a character
     * takes at least one byte. Grown here rather than by {@code StringBuilder}, which could double past the limit.
     */
    private void append(String fragment) {
        int needed = parts.length() + fragment.length();
        if (needed > parts.capacity()) {
            int doubled = Math.max(INITIAL_CHARS, 2 * parts.capacity());
            parts = new StringBuilder(Math.max(needed, Math.min(doubled, maxBytes))).append(parts);
        }
        parts.append(fragment);
    }

    /** Drops the builder's contents, and the builder itself when it grew too large to keep. */
    private void release() {
        if (parts.capacity() > RETAINED_CHARS) {
            parts = new StringBuilder(0);
        } else {
            parts.setLength(0);
        }
    }

    /** Whether {@code text} is at most {@code limit} bytes in UTF-8, without counting when it surely is. */
    static boolean fitsUtf8(String text, long limit) {
        return text.length() * 3L <= limit || utf8Length(text, limit) <= limit;
    }

    /**
     * The UTF-8 byte length of {@code text}, exact while it is at most {@code limit}; once above, counting stops
     * and some value above {@code limit} is returned.
     */
    static long utf8Length(String text, long limit) {
        if (text.length() > limit) {
            return text.length();  // every character takes at least one byte
        }
        long bytes = 0;
        for (int i = 0; i < text.length() && bytes <= limit; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
