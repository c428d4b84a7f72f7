#!/usr/bin/env bash
# Broker-added latency of the Redis store against the local one at a light load (nothing queues): one broker, one
# simulator, one redis-server, unpinned; a 15 s warm-up, then a 20 s chat run of SESSIONS sessions per store.
# Usage: loadtest/bench/store-latency.sh OUT_DIR [SESSIONS]   (after: mvn -q -DskipTests package; needs redis-server)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$1; N=${2:-50}
mkdir -p "$OUT"
run() { # label extra-yaml
  redis-server --port 16391 --bind 127.0.0.1 --save '' --appendonly no --loglevel warning >/dev/null 2>&1 & local r=$!
  java -Xmx1g -jar broker/target/switchboard.jar simulator --port 19092 > "$OUT/$1-sim.log" 2>&1 & local s=$!
  cat > "$OUT/$1.yaml" <<YAML
listen: {host: 127.0.0.1, port: 18190}
providers:
  sim: {kind: openai, base_url: "http://127.0.0.1:19092/v1"}
models:
  sim-chat: {route: [sim/sim-chat]}
tenants:
  dev: {keys: [dev-key], models: ["*"]}
sessions: {resume_secret: "store-latency-resume-secret-0123456789"}
$2
YAML
  java -Xmx2g -jar broker/target/switchboard.jar --config "$OUT/$1.yaml" > "$OUT/$1-broker.log" 2>&1 & local b=$!
  for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18190/healthz >/dev/null && break; sleep 0.1; done
  local lt="java -jar loadtest/target/switchboard-loadtest.jar --url ws://127.0.0.1:18190/v1/realtime --key dev-key"
  $lt --model sim-chat --sessions "$N" --duration 15s --ramp 2s > "$OUT/$1-warmup.txt" 2>&1 || true
  $lt --model sim-chat --sessions "$N" --duration 20s --ramp 2s --report "$OUT/$1.json" > "$OUT/$1.txt" 2>&1 || true
  echo "$1: $(grep -E 'broker-added (ttft|delta)' "$OUT/$1.txt" | tr -s ' ' | tr '\n' ';')" | tee -a "$OUT/summary.txt"
  kill $b $s $r 2>/dev/null || true; wait $b $s $r 2>/dev/null || true
}
run redis 'cluster: {store: {kind: redis, uri: "redis://127.0.0.1:16391"}, node_id: latency}'
run local ''
