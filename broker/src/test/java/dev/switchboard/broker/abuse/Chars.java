package dev.switchboard.broker.abuse;

import java.util.SplittableRandom;

/**
 * Random text for the generators: ASCII, JSON's special characters, control characters, Latin-1, CJK, right-to-left
 * marks, emoji (surrogate pairs), unpaired surrogates, the byte-order mark and noncharacters.
 */
final class Chars {
    private static final String SPECIAL = "{}[]\":,\\/ \t\r\n\u0000\u0001\u001f\u007f";
    private static final String ODD = "\u00e9\u00ff\u00a0\u4e2d\u6587\u200f\u202e\u2028\u2029\ufeff\ufffe\uffff\ufffd";
    private static final String[] ASTRAL = {"\ud83d\ude00", "\ud800\udc00", "\udbff\udfff", "\ud834\udd1e"};
    private static final char[] LONE = {'\ud800', '\udbff', '\udc00', '\udfff'};

    private Chars() {
    }

    /** A random string of 0 to {@code maxLength} UTF-16 units. */
    static String randomString(SplittableRandom random, int maxLength) {
        int length = random.nextInt(maxLength + 1);
        StringBuilder out = new StringBuilder(length + 2);
        while (out.length() < length) {
            int roll = random.nextInt(100);
            if (roll < 55) {
                out.append((char) (0x20 + random.nextInt(0x5f)));
            } else if (roll < 70) {
                out.append(SPECIAL.charAt(random.nextInt(SPECIAL.length())));
            } else if (roll < 85) {
                out.append(ODD.charAt(random.nextInt(ODD.length())));
            } else if (roll < 93) {
                out.append(ASTRAL[random.nextInt(ASTRAL.length)]);
            } else {
                out.append(LONE[random.nextInt(LONE.length)]);
            }
        }
        return out.toString();
    }
}
