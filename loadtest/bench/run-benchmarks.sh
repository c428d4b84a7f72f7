#!/usr/bin/env bash
# Reproduces docs/benchmarks.md: starts the provider simulator and the broker as separate processes on this
# machine, warms the broker up, then runs the load-test harness for each scenario. Loopback only; every run is
# bounded by its --duration. Usage: loadtest/bench/run-benchmarks.sh [OUT_DIR]   (after: mvn -q -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-loadtest-reports}
mkdir -p "$OUT"
JAR=broker/target/switchboard.jar
LT=loadtest/target/switchboard-loadtest.jar
SIM_PORT=19090
BROKER_PORT=18100
CONFIG=$(mktemp)
cat > "$CONFIG" <<YAML
listen: {host: 127.0.0.1, port: $BROKER_PORT}
providers:
  sim: {kind: openai, base_url: "http://127.0.0.1:$SIM_PORT/v1"}
  rt: {kind: openai-realtime, base_url: "http://127.0.0.1:$SIM_PORT/v1"}
models:
  sim-chat: {route: [sim/sim-chat]}
  sim-realtime: {route: [rt/sim-realtime]}
tenants:
  dev: {keys: [dev-key], models: ["*"]}
YAML

start() {
  java -Xmx1g -jar "$JAR" simulator --port $SIM_PORT > "$OUT/simulator.log" 2>&1 &
  SIM_PID=$!
  java -Xmx2g -jar "$JAR" --config "$CONFIG" > "$OUT/broker.log" 2>&1 &
  BROKER_PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$BROKER_PORT/healthz" >/dev/null && return; sleep 0.1; done
  echo "broker did not start" >&2; exit 1
}
stop() { kill "$BROKER_PID" "$SIM_PID" 2>/dev/null || true; wait "$BROKER_PID" "$SIM_PID" 2>/dev/null || true; }
trap stop EXIT
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
lt() { java -jar "$LT" --url "ws://127.0.0.1:$BROKER_PORT/v1/realtime" --key dev-key --model sim-chat "$@"; }

run() { # name, loadtest args...
  local name=$1; shift
  local b0 s0
  b0=$(cpu "$BROKER_PID"); s0=$(cpu "$SIM_PID")
  lt "$@" --report "$OUT/$name.json" --html "$OUT/$name.html" > "$OUT/$name.txt" 2>&1 || true
  echo "$name: broker cpu $(( $(cpu "$BROKER_PID") - b0 )) ticks, simulator cpu $(( $(cpu "$SIM_PID") - s0 )) ticks" \
    | tee -a "$OUT/cpu.txt"
}

start
# JIT warm-up: the first seconds of a fresh JVM measure the compiler, not the broker.
lt --sessions 500 --duration 20s --ramp 5s > "$OUT/warmup.txt" 2>&1 || true
run chat-1     --scenario chat --sessions 1    --duration 30s
run chat-100   --scenario chat --sessions 100  --duration 30s --ramp 5s
run chat-500   --scenario chat --sessions 500  --duration 30s --ramp 5s
run chat-1000  --scenario chat --sessions 1000 --duration 30s --ramp 10s
run cancel-200 --scenario cancel --sessions 200 --duration 30s --ramp 5s
# Resume: 70 % of responses drop mid-stream and resume after 100 ms; seq and texts checked, replay timed.
run resume-100 --scenario resume --sessions 100 --duration 30s --ramp 5s --disconnect-prob 0.7 --offline 100ms
# Replay of 1,000 missed events: one sample per session but the first (the reference), spread over the ramp.
run resume-backlog-1000 --scenario resume --backlog 1000 --sessions 100 --duration 40s --ramp 30s \
    --tokens 1200 --tokens-per-second 20000 --ttft-ms 20
stop

# Slow consumers against the same workload without them, each on a fresh broker (closed slow sessions stay on
# the broker for sessions.resume_ttl and would show in the next run's heap).
start
run slow-consumer-10pct --scenario slow-consumer --sessions 110 --slow-share 0.1 --duration 40s --ramp 2s
stop
start
run slow-consumer-0pct --scenario slow-consumer --sessions 99 --slow-share 0 --duration 40s --ramp 2s
stop

# Voice: real-time input audio, audio answers at 2x real time, barge-ins alternating client cancel and speech.
start
lt --model sim-realtime --scenario voice --sessions 100 --duration 20s > "$OUT/voice-warmup.txt" 2>&1 || true
run voice-100 --model sim-realtime --scenario voice --sessions 100 --duration 30s
run voice-500 --model sim-realtime --scenario voice --sessions 500 --duration 30s
stop

# Idle memory on a fresh broker, with a GC before each heap sample; connects at 500/s (issue 12).
start
run idle-15000 --scenario idle --sessions 15000 --duration 60s --ramp 30s --broker-pid "$BROKER_PID"
stop
trap - EXIT
echo "reports in $OUT"
