#!/usr/bin/env bash
# Scale-out benchmarks (issue 17), loopback only, every run bounded by --duration:
#   1. cross-node resumes: two brokers sharing one redis-server and one simulator; the harness's `cluster` scenario
#      drops sessions mid-answer and resumes each on the other node (gaps, duplicates, texts, resume latency);
#   2. the Redis store against the local one: loadtest/bench/ab-chat.sh on one jar, side B with the cluster section.
# Usage: loadtest/bench/cluster-bench.sh OUT_DIR [SESSIONS_RESUME] [DURATION] [ROUNDS] [SESSIONS_CHAT]
# (after: mvn -q -DskipTests package; needs redis-server). PIN=1: brokers on core 0, the rest on core 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
# SKIP_CLUSTER=1: only the A/B of the stores; SKIP_AB=1: only the cross-node resumes.
OUT=$1; RESUME_SESSIONS=${2:-200}; DURATION=${3:-60s}; ROUNDS=${4:-3}; CHAT_SESSIONS=${5:-1000}
mkdir -p "$OUT"
JAR=broker/target/switchboard.jar
LT=loadtest/target/switchboard-loadtest.jar
REDIS_PORT=16390; SIM_PORT=19091; A_PORT=18181; B_PORT=18182
PIN_BROKER=""; PIN_OTHERS=""
if [ "${PIN:-0}" = 1 ] && command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
  PIN_BROKER="taskset -c 0"; PIN_OTHERS="taskset -c 1"
fi
REDIS=$(command -v redis-server || echo /usr/bin/redis-server)
PIDS=()
stop() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  PIDS=()
}
trap 'stop; kill ${SIM_PID:-} ${REDIS_PID:-} 2>/dev/null || true' EXIT
$PIN_OTHERS "$REDIS" --port $REDIS_PORT --bind 127.0.0.1 --save '' --appendonly no --loglevel warning \
    > "$OUT/redis.log" 2>&1 &
REDIS_PID=$!
$PIN_OTHERS java -Xmx1g -jar "$JAR" simulator --port $SIM_PORT > "$OUT/simulator.log" 2>&1 &
SIM_PID=$!
node_config() { # file node port
  cat > "$1" <<YAML
listen: {host: 127.0.0.1, port: $3}
providers:
  sim: {kind: openai, base_url: "http://127.0.0.1:$SIM_PORT/v1", continuation: prefill}
models:
  sim-chat: {route: [sim/sim-chat]}
tenants:
  dev: {keys: [dev-key], models: ["*"]}
sessions: {resume_secret: "cluster-bench-resume-secret-0123456789"}
cluster:
  store: {kind: redis, uri: "redis://127.0.0.1:$REDIS_PORT"}
  node_id: $2
YAML
}
node_config "$OUT/a.yaml" a $A_PORT; node_config "$OUT/b.yaml" b $B_PORT
if [ "${SKIP_CLUSTER:-0}" != 1 ]; then
for _ in $(seq 1 50); do redis-cli -p $REDIS_PORT ping >/dev/null 2>&1 && break; sleep 0.1; done
$PIN_BROKER java -Xmx2g -jar "$JAR" --config "$OUT/a.yaml" > "$OUT/a.log" 2>&1 & A_PID=$!
$PIN_BROKER java -Xmx2g -jar "$JAR" --config "$OUT/b.yaml" > "$OUT/b.log" 2>&1 & B_PID=$!
PIDS=("$A_PID" "$B_PID")
for port in $A_PORT $B_PORT; do
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
done
NODES="ws://127.0.0.1:$A_PORT/v1/realtime,ws://127.0.0.1:$B_PORT/v1/realtime"
# Warm-up, then the measured run.
$PIN_OTHERS java -jar "$LT" --scenario cluster --nodes "$NODES" --key dev-key --model sim-chat \
    --sessions 100 --duration 15s --ramp 3s > "$OUT/cluster-warmup.txt" 2>&1 || true
$PIN_OTHERS java -jar "$LT" --scenario cluster --nodes "$NODES" --key dev-key --model sim-chat \
    --sessions "$RESUME_SESSIONS" --duration "$DURATION" --ramp 5s --disconnect-prob 0.7 --offline 100ms \
    --broker-pids "$A_PID,$B_PID" --report "$OUT/cluster.json" --html "$OUT/cluster.html" \
    > "$OUT/cluster.txt" 2>&1 || true
echo "redis: $(redis-cli -p $REDIS_PORT info memory | grep used_memory_human)" >> "$OUT/cluster.txt"
stop
fi
kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true
[ "${SKIP_AB:-0}" = 1 ] && exit 0
# The Redis store against the local store, same jar; Redis stays up for side B.
B_EXTRA=$(printf 'sessions: {resume_secret: "cluster-bench-resume-secret-0123456789"}\ncluster: {store: {kind: redis, uri: "redis://127.0.0.1:%s"}, node_id: bench}' $REDIS_PORT)
B_EXTRA="$B_EXTRA" loadtest/bench/ab-chat.sh "$JAR" "$JAR" "$OUT/ab" "$ROUNDS" "$CHAT_SESSIONS"
kill "$REDIS_PID" 2>/dev/null || true
