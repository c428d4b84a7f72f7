package dev.switchboard.broker.guardrail;

import dev.switchboard.broker.admission.Admission;
import dev.switchboard.broker.admission.Refusal;
import dev.switchboard.broker.admission.SessionGuard;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.Guardrails;
import dev.switchboard.broker.notice.Notice;
import dev.switchboard.broker.notice.Notices;
import dev.switchboard.broker.session.ResponseHooks;
import dev.switchboard.broker.tenant.Principal;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Tenant guardrails, enforced through the response hooks on every transport and at WebSocket admission.
 *
 * <h2>Design</h2>
 * A requested response passes, in order: the tenant's budgets (none spent), {@code concurrent_responses} (tenant,
 * then key), {@code requests_per_minute} and {@code tokens_per_minute} (estimated input) — each a non-blocking
 * take from the {@link UsageStore}, and a later refusal gives back what the earlier steps took, so a refused
 * request costs nothing. Its output cap is clamped to {@code max_output_tokens}. Each output delta is metered as it
 * passes (text: a quarter token per character, at least one; audio: {@link Flight#AUDIO_BYTES_PER_TOKEN}) into the
 * token rates and the budgets; the delta that brings a budget to zero stops its response, and every other
 * response of the tenant stops at its own next delta. So the recorded spend exceeds a budget by at most one delta
 * per response in flight. When the response ends, the estimate is reconciled with the usage the provider reported
 * (when it reported any) and the response's slot is freed.
 *
 * <h2>Threading</h2>
 * Hooks run on shard threads, {@link #admitSession} on Jetty threads; neither blocks on a local store. On a remote
 * store a response's admission runs on the store's executor ({@link PendingAdmissions}) and the hook answers
 * {@link Verdict.Pending}; session admission waits on its Jetty pool thread, bounded by the store's timeout.
 * Per-response state ({@link Flight}) is keyed by session id and touched only on that session's shard thread once
 * registered (a pending admission registers it before its verdict is published to the session).
 */
public final class TenantGuardrails implements ResponseHooks, SessionGuard {
    private static final long RETRY_CONCURRENCY_MILLIS = 1_000;

    /** Replaced whole by {@link #reconfigure}; every check reads it once. */
    private volatile Rules current;
    private final UsageStore store;
    private final InstantSource clock;
    private final Periods periods = new Periods();
    private final GuardrailMeters meters;
    private final ConcurrentHashMap<String, Flight> flights = new ConcurrentHashMap<>();
    /** Admissions deciding on a remote store's executor. */
    private final PendingAdmissions pending = new PendingAdmissions();
    private final Slots slots;
    private final Notices notices;

    private TenantGuardrails(Map<String, TenantRules> tenants, Map<String, Guardrails.Price> prices,
                             UsageStore store, InstantSource clock, MeterRegistry registry, Notices notices) {
        this.notices = notices;
        this.current = new Rules(tenants, prices);
        this.store = store;
        this.clock = clock;
        this.meters = new GuardrailMeters(registry);
        this.slots = new Slots(store, meters);
    }

    /** The guardrails of {@code config}'s tenants, or empty when no tenant has a limit or a budget. */
    public static Optional<TenantGuardrails> of(BrokerConfig config, UsageStore store, InstantSource clock,
                                                MeterRegistry registry) {
        return of(config, store, clock, registry, Notices.NONE);
    }

    /**
     * As {@link #of(BrokerConfig, UsageStore, InstantSource, MeterRegistry)}, publishing what the guardrails decide
     * ({@code LimitExceeded}, {@code BudgetThreshold}, {@code BudgetExhausted}) to {@code notices}.
     */
    public static Optional<TenantGuardrails> of(BrokerConfig config, UsageStore store, InstantSource clock,
                                                MeterRegistry registry, Notices notices) {
        Map<String, TenantRules> rules = rules(config);
        return rules.isEmpty() ? Optional.empty()
                : Optional.of(new TenantGuardrails(rules, config.prices(), store, clock, registry, notices));
    }

    /**
     * The guardrails of {@code config}'s tenants, even when none has a limit or a budget yet: a live reload may add
     * some ({@link #reconfigure}). A tenant without rules costs one map lookup per hook.
     */
    public static TenantGuardrails reloadable(BrokerConfig config, UsageStore store, InstantSource clock,
                                              MeterRegistry registry, Notices notices) {
        return new TenantGuardrails(rules(config), config.prices(), store, clock, registry, notices);
    }

    /**
     * Applies a reloaded configuration's limits, budgets and prices to what is admitted from now on. What was
     * counted stays (the counters are keyed by tenant, key and period, not by configuration), and a response in
     * flight finishes under the rules it was admitted with. Any thread.
     */
    public void reconfigure(BrokerConfig config) {
        current = new Rules(rules(config), config.prices());
    }

    /**
     * Only while some tenant has rules: a broker without limits or budgets then spares every response the input
     * estimate and every relayed delta its parse, and a reload that adds rules turns them on.
     */
    @Override
    public boolean readsContent() {
        return !current.tenants().isEmpty();
    }

    private static Map<String, TenantRules> rules(BrokerConfig config) {
        Map<String, TenantRules> rules = new HashMap<>();
        config.tenants().forEach((id, tenant) -> {
            TenantRules r = TenantRules.of(id, tenant);
            if (r != null) {
                rules.put(id, r);
            }
        });
        return rules;
    }

    /** One configuration's rules by tenant id, and its prices by model alias. */
    private record Rules(Map<String, TenantRules> tenants, Map<String, Guardrails.Price> prices) {
        Rules {
            tenants = Map.copyOf(tenants);
            prices = Map.copyOf(prices);
        }
    }

    /** Whether a spend counter key should be kept (a current period's, or not a spend counter at all). */
    public boolean keeps(String counterKey) {
        return !counterKey.startsWith("b/") || periods.isCurrent(counterKey, clock.millis());
    }

    /**
     * Where tenant {@code tenantId} stands now (remaining rates, slots in use, budgets' spend), or empty when it has
     * no limit and no budget. Any thread; reads the store without taking anything, never blocks a shard. Throws
     * {@link UsageStoreException} when the store cannot answer.
     */
    public Optional<TenantStanding> standing(String tenantId) {
        TenantRules rules = current.tenants().get(tenantId);
        return rules == null ? Optional.empty() : Optional.of(TenantStanding.of(rules, store, periods, clock.millis()));
    }

    // ---- sessions (Jetty threads; closed on shard threads) ----

    @Override
    public Optional<Admission.Refused> admitSession(Principal principal) {
        TenantRules rules = current.tenants().get(principal.tenant().id());
        if (rules == null) {
            return Optional.empty();
        }
        TenantRules.Scope key = rules.key(principal.keyId());
        try {
            // On a remote store this waits for Redis, at most its command timeout: admission runs on a Jetty pool
            // thread (the upgrade request's handler), never on a selector, so a bounded wait here is acceptable.
            slots.retryReleases();
            if (!slots.acquire(rules.scope.sessions(), rules.scope.limits().concurrentSessions())) {
                return Optional.of(concurrency("sessions", "concurrent_sessions", rules.scope));
            }
            if (key != null && !slots.acquireKeySlot(key.sessions(), key.limits().concurrentSessions(),
                    rules.scope.sessions(), rules.scope.limits().concurrentSessions())) {
                return Optional.of(concurrency("sessions", "concurrent_sessions", key));
            }
            meters.allowed();
            return Optional.empty();
        } catch (UsageStoreException e) {
            // Every failure above leaves no slot held (acquireKeySlot gives the tenant's back).
            Optional<Admission.Refused> refused = storeFailed(rules);
            if (refused.isEmpty()) {
                slots.admittedWithoutSlot(rules.scope.sessions(), rules.scope.limits().concurrentSessions());
                if (key != null) {
                    slots.admittedWithoutSlot(key.sessions(), key.limits().concurrentSessions());
                }
            }
            return refused;
        }
    }

    @Override
    public void sessionNotOpened(Principal principal) {
        TenantRules rules = current.tenants().get(principal.tenant().id());
        if (rules != null) {
            releaseSessionSlots(rules, principal.keyId());
        }
    }

    @Override
    public void onSessionClosed(SessionInfo session, String reason) {
        TenantRules rules = current.tenants().get(session.tenantId());
        if (rules == null) {
            return;
        }
        pending.abandon(session.sessionId());
        Flight orphan = flights.remove(session.sessionId());
        try {
            if (orphan != null) {
                releaseResponse(orphan);
            }
        } catch (UsageStoreException e) {
            meters.storeFailed();
        }
        if (session.transport() != Transport.HTTP) {
            releaseSessionSlots(rules, session.keyId());
        }
    }

    private void releaseSessionSlots(TenantRules rules, String keyId) {
        try {
            slots.releaseSession(rules.scope.sessions(), rules.scope.limits().concurrentSessions());
            TenantRules.Scope key = rules.key(keyId);
            if (key != null) {
                slots.releaseSession(key.sessions(), key.limits().concurrentSessions());
            }
        } catch (UsageStoreException e) {
            meters.storeFailed();
        }
    }

    // ---- responses (shard thread) ----

    /**
     * Decides at once on a local store. On a remote store ({@link UsageStore#waitingCalls()}) the same decision runs
     * on the store's executor and the answer is a {@link Verdict.Pending}: the shard thread never waits for Redis.
     */
    @Override
    public Verdict onResponseRequested(ResponseRequest request) {
        SessionInfo session = request.response().session();
        TenantRules rules = current.tenants().get(session.tenantId());
        if (rules == null) {
            return Verdict.ALLOW;
        }
        pending.abandon(session.sessionId());
        Flight previous = flights.remove(session.sessionId());
        Optional<java.util.concurrent.Executor> waiting = store.waitingCalls();
        if (waiting.isEmpty()) {
            return decide(request, rules, previous, flight -> flights.put(session.sessionId(), flight));
        }
        try {
            return new Verdict.Pending(pending.start(session.sessionId(), waiting.get(),
                    admission -> decide(request, rules, previous, admission::hold),
                    flight -> flights.put(session.sessionId(), flight), this::releaseResponse));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The store's executor is saturated: as good as a store that cannot answer.
            if (previous != null) {
                releaseResponse(previous);
            }
            Optional<Admission.Refused> refused = storeFailed(rules);
            return refused.isPresent() ? new Verdict.Deny(refused.get()) : Verdict.ALLOW;
        }
    }

    /** The admission itself; {@code register} receives the flight of an admitted response. */
    private Verdict decide(ResponseRequest request, TenantRules rules, @Nullable Flight previous,
                           java.util.function.Consumer<Flight> register) {
        SessionInfo session = request.response().session();
        try {
            if (previous != null) {
                releaseResponse(previous);
            }
            slots.retryReleases();
            return admit(request, rules, rules.key(session.keyId()), clock.millis(), register);
        } catch (UsageStoreException e) {
            Optional<Admission.Refused> refused = storeFailed(rules);
            return refused.isPresent() ? new Verdict.Deny(refused.get()) : Verdict.ALLOW;
        }
    }

    private Verdict admit(ResponseRequest request, TenantRules rules, TenantRules.@Nullable Scope key, long now,
                          java.util.function.Consumer<Flight> register) {
        Admission.Refused spent = spentBudget(rules, now);
        if (spent != null) {
            meters.denied("budget");
            return new Verdict.Deny(spent);
        }
        if (!slots.acquire(rules.scope.responses(), rules.scope.limits().concurrentResponses())) {
            return new Verdict.Deny(concurrency("responses", "concurrent_responses", rules.scope));
        }
        if (key != null && !slots.acquireKeySlot(key.responses(), key.limits().concurrentResponses(),
                rules.scope.responses(), rules.scope.limits().concurrentResponses())) {
            return new Verdict.Deny(concurrency("responses", "concurrent_responses", key));
        }
        try {
            return admitHolding(request, rules, key, now, register);
        } catch (UsageStoreException e) {
            // No response runs after a failure here (closed refuses; open serves without a flight), so nothing
            // would give the slots back later.
            releaseSlots(rules, key);
            throw e;
        }
    }

    /** The rest of {@link #admit}, once the response's concurrency slots are held. */
    private Verdict admitHolding(ResponseRequest request, TenantRules rules, TenantRules.@Nullable Scope key,
                                 long now, java.util.function.Consumer<Flight> register) {
        long input = Math.max(0, request.estimatedInputTokens());
        List<Taken> taken = new ArrayList<>(4);
        Admission.Refused throttled = takeRates(rules.scope, key, input, now, taken);
        if (throttled != null) {
            taken.stream().filter(t -> t.cost != 0).forEach(t -> store.charge(t.counter, t.limit, -t.cost, now));
            releaseSlots(rules, key);
            return new Verdict.Deny(throttled, report(taken));
        }
        Guardrails.Price price = current.prices().getOrDefault(session(request).model(), Guardrails.Price.FREE);
        Flight flight = new Flight(rules, key, price, input);
        spend(flight, input, Math.round(input * price.input() * 1000), now);
        register.accept(flight);
        OptionalInt cap = clamp(request.maxOutputTokens(), rules.scope, key);
        meters.allowed();
        if (cap.equals(request.maxOutputTokens())) {
            return new Verdict.Allow(report(taken));
        }
        meters.clamped();
        return new Verdict.Modify(cap, report(taken));
    }

    private static SessionInfo session(ResponseRequest request) {
        return request.response().session();
    }

    /** Takes a request and the input tokens from each rate that applies; the refusal of the first that refuses. */
    private Admission.@Nullable Refused takeRates(TenantRules.Scope tenant, TenantRules.@Nullable Scope key,
                                                  long input, long now, List<Taken> taken) {
        for (TenantRules.Scope scope : key == null ? List.of(tenant) : List.of(tenant, key)) {
            Admission.Refused refused = take(scope, scope.requests(), scope.rpm(), 1, "requests", now, taken);
            if (refused == null) {
                refused = take(scope, scope.tokens(), scope.tpm(), input, "tokens", now, taken);
            }
            if (refused != null) {
                return refused;
            }
        }
        return null;
    }

    private Admission.@Nullable Refused take(TenantRules.Scope scope, String counter, OptionalLong limit, long cost,
                                             String name, long now, List<Taken> taken) {
        if (limit.isEmpty()) {
            return null;
        }
        UsageStore.RateState state = store.take(counter, limit.getAsLong(), cost, now);
        if (!state.admitted()) {
            // Reported with the refusal (nothing was taken, so nothing is given back).
            taken.add(new Taken(counter, limit.getAsLong(), 0, name, state));
            meters.denied(name);
            exceeded(scope, name + "_per_minute", limit.getAsLong(), now);
            return new Admission.Refused(name.equals("requests") ? Refusal.REQUESTS_LIMITED : Refusal.TOKENS_LIMITED,
                    "Rate limit reached on " + name + " per minute: limit " + limit.getAsLong() + ". Please try "
                            + "again in " + seconds(state.retryAfterMillis()) + ".", Optional.empty(),
                    Optional.of(Duration.ofMillis(state.retryAfterMillis())));
        }
        taken.add(new Taken(counter, limit.getAsLong(), cost, name, state));
        return null;
    }

    /** A rate take to report, or to give back when a later step refuses. */
    private record Taken(String counter, long limit, long cost, String name, UsageStore.RateState state) {
    }

    /** The tightest state of each limit name, as the client sees it. */
    private static List<RateLimit> report(List<Taken> taken) {
        Map<String, RateLimit> tightest = new java.util.LinkedHashMap<>();
        for (Taken t : taken) {
            RateLimit limit = new RateLimit(t.name, t.limit, t.state.remaining(), t.state.resetMillis() / 1000.0);
            tightest.merge(t.name, limit, (a, b) -> b.remaining() < a.remaining() ? b : a);
        }
        return List.copyOf(tightest.values());
    }

    private static OptionalInt clamp(OptionalInt requested, TenantRules.Scope tenant,
                                     TenantRules.@Nullable Scope key) {
        long cap = Math.min(tenant.limits().maxOutputTokens().orElse(Long.MAX_VALUE),
                key == null ? Long.MAX_VALUE : key.limits().maxOutputTokens().orElse(Long.MAX_VALUE));
        if (cap == Long.MAX_VALUE || (requested.isPresent() && requested.getAsInt() <= cap)) {
            return requested;
        }
        return OptionalInt.of((int) Math.min(Integer.MAX_VALUE, cap));
    }

    @Override
    public DeltaVerdict onOutputDelta(ResponseInfo response, DeltaKind kind, String text, int audioBytes) {
        Flight flight = flights.get(response.session().sessionId());
        if (flight == null) {
            return DeltaVerdict.CONTINUE;
        }
        long tokens;
        double price;
        switch (kind) {
            case TEXT, TOOL_ARGUMENTS -> {
                tokens = Math.max(1, (text.length() + 2) / 4);
                price = flight.price.output();
            }
            case AUDIO -> {
                tokens = flight.audioTokens(audioBytes);
                price = flight.price.audioOutput();
            }
            default -> {
                return DeltaVerdict.CONTINUE;  // a transcript repeats audio already metered
            }
        }
        if (tokens == 0) {
            return DeltaVerdict.CONTINUE;
        }
        long costNano = Math.round(tokens * price * 1000);
        flight.meteredTokens += tokens;
        flight.meteredCostNanoUsd += costNano;
        try {
            return spend(flight, tokens, costNano, clock.millis()) ? DeltaVerdict.BUDGET_EXHAUSTED
                    : DeltaVerdict.CONTINUE;
        } catch (UsageStoreException e) {
            meters.storeFailed();
            return DeltaVerdict.CONTINUE;
        }
    }

    /** Adds usage to the token rates and the budgets; whether a budget is now spent. */
    private boolean spend(Flight flight, long tokens, long costNanoUsd, long now) {
        charge(flight.rules.scope, tokens, now);
        if (flight.key != null) {
            charge(flight.key, tokens, now);
        }
        boolean exhausted = false;
        List<Guardrails.Budget> budgets = flight.rules.budgets;
        for (int i = 0; i < budgets.size(); i++) {
            Guardrails.Budget budget = budgets.get(i);
            long cap = budget.tokens().isPresent() ? budget.tokens().getAsLong()
                    : budget.costMicroUsd().getAsLong() * 1000;
            long amount = budget.tokens().isPresent() ? tokens : costNanoUsd;
            String periodId = periods.id(budget.period(), now);
            String counter = flight.rules.budgetKey(i, periodId);
            long total = amount == 0 ? store.known(counter) : store.add(counter, amount);
            if (total >= cap) {
                exhausted = true;
            }
            if (amount != 0) {
                budgetNotices(flight.rules, i, budget, periodId, total - amount, total, cap, now);
            }
        }
        if (exhausted) {
            meters.budgetStop();
        }
        return exhausted;
    }

    private void charge(TenantRules.Scope scope, long tokens, long now) {
        if (scope.tpm().isPresent() && tokens != 0) {
            store.charge(scope.tokens(), scope.tpm().getAsLong(), tokens, now);
        }
    }

    @Override
    public void onResponseEnded(ResponseRecord record) {
        pending.abandon(record.response().session().sessionId());
        Flight flight = flights.remove(record.response().session().sessionId());
        if (flight == null) {
            return;
        }
        try {
            long reported = record.inputTokens() + record.outputTokens();
            if (reported > 0 && providerCounted(record)) {
                long correction = reported - flight.chargedInput - flight.meteredTokens;
                long actualCost = cost(record, flight.price);
                long meteredCost = Math.round(flight.chargedInput * flight.price.input() * 1000)
                        + flight.meteredCostNanoUsd;
                spend(flight, correction, actualCost - meteredCost, clock.millis());
            }
        } catch (UsageStoreException e) {
            meters.storeFailed();
        }
        // Outside the try: a failed reconciliation must not keep the response's slots.
        releaseResponse(flight);
    }

    /**
     * A relayed response the broker cut: its input was estimated at 0 at admission (the conversation lives in the
     * provider), so the provider's input count is charged now; its output was metered delta by delta and stands.
     */
    @Override
    public void onUsageAfterCut(ResponseRecord record) {
        TenantRules rules = current.tenants().get(record.response().session().tenantId());
        if (rules == null || record.inputTokens() <= 0) {
            return;
        }
        Guardrails.Price price = current.prices().getOrDefault(record.response().session().model(),
                Guardrails.Price.FREE);
        try {
            spend(new Flight(rules, rules.key(record.response().session().keyId()), price, 0), record.inputTokens(),
                    Math.round(inputUsd(record, price) * 1000), clock.millis());
        } catch (UsageStoreException e) {
            meters.storeFailed();
        }
    }

    /**
     * Whether the record's usage is the provider's count: an answer the provider finished (completed, or
     * incomplete for its own reason). A response the broker cut (a budget, a barge-in, a cancel, the replay log)
     * has only the broker's count of what it relayed, and the metered estimate stands.
     */
    private static boolean providerCounted(ResponseRecord record) {
        return record.status().equals("completed") || (record.status().equals("incomplete")
                && !record.reason().equals("budget_exhausted") && !record.reason().equals("replay_log_full"));
    }

    /** What the provider's reported usage costs, in nano-USD. */
    private static long cost(ResponseRecord r, Guardrails.Price p) {
        return Math.round(p.microUsd(r.inputTokens(), r.cachedTokens(), r.audioInputTokens(), r.outputTokens(),
                r.audioOutputTokens()) * 1000);
    }

    /** What the provider's reported input (text, cached, audio) costs, in micro-USD (tokens × USD per million). */
    private static double inputUsd(ResponseRecord r, Guardrails.Price p) {
        return p.microUsd(r.inputTokens(), r.cachedTokens(), r.audioInputTokens(), 0, 0);
    }

    // ---- helpers ----

    private Admission.@Nullable Refused spentBudget(TenantRules rules, long now) {
        for (int i = 0; i < rules.budgets.size(); i++) {
            Guardrails.Budget budget = rules.budgets.get(i);
            long cap = budget.tokens().isPresent() ? budget.tokens().getAsLong()
                    : budget.costMicroUsd().getAsLong() * 1000;
            if (store.get(rules.budgetKey(i, periods.id(budget.period(), now))) >= cap) {
                long wait = periods.millisToEnd(budget.period(), now);
                return new Admission.Refused(Refusal.INSUFFICIENT_QUOTA, "You exceeded your current quota: the "
                        + (budget.period() == Guardrails.Period.DAY ? "daily " : "monthly ")
                        + (budget.tokens().isPresent() ? "token" : "cost") + " budget is spent; it renews in "
                        + seconds(wait) + ".", Optional.empty(), Optional.of(Duration.ofMillis(wait)));
            }
        }
        return null;
    }

    private Admission.Refused concurrency(String what, String limitName, TenantRules.Scope scope) {
        meters.denied(limitName);
        exceeded(scope, limitName, (what.equals("sessions") ? scope.limits().concurrentSessions()
                : scope.limits().concurrentResponses()).getAsLong(), clock.millis());
        return new Admission.Refused(Refusal.CONCURRENCY_LIMITED, "Too many concurrent " + what + ": limit "
                + (what.equals("sessions") ? scope.limits().concurrentSessions() : scope.limits().concurrentResponses())
                .getAsLong() + (scope.name().startsWith("k/") ? " for this key" : "") + ". Please try again when one "
                + "ends.", Optional.empty(), Optional.of(Duration.ofMillis(RETRY_CONCURRENCY_MILLIS)));
    }

    private void exceeded(TenantRules.Scope scope, String limit, long value, long nowMillis) {
        notices.publish(new Notice.LimitExceeded(Instant.ofEpochMilli(nowMillis), scope.tenant(), scope.keyId(), limit,
                value));
    }

    /** Announces the alert thresholds a charge from {@code before} to {@code total} crossed, and exhaustion. */
    private void budgetNotices(TenantRules rules, int index, Guardrails.Budget budget, String periodId, long before,
                               long total, long cap, long nowMillis) {
        boolean tokens = budget.tokens().isPresent();
        double scale = tokens ? 1 : 1e9;  // cost counters are in nano-dollars
        String period = budget.period().name().toLowerCase(Locale.ROOT);
        String periodName = periodId.substring(1);  // the counter's id without its d/m prefix: 2026-12-04, 2026-12
        for (double fraction : budget.alertAt()) {
            long mark = (long) Math.ceil(cap * fraction);
            if (before < mark && total >= mark) {
                notices.publish(new Notice.BudgetThreshold(Instant.ofEpochMilli(nowMillis), rules.tenant, index,
                        period, periodName, tokens ? "tokens" : "usd", fraction, total / scale, cap / scale));
            }
        }
        if (before < cap && total >= cap) {
            notices.publish(new Notice.BudgetExhausted(Instant.ofEpochMilli(nowMillis), rules.tenant, index, period,
                    periodName, tokens ? "tokens" : "usd", total / scale, cap / scale));
        }
    }

    private Optional<Admission.Refused> storeFailed(TenantRules rules) {
        meters.storeFailed();
        if (rules.onFailure == Guardrails.FailureMode.OPEN) {
            return Optional.empty();
        }
        meters.denied("store");
        return Optional.of(new Admission.Refused(Refusal.GUARDRAIL_UNAVAILABLE, "usage limits cannot be checked right "
                + "now; please retry shortly", Optional.empty(), Optional.of(Duration.ofSeconds(1))));
    }

    private void releaseSlots(TenantRules rules, TenantRules.@Nullable Scope key) {
        slots.release(rules.scope.responses(), rules.scope.limits().concurrentResponses());
        if (key != null) {
            slots.release(key.responses(), key.limits().concurrentResponses());
        }
    }

    private void releaseResponse(Flight flight) {
        releaseSlots(flight.rules, flight.key);
    }

    private static String seconds(long millis) {
        if (millis < 60_000) {
            // By hand: String.format was most of a refusal's cost (JMH: ~0.65 of ~1 µs, 2.3 of 3.2 KB).
            long thousandths = millis % 1000;
            return millis / 1000 + "." + (thousandths < 100 ? "0" : "") + (thousandths < 10 ? "0" : "") + thousandths
                    + "s";
        }
        Duration d = Duration.ofMillis(millis);
        return d.toDaysPart() > 0 ? d.toDaysPart() + "d" + d.toHoursPart() + "h" + d.toMinutesPart() + "m"
                : d.toHoursPart() > 0 ? d.toHoursPart() + "h" + d.toMinutesPart() + "m" + d.toSecondsPart() + "s"
                : d.toMinutesPart() + "m" + d.toSecondsPart() + "s";
    }
}
