#!/usr/bin/env bash
# A/B of two broker builds on the chat scenario, interleaved so machine noise hits both alike. For each round and
# each build: a fresh simulator and broker, a JIT warm-up, then the measured run; the broker's CPU ticks come from
# /proc. Loopback only; every run is bounded by --duration.
# Usage: loadtest/bench/ab-chat.sh A_JAR B_JAR OUT_DIR [ROUNDS] [SESSIONS]   (after: mvn -q -DskipTests package)
# PIN=1 (and taskset available): the broker is pinned to core 0, the simulator and harness to core 1. On 2 cores
# that second core saturates first at 1,000 sessions; unpinned (the default) matches run-benchmarks.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
A_JAR=$1; B_JAR=$2; OUT=$3; ROUNDS=${4:-3}; SESSIONS=${5:-1000}
mkdir -p "$OUT"
LT=loadtest/target/switchboard-loadtest.jar
SIM_PORT=19090
BROKER_PORT=18100
# A_TENANT / B_TENANT: extra keys for the dev tenant of each side, e.g. to compare guardrails configured (limits
# never hit) with none on the same jar: B_TENANT='limits: {requests_per_minute: 10000000}, budgets: [...]'.
# A_EXTRA / B_EXTRA: top-level YAML added to each side, e.g. a policy the tenant extra names:
# B_EXTRA='policies: {standard: {output: [...]}}' B_TENANT='policy: standard'.
# A_JAVA_OPTS / B_JAVA_OPTS: each side's broker JVM options (default -Xmx2g), e.g. to compare garbage collectors on
# the same jar: B_JAVA_OPTS='-Xmx2g -XX:+UseG1GC'.
config() { # file tenant-extra top-level-extra
  cat > "$1" <<YAML
listen: {host: 127.0.0.1, port: $BROKER_PORT}
${3:-}
providers:
  sim: {kind: openai, base_url: "http://127.0.0.1:$SIM_PORT/v1"}
models:
  sim-chat: {route: [sim/sim-chat]}
tenants:
  dev: {keys: [dev-key], models: ["*"]${2:+, $2}}
YAML
}
A_CONFIG=$(mktemp); B_CONFIG=$(mktemp)
config "$A_CONFIG" "${A_TENANT:-}" "${A_EXTRA:-}"
config "$B_CONFIG" "${B_TENANT:-}" "${B_EXTRA:-}"
PIN_BROKER=""; PIN_OTHERS=""
if [ "${PIN:-0}" = 1 ] && command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
  PIN_BROKER="taskset -c 0"; PIN_OTHERS="taskset -c 1"
fi
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
lt() { $PIN_OTHERS java -jar "$LT" --url "ws://127.0.0.1:$BROKER_PORT/v1/realtime" --key dev-key --model sim-chat "$@"; }
SIM_PID=""; BROKER_PID=""
stop() { kill $BROKER_PID $SIM_PID 2>/dev/null || true; wait $BROKER_PID $SIM_PID 2>/dev/null || true; }
trap stop EXIT

one() { # label jar round config java-opts
  local label=$1 jar=$2 round=$3 CONFIG=$4 opts=$5
  $PIN_OTHERS java -Xmx1g -jar "$jar" simulator --port $SIM_PORT > "$OUT/$label-$round-simulator.log" 2>&1 &
  SIM_PID=$!
  # shellcheck disable=SC2086
  $PIN_BROKER java $opts -jar "$jar" --config "$CONFIG" > "$OUT/$label-$round-broker.log" 2>&1 &
  BROKER_PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$BROKER_PORT/healthz" >/dev/null && break; sleep 0.1; done
  lt --sessions 500 --duration 20s --ramp 5s > "$OUT/$label-$round-warmup.txt" 2>&1 || true
  local b0; b0=$(cpu "$BROKER_PID")
  lt --scenario chat --sessions "$SESSIONS" --duration 30s --ramp 10s --report "$OUT/$label-$round.json" \
      > "$OUT/$label-$round.txt" 2>&1 || true
  local ticks=$(( $(cpu "$BROKER_PID") - b0 ))
  python3 - "$OUT/$label-$round.json" "$label" "$round" "$ticks" <<'PY' | tee -a "$OUT/summary.txt"
import json, sys
report, label, rnd, ticks = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], int(sys.argv[4])
added, events = report["broker_added_ttft_ms"], report["events_total"]
delta = report["broker_added_delta_ms"]
print(f"{label} round {rnd}: broker cpu {ticks} ticks, {1000 * ticks / 100 / max(events, 1):.4f} cpu-s per 1,000 events, "
      f"responses {report['responses']['completed']}, broker-added ttft p50 {added['p50']:.2f} p99 {added['p99']:.2f} ms, "
      f"broker-added delta p50 {delta['p50']:.2f} p99 {delta['p99']:.2f} ms, "
      f"errors {report['errors']}, seq gaps {report['seq']['gaps']}")
PY
  stop
  SIM_PID=""; BROKER_PID=""
}

for round in $(seq 1 "$ROUNDS"); do
  one A "$A_JAR" "$round" "$A_CONFIG" "${A_JAVA_OPTS:--Xmx2g}"
  one B "$B_JAR" "$round" "$B_CONFIG" "${B_JAVA_OPTS:--Xmx2g}"
done
