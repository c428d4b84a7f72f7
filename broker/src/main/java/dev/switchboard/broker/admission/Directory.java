package dev.switchboard.broker.admission;

import dev.switchboard.broker.route.ModelCatalog;
import dev.switchboard.broker.tenant.TenantRegistry;

/**
 * What admission looks things up in: the tenants and their keys, and the models with their routes. One immutable
 * pair per configuration; a live reload swaps the whole pair at once, so no admission ever sees a new tenant list
 * with an old model list.
 *
 * @param tenants the tenants and their keys
 * @param catalog the models and their routes
 */
public record Directory(TenantRegistry tenants, ModelCatalog catalog) {
}
