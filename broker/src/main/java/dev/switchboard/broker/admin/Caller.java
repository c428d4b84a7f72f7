package dev.switchboard.broker.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who calls the admin API and what they may do: a static token's roles, or a JWT's. Immutable.
 *
 * <p>Roles: {@code admin} may do everything; {@code viewer} may read everything; {@code tenant_admin} of a tenant
 * may read that tenant (its entry in the tenants list, its sessions, its usage) and end its sessions. A caller may
 * hold several roles (a JWT's claim can list several); what any of them allows is allowed.
 *
 * @param identity how logs and audit records name the caller: a token's configured name or {@code tokens[i]}, or
 *     {@code oidc:} and the JWT's {@code sub}; never a secret
 * @param admin whether the caller holds {@code admin}
 * @param viewer whether the caller holds {@code viewer}
 * @param tenantAdminOf the tenants the caller holds {@code tenant_admin} of
 */
public record Caller(String identity, boolean admin, boolean viewer, Set<String> tenantAdminOf) {
    public Caller {
        tenantAdminOf = Set.copyOf(tenantAdminOf);
    }

    /** Whether the caller may read every tenant. */
    public boolean readsAll() {
        return admin || viewer;
    }

    /** Whether the caller may read tenant {@code tenant} (its entry, sessions and usage). */
    public boolean reads(String tenant) {
        return readsAll() || tenantAdminOf.contains(tenant);
    }

    /** Whether the caller may end tenant {@code tenant}'s sessions. */
    public boolean endsSessionsOf(String tenant) {
        return admin || tenantAdminOf.contains(tenant);
    }

    /** Whether the caller may reload the configuration. */
    public boolean reloads() {
        return admin;
    }

    /** Whether the caller holds any role at all (a JWT without a known role holds none). */
    public boolean hasRole() {
        return admin || viewer || !tenantAdminOf.isEmpty();
    }

    /** The caller's roles as written in the configuration, for logs and records: {@code tenant_admin:acme,viewer}. */
    public String roles() {
        List<String> roles = new ArrayList<>();
        if (admin) {
            roles.add("admin");
        }
        if (viewer) {
            roles.add("viewer");
        }
        new TreeSet<>(tenantAdminOf).forEach(tenant -> roles.add("tenant_admin:" + tenant));
        return roles.isEmpty() ? "none" : String.join(",", roles);
    }
}
