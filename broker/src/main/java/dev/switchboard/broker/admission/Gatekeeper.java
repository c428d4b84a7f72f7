package dev.switchboard.broker.admission;

import dev.switchboard.broker.route.ModelCatalog;
import dev.switchboard.broker.route.Route;
import dev.switchboard.broker.tenant.Principal;
import dev.switchboard.broker.tenant.TenantRegistry;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one admission path of every transport: the WebSocket upgrade, {@code POST /v1/chat/completions} and
 * {@code GET /v1/models} all ask it, in the same order — draining, credentials, tenant and key, then (when the
 * request names one) the model and whether the tenant may use it — and get one typed {@link Admission}. Guardrails
 * that refuse at admission (connection and request rates) join here.
 *
 * <p>The checks are separate calls so that each transport keeps its order: draining first, then the method (a
 * transport matter), then credentials, then the model once it is known (from the query, or from the body).
 *
 * <p>Thread-safe and non-blocking: it runs on Jetty threads, on the request's headers only.
 */
public final class Gatekeeper {
    private final Supplier<Directory> directory;
    private final BooleanSupplier accepting;
    private final SessionGuard sessions;
    private final AdmissionWatch watch;

    /** @param accepting false while the broker drains: everything is refused with {@link Refusal#DRAINING} */
    public Gatekeeper(TenantRegistry tenants, ModelCatalog catalog, BooleanSupplier accepting) {
        this(tenants, catalog, accepting, SessionGuard.NONE);
    }

    /** @param sessions the guardrail on concurrent WebSocket sessions */
    public Gatekeeper(TenantRegistry tenants, ModelCatalog catalog, BooleanSupplier accepting, SessionGuard sessions) {
        this(tenants, catalog, accepting, sessions, AdmissionWatch.NONE);
    }

    /** @param watch told every refusal (the audit log), and asked before a new session or request is admitted */
    public Gatekeeper(TenantRegistry tenants, ModelCatalog catalog, BooleanSupplier accepting, SessionGuard sessions,
                      AdmissionWatch watch) {
        this(fixed(new Directory(tenants, catalog)), accepting, sessions, watch);
    }

    /**
     * @param directory read once per check: a live reload swaps what it returns, and requests already admitted keep
     *                  what they were admitted with
     */
    public Gatekeeper(Supplier<Directory> directory, BooleanSupplier accepting, SessionGuard sessions,
                      AdmissionWatch watch) {
        this.watch = watch;
        this.directory = directory;
        this.accepting = accepting;
        this.sessions = sessions;
    }

    private static Supplier<Directory> fixed(Directory directory) {
        return () -> directory;
    }

    /** The tenants and models admission uses now (a reload may replace them at any time). */
    public Directory directory() {
        return directory.get();
    }

    /**
     * Admits a new WebSocket session for {@code principal} (not a resume: a resumed session holds its slot), last,
     * after the model: it takes a slot that the session's close gives back.
     */
    public Optional<Admission.Refused> admitSession(Principal principal) {
        Optional<Admission.Refused> refused = sessions.admitSession(principal);
        refused.ifPresent(r -> watch.onRefused(Optional.of(principal), r));
        return refused;
    }

    /** Gives back a slot {@link #admitSession} took for an upgrade that did not happen. */
    public void sessionNotOpened(Principal principal) {
        sessions.sessionNotOpened(principal);
    }

    /** Reports a resume refused after {@code principal}'s key was admitted (the audit log records it). */
    public void resumeRefused(Principal principal, String code) {
        watch.onResumeRefused(principal, code);
    }

    /** The refusal of anything new while the broker drains, if it does. */
    public Optional<Admission.Refused> draining() {
        if (accepting.getAsBoolean()) {
            return Optional.empty();
        }
        Admission.Refused refused = Admission.Refused.of(Refusal.DRAINING, "the broker is draining; retry shortly");
        watch.onRefused(Optional.empty(), refused);
        return Optional.of(refused);
    }

    /** Admits a request that presents {@code credentials} for {@code model} (both checks, in that order). */
    public Admission admit(Credentials credentials, String model) {
        Admission admitted = admit(credentials);
        return admitted instanceof Admission.Admitted ok ? admitModel(ok.principal(), model) : admitted;
    }

    /**
     * Admits a request that presents {@code credentials}, before its model is known (the model list, a resume, a
     * request whose model is in its body): who it is, or why not.
     */
    public Admission admit(Credentials credentials) {
        if (credentials.apiKey().isEmpty()) {
            return refused(Optional.empty(), Admission.Refused.of(Refusal.MISSING_API_KEY, "missing API key: send "
                    + "'Authorization: Bearer KEY' or the subprotocol " + Credentials.KEY_PROTOCOL_PREFIX + "KEY"));
        }
        Optional<Principal> principal = directory.get().tenants().resolve(credentials.apiKey().get());
        if (principal.isEmpty()) {
            return refused(Optional.empty(), Admission.Refused.of(Refusal.INVALID_API_KEY, "invalid API key"));
        }
        return new Admission.Admitted(principal.get(), Optional.empty());
    }

    /**
     * Checks {@code model} for an already authenticated {@code principal} (a model read from a request body), and
     * then whether anything new may start now (the audit log fails closed while it cannot write): the last check
     * before a new session or chat request.
     */
    public Admission admitModel(Principal principal, String model) {
        Admission admission = checkModel(principal, model);
        if (admission instanceof Admission.Refused refused) {
            return refused(Optional.of(principal), refused);
        }
        Optional<Admission.Refused> unavailable = watch.refuseNew();
        return unavailable.isPresent() ? refused(Optional.of(principal), unavailable.get()) : admission;
    }

    private Admission.Refused refused(Optional<Principal> principal, Admission.Refused refused) {
        watch.onRefused(principal, refused);
        return refused;
    }

    private Admission checkModel(Principal principal, String model) {
        ModelCatalog catalog = directory.get().catalog();
        if (model.isEmpty()) {
            return new Admission.Refused(Refusal.MISSING_MODEL, "the 'model' parameter is required",
                    Optional.of("model"), Optional.empty());
        }
        Optional<Route> route = catalog.route(model);
        if (route.isEmpty()) {
            return new Admission.Refused(Refusal.MODEL_NOT_FOUND, "model '" + model + "' does not exist",
                    Optional.of("model"), Optional.empty());
        }
        if (!principal.tenant().mayUse(model)) {
            return new Admission.Refused(Refusal.MODEL_NOT_ALLOWED, "this key may not use model '" + model + "'",
                    Optional.of("model"), Optional.empty());
        }
        Optional<Route> resident = catalog.route(model, principal.tenant().regions());
        if (resident.isEmpty()) {
            return new Admission.Refused(Refusal.MODEL_NOT_ALLOWED, "model '" + model + "' has no provider in the "
                    + "regions this tenant's data may go to " + new java.util.TreeSet<>(principal.tenant().regions())
                    + " (residency)", Optional.of("model"), Optional.empty());
        }
        return new Admission.Admitted(principal, resident);
    }
}
