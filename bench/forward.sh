#!/usr/bin/env bash
# Forward-proxy benchmark: HTTPS through `plainsight proxy` vs through mitmproxy
# (mitmdump, Debian's package), plus the backend without a proxy as the ceiling,
# all measured in the same run, interleaved, medians.
# See bench/README.md ("forward.sh") for what it measures and why.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)

# ---- knobs (env) -----------------------------------------------------------
RUNS=${RUNS:-3}                 # measured runs per metric and contender
DURATION=${DURATION:-10}        # seconds per measured run
WARMUP=${WARMUP:-3}             # seconds of discarded warm-up per metric and contender
THREADS=${THREADS:-2}           # load generator threads (one epoll loop each)
CONNS=${CONNS:-64}              # concurrent connections, keep-alive runs
NEW_CONNS=${NEW_CONNS:-32}      # concurrent connections, one-request-per-connection runs
TIMEOUT=${TIMEOUT:-10}          # seconds without progress before a connection counts as timed out
WORKERS=${WORKERS:-auto}        # backend nginx worker_processes
SETTLE=${SETTLE:-1}             # seconds of pause between runs
BASE_PORT=${BASE_PORT:-18540}   # backend=BASE+1 mitmproxy=BASE+2 plainsight=BASE+3 (127.0.0.1)
DNS_ADDR=${DNS_ADDR:-127.0.0.153}   # the benchmark's own DNS server (port 53), see below
DOMAIN=${DOMAIN:-bench.test}
CONTENDERS=${CONTENDERS:-"direct mitmproxy plainsight"}
METRICS=${METRICS:-"rps cps cps1"}
KEEP_WORK=${KEEP_WORK:-0}       # 1: keep the work dir (certs, configs, logs)
PLAINSIGHT=${PLAINSIGHT:-$ROOT/plainsight}
PLAINSIGHT_ARGS=${PLAINSIGHT_ARGS:-}   # extra args appended to `plainsight proxy`
MITMDUMP_ARGS=${MITMDUMP_ARGS:-}       # extra args appended to `mitmdump`

BACKEND_PORT=$((BASE_PORT + 1))
MITM_PORT=$((BASE_PORT + 2))
PS_PORT=$((BASE_PORT + 3))

# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"   # log, die, process bookkeeping + cleanup, nginx, measuring helpers

# ---- a private mount namespace ---------------------------------------------
# Every connection asks for a different host name, and all of them must resolve
# to 127.0.0.1 for both proxies (Java and Python use the system resolver). The
# machine's /etc files stay untouched: the script re-runs itself in a private
# mount namespace and bind-mounts its own /etc/resolv.conf there, pointing at a
# dnsmasq of its own that answers *.$DOMAIN with 127.0.0.1. (A generated
# /etc/hosts with one line per name does not do: glibc reads the whole file on
# every lookup, 1.5 ms per lookup with 20,000 names, on the measured path.)
# The mount disappears with the namespace when the script ends.
if [ -z "${FORWARD_BENCH_NS:-}" ]; then
  [ "$(id -u)" -eq 0 ] || die "needs root (a private mount namespace with its own /etc/resolv.conf)"
  # before the namespace: apt-get needs the machine's own resolver
  ensure_tools nginx:nginx openssl:openssl curl:curl gcc:gcc /usr/include/openssl/ssl.h:libssl-dev \
    mitmdump:mitmproxy dnsmasq:dnsmasq-base ps:procps ss:iproute2 unshare:util-linux
  export FORWARD_BENCH_NS=1
  exec unshare --mount --propagation private "$BASH" "${BASH_SOURCE[0]}" "$@"
fi

OUT_DIR="$BENCH_DIR/out"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT_DIR"
WORK="$OUT_DIR/fwork-$STAMP"
mkdir -p "$WORK/logs" "$WORK/raw"
chmod 755 "$OUT_DIR" "$WORK"   # nginx workers (user nobody) read the docroot
REPORT="$OUT_DIR/forward-$STAMP.txt"

