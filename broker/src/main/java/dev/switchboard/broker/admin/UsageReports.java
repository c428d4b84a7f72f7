package dev.switchboard.broker.admin;

import java.util.Map;

/**
 * What {@code GET /admin/tenants/{id}/usage} answers, once the caller may read the tenant: the tenant's usage report
 * for the query ({@code from}, {@code to}, {@code group_by}). Implemented by the usage ledger; called on an admin API
 * thread, which may block on it (never a shard thread). Thread-safe.
 */
public interface UsageReports {
    /**
     * The report of tenant {@code tenant} (which exists) for {@code query}, the request's query parameters (first
     * value of each).
     */
    Report report(String tenant, Map<String, String> query);

    /** A report, or why there is none. */
    sealed interface Report {
        /** 200 with {@code json}, written as it is (the ledger writes costs as plain decimals). */
        record Ok(String json) implements Report {
        }

        /** 400: the query is invalid; {@code message} names the parameter and the rule. */
        record BadQuery(String message) implements Report {
        }

        /** 404: the ledger knows no such tenant. */
        record NotFound(String message) implements Report {
        }
    }
}
