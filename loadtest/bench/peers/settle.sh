#!/usr/bin/env bash
# How the broker's throughput and its JIT settle (issue 12): one simulator (core 1) and one broker (core 0), the
# same peer-client run repeated back to back; per repetition prints tokens, tokens/s, the broker's CPU ticks, its
# CPU seconds per 1,000 tokens and the ticks its JIT compiler threads used. Loopback only; bounded by N x DURATION.
# Usage: [JAR=broker.jar] loadtest/bench/peers/settle.sh OUT_DIR [N] [DURATION] [client args...]
#   (after: mvn -q -DskipTests package; JAR picks another broker build, for an A/B; BROKER_JAVA_OPTS (-Xmx2g))
# Default client args: the 200-stream peak (200 tokens, TTFT 0, gap 0). Ports 18500 and 18502.
set -euo pipefail
cd "$(dirname "$0")/../../.."
OUT=${1:-/tmp/settle}; N=${2:-9}; DUR=${3:-20s}; shift $(( $# < 3 ? $# : 3 ))
ARGS=("$@"); [ ${#ARGS[@]} -gt 0 ] || ARGS=(--concurrency 200 --tokens 200 --ttft-ms 0 --gap-ms 0)
JAR=${JAR:-broker/target/switchboard.jar}; LT=loadtest/target/switchboard-loadtest.jar
for f in "$JAR" "$LT"; do [ -f "$f" ] || { echo "missing $f: run mvn -q -DskipTests package first" >&2; exit 2; }; done
mkdir -p "$OUT"
cat > "$OUT/broker.yaml" <<YAML
listen: {host: 127.0.0.1, port: 18502}
providers:
  mock: {kind: openai, base_url: "http://127.0.0.1:18500/v1"}
models:
  sim-chat: {route: [mock/sim-chat]}
tenants:
  bench: {keys: [bench-key], models: ["*"]}
YAML
taskset -c 1 java -Xmx1g -jar "$JAR" simulator --port 18500 > "$OUT/mock.log" 2>&1 & MOCK=$!
# shellcheck disable=SC2086
taskset -c 0 java ${BROKER_JAVA_OPTS:--Xmx2g} -jar "$JAR" --config "$OUT/broker.yaml" > "$OUT/broker.log" 2>&1 & BR=$!
trap 'kill $BR $MOCK 2>/dev/null || true; wait $BR $MOCK 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
  curl -sf -o /dev/null http://127.0.0.1:18502/healthz && curl -sf -o /dev/null http://127.0.0.1:18500/v1/models \
    && break
  sleep 0.1
done
jit() { # CPU ticks of the broker's compiler threads so far
  local sum=0 comm
  for t in /proc/"$BR"/task/*; do
    comm=$(cat "$t/comm" 2>/dev/null || true)
    case "$comm" in C1*|C2*) sum=$((sum + $(awk '{print $14 + $15}' "$t/stat"))) ;; esac
  done
  echo "$sum"
}
echo "repetition tokens tokens/s broker_ticks cpu_s_per_1000 jit_ticks"
for i in $(seq 1 "$N"); do
  before=$(jit)
  line=$(taskset -c 1 java -Xmx512m -cp "$LT" dev.switchboard.loadtest.peers.PeerBench \
    --url http://127.0.0.1:18502/v1 --key bench-key --warmup 0s --duration "$DUR" --mock-pids "$MOCK" \
    --proxy-pids "$BR" --label "settle$i" "${ARGS[@]}" 2>> "$OUT/client.log")
  after=$(jit)
  echo "$line" >> "$OUT/results.jsonl"
  echo "$line" | python3 -c "import json,sys; r=json.loads(sys.stdin.read()); t=r['tokens']; \
print($i, t, round(t / r['seconds']), r['proxy_ticks'], round(r['proxy_ticks'] / 100 / t * 1000, 5) if t else '-', \
$after - $before)"
done