# ---- certificates, content, backend ----------------------------------------
make_pki() {
  log "generating a throwaway CA and the backend certificate (EC P-256, *.$DOMAIN) in $WORK"
  local d="$WORK/pki"; mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 2 \
    -keyout "$d/ca.key" -out "$WORK/ca.pem" -subj "/CN=plainsight bench CA $STAMP" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
    -keyout "$d/backend.key" -out "$d/backend.csr" -subj "/CN=$DOMAIN" 2>/dev/null
  openssl x509 -req -in "$d/backend.csr" -CA "$WORK/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
    -days 2 -sha256 -out "$d/backend.pem" \
    -extfile <(printf 'subjectAltName=DNS:*.%s,DNS:%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$DOMAIN" "$DOMAIN") 2>/dev/null
  chmod 600 "$d"/*.key
}

make_content() {
  mkdir -p "$WORK/www"
  head -c 1024 /dev/urandom > "$WORK/www/1k"
  chmod 755 "$WORK/www"; chmod 644 "$WORK/www"/*
}

write_backend_conf() {
  { nginx_common backend; cat <<EOF
    server {
        listen 127.0.0.1:$BACKEND_PORT ssl;
        ssl_certificate     $WORK/pki/backend.pem;
        ssl_certificate_key $WORK/pki/backend.key;
        ssl_protocols TLSv1.3;
        root $WORK/www;
    }
}
EOF
  } > "$WORK/backend.conf"
}

# ---- name resolution inside the namespace ----------------------------------
start_dns() {
  printf 'nameserver %s\noptions timeout:1 attempts:3\n' "$DNS_ADDR" > "$WORK/resolv.conf"
  mount --bind "$WORK/resolv.conf" /etc/resolv.conf
  dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-poll --bind-interfaces \
    --listen-address="$DNS_ADDR" --port=53 --address="/$DOMAIN/127.0.0.1" --cache-size=0 \
    --pid-file= --user=nobody --log-facility=- >"$WORK/logs/dnsmasq.log" 2>&1 &
  local pid=$! i
  STARTED+=("$pid")
  for i in $(seq 1 50); do
    getent ahostsv4 "h0.$DOMAIN" >/dev/null 2>&1 && break
    alive "$pid" || die "dnsmasq did not start on $DNS_ADDR:53 (set DNS_ADDR): $(tail -3 "$WORK/logs/dnsmasq.log")"
    sleep 0.1
  done
  adopt_tree dns "$pid"
  log "dnsmasq on $DNS_ADDR:53 answers *.$DOMAIN with 127.0.0.1 (pid $pid)"
}

check_resolution() {   # glibc, Python (mitmproxy's interpreter) and Java all resolve fresh names here
  local py name="probe$RANDOM.$DOMAIN" got
  got=$(getent ahostsv4 "$name" | awk 'NR==1 {print $1}')
  [ "$got" = 127.0.0.1 ] || die "glibc does not resolve $name to 127.0.0.1 (got '$got')"
  py=$(head -1 "$(command -v mitmdump)" | sed -n 's/^#! *\([^ ]*\).*/\1/p'); [ -x "$py" ] || py=python3
  # Python's cost per lookup of a fresh name, to show that resolving is not what is measured
  RESOLVE_INFO=$("$py" - "$DOMAIN" <<'EOF'
import socket, sys, time
d = sys.argv[1]
assert socket.gethostbyname("h1." + d) == "127.0.0.1", "python: wrong address"
t = time.perf_counter()
for i in range(500):
    socket.getaddrinfo("r%d.%s" % (i, d), 443, type=socket.SOCK_STREAM)
print("%.0f us per lookup of a new name (Python getaddrinfo, 500 names)" % ((time.perf_counter() - t) / 500 * 1e6))
EOF
  ) || die "Python ($py) does not resolve *.$DOMAIN inside the namespace"
  local java; java=$(command -v java || true)
  if [ -n "$java" ]; then
    mkdir -p "$WORK/java"
    printf '%s\n' 'public class Resolve { public static void main(String[] a) throws Exception {' \
      '  System.out.println(java.net.InetAddress.getByName(a[0]).getHostAddress()); } }' > "$WORK/java/Resolve.java"
    got=$("$java" "$WORK/java/Resolve.java" "j$RANDOM.$DOMAIN" 2>&1 || true)
    [ "$got" = 127.0.0.1 ] || die "Java ($java) does not resolve *.$DOMAIN inside the namespace: $got"
    RESOLVE_INFO="$RESOLVE_INFO; glibc, Python and Java resolve *.$DOMAIN to 127.0.0.1"
  else
    RESOLVE_INFO="$RESOLVE_INFO; glibc and Python resolve *.$DOMAIN to 127.0.0.1 (no java on PATH to check)"
  fi
  log "resolution: $RESOLVE_INFO"
}

# ---- contenders --------------------------------------------------------------
declare -A AVAIL REASON CAFILE PORT VERSION
PS_LOG=""

port_listening() { ! port_free "$1"; }

wait_proxy() {      # contender pid: the proxy relays /1k of a fresh name intact, within 120 s
  local c=$1 pid=$2 i
  for i in $(seq 1 600); do
    if [ -s "${CAFILE[$c]}" ] && port_listening "${PORT[$c]}" && check_content "$c" "up$i"; then return 0; fi
    alive "$pid" || return 1
    sleep 0.2
  done
  return 1
}

check_content() {   # contender label: /1k through the proxy (or directly) is byte-identical
  local c=$1 host="check-$2.$DOMAIN" via=()
  [ "$c" = direct ] && via=(--resolve "$host:$BACKEND_PORT:127.0.0.1") || via=(-x "http://127.0.0.1:${PORT[$c]}")
  cmp -s <(curl -s --max-time 10 "${via[@]}" --cacert "${CAFILE[$c]}" "https://$host:$BACKEND_PORT/1k") "$WORK/www/1k"
}

contender_fail() {  # contender reason [log]
  AVAIL[$1]=0
  REASON[$1]=$2
  if [ -n "${3:-}" ] && [ -f "$3" ]; then
    cp "$3" "$OUT_DIR/$1-$STAMP.log"
    REASON[$1]="$2; log: bench/out/$1-$STAMP.log"
  fi
  log "$1: not available (${REASON[$1]})"
}

start_mitmproxy() {
  PORT[mitmproxy]=$MITM_PORT
  CAFILE[mitmproxy]="$WORK/mitm/mitmproxy-ca-cert.pem"
  port_free "$MITM_PORT" || die "port $MITM_PORT is in use (set BASE_PORT)"
  VERSION[mitmproxy]=$(mitmdump --version 2>/dev/null | awk '/^Mitmproxy:/ {m = $2} /^Python:/ {p = $2} END {printf "mitmproxy %s (mitmdump, Python %s)", m, p}')
  mkdir -p "$WORK/mitm"
  # its CA is generated in confdir on first start; flows are not written anywhere
  # shellcheck disable=SC2086
  mitmdump -q --listen-host 127.0.0.1 --listen-port "$MITM_PORT" --set confdir="$WORK/mitm" \
    --set ssl_verify_upstream_trusted_ca="$WORK/ca.pem" --set flow_detail=0 $MITMDUMP_ARGS \
    >"$WORK/logs/mitmproxy.log" 2>&1 &
  local pid=$!
  STARTED+=("$pid")
  if ! wait_proxy mitmproxy "$pid"; then
    # shellcheck disable=SC2046
    stop_pids $(descendants "$pid")
    contender_fail mitmproxy "did not start or does not relay /1k intact" "$WORK/logs/mitmproxy.log"
    return
  fi
  adopt_tree mitmproxy "$pid"
  AVAIL[mitmproxy]=1
  log "mitmproxy up on 127.0.0.1:$MITM_PORT (pids: ${TREE[mitmproxy]})"
}

start_plainsight() {
  PORT[plainsight]=$PS_PORT
  CAFILE[plainsight]="$WORK/plainsight-ca.pem"
  PS_LOG="$WORK/logs/plainsight.log"
  if [ ! -x "$PLAINSIGHT" ]; then contender_fail plainsight "no launcher at $PLAINSIGHT"; return; fi
  log "building/checking plainsight: $PLAINSIGHT --version (first use builds the jar)"
  if ! (cd "$ROOT" && "$PLAINSIGHT" --version) >"$WORK/logs/plainsight-version.log" 2>&1; then
    contender_fail plainsight "'plainsight --version' failed" "$WORK/logs/plainsight-version.log"; return
  fi
  VERSION[plainsight]=$(sed 's/\x1b\[[0-9;]*m//g' "$WORK/logs/plainsight-version.log" | grep -E '^plainsight [0-9]' | tail -1 || true)
  VERSION[plainsight]="${VERSION[plainsight]:-plainsight} (git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"
  # (an unknown subcommand with --help prints the top-level usage and exits 0)
  (cd "$ROOT" && "$PLAINSIGHT" proxy --help) >"$WORK/logs/plainsight-proxy-help.log" 2>&1 || true
  if ! grep -q 'Usage: plainsight proxy' "$WORK/logs/plainsight-proxy-help.log"; then
    contender_fail plainsight "no 'proxy' subcommand in $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'this build')"; return
  fi
  # the CA up front, so that creating it is not part of any measured run
  if ! (cd "$ROOT" && "$PLAINSIGHT" ca init --home "$WORK/home" && "$PLAINSIGHT" ca export --home "$WORK/home" \
        --format pem --out "${CAFILE[plainsight]}") >"$WORK/logs/plainsight-ca.log" 2>&1; then
    contender_fail plainsight "'plainsight ca init/export' failed" "$WORK/logs/plainsight-ca.log"; return
  fi
  port_free "$PS_PORT" || die "port $PS_PORT is in use (set BASE_PORT)"
  mkdir -p "$WORK/pcap"
  # shellcheck disable=SC2086
  (cd "$ROOT" && exec "$PLAINSIGHT" proxy --listen "127.0.0.1:$PS_PORT" --upstream-ca "$WORK/ca.pem" \
      --pcap-dir "$WORK/pcap" --home "$WORK/home" -q $PLAINSIGHT_ARGS) >"$PS_LOG" 2>&1 &
  local pid=$!
  STARTED+=("$pid")
  if ! wait_proxy plainsight "$pid"; then
    tail -20 "$PS_LOG" >&2 || true
    # shellcheck disable=SC2046
    stop_pids $(descendants "$pid")
    contender_fail plainsight "did not start or does not relay /1k intact" "$PS_LOG"
    return
  fi
  adopt_tree plainsight "$pid"
  AVAIL[plainsight]=1
  log "plainsight up on 127.0.0.1:$PS_PORT (pids: ${TREE[plainsight]})"
}

start_contenders() {
  local c
  for c in $CONTENDERS; do
    AVAIL[$c]=0
    case $c in
      direct) PORT[direct]=$BACKEND_PORT; CAFILE[direct]="$WORK/ca.pem"; AVAIL[direct]=1 ;;
      mitmproxy) start_mitmproxy ;;
      plainsight) start_plainsight ;;
      *) die "unknown contender $c" ;;
    esac
  done
}

