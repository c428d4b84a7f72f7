package dev.switchboard.broker.route;

import dev.switchboard.bridge.anthropic.AnthropicConfig;
import dev.switchboard.bridge.anthropic.AnthropicConnector;
import dev.switchboard.bridge.openai.OpenAiConfig;
import dev.switchboard.bridge.openai.OpenAiConnector;
import dev.switchboard.bridge.realtime.RealtimeConfig;
import dev.switchboard.bridge.realtime.RealtimeConnector;
import dev.switchboard.bridge.upstream.StreamTimeouts;
import dev.switchboard.bridge.upstream.UpstreamConnector;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.metrics.OperatorLog;
import dev.switchboard.broker.notice.Notice;
import dev.switchboard.broker.notice.Notices;
import java.net.URI;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import dev.switchboard.broker.transport.tls.UpstreamClients;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The configured providers at run time, built from the configuration's {@code providers} (and the embedded
 * simulator's, when it runs). {@link #reconfigure} builds the providers of a reloaded configuration, keeping each
 * provider whose settings did not change — with its connector, its open relays and its circuit breaker's state —
 * and building new ones for the rest. A replaced Realtime relay connector is not closed while the broker runs:
 * sessions admitted before the reload may still relay through it; {@link #close} closes every connector ever built.
 *
 * <p>Thread-safe: {@link #current} may be read from any thread; {@link #reconfigure} is called by one thread at a
 * time (the reload's).
 */
public final class Providers implements AutoCloseable {
    private final Optional<URI> simulator;
    private final UpstreamClients clients;
    private final BrokerMetrics metrics;
    private final Transitions transitions;
    /** Every Realtime relay connector built, open until {@link #close}. */
    private final List<RealtimeConnector> relays = new ArrayList<>();
    private volatile Built current;

    /**
     * Where a circuit breaker's state changes go: the operator log and the notices (audit, webhooks).
     *
     * @param operator the rate-limited operator log
     * @param notices audit and webhooks
     * @param clock stamps the notices
     */
    public record Transitions(OperatorLog operator, Notices notices, InstantSource clock) {
    }

    /** One configuration's providers, and the settings each was built from. */
    private record Built(Map<String, Provider> providers, Map<String, BrokerConfig.Provider> settings) {
    }

    /**
     * Builds the providers of {@code config}.
     *
     * @param trust the upstream trust of each provider with its own CA bundle ({@code tls.ca}), by name
     * @param simulator the embedded simulator's base URI, when it runs
     * @param clients the HTTP clients of SSE providers: one shared, one more per provider with its own CA bundle
     */
    public Providers(BrokerConfig config, Map<String, SslContextFactory.Client> trust, Optional<URI> simulator,
                     UpstreamClients clients, BrokerMetrics metrics, Transitions transitions) {
        this.simulator = simulator;
        this.clients = clients;
        this.metrics = metrics;
        this.transitions = transitions;
        Map<String, Provider> providers = new LinkedHashMap<>();
        simulator.ifPresent(sim -> providers.put(BrokerConfig.SIMULATOR_PROVIDER, provider(
                BrokerConfig.SIMULATOR_PROVIDER, new Provider.Kind.Bridged(new OpenAiConnector(new OpenAiConfig(
                        BrokerConfig.SIMULATOR_PROVIDER, sim, Optional.empty(), StreamTimeouts.defaults()),
                        clients.shared()), true), BrokerConfig.Retry.defaults(), BrokerConfig.Breaker.defaults())));
        config.providers().forEach((name, p) -> providers.put(name, build(name, p, trust)));
        this.current = new Built(providers, config.providers());
    }

    /** The providers by name, now. */
    public Map<String, Provider> current() {
        return current.providers();
    }

    /**
     * Checks that {@code config}'s providers can be built here: a provider on the simulator needs the simulator,
     * which only starts with the broker.
     *
     * @return why not, or empty
     */
    public Optional<String> refusal(BrokerConfig config) {
        return config.providers().entrySet().stream()
                .filter(e -> e.getValue().onSimulator() && simulator.isEmpty())
                .map(e -> "providers." + e.getKey() + ".base_url uses the embedded simulator, which is not running "
                        + "(simulator.enabled takes effect at start only)")
                .findFirst();
    }

    /**
     * Makes {@code config}'s providers current: unchanged ones are kept, changed and new ones built. Call
     * {@link #refusal} first. A replaced provider's own HTTP client stays open until {@link UpstreamClients#close}:
     * responses admitted before the reload may still stream through it.
     *
     * @param trust as for the constructor, read from {@code config}
     * @return the names of the providers built anew or removed
     */
    public List<String> reconfigure(BrokerConfig config, Map<String, SslContextFactory.Client> trust) {
        Built before = current;
        Map<String, Provider> providers = new LinkedHashMap<>();
        List<String> changed = new ArrayList<>();
        before.providers().computeIfPresent(BrokerConfig.SIMULATOR_PROVIDER, (name, sim) -> {
            providers.put(name, sim);
            return sim;
        });
        config.providers().forEach((name, p) -> {
            if (p.equals(before.settings().get(name))) {
                providers.put(name, before.providers().get(name));
            } else {
                providers.put(name, build(name, p, trust));
                changed.add(name);
            }
        });
        before.settings().keySet().stream().filter(name -> !config.providers().containsKey(name))
                .forEach(changed::add);
        current = new Built(providers, config.providers());
        return changed;
    }

    private Provider build(String name, BrokerConfig.Provider p, Map<String, SslContextFactory.Client> trust) {
        Optional<SslContextFactory.Client> own = Optional.ofNullable(trust.get(name));
        URI base = p.onSimulator()
                ? URI.create("http://127.0.0.1:" + simulator.orElseThrow().getPort() + p.baseUrl().getPath())
                : p.baseUrl();
        if (p.kind().equals(BrokerConfig.REALTIME_KIND)) {
            RealtimeConnector relay = RealtimeConnector.start(new RealtimeConfig(name, base, p.apiKey(),
                    new RealtimeConfig.Timeouts(p.timeouts().connect(), p.timeouts().firstToken(),
                            RealtimeConfig.Timeouts.defaults().idle()), RealtimeConfig.Limits.defaults()), own,
                    clients.executorForClient());
            synchronized (relays) {
                relays.add(relay);
            }
            return provider(name, new Provider.Kind.Relayed(relay), p.retry(), p.breaker());
        }
        HttpClient httpClient = clients.forProvider(name, own);
        UpstreamConnector connector = p.kind().equals("anthropic")
                ? new AnthropicConnector(new AnthropicConfig(name, base, p.apiKey(), p.timeouts()), httpClient)
                : new OpenAiConnector(new OpenAiConfig(name, base, p.apiKey(), p.timeouts()), httpClient);
        return provider(name, new Provider.Kind.Bridged(connector, p.continuation().equals("prefill")), p.retry(),
                p.breaker());
    }

    private Provider provider(String name, Provider.Kind kind, BrokerConfig.Retry retry,
                              BrokerConfig.Breaker breaker) {
        CircuitBreaker[] self = new CircuitBreaker[1];
        CircuitBreaker circuit = new CircuitBreaker(breaker.failureThreshold(), breaker.probeAfter(), breaker.openFor(),
                System::nanoTime, (from, to, cause) -> {
                    logTransition(name, breaker, self[0], from, to, cause);
                    transitions.notices().publish(new Notice.CircuitChanged(transitions.clock().instant(), name,
                            word(from), word(to), cause));
                });
        self[0] = circuit;
        metrics.circuitState(name, () -> circuit.state().ordinal());
        return new Provider(name, kind, new RetryPolicy(retry.maxRetries(), retry.backoff(), retry.maxBackoff(),
                retry.maxRetryAfter()), circuit);
    }

    private void logTransition(String provider, BrokerConfig.Breaker breaker, CircuitBreaker circuit,
                               CircuitBreaker.State from, CircuitBreaker.State to, String cause) {
        OperatorLog log = transitions.operator();
        String key = "breaker:" + provider + ":" + to;
        switch (to) {
            case OPEN -> log.warn(key, "circuit breaker of provider {} opened ({} -> OPEN) for {} ms after {}: "
                    + "{}{}", provider, from, circuit.openTime().toMillis(), from == CircuitBreaker.State.HALF_OPEN
                    ? "a failed probe" : breaker.failureThreshold() + " consecutive failures", cause);
            case HALF_OPEN -> log.info(key, "circuit breaker of provider {} half-open: probing{}", provider);
            case CLOSED -> log.info(key, "circuit breaker of provider {} closed: the provider answers again{}",
                    provider);
        }
    }

    private static String word(CircuitBreaker.State state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    /** Closes every Realtime relay connector built, current or replaced. */
    @Override
    public void close() {
        synchronized (relays) {
            relays.forEach(RealtimeConnector::close);
        }
    }
}
