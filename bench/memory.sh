#!/usr/bin/env bash
# Memory benchmark: 1,000,000 requests through plainsight reverse with the HAR and the flow log
# on; peak RSS (VmHWM) after 10% and after 100% of the requests must be within 10% of each other
# (no output keeps exchanges in memory). See bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)

REQUESTS=${REQUESTS:-1000000}   # total requests
THREADS=${THREADS:-2}           # wrk -t
CONNS=${CONNS:-32}              # wrk -c (keep-alive)
WORKERS=${WORKERS:-1}           # backend nginx worker_processes
BASE_PORT=${BASE_PORT:-18640}   # backend=BASE+1 plainsight=BASE+3
KEEP_WORK=${KEEP_WORK:-0}
PLAINSIGHT=${PLAINSIGHT:-$ROOT/plainsight}
PLAINSIGHT_ARGS=${PLAINSIGHT_ARGS:-}

BACKEND_PORT=$((BASE_PORT + 1))
PS_PORT=$((BASE_PORT + 3))
OUT_DIR="$BENCH_DIR/out"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT_DIR"
WORK="$OUT_DIR/memwork-$STAMP"
mkdir -p "$WORK/logs" "$WORK/www"
chmod 755 "$OUT_DIR" "$WORK" "$WORK/www"
REPORT="$OUT_DIR/memory-$STAMP.txt"

# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

ensure_tools "wrk:wrk" "nginx:nginx" "openssl:openssl" "curl:curl" "ss:iproute2"

log "PKI (EC P-256) and backend"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 2 \
  -keyout "$WORK/ca.key" -out "$WORK/ca.pem" -subj "/CN=plainsight bench CA" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -keyout "$WORK/backend.key" \
  -out "$WORK/backend.csr" -subj "/CN=localhost" 2>/dev/null
openssl x509 -req -in "$WORK/backend.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial -days 2 \
  -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n') -out "$WORK/backend.pem" 2>/dev/null
head -c 1024 /dev/urandom >"$WORK/www/1k"
{
  nginx_common backend
  cat <<CONF
    server {
        listen 127.0.0.1:$BACKEND_PORT ssl;
        ssl_certificate     $WORK/backend.pem;
        ssl_certificate_key $WORK/backend.key;
        ssl_protocols TLSv1.3;
        root $WORK/www;
        location = /1k { default_type application/octet-stream; }
    }
}
CONF
} >"$WORK/backend.conf"
start_nginx backend "$BACKEND_PORT"

log "starting plainsight reverse with --har and --flows (no PCAP, no console)"
"$PLAINSIGHT" --version >"$WORK/logs/plainsight-version.log" 2>&1 || die "plainsight does not build/run (see $WORK/logs)"
port_free "$PS_PORT" || die "port $PS_PORT is in use (set BASE_PORT)"
# shellcheck disable=SC2086
"$PLAINSIGHT" reverse --listen "127.0.0.1:$PS_PORT" --connect "127.0.0.1:$BACKEND_PORT" --upstream-ca "$WORK/ca.pem" \
  --home "$WORK/home" --no-pcap -q --har "$WORK/out.har" --flows "$WORK/flows.jsonl" $PLAINSIGHT_ARGS \
  >"$WORK/logs/plainsight.log" 2>&1 &
PS_PID=$!
STARTED+=("$PS_PID")
wait_https "$PS_PORT" "$PS_PID" || die "plainsight did not come up (see $WORK/logs/plainsight.log)"
adopt_tree plainsight "$PS_PID"

CHUNK=${CHUNK:-10}   # seconds per wrk run; phases repeat runs until their request count is reached
run_until() {   # keep the load on until $1 requests were answered in total
  local n i=0
  while [ "$SENT" -lt "$1" ]; do
    i=$((i + 1))
    wrk -t"$THREADS" -c"$CONNS" -d"${CHUNK}s" --timeout 10s "https://127.0.0.1:$PS_PORT/1k" >"$WORK/logs/wrk-$1-$i.txt" 2>&1
    n=$(awk '/requests in/ {print $1}' "$WORK/logs/wrk-$1-$i.txt")
    [ -n "$n" ] && [ "$n" -gt 0 ] || die "wrk answered nothing (see $WORK/logs/wrk-$1-$i.txt)"
    SENT=$((SENT + n))
  done
  log "  $SENT requests so far"
}

PIDS() { echo "${TREE[plainsight]}"; }
SENT=0
T0=$(date +%s)
log "phase 1: 10% = $((REQUESTS / 10)) requests"
run_until $((REQUESTS / 10))
sleep 2
# shellcheck disable=SC2046
HWM10=$(tree_hwm_kb $(PIDS))
log "  peak RSS after 10%: $((HWM10 / 1024)) MiB"
log "phase 2: up to $REQUESTS requests"
run_until "$REQUESTS"
sleep 2
# shellcheck disable=SC2046
HWM100=$(tree_hwm_kb $(PIDS))
T1=$(date +%s)
log "  peak RSS after 100%: $((HWM100 / 1024)) MiB"
stop_pids $(PIDS)
ENTRIES=$(grep -c '^{"startedDateTime"' "$WORK/out.har" || true)
LINES=$(wc -l <"$WORK/flows.jsonl")
VALID=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d['log']['entries']))" "$WORK/out.har" 2>&1 | tail -1)
RATIO=$(awk -v a="$HWM100" -v b="$HWM10" 'BEGIN { printf "%.3f", a / b }')
VERDICT=$(awk -v r="$RATIO" 'BEGIN { print (r <= 1.10 ? "PASS" : "FAIL") }')
{
  echo "plainsight memory benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"
  echo "requests sent: $SENT in $((T1 - T0)) s; HAR entries written: $ENTRIES (python json.load: $VALID); flow log lines: $LINES"
  echo "peak RSS (VmHWM, launcher + JVM) after 10%: $((HWM10 / 1024)) MiB; after 100%: $((HWM100 / 1024)) MiB; ratio $RATIO (target <= 1.10): $VERDICT"
  echo "HAR size: $(du -h "$WORK/out.har" | cut -f1); flow log size: $(du -h "$WORK/flows.jsonl" | cut -f1)"
} | tee "$REPORT"
log "report written to $REPORT"
