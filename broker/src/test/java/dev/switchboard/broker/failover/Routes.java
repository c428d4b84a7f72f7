package dev.switchboard.broker.failover;

/**
 * One broker configuration for every failover test: faulty "providers" are fault paths on the embedded
 * simulator, each the first target of a model whose fallback is the healthy simulator. Each test starts its own
 * broker from it, so simulator counters ({@code fail_first}, {@code faultsInjected}), metrics and circuit
 * breakers never leak between tests.
 *
 * <p>Upstream model names tell the targets apart in {@code response.done.response.model} (the simulator echoes
 * the requested model and does not seed its text with it, so the text stays comparable).
 */
final class Routes {
    /** Model routed straight to the healthy simulator: the uninterrupted reference. */
    static final String DIRECT = "sim-direct";

    static final String YAML = """
            simulator: {enabled: true}
            rings: {shards: 2, size: 1024}
            providers:
              cut:       {kind: openai, base_url: "simulator:/faults/cut_after=20/v1", continuation: prefill}
              cut-call:  {kind: openai, base_url: "simulator:/faults/cut_after=2/v1", continuation: prefill}
              restarter: {kind: openai, base_url: "simulator:/v1", continuation: restart}
              noprefill: {kind: openai, base_url: "simulator:/faults/reject_prefill=true/v1", continuation: prefill}
              down:
                kind: openai
                base_url: "simulator:/faults/status=503/v1"
                retry: {max_retries: 2, backoff: 10ms, max_backoff: 20ms}
              down-alone:
                kind: openai
                base_url: "simulator:/faults/status=503/v1"
                retry: {max_retries: 2, backoff: 10ms, max_backoff: 20ms}
              limited:   {kind: openai, base_url: "simulator:/faults/status=429,retry_after=1,fail_first=1/v1"}
              limited-long: {kind: openai, base_url: "simulator:/faults/status=429,retry_after=30/v1"}
              inband:    {kind: openai, base_url: "simulator:/faults/inband_error_after=15/v1"}
              reset:
                kind: openai
                base_url: "simulator:/faults/reset_before_headers=true/v1"
                retry: {max_retries: 1, backoff: 10ms, max_backoff: 10ms}
              silent:
                kind: openai
                base_url: "simulator:/faults/no_response=true/v1"
                timeouts: {first_token: 300ms}
              slow:      {kind: openai, base_url: "simulator:/faults/ttft_ms=2000/v1", timeouts: {first_token: 300ms}}
              stall:     {kind: openai, base_url: "simulator:/faults/stall_after=10/v1", timeouts: {idle: 300ms}}
              malformed: {kind: openai, base_url: "simulator:/faults/malformed_at=3/v1"}
              nodone:    {kind: openai, base_url: "simulator:/faults/no_done=true/v1", timeouts: {idle: 1m}}
              ctx:       {kind: openai, base_url: "simulator:/faults/error_code=context_length_exceeded/v1"}
              policy:    {kind: openai, base_url: "simulator:/faults/error_code=content_policy_violation/v1"}
              flappy:
                kind: openai
                base_url: "simulator:/faults/status=503,fail_first=6/v1"
                circuit_breaker: {failure_threshold: 3, open_for: 1s}
                retry: {max_retries: 0}
              down-a-while:
                kind: openai
                base_url: "simulator:/faults/status=503,fail_first=4/v1"
                circuit_breaker: {failure_threshold: 1, probe_after: 100ms, open_for: 30s}
                retry: {max_retries: 0}
              recovering:
                kind: openai
                base_url: "simulator:/faults/status=503,fail_first=1/v1"
                circuit_breaker: {failure_threshold: 1, open_for: 200ms}
                retry: {max_retries: 0}
            models:
              sim-direct:      {route: [simulator/sim-chat]}
              sim-cut-prefill: {route: [cut/sim-primary, simulator/sim-backup]}
              sim-call-cut:    {route: [cut-call/sim-primary, simulator/sim-backup]}
              sim-cut-restart: {route: [cut/sim-primary, restarter/sim-backup]}
              sim-cut-noprefill: {route: [cut/sim-primary, noprefill/sim-backup]}
              sim-down:        {route: [down/sim-primary, simulator/sim-backup]}
              sim-down-a-while: {route: [down-a-while/sim-primary, simulator/sim-backup]}
              sim-down-alone:  {route: [down-alone/sim-primary]}
              sim-limited:     {route: [limited/sim-primary, simulator/sim-backup]}
              sim-limited-long: {route: [limited-long/sim-primary, simulator/sim-backup]}
              sim-inband:      {route: [inband/sim-primary, simulator/sim-backup]}
              sim-reset:       {route: [reset/sim-primary, simulator/sim-backup]}
              sim-silent:      {route: [silent/sim-primary, simulator/sim-backup]}
              sim-slow:        {route: [slow/sim-primary, simulator/sim-backup]}
              sim-stall:       {route: [stall/sim-primary, simulator/sim-backup]}
              sim-malformed:   {route: [malformed/sim-primary, simulator/sim-backup]}
              sim-nodone:      {route: [nodone/sim-primary, simulator/sim-backup]}
              sim-ctx:         {route: [ctx/sim-small, simulator/sim-large]}
              sim-policy:      {route: [policy/sim-primary, simulator/sim-backup]}
              sim-flappy:      {route: [flappy/sim-primary, simulator/sim-backup]}
              sim-recovering:  {route: [recovering/sim-primary, simulator/sim-backup]}
            tenants:
              t: {keys: [k], models: ["*"]}
            """;

    private Routes() {
    }

    /** Knobs for a fast, exactly {@code tokens}-long answer: no first-token delay, effectively no pacing. */
    static String fast(int tokens) {
        return "{\"sim_tokens\":\"" + tokens + "\",\"sim_ttft_ms\":\"0\",\"sim_tokens_per_second\":\"100000\"}";
    }
}
