#!/usr/bin/env bash
# Peer benchmark (issue 12): nginx from Debian packages as the reference proxy. Starts the provider simulator as the
# mock upstream, nginx (one worker) as a plain SSE/WebSocket reverse proxy in front of it and the broker in front of
# the same mock, then measures direct, nginx and broker in interleaved rounds with the peer client
# (dev.switchboard.loadtest.peers.PeerBench): SSE chat-completion streams (tokens/s, time to first token) and
# Realtime round trips (input_audio_buffer.clear -> .cleared), each proxy's CPU from /proc/PID/stat over each
# measured window. Prints Markdown tables of the medians. Loopback only; every run is bounded by its duration.
#
# Usage: loadtest/bench/peers/run-peers.sh [OUT_DIR]      (after: mvn -q -DskipTests package)
# Env: ROUNDS (3), DURATION (10s), SEQ_DURATION (20s), WARMUP (3s), BROKER_WARMUP (60s), PIN (1: proxies on core 0,
#      mock and client on core 1), SCENARIOS (all: sse-seq sse-50 sse-200 sse-200-peak ws-1 ws-50),
#      BROKER_JAVA_OPTS (-Xmx2g), PEER_PORT_BASE (18400; uses 5 ports from there).
set -euo pipefail
cd "$(dirname "$0")/../../.."
OUT=${1:-/tmp/peers}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
SEQ_DURATION=${SEQ_DURATION:-20s}
WARMUP=${WARMUP:-3s}
BROKER_WARMUP=${BROKER_WARMUP:-60s}
SCENARIOS=${SCENARIOS:-sse-seq sse-50 sse-200 sse-200-peak ws-1 ws-50}
BASE=${PEER_PORT_BASE:-18400}
MOCK_PORT=$BASE; NGINX_PORT=$((BASE + 1)); BROKER_PORT=$((BASE + 2))
JAR=broker/target/switchboard.jar
LT=loadtest/target/switchboard-loadtest.jar
for f in "$JAR" "$LT"; do [ -f "$f" ] || { echo "missing $f: run mvn -q -DskipTests package first" >&2; exit 2; }; done
mkdir -p "$OUT"
OUT_ABS=$(cd "$OUT" && pwd)
: > "$OUT/results.jsonl"
WORK=$(mktemp -d /tmp/switchboard-peers.XXXXXX)
chmod 755 "$WORK"

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "installing nginx-light from the Debian packages" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  apt_nginx() { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null; }
  apt_nginx || { $SUDO apt-get update -q >/dev/null && apt_nginx; }
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

PIN0=""; PIN1=""
if [ "${PIN:-1}" = 1 ] && command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
  PIN0="taskset -c 0"; PIN1="taskset -c 1"
fi

# nginx as a plain reverse proxy: no buffering of streamed answers, HTTP/1.1 with kept-alive upstream connections,
# the Upgrade handshake passed through for /v1/realtime, no access log (the broker keeps none either).
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $OUT_ABS/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  keepalive_requests 1000000;
  upstream mock {
    server 127.0.0.1:$MOCK_PORT;
    keepalive 512;
    keepalive_requests 1000000;
  }
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location /v1/realtime {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_read_timeout 300s;
    }
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_cache off;
      proxy_read_timeout 300s;
    }
  }
}
NGINX
cat > "$WORK/broker.yaml" <<YAML
listen: {host: 127.0.0.1, port: $BROKER_PORT}
providers:
  mock: {kind: openai, base_url: "http://127.0.0.1:$MOCK_PORT/v1"}
  mock-rt: {kind: openai-realtime, base_url: "http://127.0.0.1:$MOCK_PORT/v1"}
models:
  sim-chat: {route: [mock/sim-chat]}
  sim-realtime: {route: [mock-rt/sim-realtime]}
tenants:
  bench: {keys: [bench-key], models: ["*"]}
YAML

