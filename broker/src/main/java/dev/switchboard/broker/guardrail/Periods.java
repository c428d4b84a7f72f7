package dev.switchboard.broker.guardrail;

import dev.switchboard.broker.config.Guardrails;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The current budget periods (UTC day and month) and when each ends, recomputed only when the clock passes the
 * end of the day, so the per-delta path reads two fields. Thread-safe: the state is one immutable object swapped
 * through a volatile field (two threads may both recompute at midnight; they compute the same value).
 */
final class Periods {
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy-MM");

    private record Now(String day, String month, long dayEndMillis, long monthEndMillis) {
    }

    private volatile Now now = new Now("", "", Long.MIN_VALUE, Long.MIN_VALUE);

    /** The id of the period containing {@code nowMillis}: {@code d2026-12-04} or {@code m2026-12}. */
    String id(Guardrails.Period period, long nowMillis) {
        Now current = current(nowMillis);
        return period == Guardrails.Period.DAY ? current.day : current.month;
    }

    /** Milliseconds from {@code nowMillis} until its period ends. */
    long millisToEnd(Guardrails.Period period, long nowMillis) {
        Now current = current(nowMillis);
        return (period == Guardrails.Period.DAY ? current.dayEndMillis : current.monthEndMillis) - nowMillis;
    }

    /** Whether a spend counter key belongs to a current period (older ones can be dropped). */
    boolean isCurrent(String counterKey, long nowMillis) {
        Now current = current(nowMillis);
        return counterKey.endsWith("/" + current.day) || counterKey.endsWith("/" + current.month);
    }

    private Now current(long nowMillis) {
        Now current = now;
        if (nowMillis < current.dayEndMillis && nowMillis >= current.dayEndMillis - 86_400_000L) {
            return current;
        }
        LocalDate day = Instant.ofEpochMilli(nowMillis).atZone(ZoneOffset.UTC).toLocalDate();
        long dayEnd = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        long monthEnd = day.withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        Now next = new Now("d" + day, "m" + day.format(MONTH), dayEnd, monthEnd);
        now = next;
        return next;
    }
}