usable() {          # is contender $1 up?
  [ "${AVAIL[$1]:-0}" = 1 ] || return 1
  [ "$1" = direct ] || alive ${TREE[$1]:-}
}

tls_info() {        # what a client of contender $1 negotiates and which certificate it gets
  local c=$1 host="tls-info.$DOMAIN" proxy=()
  [ "$c" = direct ] || proxy=(-proxy "127.0.0.1:${PORT[$c]}")
  local conn=(-connect "$host:$BACKEND_PORT" -servername "$host" -CAfile "${CAFILE[$c]}")
  [ "$c" = direct ] && conn=(-connect "127.0.0.1:$BACKEND_PORT" -servername "$host" -CAfile "${CAFILE[$c]}")
  {
    openssl s_client "${proxy[@]}" "${conn[@]}" -brief </dev/null 2>&1 \
      | awk -F': ' '/^(Protocol version|Ciphersuite|Server Temp Key|Negotiated TLS1.3 group|Signature type|Verification)/ {printf "%s=%s; ", $1, $2}'
    openssl s_client "${proxy[@]}" "${conn[@]}" </dev/null 2>/dev/null | openssl x509 -noout -text 2>/dev/null \
      | awk '/Public Key Algorithm:/ {sub(/.*: /, ""); a = $0} /Public-Key:/ {gsub(/[ ()]/, ""); sub(/Public-Key:/, ""); k = $0}
             END {printf "certificate key=%s %s", a, k}'
  } || true
}

