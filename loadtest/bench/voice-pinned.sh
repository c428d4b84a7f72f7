#!/usr/bin/env bash
# Voice sessions against a broker pinned to one core (issue 12): the broker alone on BROKER_CORE, the simulator
# and the harness on HARNESS_CORE, every session count on a fresh broker after a JIT warm-up. Records
# /proc/loadavg before each run (other work on the machine shows there and in the core's busy share).
# Usage: loadtest/bench/voice-pinned.sh OUT_DIR "25 50 100 150"   (after: mvn -q -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-voice-pinned}
COUNTS=${2:-"25 50 100 150 200"}
BROKER_CORE=${BROKER_CORE:-1}
HARNESS_CORE=${HARNESS_CORE:-0}
DURATION=${DURATION:-30s}
JAR=${JAR:-broker/target/switchboard.jar}
LT=${LT:-loadtest/target/switchboard-loadtest.jar}
SIM_PORT=${SIM_PORT:-19190}
BROKER_PORT=${BROKER_PORT:-18190}
mkdir -p "$OUT"
CONFIG=$(mktemp)
cat > "$CONFIG" <<YAML
listen: {host: 127.0.0.1, port: $BROKER_PORT}
providers:
  rt: {kind: openai-realtime, base_url: "http://127.0.0.1:$SIM_PORT/v1"}
models:
  sim-realtime: {route: [rt/sim-realtime]}
tenants:
  dev: {keys: [dev-key], models: ["*"]}
YAML

start() {
  taskset -c "$HARNESS_CORE" java -Xmx1g -jar "$JAR" simulator --port "$SIM_PORT" > "$OUT/simulator.log" 2>&1 &
  SIM_PID=$!
  taskset -c "$BROKER_CORE" java -Xmx2g -jar "$JAR" --config "$CONFIG" > "$OUT/broker.log" 2>&1 &
  BROKER_PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$BROKER_PORT/healthz" >/dev/null && return; sleep 0.2; done
  echo "broker did not start" >&2; exit 1
}
stop() { kill "$BROKER_PID" "$SIM_PID" 2>/dev/null || true; wait "$BROKER_PID" "$SIM_PID" 2>/dev/null || true; }
trap stop EXIT
lt() {
  java -jar "$LT" --url "ws://127.0.0.1:$BROKER_PORT/v1/realtime" --key dev-key --model sim-realtime \
    --scenario voice --broker-pid "$BROKER_PID" --pin-broker "$BROKER_CORE" --pin-self "$HARNESS_CORE" "$@"
}

for n in $COUNTS; do
  start
  lt --sessions 100 --duration 20s > "$OUT/warmup-$n.txt" 2>&1 || true
  echo "voice-$n loadavg before: $(cat /proc/loadavg)" | tee -a "$OUT/loadavg.txt"
  lt --sessions "$n" --duration "$DURATION" --report "$OUT/voice-$n.json" --html "$OUT/voice-$n.html" \
    > "$OUT/voice-$n.txt" 2>&1 || true
  echo "voice-$n loadavg after:  $(cat /proc/loadavg)" | tee -a "$OUT/loadavg.txt"
  jq -r --arg n "$n" '"voice-\($n): broker \(.broker_cpu.utilisation * 100 | floor) % of core \(.broker_cpu.pinned_core)'\
' (core busy \(.broker_cpu.core_busy * 100 | floor) %), \(.broker_cpu.cpu_ms_per_1000_events) CPU ms per 1,000 events;'\
' barge-in p99 ms client \(.bargein_latency_ms.client.p99) speech \(.bargein_latency_ms.speech.p99)'\
' broker_vad \(.bargein_latency_ms.broker_vad.p99); broker meter \(.broker_bargein_meter | with_entries('\
'select(.key | startswith("p99"))) | tostring); onsets broker first \(.onsets.broker_first)/\(.onsets.utterances)'\
'; stale \(.stale_events_after_ack) gaps \(.seq_gaps)"' "$OUT/voice-$n.json" | tee -a "$OUT/summary.txt"
  stop
done
trap - EXIT
echo "reports in $OUT"
