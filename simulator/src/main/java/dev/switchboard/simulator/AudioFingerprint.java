package dev.switchboard.simulator;

/**
 * A running 64-bit FNV-1a hash of audio bytes, fed chunk by chunk as audio arrives, so an untranscribed audio
 * item can seed text deterministically (the same audio gives the same answer) without keeping its bytes.
 * Not thread-safe.
 */
final class AudioFingerprint {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private long hash = FNV_OFFSET;

    void update(byte[] bytes, int offset, int length) {
        long h = hash;
        for (int i = offset; i < offset + length; i++) {
            h = (h ^ (bytes[i] & 0xff)) * FNV_PRIME;
        }
        hash = h;
    }

    void reset() {
        hash = FNV_OFFSET;
    }

    /** The seed text standing for the audio so far, e.g. {@code <audio 0123456789abcdef>}. */
    String seedText() {
        return "<audio " + RealtimeIds.hex(hash, 16) + ">";
    }

    static String of(byte[] bytes) {
        AudioFingerprint fingerprint = new AudioFingerprint();
        fingerprint.update(bytes, 0, bytes.length);
        return fingerprint.seedText();
    }
}