# ---- measuring -------------------------------------------------------------
HZ=$(getconf CLK_TCK)
declare -A NEXT_NAME       # contender -> next unused h<N> index (fresh names per contender)
declare -A FRESH_SECS      # contender -> seconds of fresh-name load (warm-up included)
declare -A FRESH_NAMES     # contender -> names handed out in those seconds
declare -A FRESH_CONNS     # contender -> TLS connections completed in those seconds
declare -A RSS_KB          # contender -> max sum(VmHWM) over its process tree

jvm_gc() {          # contender -> "full-GCs GC-seconds" of its JVM (from jstat, which only reads the
  local p exe       # JVM's perf-data file), or "- -" when it has none
  for p in ${TREE[$1]:-}; do
    exe=$(readlink "/proc/$p/exe" 2>/dev/null || true)
    [ "${exe##*/}" = java ] && [ -x "${exe%/*}/jstat" ] || continue
    "${exe%/*}/jstat" -gc "$p" 2>/dev/null | awk 'NR == 1 {for (i = 1; i <= NF; i++) h[$i] = i}
      NR == 2 {print $h["FGC"], $h["GCT"]; found = 1} END {if (!found) print "- -"}'
    return 0
  done
  echo "- -"
}

sample_rss() {      # contender [record]: peak RSS so far; with "record" also note the current RSS
  local c=$1 sum p now=0
  [ "$c" = direct ] && return 0
  # shellcheck disable=SC2086
  sum=$(tree_hwm_kb ${TREE[$c]:-})
  [ "$sum" -gt "${RSS_KB[$c]:-0}" ] && RSS_KB[$c]=$sum
  if [ "${2:-}" = record ]; then
    for p in ${TREE[$c]:-}; do now=$((now + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0))); done
    RSS_NOW[$c]+="$((now / 1024)) "
  fi
  return 0
}

