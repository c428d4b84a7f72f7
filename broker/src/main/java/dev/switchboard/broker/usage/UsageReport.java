package dev.switchboard.broker.usage;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The usage report of one tenant over a range of UTC days, grouped by model alias, key id or day: the body of
 * {@code GET /admin/tenants/{id}/usage?from=YYYY-MM-DD&to=YYYY-MM-DD&group_by=model|key|day}. Thread-safe; reads
 * the ledger's live counters (a response ending while the report is built may be seen in part). In a cluster it reads
 * the cluster's sums from Redis instead, blocking the caller a few seconds at most (never call it on a shard or
 * selector thread); while Redis does not answer it reports this node's own figures, with {@code "scope": "node"}.
 * See {@code docs/usage.md}.
 */
public final class UsageReport {
    /** The days reported when {@code from} is not given: the last seven, {@code to} included. */
    public static final int DEFAULT_DAYS = 7;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd", Locale.ROOT)
            .withResolverStyle(ResolverStyle.STRICT);
    private static final int ECHO_CHARS = 40;

    private final UsageLedger ledger;
    private final Optional<ClusterLedger> cluster;
    private final InstantSource clock;
    private final int maxDays;

    UsageReport(UsageLedger ledger, Optional<ClusterLedger> cluster, InstantSource clock, int maxDays) {
        this.ledger = ledger;
        this.cluster = cluster;
        this.clock = clock;
        this.maxDays = maxDays;
    }

    /** What a query answers. */
    public sealed interface Result {
    }

    /**
     * The report (HTTP 200).
     *
     * @param body {@code {"tenant", "from", "to", "group_by", "rows": [...], "totals": {...}}}
     */
    public record Report(ObjectNode body) implements Result {
        /** The body as JSON text, costs written as plain decimals ({@code 0.00015}, never {@code 1.5E-4}). */
        public String json() {
            try {
                return JSON.writeValueAsString(body);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a tree of numbers and strings always serialises", e);
            }
        }
    }

    /** A query parameter is wrong (HTTP 400); {@code message} names the parameter and the rule. */
    public record BadQuery(String message) implements Result {
    }

    /** The tenant is neither configured nor in the ledger (HTTP 404). */
    public record UnknownTenant(String tenant) implements Result {
        /** A message naming the tenant. */
        public String message() {
            return "tenant '" + echo(tenant) + "' does not exist";
        }
    }

    /** How rows are grouped; the wire word is the group's field name in each row. */
    private enum GroupBy {
        MODEL, KEY, DAY;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The usage of {@code tenant} from {@code from} to {@code to}, both UTC days written {@code YYYY-MM-DD} and both
     * included, in rows grouped by {@code groupBy} ({@code model}, {@code key} or {@code day}).
     *
     * @param from the first day; absent (null or blank): {@value #DEFAULT_DAYS} days before {@code to}, inclusive
     * @param to the last day; absent: today (UTC, by the broker's clock)
     * @param groupBy {@code model}, {@code key} or {@code day}; absent: {@code model}
     * @return the report, a {@link BadQuery} naming the parameter and its rule, or {@link UnknownTenant}; never
     *     throws for any input
     */
    public Result query(String tenant, @Nullable String from, @Nullable String to, @Nullable String groupBy) {
        if (!ledger.knows(tenant)) {
            return new UnknownTenant(tenant);
        }
        GroupBy group = GroupBy.MODEL;
        if (!absent(groupBy)) {
            group = Arrays.stream(GroupBy.values()).filter(g -> g.word().equals(groupBy)).findFirst().orElse(null);
            if (group == null) {
                return new BadQuery("group_by must be one of model, key, day but was '" + echo(groupBy) + "'");
            }
        }
        LocalDate last;
        LocalDate first;
        try {
            last = absent(to) ? LocalDate.ofEpochDay(ledger.today()) : date("to", to);
            first = absent(from) ? last.minusDays(DEFAULT_DAYS - 1) : date("from", from);
        } catch (IllegalArgumentException e) {
            return new BadQuery(e.getMessage());
        }
        if (first.isAfter(last)) {
            return new BadQuery("from (" + first + ") must not be after to (" + last + ")");
        }
        long days = ChronoUnit.DAYS.between(first, last) + 1;
        if (days > maxDays) {
            return new BadQuery("from " + first + " to " + last + " is " + days + " days; a report covers at most "
                    + maxDays + " (usage.retention_days, the days the ledger keeps)");
        }
        return new Report(body(tenant, first, last, group));
    }

    private ObjectNode body(String tenant, LocalDate first, LocalDate last, GroupBy group) {
        int from = (int) first.toEpochDay();
        int to = (int) last.toEpochDay();
        // In a cluster: the cluster's sums from Redis; while Redis does not answer, this node's own, and said so.
        Optional<Map<Bucket, Tally>> shared = cluster.flatMap(c -> c.rows(tenant, from, to));
        Map<Bucket, Tally> rows = shared.orElseGet(() -> ledger.rows(tenant, from, to));
        Function<Bucket, String> key = switch (group) {
            case MODEL -> Bucket::model;
            case KEY -> Bucket::key;
            case DAY -> bucket -> bucket.date().toString();
        };
        // A TreeMap: rows in the order of their group's value (models and keys by name, days by date).
        Map<String, Tally> grouped = rows.entrySet().stream().collect(Collectors.toMap(e -> key.apply(e.getKey()),
                Map.Entry::getValue, Tally::plus, TreeMap::new));
        ObjectNode body = JSON.createObjectNode().put("tenant", tenant).put("from", first.toString())
                .put("to", last.toString()).put("group_by", group.word());
        if (cluster.isPresent()) {
            body.put("scope", shared.isPresent() ? "cluster" : "node");
        }
        ArrayNode array = body.putArray("rows");
        Tally totals = Tally.ZERO;
        for (Map.Entry<String, Tally> row : grouped.entrySet()) {
            row.getValue().writeTo(array.addObject().put(group.word(), row.getKey()));
            totals = totals.plus(row.getValue());
        }
        totals.writeTo(body.putObject("totals"));
        return body;
    }

    private static boolean absent(@Nullable String value) {
        return value == null || value.isBlank();
    }

    private static LocalDate date(String parameter, String value) {
        try {
            return LocalDate.parse(value, DATE);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(parameter + " must be a UTC date written YYYY-MM-DD (e.g. 2026-12-04)"
                    + " but was '" + echo(value) + "'");
        }
    }

    /** A client's value as it may be repeated in a message: at most {@value #ECHO_CHARS} characters. */
    private static String echo(String value) {
        return value.length() <= ECHO_CHARS ? value : value.substring(0, ECHO_CHARS) + "…";
    }
}
