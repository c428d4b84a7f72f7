package dev.switchboard.loadtest;

/** The {@code --help} text; {@code docs/loadtest.md} describes the same flags at length. */
final class Usage {
    static final String TEXT = """
            usage: java -jar switchboard-loadtest.jar [options]

            Drives a Switchboard broker over its Realtime WebSocket API and reports latency percentiles
            (HdrHistogram), errors and seq checks. Requests follow a fixed schedule and latency is measured from
            each request's intended send time, so a slow broker cannot hide latency (coordinated omission).

            Target
              --url URL               ws:// or wss:// Realtime endpoint (default ws://127.0.0.1:8080/v1/realtime)
              --key KEY               tenant API key, sent as "Authorization: Bearer KEY" (default dev-key)
              --model MODEL           model query parameter (default sim-chat, unless --url has ?model=)
              --nodes URL,URL[,...]   cluster: the brokers' Realtime endpoints instead of --url; sessions are
                                      dealt round-robin to them and each resume goes to the next node

            Workload
              --scenario NAME         chat | cancel | idle | resume | slow-consumer | guardrail | cluster
                                      (default chat)
                                        chat:   message + response.create, read the stream, think, repeat
                                        cancel: like chat, but response.cancel after a random number of deltas
                                        idle:   hold connected sessions; measure broker heap per session
                                        resume: like chat, but drop connections mid-response and resume them;
                                                check seq and texts, time the replay
                                        slow-consumer: like chat, but some sessions stop reading; normal
                                                sessions' latency, 4008 closes, broker heap
                                        guardrail: like chat against a --key whose tenant has limits; keeps
                                                the load up while refused; counts refusals and budget
                                                cuts (never errors), times refusal_ms
                                        cluster: resume across --nodes: every resume goes to another node;
                                                counts resumes attempted/succeeded/refused (by code), per
                                                node sessions, events and CPU; seq and text checks as resume
              --sessions N            concurrent sessions (default 10)
              --duration D            measured window, ramp included (default 30s); units ms, s, m, h
              --rate R                open workload: R responses/s spread round-robin over the sessions;
                                      without it the workload is closed (each session loops)
              --arrival KIND          open workload spacing: uniform | poisson (default uniform)
              --ramp D                spread session connects evenly over D (default 0s)
              --think D               closed workload: pause after each response (default 1s)
              --grace D               after --duration, wait at most D for in-flight responses (default 10s,
                                      at most 5m), then close everything

            Simulator steering (sent as response.metadata sim_* string values)
              --tokens N              sim_tokens: tokens per response (default 50)
              --ttft-ms MS            sim_ttft_ms: simulated time to first token (default 150)
              --tokens-per-second R   sim_tokens_per_second: pacing (default 40)
              --no-sim                send no sim_* metadata (for real upstream models)
              --stamp MODE            auto | on | off: sim_stamp delta timestamps for broker-added latency
                                      (default auto: one probe response decides)

            Scenario options
              --cancel-after N[-M]    cancel: cancel after a uniform random number of deltas in [N, M]
                                      (default 1 to tokens/2)
              --settle D              idle: wait after the last connect before sampling memory (default 2s)
              --broker-pid PID        the broker's process (same machine): CPU per 1,000 events from /proc
                                      in every scenario; idle also runs "jcmd PID GC.run" before each sample
              --broker-pids P1,P2     cluster: one broker pid per --nodes entry: CPU per 1,000 events of
                                      each node, from /proc (same machine)
              --pin-broker CORE       pin every broker thread to CORE with taskset (needs --broker-pid)
              --pin-self CORE         pin every harness thread to CORE with taskset
              --barge-in KINDS        voice: comma list of client, speech, broker_vad dealt to the sessions
                                      in turn (default all three)
              --disconnect-prob P     resume, cluster: chance that a response drops its connection (default 0.5)
              --max-disconnects N     resume, cluster: most drops per session (default 10)
              --disconnect-after N[-M]
                                      resume, cluster: drop after a uniform random number of deltas in
                                      [N, M] (default 1 to tokens-1)
              --offline D             resume, cluster: time away before reconnecting (default 100ms, at
                                      most 1m)
              --backlog N             resume, backlog mode: each session's first response drops after one
                                      delta and stays away until it has finished; times the replay of N
                                      missed events (needs --tokens > N; the first session is the reference)
              --slow-share F          slow-consumer: share of sessions that stop reading, 0 to 1 (default 0.1)
              --slow-for D            slow-consumer: how long they stop reading (default 20s)
              --slow-tokens N         slow-consumer: sim_tokens of a slow session's response (default 20000)
              --slow-tokens-per-second R
                                      slow-consumer: its pacing (default 5000)

            Other
              --seed N                seed for every random choice (default 1)
              --connect-timeout D     WebSocket upgrade timeout (default 10s)
              --report FILE           write the JSON report
              --html FILE             write a self-contained HTML report with SVG charts
              --help                  print this text

            Exit status: 0 success; 1 errors or seq gaps/duplicates occurred (or no session connected);
            2 bad arguments; 3 the broker could not be reached or refused the first session.
            """;

    private Usage() {
    }
}