run_load() {        # metric contender seconds label -> prints the PROXYLOAD line + noise figures
  local m=$1 c=$2 secs=$3 label=$4
  local args=(-x "127.0.0.1:${PORT[$c]}" -t "$BACKEND_PORT" -C "${CAFILE[$c]}" -T "$THREADS" -d "$secs"
              -o "$TIMEOUT" -D "$DOMAIN" -b "$WORK/www/1k" -l 1024 -p /1k)
  [ "$c" = direct ] && args+=(-X)
  case $m in
    rps)  args+=(-m keepalive -c "$CONNS" -H "$DOMAIN") ;;
    cps)  args+=(-m newconn -c "$NEW_CONNS" -n "${NEXT_NAME[$c]:-1}") ;;
    cps1) args+=(-m newconn-samehost -c "$NEW_CONNS" -H "$DOMAIN") ;;
  esac
  local raw="$WORK/raw/$m-$c-$label.txt"
  local busy0 total0 ours0 prox0 busy1 total1 ours1 prox1
  read -r busy0 total0 < <(cpu_ticks)
  # shellcheck disable=SC2086
  ours0=$(tree_ticks ${TREE[backend]:-} ${TREE[dns]:-} ${TREE[mitmproxy]:-} ${TREE[plainsight]:-})
  # shellcheck disable=SC2086
  prox0=$(tree_ticks ${TREE[$c]:-})
  local fgc0 gct0 fgc1 gct1
  read -r fgc0 gct0 < <(jvm_gc "$c")
  "$WORK/proxyload" "${args[@]}" >"$raw" 2>&1 || true
  read -r busy1 total1 < <(cpu_ticks)
  # shellcheck disable=SC2086
  ours1=$(tree_ticks ${TREE[backend]:-} ${TREE[dns]:-} ${TREE[mitmproxy]:-} ${TREE[plainsight]:-})
  # shellcheck disable=SC2086
  prox1=$(tree_ticks ${TREE[$c]:-})
  read -r fgc1 gct1 < <(jvm_gc "$c")
  local line; line=$(grep '^PROXYLOAD ' "$raw" | tail -1 || true)
  [ -n "$line" ] || return 0
  local gen_ticks; gen_ticks=$(awk -v us="$(kv cpu_us "$line")" -v hz="$HZ" 'BEGIN {printf "%d", us / 1e6 * hz}')
  # CPU used by anything other than the load generator, the backend, dnsmasq and the proxies, % of the machine
  local other gen prox
  other=$(awk -v b="$((busy1 - busy0))" -v o="$((ours1 - ours0))" -v g="$gen_ticks" -v t="$((total1 - total0))" \
    'BEGIN { x = (b - o - g) / (t > 0 ? t : 1) * 100; printf "%d", (x < 0 ? 0 : x) }')
  gen=$(awk -v g="$gen_ticks" -v hz="$HZ" -v s="$secs" 'BEGIN {printf "%d", g / hz / s * 100}')
  prox=$(awk -v p="$((prox1 - prox0))" -v hz="$HZ" -v s="$secs" 'BEGIN {printf "%d", p / hz / s * 100}')
  local prox_us=$(( (prox1 - prox0) * 1000000 / HZ ))
  [ "$c" = direct ] && { prox=0; prox_us=0; }
  local gc=""
  [ "$fgc0" != - ] && [ "$fgc1" != - ] && gc=" full_gcs=$((fgc1 - fgc0)) gc_ms=$(awk -v a="$gct0" -v b="$gct1" 'BEGIN {printf "%d", (b - a) * 1000}')"
  echo "$line other_cpu_pct=$other gen_cpu_pct=$gen proxy_cpu_pct=$prox proxy_cpu_us=$prox_us$gc"
}

declare -A VALS     # "metric contender" -> per-run values (req/s or conn/s)
declare -A P99S     # "metric contender" -> per-run p99 (ms)
declare -A NOISE    # contender -> per-run "other%/generator%/proxy%"
declare -A CPUPER   # "metric contender" -> per-run proxy CPU (us) per good response
declare -A GCS      # contender -> per-run "full GCs/GC ms" of a JVM proxy
declare -A ERRS     # contender -> error lines
declare -A RSS_NOW  # contender -> VmRSS (MiB) after each measured run: does it grow?

