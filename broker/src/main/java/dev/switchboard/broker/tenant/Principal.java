package dev.switchboard.broker.tenant;

/**
 * Who a request is: the tenant its API key belongs to, and which of the tenant's keys it used.
 *
 * @param tenant the tenant
 * @param keyId a stable, non-secret name of the key ({@code key_} and the first 12 hex digits of its SHA-256), for
 *     audit records and per-key limits; never the key itself
 * @param sessionLimits the duration and idle limits of this key's WebSocket sessions (tenant's and key's combined)
 * @param keyDigest the hex SHA-256 of the key, by which a reloaded registry tells whether the key still exists (empty
 *     for a principal not made by {@link TenantRegistry})
 */
public record Principal(Tenant tenant, String keyId, SessionLimits sessionLimits, String keyDigest) {

    /** A principal not made by {@link TenantRegistry}. */
    public Principal(Tenant tenant, String keyId, SessionLimits sessionLimits) {
        this(tenant, keyId, sessionLimits, "");
    }

    /** A key whose sessions have no duration or idle limit. */
    public Principal(Tenant tenant, String keyId) {
        this(tenant, keyId, SessionLimits.NONE);
    }
}
