package dev.switchboard.broker.guardrail;

import dev.switchboard.broker.config.Guardrails;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Where a tenant stands against its guardrails now: what remains of each rate, how many concurrency slots are in
 * use, and each budget's spend in its current period. Read from the usage store without taking anything, for the
 * admin API ({@link TenantGuardrails#standing}). Immutable; the values are a moment's reading of counters other
 * threads keep changing, so the remaining rates and slots may be stale by the time they are shown.
 *
 * @param tenant the tenant's own limits and their state
 * @param keys the state of each key that has limits of its own, by key id
 * @param budgets the tenant's budgets, in the configuration's order
 */
public record TenantStanding(Scope tenant, Map<String, Scope> keys, List<Budget> budgets) {
    public TenantStanding {
        keys = Map.copyOf(keys);
        budgets = List.copyOf(budgets);
    }

    /**
     * A tenant's or a key's limits and their state; a state is present exactly when its limit is set.
     *
     * @param limits the configured limits
     * @param requestsRemaining requests that could start now under {@code requests_per_minute}
     * @param tokensRemaining tokens that could be used now under {@code tokens_per_minute}
     * @param sessionsInUse sessions holding a {@code concurrent_sessions} slot
     * @param responsesInUse responses holding a {@code concurrent_responses} slot
     */
    public record Scope(Guardrails.Limits limits, OptionalLong requestsRemaining, OptionalLong tokensRemaining,
                        OptionalLong sessionsInUse, OptionalLong responsesInUse) {
    }

    /**
     * One budget in its current period.
     *
     * @param period day or month (UTC)
     * @param periodId the current period, {@code 2026-12-04} or {@code 2026-12}
     * @param unit {@code tokens} or {@code usd}
     * @param limit the budget, in its unit
     * @param spent what the period has spent so far, in its unit
     * @param resetsAt when the period ends and the budget is whole again
     */
    public record Budget(Guardrails.Period period, String periodId, String unit, double limit, double spent,
                         Instant resetsAt) {
        /** What is left of the budget (never negative: the last response may overshoot by one delta). */
        public double remaining() {
            return Math.max(0, limit - spent);
        }
    }

    /** Reads {@code rules}' counters from {@code store} at {@code nowMillis}. May throw {@link UsageStoreException}. */
    static TenantStanding of(TenantRules rules, UsageStore store, Periods periods, long nowMillis) {
        Map<String, Scope> keys = new TreeMap<>();
        rules.keys.forEach((keyId, scope) -> keys.put(keyId, scope(scope, store, nowMillis)));
        List<Budget> budgets = new ArrayList<>();
        for (int i = 0; i < rules.budgets.size(); i++) {
            Guardrails.Budget budget = rules.budgets.get(i);
            String periodId = periods.id(budget.period(), nowMillis);
            boolean tokens = budget.tokens().isPresent();
            // Cost counters are in nano-dollars, cost budgets in micro-dollars.
            double scale = tokens ? 1 : 1e9;
            long cap = tokens ? budget.tokens().getAsLong() : budget.costMicroUsd().getAsLong() * 1000;
            long spent = store.get(rules.budgetKey(i, periodId));
            budgets.add(new Budget(budget.period(), periodId.substring(1), tokens ? "tokens" : "usd", cap / scale,
                    spent / scale, Instant.ofEpochMilli(nowMillis + periods.millisToEnd(budget.period(), nowMillis))));
        }
        return new TenantStanding(scope(rules.scope, store, nowMillis), keys, budgets);
    }

    private static Scope scope(TenantRules.Scope scope, UsageStore store, long nowMillis) {
        Guardrails.Limits limits = scope.limits();
        return new Scope(limits, rate(store, scope.requests(), scope.rpm(), nowMillis),
                rate(store, scope.tokens(), scope.tpm(), nowMillis),
                held(store, scope.sessions(), limits.concurrentSessions()),
                held(store, scope.responses(), limits.concurrentResponses()));
    }

    private static OptionalLong rate(UsageStore store, String counter, OptionalLong limit, long nowMillis) {
        return limit.isEmpty() ? OptionalLong.empty()
                : OptionalLong.of(store.peek(counter, limit.getAsLong(), nowMillis).remaining());
    }

    private static OptionalLong held(UsageStore store, String counter, OptionalLong limit) {
        return limit.isEmpty() ? OptionalLong.empty() : OptionalLong.of(store.held(counter));
    }
}