record() {          # metric contender seconds label line
  local m=$1 c=$2 secs=$3 label=$4 s=$5
  if [ -z "$s" ]; then
    log "  $m $c $label: no result (see $WORK/raw/$m-$c-$label.txt)"
    ERRS[$c]+="$m run $label: the load generator printed no result"$'\n'
    return
  fi
  local req dur p99 val errs="" k n
  req=$(kv requests "$s"); dur=$(kv duration_us "$s"); p99=$(kv p99_us "$s")
  for k in connect proxy tls verify closed status body timeout; do
    n=$(kv "err_$k" "$s"); [ "${n:-0}" -gt 0 ] && errs+=" $k=$n"
  done
  if [ "$m" = cps ]; then
    NEXT_NAME[$c]=$(kv names_next "$s")
    FRESH_SECS[$c]=$(( ${FRESH_SECS[$c]:-0} + secs ))
    FRESH_NAMES[$c]=$(( ${FRESH_NAMES[$c]:-0} + $(kv names_next "$s") - $(kv names_first "$s") ))
    FRESH_CONNS[$c]=$(( ${FRESH_CONNS[$c]:-0} + $(kv connections "$s") ))
  fi
  [ -n "$errs" ] && ERRS[$c]+="$m run $label: errors$errs ($req good responses)"$'\n'
  [ "$label" = warmup ] && { log "  $m $c warm-up: $req responses${errs:+, errors$errs}"; return; }
  val=$(awk -v n="$req" -v d="$dur" 'BEGIN {printf "%.1f", n / (d / 1e6)}')
  VALS["$m $c"]+="$val "
  P99S["$m $c"]+="$(awk -v u="$p99" 'BEGIN {printf "%.2f", u / 1000}') "
  NOISE[$c]+="$(kv other_cpu_pct "$s")/$(kv gen_cpu_pct "$s")/$(kv proxy_cpu_pct "$s") "
  [ -n "$(kv full_gcs "$s")" ] && GCS[$c]+="$(kv full_gcs "$s")/$(kv gc_ms "$s") "
  [ "$c" != direct ] && [ "$req" -gt 0 ] && CPUPER["$m $c"]+="$(awk -v u="$(kv proxy_cpu_us "$s")" -v n="$req" 'BEGIN {printf "%.1f", u / n}') "
  log "  $m $c run $label: $val/s, p99 $((p99 / 1000)) ms${errs:+, errors$errs}; CPU: other $(kv other_cpu_pct "$s")% of the machine, load generator $(kv gen_cpu_pct "$s")%, proxy $(kv proxy_cpu_pct "$s")% of one core"
}

# ---- main ------------------------------------------------------------------
main() {
  LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
  gcc -std=gnu11 -O2 -Wall -o "$WORK/proxyload" "$BENCH_DIR/proxyload.c" -lssl -lcrypto -lpthread \
    || die "could not build bench/proxyload.c"
  local p c m run
  for p in "$BACKEND_PORT" "$MITM_PORT" "$PS_PORT"; do port_free "$p" || die "port $p is in use (set BASE_PORT)"; done
  make_pki
  make_content
  write_backend_conf
  start_nginx backend "$BACKEND_PORT"
  start_dns
  check_resolution
  start_contenders

  declare -gA TLS
  for c in $CONTENDERS; do usable "$c" && TLS[$c]=$(tls_info "$c"); done

  for m in $METRICS; do
    log "metric $m: warm-up ${WARMUP}s each"
    for c in $CONTENDERS; do
      usable "$c" || continue
      record "$m" "$c" "$WARMUP" warmup "$(run_load "$m" "$c" "$WARMUP" warmup)"
      sleep "$SETTLE"
    done
    for run in $(seq 1 "$RUNS"); do
      for c in $CONTENDERS; do
        if ! usable "$c"; then
          [ "${AVAIL[$c]:-0}" = 1 ] && contender_fail "$c" "process died during the benchmark" "$WORK/logs/$c.log"
          continue
        fi
        record "$m" "$c" "$DURATION" "$run" "$(run_load "$m" "$c" "$DURATION" "$run")"
        sample_rss "$c" record
        sleep "$SETTLE"
      done
    done
  done

  # plainsight's own count of forged certificates, logged when it stops
  FORGED=""; CACHE_HITS=""; PCAP_INFO=""
  if [ "${AVAIL[plainsight]:-0}" = 1 ]; then
    sample_rss plainsight
    # shellcheck disable=SC2086
    stop_pids ${TREE[plainsight]}
    local fl; fl=$(grep -o 'forged certificates: [0-9]*, cache hits: [0-9]*' "$PS_LOG" | tail -1 || true)
    FORGED=$(sed -n 's/forged certificates: \([0-9]*\),.*/\1/p' <<<"$fl")
    CACHE_HITS=$(sed -n 's/.*cache hits: \([0-9]*\)/\1/p' <<<"$fl")
    [ -n "$FORGED" ] || log "plainsight logged no 'forged certificates: N, cache hits: M' line at shutdown"
    PCAP_INFO="$({ find "$WORK/pcap" -type f -printf '%s\n' 2>/dev/null || true; } | awk '{n++; s+=$1} END {printf "%d file(s), %.0f bytes (%.1f MiB)", n, s, s/1048576}')"
  fi
  sample_rss mitmproxy

  report | tee "$REPORT"
  log "report written to $REPORT"
}

fmt() {             # kind value -> display
  [ -z "$2" ] && { echo "n/a"; return; }
  case $1 in
    rate) awk -v v="$2" 'BEGIN{printf "%.0f", v}' ;;
    ms)   awk -v v="$2" 'BEGIN{printf "%.1f", v}' ;;
    us)   awk -v v="$2" 'BEGIN{printf "%.0f", v}' ;;
    rss)  awk -v v="$2" 'BEGIN{printf "%.1f", v / 1024}' ;;
    x)    awk -v v="$2" 'BEGIN{printf "%.2fx", v}' ;;
  esac
}

ratio() {           # a/b, or nothing when either is missing
  [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b }'
  return 0
}