MOCK_PID=""; NGINX_PID=""; BROKER_PID=""
cleanup() {
  for pid in $BROKER_PID $NGINX_PID $MOCK_PID; do kill "$pid" 2>/dev/null || true; done
  for pid in $BROKER_PID $NGINX_PID $MOCK_PID; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ready() { # url, what
  for _ in $(seq 1 150); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "$2 did not start (see $OUT)" >&2; exit 1
}
$PIN1 java -Xmx1g -jar "$JAR" simulator --port "$MOCK_PORT" > "$OUT/mock.log" 2>&1 &
MOCK_PID=$!
ready "http://127.0.0.1:$MOCK_PORT/v1/models" mock
$PIN0 "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" > "$OUT/nginx.log" 2>&1 &
NGINX_PID=$!
# shellcheck disable=SC2086
$PIN0 java ${BROKER_JAVA_OPTS:--Xmx2g} -jar "$JAR" --config "$WORK/broker.yaml" > "$OUT/broker.log" 2>&1 &
BROKER_PID=$!
ready "http://127.0.0.1:$NGINX_PORT/v1/models" nginx
ready "http://127.0.0.1:$BROKER_PORT/healthz" broker
NGINX_PIDS="$NGINX_PID,$(cat /proc/"$NGINX_PID"/task/*/children | tr -s ' \n' ',' | sed 's/,$//')"
echo "mock $MOCK_PID, nginx $NGINX_PIDS, broker $BROKER_PID; pinning: ${PIN0:-none}" | tee "$OUT/processes.txt"

bench() { # label target scenario duration [client args...]
  local label=$1 target=$2 scenario=$3 duration=$4; shift 4
  local url key="" pids=""
  case "$target/$scenario" in
    direct/sse*) url="http://127.0.0.1:$MOCK_PORT/v1" ;;
    nginx/sse*)  url="http://127.0.0.1:$NGINX_PORT/v1"; pids=$NGINX_PIDS ;;
    broker/sse*) url="http://127.0.0.1:$BROKER_PORT/v1"; pids=$BROKER_PID; key=bench-key ;;
    direct/ws*)  url="ws://127.0.0.1:$MOCK_PORT/v1/realtime" ;;
    nginx/ws*)   url="ws://127.0.0.1:$NGINX_PORT/v1/realtime"; pids=$NGINX_PIDS ;;
    broker/ws*)  url="ws://127.0.0.1:$BROKER_PORT/v1/realtime"; pids=$BROKER_PID; key=bench-key ;;
  esac
  local args=(--url "$url" --warmup "$WARMUP" --duration "$duration" --mock-pids "$MOCK_PID"
              --label "$label $scenario $target")
  [ -n "$key" ] && args+=(--key "$key")
  [ -n "$pids" ] && args+=(--proxy-pids "$pids")
  $PIN1 java -Xmx512m -cp "$LT" dev.switchboard.loadtest.peers.PeerBench "${args[@]}" "$@" \
    2>> "$OUT/client.log" || echo "  ($label $scenario $target: client exit $?)" >&2
}

# Paced streams: 50 tokens, first after 20 ms, then one every 10 ms (100 tokens/s per stream).
PACED="--tokens 50 --ttft-ms 20 --gap-ms 10"
# shellcheck disable=SC2086
scenario() { # label target scenario
  local label=$1 target=$2 name=$3
  case "$name" in
    sse-seq)      bench "$label" "$target" "$name" "$SEQ_DURATION" --concurrency 1 $PACED ;;
    sse-50)       bench "$label" "$target" "$name" "$DURATION" --concurrency 50 $PACED ;;
    sse-200)      bench "$label" "$target" "$name" "$DURATION" --concurrency 200 $PACED ;;
    sse-200-peak) bench "$label" "$target" "$name" "$DURATION" --concurrency 200 --tokens 200 --ttft-ms 0 --gap-ms 0 ;;
    ws-1)         bench "$label" "$target" "$name" "$DURATION" --mode ws --concurrency 1 ;;
    ws-50)        bench "$label" "$target" "$name" "$DURATION" --mode ws --concurrency 50 ;;
    *) echo "unknown scenario $name" >&2; exit 2 ;;
  esac
}

{ echo "start $(date -u +%FT%TZ) loadavg $(cat /proc/loadavg)"; uptime; } | tee "$OUT/load.txt"
# JIT warm-up of the broker (and the mock) before anything counts; nginx gets a short taste of the same traffic.
for target in broker nginx; do
  length=$BROKER_WARMUP; [ "$target" = nginx ] && length=5s
  WARMUP=0s bench warmup "$target" sse-warmup "$length" --concurrency 50 --tokens 200 --gap-ms 1 > /dev/null
  WARMUP=0s bench warmup "$target" ws-warmup 5s --mode ws --concurrency 20 > /dev/null
done
TARGETS=(direct nginx broker)
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round $(date -u +%T) loadavg $(cat /proc/loadavg)" | tee -a "$OUT/load.txt"
  for name in $SCENARIOS; do
    for i in 0 1 2; do # the order rotates each round, so no target always runs first
      target=${TARGETS[$(( (i + round - 1) % 3 ))]}
      scenario "round$round" "$target" "$name" | tee -a "$OUT/results.jsonl" | cut -c1-160
    done
  done
done
{ echo "end $(date -u +%FT%TZ) loadavg $(cat /proc/loadavg)"; uptime; } | tee -a "$OUT/load.txt"
python3 loadtest/bench/peers/peers-table.py "$OUT/results.jsonl" "$(getconf CLK_TCK)" | tee "$OUT/table.md"
