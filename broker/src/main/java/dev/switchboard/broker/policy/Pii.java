package dev.switchboard.broker.policy;

import dev.switchboard.broker.config.Policies;
import java.math.BigInteger;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The personal-data patterns of {@code detect: pii} (documented in {@code docs/policy.md}). Each pattern finds
 * candidates; card numbers must pass the Luhn check and IBANs the ISO 13616 mod-97 check, so an order number or a
 * random digit run is not redacted as a card.
 */
final class Pii {
    private static final Pattern EMAIL = Pattern.compile(
            "(?<![\\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}(?![\\w-])");
    /** North American numbers (555-123-4567, (555) 123-4567, +1 555 123 4567) and any number written with +. */
    private static final Pattern PHONE = Pattern.compile("(?<![\\w+])(?:"
            + "(?:\\+1[ .-]?)?(?:\\(\\d{3}\\)[ .-]?|\\d{3}[ .-])\\d{3}[ .-]\\d{4}"
            + "|\\+\\d{1,3}(?:[ .-]?\\(?\\d{1,4}\\)?){2,5}"
            + ")(?![\\w])");
    /** 13 to 19 digits, optionally grouped by single spaces or dashes. */
    private static final Pattern CARD = Pattern.compile("(?<![\\d-])\\d(?:[ -]?\\d){12,18}(?![\\d])");
    private static final Pattern IBAN = Pattern.compile(
            "(?<![A-Za-z0-9])[A-Z]{2}\\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])");
    private static final Pattern US_SSN = Pattern.compile(
            "(?<![\\d-])(?!000|666|9\\d\\d)\\d{3}-(?!00)\\d{2}-(?!0000)\\d{4}(?![\\d-])");

    private Pii() {
    }

    static Pattern pattern(Policies.PiiType type) {
        return switch (type) {
            case EMAIL -> EMAIL;
            case PHONE -> PHONE;
            case CREDIT_CARD -> CARD;
            case IBAN -> IBAN;
            case US_SSN -> US_SSN;
        };
    }

    static Predicate<String> validator(Policies.PiiType type) {
        return switch (type) {
            case CREDIT_CARD -> Pii::luhn;
            case IBAN -> Pii::iban;
            case PHONE -> candidate -> digits(candidate).length() >= 8 && digits(candidate).length() <= 15;
            case EMAIL, US_SSN -> candidate -> true;
        };
    }

    private static String digits(String text) {
        return text.replaceAll("\\D", "");
    }

    /** The Luhn check of a card number (spaces and dashes ignored). */
    static boolean luhn(String candidate) {
        String digits = digits(candidate);
        if (digits.length() < 13 || digits.length() > 19) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = digits.charAt(digits.length() - 1 - i) - '0';
            if (i % 2 == 1) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        return sum % 10 == 0;
    }

    /** The ISO 13616 check: country and check digits moved to the end, letters as 10..35, mod 97 is 1. */
    static boolean iban(String candidate) {
        String compact = candidate.replace(" ", "");
        if (compact.length() < 15 || compact.length() > 34) {
            return false;
        }
        String rearranged = compact.substring(4) + compact.substring(0, 4);
        StringBuilder numeric = new StringBuilder();
        for (int i = 0; i < rearranged.length(); i++) {
            numeric.append(Character.getNumericValue(rearranged.charAt(i)));
        }
        return new BigInteger(numeric.toString()).mod(BigInteger.valueOf(97)).intValue() == 1;
    }
}