cell() {            # contender value (uses key and kind of report's loop)
  if [ -n "$2" ]; then fmt "$kind" "$2"
  elif [ "$1" = direct ] && { [ "$key" = rss ] || [ "${key#cpu}" != "$key" ]; }; then echo "-"
  elif [[ " $CONTENDERS " != *" $1 "* ]]; then echo "not run"
  elif [ -n "${VALS["rps $1"]:-}${VALS["cps $1"]:-}${VALS["cps1 $1"]:-}" ]; then echo "n/a"
  else echo "not avail."; fi
}

report() {
  local c m
  declare -A MED
  for m in rps cps cps1; do
    for c in direct mitmproxy plainsight; do
      # shellcheck disable=SC2086
      MED["$m $c"]=$(median ${VALS["$m $c"]:-})
      # shellcheck disable=SC2086
      MED["p99$m $c"]=$(median ${P99S["$m $c"]:-})
      # shellcheck disable=SC2086
      MED["cpu$m $c"]=$(median ${CPUPER["$m $c"]:-})
    done
  done
  for c in mitmproxy plainsight; do
    MED["rss $c"]=""
    [ -n "${VALS["rps $c"]:-}${VALS["cps $c"]:-}${VALS["cps1 $c"]:-}" ] && MED["rss $c"]=${RSS_KB[$c]:-}
    MED["fresh $c"]=$(ratio "${MED["cps $c"]}" "${MED["cps1 $c"]}")
  done
  local fsecs=${FRESH_SECS[plainsight]:-0} forged_ps="" conns_ps=""
  if [ -n "$FORGED" ] && [ "$fsecs" -gt 0 ]; then
    forged_ps=$(awk -v n="$FORGED" -v s="$fsecs" 'BEGIN {printf "%.1f", n / s}')
    conns_ps=$(awk -v n="${FRESH_CONNS[plainsight]:-0}" -v s="$fsecs" 'BEGIN {printf "%.1f", n / s}')
  fi

  echo "plainsight forward-proxy benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
  echo "tools: $(nginx -v 2>&1 | cut -d' ' -f3); $(openssl version | cut -d' ' -f1-2); $(dnsmasq --version | head -1 | cut -d' ' -f1-3)"
  for c in mitmproxy plainsight; do
    case " $CONTENDERS " in *" $c "*) ;; *) continue ;; esac
    if [ -n "${VALS["rps $c"]:-}${VALS["cps $c"]:-}${VALS["cps1 $c"]:-}" ]; then
      echo "$c: ${VERSION[$c]:-?}${REASON[$c]:+ — WARNING: ${REASON[$c]}}"
    else
      echo "$c: not available (${REASON[$c]:-not measured})"
    fi
  done
  echo "method: proxyload -T$THREADS, -c$CONNS keep-alive / -c$NEW_CONNS one request per connection, ${WARMUP}s warm-up, $RUNS x ${DURATION}s runs interleaved, medians; backend nginx worker_processes $WORKERS, TLS 1.3"
  echo "names: *.$DOMAIN -> 127.0.0.1 by dnsmasq on $DNS_ADDR via a bind-mounted /etc/resolv.conf (private mount namespace); $RESOLVE_INFO"
  [ -n "$PLAINSIGHT_ARGS" ] && echo "plainsight extra args: $PLAINSIGHT_ARGS"
  [ -n "$MITMDUMP_ARGS" ] && echo "mitmdump extra args: $MITMDUMP_ARGS"
  for c in $CONTENDERS; do [ -n "${TLS[$c]:-}" ] && echo "tls $c: ${TLS[$c]}"; done
  echo
  printf '%-38s | %9s | %9s | %10s | %8s | %-22s | %s\n' metric direct mitmproxy plainsight "ps/mitm" target result
  printf '%s\n' "---------------------------------------+-----------+-----------+------------+----------+------------------------+-------"
  local rows=("rps|1 KiB keep-alive req/s|rate|>= 20x mitmproxy|20"
              "cps|new conn/s, new name each (forging)|rate|>= 20x mitmproxy|20"
              "cps1|new conn/s, one name (cached cert)|rate|-|"
              "p99rps|p99 keep-alive request (ms)|ms|-|"
              "p99cps|p99 new conn + request, new name (ms)|ms|-|"
              "p99cps1|p99 new conn + request, one name (ms)|ms|-|"
              "cpurps|proxy CPU per keep-alive request (us)|us|-|"
              "cpucps|proxy CPU per new conn, new name (us)|us|-|"
              "cpucps1|proxy CPU per new conn, one name (us)|us|-|"
              "rss|peak RSS (MiB)|rss|-|")
  local row key label kind target need d mi ps r result
  for row in "${rows[@]}"; do
    IFS='|' read -r key label kind target need <<<"$row"
    d=${MED["$key direct"]:-}; mi=${MED["$key mitmproxy"]:-}; ps=${MED["$key plainsight"]:-}
    r=$(ratio "$ps" "$mi")
    result="-"
    if [ -n "$need" ]; then
      result=SKIP
      [ -n "$r" ] && result=$(awk -v r="$r" -v n="$need" 'BEGIN {print (r >= n) ? "PASS" : "FAIL"}')
    fi
    printf '%-38s | %9s | %9s | %10s | %8s | %-22s | %s\n' "$label" "$(cell direct "$d")" "$(cell mitmproxy "$mi")" \
      "$(cell plainsight "$ps")" "$( [ -n "$r" ] && fmt x "$r" || echo -)" "$target" "$result"
  done
  # forging: is it the bottleneck? (new-name conn/s against one-name conn/s of the same proxy)
  local fr_m=${MED["fresh mitmproxy"]:-} fr_p=${MED["fresh plainsight"]:-} fres=SKIP
  [ -n "$fr_p" ] && fres=$(awk -v r="$fr_p" 'BEGIN {print (r >= 0.9) ? "PASS" : "FAIL"}')
  kind=x key=fresh
  printf '%-38s | %9s | %9s | %10s | %8s | %-22s | %s\n' "conn/s new name / one name" "-" \
    "$(cell mitmproxy "$fr_m")" "$(cell plainsight "$fr_p")" "-" ">= 0.9x (plainsight)" "$fres"
  kind=rate key=forged
  printf '%-38s | %9s | %9s | %10s | %8s | %-22s | %s\n' "forged certificates/s (plainsight)" "-" "-" \
    "$(cell plainsight "$forged_ps")" "-" "report" "-"
  echo
  if [ -n "$FORGED" ]; then
    echo "plainsight forged $FORGED certificates (cache hits: $CACHE_HITS) in its lifetime; the new-name load lasted $fsecs s (warm-up + runs) and asked for ${FRESH_NAMES[plainsight]:-0} names, ${FRESH_CONNS[plainsight]:-0} of which completed a TLS handshake: $forged_ps forged/s against $conns_ps new connections/s (the rest of its forging: the checks and the one name of the keep-alive runs)."
  elif [ "${AVAIL[plainsight]:-0}" = 1 ] || [ -n "${VALS["cps plainsight"]:-}" ]; then
    echo "plainsight: no forged-certificates line in its log"
  fi
  [ -n "$PCAP_INFO" ] && echo "plainsight's capture (all runs, warm-up included): $PCAP_INFO"
  [ -n "${FRESH_NAMES[mitmproxy]:-}" ] && echo "mitmproxy: the new-name load lasted ${FRESH_SECS[mitmproxy]} s and asked for ${FRESH_NAMES[mitmproxy]} names, ${FRESH_CONNS[mitmproxy]} completed a TLS handshake."
  for c in mitmproxy plainsight; do
    [ -n "${MED["cpucps $c"]:-}" ] && [ -n "${MED["cpucps1 $c"]:-}" ] && awk -v c="$c" -v a="${MED["cpucps $c"]}" -v b="${MED["cpucps1 $c"]}" \
      'BEGIN {printf "%s: forging costs about %.0f us of its CPU per certificate (CPU per new connection, new name minus one name: %.0f - %.0f us)\n", c, a - b, a, b}'
  done
  echo
  echo "per-run values (run order: interleaved)"
  for m in rps cps cps1; do
    for c in direct mitmproxy plainsight; do
      [ -n "${VALS["$m $c"]:-}" ] && echo "  $m $c: ${VALS["$m $c"]}  (p99 ms: ${P99S["$m $c"]}${CPUPER["$m $c"]:+; proxy CPU us per response: ${CPUPER["$m $c"]}})"
    done
  done
  echo "  CPU per run, other processes % of the machine / load generator % of one core / proxy % of one core:"
  for c in direct mitmproxy plainsight; do
    [ -n "${NOISE[$c]:-}" ] && echo "    $c: ${NOISE[$c]}"
  done
  for c in mitmproxy plainsight; do
    [ -n "${GCS[$c]:-}" ] && echo "  $c JVM garbage collection per run, full GCs / ms spent in GC: ${GCS[$c]}"
  done
  echo "  resident memory (VmRSS, MiB) after each run, in run order:"
  for c in mitmproxy plainsight; do
    [ -n "${RSS_NOW[$c]:-}" ] && echo "    $c: ${RSS_NOW[$c]}"
  done
  echo "  load average at start: $LOAD_START; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  local any=0
  for c in direct mitmproxy plainsight; do
    if [ -n "${ERRS[$c]:-}" ]; then
      [ $any = 0 ] && echo && echo "load generator errors (only good responses are counted):"; any=1
      printf '%s' "${ERRS[$c]}" | sed "s/^/  $c: /"
    fi
  done
  return 0
}

main "$@"
