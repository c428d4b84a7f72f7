package dev.switchboard.simulator;

/**
 * The ITU-T G.711 companding codecs between 16-bit linear samples and one byte a sample: μ-law
 * ({@code audio/pcmu}) and A-law ({@code audio/pcma}). Each law keeps a sign, a 3-bit segment (exponent) and a
 * 4-bit step within the segment, and inverts bits on the wire (μ-law all of them, A-law the even ones). Stateless
 * and thread-safe.
 */
final class G711 {

    /** μ-law's offset that makes the segments start at powers of two. */
    private static final int ULAW_BIAS = 0x84;
    /** The largest magnitude μ-law represents before the bias is added. */
    private static final int ULAW_CLIP = 32_635;
    /** A-law toggles the even bits of every code. */
    private static final int ALAW_TOGGLE = 0x55;

    private G711() {
    }

    static byte encodeUlaw(short sample) {
        int magnitude = sample;
        int sign = 0;
        if (magnitude < 0) {
            sign = 0x80;
            magnitude = -magnitude;
        }
        magnitude = Math.min(magnitude, ULAW_CLIP) + ULAW_BIAS;
        // The segment is how far the highest set bit lies above bit 7, which the bias always sets or passes.
        int segment = 31 - Integer.numberOfLeadingZeros(magnitude) - 7;
        int step = (magnitude >> (segment + 3)) & 0x0F;
        return (byte) ~(sign | (segment << 4) | step);
    }

    static short decodeUlaw(byte code) {
        int bits = ~code & 0xFF;
        int segment = (bits >> 4) & 0x07;
        int magnitude = ((((bits & 0x0F) << 3) + ULAW_BIAS) << segment) - ULAW_BIAS;
        return (short) ((bits & 0x80) != 0 ? -magnitude : magnitude);
    }

    static byte encodeAlaw(short sample) {
        // A-law works on 13-bit magnitudes; negative samples are shifted by one so -32768 does not overflow.
        boolean negative = sample < 0;
        int magnitude = (negative ? -sample - 1 : sample) >> 3;
        int code;
        if (magnitude < 32) {
            code = magnitude >> 1;
        } else {
            int segment = 31 - Integer.numberOfLeadingZeros(magnitude) - 4;
            code = (segment << 4) | ((magnitude >> segment) & 0x0F);
        }
        return (byte) ((negative ? code : code | 0x80) ^ ALAW_TOGGLE);
    }

    static short decodeAlaw(byte code) {
        int bits = (code ^ ALAW_TOGGLE) & 0xFF;
        int segment = (bits >> 4) & 0x07;
        int step = bits & 0x0F;
        // The middle of the step's interval, scaled back to 16 bits.
        int magnitude = segment == 0 ? (step << 4) + 8 : ((step << 4) + 0x108) << (segment - 1);
        return (short) ((bits & 0x80) != 0 ? magnitude : -magnitude);
    }
}
