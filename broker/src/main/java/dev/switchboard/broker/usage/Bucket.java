package dev.switchboard.broker.usage;

import java.time.LocalDate;

/**
 * The key of one ledger row. Every part is bounded by the configuration — tenants, their keys' ids and the model
 * aliases a session could be admitted to — and by the retention in days, so the ledger is too.
 *
 * @param tenant the tenant id
 * @param day the UTC day, as days since 1970-01-01
 * @param model the client-facing model alias, or empty for a refusal at admission (before a model was admitted)
 * @param key the non-secret key id
 */
record Bucket(String tenant, int day, String model, String key) {
    private static final int SECONDS_PER_DAY = 86_400;

    /** The UTC day of {@code epochSecond}, as days since 1970-01-01. */
    static int dayOf(long epochSecond) {
        return (int) Math.floorDiv(epochSecond, SECONDS_PER_DAY);
    }

    /** {@link #day} as a date. */
    LocalDate date() {
        return LocalDate.ofEpochDay(day);
    }
}
