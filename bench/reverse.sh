#!/usr/bin/env bash
# Reverse-proxy benchmark: plainsight vs nginx (re-encrypting, no capture) vs
# the backend directly, all measured in the same run, interleaved, medians.
# See bench/README.md for what it measures and why.
#
# VARIANT=audit: plainsight with `--audit-log FILE` (default parts ABCFHZ,
# engine On) against plainsight without it, on the 1 KiB keep-alive req/s
# test, both measured in this run, interleaved; prints the ratio, PASS at
# >= AUDIT_MIN_RATIO (issue 6: within 15 %).
#
# VARIANT=outputs: the same comparison with every output of issue 7 enabled at
# once in the second contender: --keylog, --pcapng --pcapng-encrypted,
# --pcap-over-ip (one reader connected, draining), --connections and
# --metrics (scraped every second); PASS at >= AUDIT_MIN_RATIO (within 15 %).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)

# ---- knobs (env) -----------------------------------------------------------
RUNS=${RUNS:-$([ -n "${VARIANT:-}" ] && echo 5 || echo 3)}  # measured runs per metric and contender
DURATION=${DURATION:-10}        # seconds per measured run
# seconds of discarded warm-up per metric and contender; 30 for VARIANT: the instance with the extra
# outputs keeps compiling their code for tens of seconds, and a proxy runs for hours (the steady state)
WARMUP=${WARMUP:-$([ -n "${VARIANT:-}" ] && echo 30 || echo 3)}
THREADS=${THREADS:-2}           # wrk -t
CONNS=${CONNS:-64}              # wrk -c for keep-alive runs (1 KiB and 1 MiB)
CLOSE_CONNS=${CLOSE_CONNS:-32}  # wrk -c for the Connection: close (handshake) runs
WRK_TIMEOUT=${WRK_TIMEOUT:-5s}  # wrk --timeout (timed-out requests are not in the histogram)
WORKERS=${WORKERS:-auto}        # nginx worker_processes, backend and front alike
SETTLE=${SETTLE:-1}             # seconds of pause between runs
BASE_PORT=${BASE_PORT:-18440}   # backend=BASE+1 nginx=BASE+2 plainsight=BASE+3 probe=BASE+4
VARIANT=${VARIANT:-}             # "audit": plainsight vs plainsight --audit-log (see above)
if [ "$VARIANT" = audit ] || [ "$VARIANT" = outputs ]; then
  # the second plainsight contender (called "audit" inside this script) runs with the extra outputs
  CONTENDERS=${CONTENDERS:-"plainsight audit"}
  METRICS=${METRICS:-rps}
elif [ -n "$VARIANT" ]; then
  echo "unknown VARIANT '$VARIANT' (known: audit, outputs)" >&2; exit 2
fi
AUDIT_MIN_RATIO=${AUDIT_MIN_RATIO:-0.85}  # audit / plainsight req/s target
AUDIT_ARGS=${AUDIT_ARGS:-}       # extra args of the audit contender only (e.g. --audit-parts ABFHZ)
# Noise guard of the with/without ratio (VARIANT=audit|outputs): a pair of runs (without, with) is
# noisy when either run saw more than NOISE_MAX % of the machine's CPU taken by other processes or
# by the hypervisor (steal); noisy pairs are measured again (at most NOISE_RETRIES more pairs,
# NOISE_PAUSE seconds apart) and left out of the ratio, which needs MIN_QUIET_PAIRS quiet pairs or
# is reported NOISY instead of PASS/FAIL.
NOISE_MAX=${NOISE_MAX:-10}
NOISE_RETRIES=${NOISE_RETRIES:-4}
NOISE_PAUSE=${NOISE_PAUSE:-15}
MIN_QUIET_PAIRS=${MIN_QUIET_PAIRS:-$(( RUNS < 3 ? RUNS : 3 ))}
THREAD_CPU=${THREAD_CPU:-0}      # 1: report each plainsight JVM's CPU per request by thread group, per run
CONTENDERS=${CONTENDERS:-"direct nginx plainsight"}
METRICS=${METRICS:-"rps mbs cps"}
PCAP_MIN_FREE_GB=${PCAP_MIN_FREE_GB:-15}  # restart plainsight with a fresh pcap dir below this
KEEP_WORK=${KEEP_WORK:-0}       # 1: keep the work dir (certs, configs, logs, pcaps)
PLAINSIGHT=${PLAINSIGHT:-$ROOT/plainsight}
PLAINSIGHT_ARGS=${PLAINSIGHT_ARGS:-}   # extra args appended to `plainsight reverse`

BACKEND_PORT=$((BASE_PORT + 1))
NGINX_PORT=$((BASE_PORT + 2))
PS_PORT=$((BASE_PORT + 3))
PROBE_PORT=$((BASE_PORT + 4))
AUDIT_PORT=$((BASE_PORT + 5))
POIP_PORT=$((BASE_PORT + 6))     # VARIANT=outputs: PCAP-over-IP
METRICS_PORT=$((BASE_PORT + 7))  # VARIANT=outputs: /metrics

OUT_DIR="$BENCH_DIR/out"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT_DIR"
WORK="$OUT_DIR/work-$STAMP"
mkdir -p "$WORK"
chmod 755 "$OUT_DIR" "$WORK"   # nginx workers (user nobody) read the docroot
REPORT="$OUT_DIR/reverse-$STAMP.txt"

# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"   # log, die, process bookkeeping + cleanup, nginx, measuring helpers

# ---- certificates, content, configs ----------------------------------------
make_pki() {
  log "generating throwaway CA, backend and front certificates (EC P-256) in $WORK"
  local d="$WORK/pki"; mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 2 \
    -keyout "$d/ca.key" -out "$WORK/ca.pem" -subj "/CN=plainsight bench CA $STAMP" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  local name
  for name in backend front; do
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
      -keyout "$d/$name.key" -out "$d/$name.csr" -subj "/CN=localhost" 2>/dev/null
    openssl x509 -req -in "$d/$name.csr" -CA "$WORK/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
      -days 2 -sha256 -out "$d/$name.pem" \
      -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n') 2>/dev/null
  done
  chmod 600 "$d"/*.key
}

make_content() {
  mkdir -p "$WORK/www"
  head -c 1024 /dev/urandom > "$WORK/www/1k"
  head -c 1048576 /dev/urandom > "$WORK/www/1m"
  chmod 755 "$WORK/www"; chmod 644 "$WORK/www"/*
}

write_backend_conf() {
  { nginx_common backend; cat <<EOF
    log_format resumed '\$ssl_session_reused';
    server {
        listen 127.0.0.1:$BACKEND_PORT ssl;
        ssl_certificate     $WORK/pki/backend.pem;
        ssl_certificate_key $WORK/pki/backend.key;
        ssl_protocols TLSv1.3;
        root $WORK/www;
    }
    # Same content, logs whether each TLS session was resumed: used once to
    # check that wrk really performs full handshakes in the conn/s runs.
    server {
        listen 127.0.0.1:$PROBE_PORT ssl;
        ssl_certificate     $WORK/pki/backend.pem;
        ssl_certificate_key $WORK/pki/backend.key;
        ssl_protocols TLSv1.3;
        ssl_session_cache shared:probe:1m;
        access_log $WORK/logs/probe.access.log resumed;
        root $WORK/www;
    }
}
EOF
  } > "$WORK/backend.conf"
}

write_front_conf() {
  # A normal production re-encrypting reverse proxy: upstream keep-alive pool,
  # TLS session reuse towards the backend, certificate verification on.
  { nginx_common front; cat <<EOF
    upstream backend {
        server 127.0.0.1:$BACKEND_PORT;
        keepalive 64;
        keepalive_requests 100000000;
        keepalive_timeout 300s;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT ssl;
        ssl_certificate     $WORK/pki/front.pem;
        ssl_certificate_key $WORK/pki/front.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {
            proxy_pass https://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host localhost;
            proxy_ssl_server_name on;
            proxy_ssl_name localhost;
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate $WORK/ca.pem;
            proxy_ssl_session_reuse on;
            proxy_ssl_protocols TLSv1.3;
        }
    }
}
EOF
  } > "$WORK/front.conf"
}

# ---- plainsight ------------------------------------------------------------
PS_AVAILABLE=0
PS_REASON="not checked"
PS_VERSION=""
PS_INSTANCE=0
PS_PCAP_BYTES_DONE=0    # bytes of pcap from earlier instances (deleted to save disk)
PS_PCAP_FILES_DONE=0
PS_HWM_KB=0             # max VmHWM over instances

ps_fail() {         # reason [log file] -> plainsight unavailable; keep its log outside the work dir
  PS_AVAILABLE=0
  PS_REASON=$1
  if [ -n "${2:-}" ] && [ -f "$2" ]; then
    cp "$2" "$OUT_DIR/plainsight-$STAMP.log"
    PS_REASON="$1; log: bench/out/plainsight-$STAMP.log"
  fi
}

check_plainsight() {
  if [ ! -x "$PLAINSIGHT" ]; then PS_REASON="no launcher at $PLAINSIGHT"; return; fi
  log "building/checking plainsight: $PLAINSIGHT --version (first use builds the jar)"
  if ! (cd "$ROOT" && "$PLAINSIGHT" --version) >"$WORK/logs/plainsight-version.log" 2>&1; then
    ps_fail "'plainsight --version' failed" "$WORK/logs/plainsight-version.log"; return
  fi
  if ! (cd "$ROOT" && "$PLAINSIGHT" reverse --help) >"$WORK/logs/plainsight-reverse-help.log" 2>&1; then
    PS_REASON="no 'reverse' subcommand"; return
  fi
  PS_AVAILABLE=1
  # the log may hold the build's output (with colour escapes) before the version line
  PS_VERSION=$(sed 's/\x1b\[[0-9;]*m//g' "$WORK/logs/plainsight-version.log" | grep -E '^plainsight [0-9]' | tail -1 || true)
  [ -n "$PS_VERSION" ] || PS_VERSION=$(tail -1 "$WORK/logs/plainsight-version.log")
  PS_VERSION="$PS_VERSION (git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"
  PS_REASON=""
}

start_plainsight() { # [contender]: plainsight, or audit (the same plus --audit-log, own port and pcap dir)
  local c=${1:-plainsight} port=$PS_PORT pcap="$WORK/pcap" extra="" logf
  if [ "$c" = audit ]; then
    port=$AUDIT_PORT; pcap="$WORK/pcap-audit"; mkdir -p "$WORK/audit"
    if [ "$VARIANT" = outputs ]; then
      extra="--keylog $WORK/audit/keys.log --pcapng $WORK/audit/capture.pcapng --pcapng-encrypted"
      extra="$extra --pcap-over-ip 127.0.0.1:$POIP_PORT --connections $WORK/audit/connections.jsonl"
      extra="$extra --metrics 127.0.0.1:$METRICS_PORT"
      # OUTPUTS_DROP="--pcapng-encrypted ...": leave those options out (to see what each one costs)
      for o in ${OUTPUTS_DROP:-}; do extra=$(echo " $extra " | sed -E "s# $o( [^-][^ ]*)?# #"); done
      extra="$extra $AUDIT_ARGS"
    else
      extra="--audit-log $WORK/audit/modsec_audit.log $AUDIT_ARGS"
    fi
    logf="$WORK/logs/plainsight-audit.log"
  else
    PS_INSTANCE=$((PS_INSTANCE + 1))
    logf="$WORK/logs/plainsight-$PS_INSTANCE.log"
  fi
  port_free "$port" || die "port $port is in use (set BASE_PORT)"
  mkdir -p "$pcap" "$WORK/home"
  # shellcheck disable=SC2086
  (cd "$ROOT" && exec "$PLAINSIGHT" reverse --listen "127.0.0.1:$port" \
      --connect "127.0.0.1:$BACKEND_PORT" --upstream-ca "$WORK/ca.pem" \
      --pcap-dir "$pcap" --home "$WORK/home" -q $PLAINSIGHT_ARGS $extra) \
    >"$logf" 2>&1 &
  local pid=$!
  STARTED+=("$pid")
  if ! wait_https "$port" "$pid"; then
    log "$c did not come up on $port; last log lines:"
    tail -20 "$logf" >&2 || true
    stop_pids "$pid"
    if [ "$c" = audit ]; then AUDIT_REASON="failed to start; log: $logf"; else ps_fail "failed to start" "$logf"; fi
    return 1
  fi
  adopt_tree "$c" "$pid"
  log "$c #$PS_INSTANCE up on 127.0.0.1:$port (pids: ${TREE[$c]})"
  if [ "$c" = audit ] && [ "$VARIANT" = outputs ]; then
    # an IDS-like PCAP-over-IP reader that keeps up, and a Prometheus-like scraper (every second)
    (exec cat </dev/tcp/127.0.0.1/"$POIP_PORT" >"$WORK/audit/pcap-over-ip.pcap") 2>>"$logf" &
    STARTED+=("$!")
    (while sleep 1; do curl -s -o "$WORK/audit/metrics.txt" "http://127.0.0.1:$METRICS_PORT/metrics" || true; done) &
    STARTED+=("$!")
  fi
}
AUDIT_REASON=""
OUTPUTS_SUMMARY="-"

pcap_bytes() { { find "$WORK/pcap" -type f -printf '%s\n' 2>/dev/null || true; } | awk '{s+=$1} END{printf "%.0f\n", s}'; }
pcap_files() { { find "$WORK/pcap" -type f 2>/dev/null || true; } | wc -l; }

stop_plainsight() { # graceful stop so the capture is flushed; keeps the pcap dir
  sample_rss plainsight
  # shellcheck disable=SC2086
  stop_pids ${TREE[plainsight]:-}
  TREE[plainsight]=""
}

recycle_plainsight_if_disk_low() {
  local free_gb
  free_gb=$(df -P -BG "$WORK" | awk 'NR==2 {gsub("G","",$4); print $4}')
  [ "$free_gb" -ge "$PCAP_MIN_FREE_GB" ] && return 0
  log "only ${free_gb} GiB free: restarting plainsight with an empty pcap dir (sizes are kept)"
  stop_plainsight
  PS_PCAP_BYTES_DONE=$((PS_PCAP_BYTES_DONE + $(pcap_bytes)))
  PS_PCAP_FILES_DONE=$((PS_PCAP_FILES_DONE + $(pcap_files)))
  rm -rf "$WORK/pcap"
  start_plainsight || return 1
  return 2          # caller must warm up again
}

# ---- measuring -------------------------------------------------------------
declare -A RSS_KB   # contender -> max over samples of sum(VmHWM) over its process tree

sample_rss() {      # $1 = contender
  local c=$1 sum
  # shellcheck disable=SC2086
  sum=$(tree_hwm_kb ${TREE[$c]:-})
  if [ "$c" = plainsight ]; then
    [ "$sum" -gt "$PS_HWM_KB" ] && PS_HWM_KB=$sum
    RSS_KB[$c]=$PS_HWM_KB
  elif [ "$sum" -gt "${RSS_KB[$c]:-0}" ]; then
    RSS_KB[$c]=$sum
  fi
}

port_of() {
  case $1 in direct) echo "$BACKEND_PORT" ;; nginx) echo "$NGINX_PORT" ;; plainsight) echo "$PS_PORT" ;; audit) echo "$AUDIT_PORT" ;; esac
}

usable() {          # is contender $1 running?
  case $1 in
    direct) return 0 ;;
    nginx) alive ${TREE[front]:-} ;;
    plainsight) [ "$PS_AVAILABLE" = 1 ] && alive ${TREE[plainsight]:-} ;;
    audit) [ "$PS_AVAILABLE" = 1 ] && alive ${TREE[audit]:-} ;;
  esac
}

run_wrk() {         # metric contender seconds label -> prints WRKSUM line, raw output kept
  local metric=$1 c=$2 secs=$3 label=$4 port path conns
  port=$(port_of "$c")
  local args=(-t"$THREADS" --latency --timeout "$WRK_TIMEOUT" -s "$BENCH_DIR/wrk-summary.lua" -d"${secs}s")
  local env=()
  case $metric in
    rps) path=/1k; conns=$CONNS ;;
    mbs) path=/1m; conns=$CONNS ;;
    cps) path=/1k; conns=$CLOSE_CONNS; args+=(-H 'Connection: close'); env=(LD_PRELOAD="$WORK/no-tls-resume.so") ;;
  esac
  local raw="$WORK/raw/$metric-$c-$label.txt"
  mkdir -p "$WORK/raw"
  local busy0 total0 ours0 busy1 total1 ours1 wrk_ticks other steal0 steal1 steal
  [ "$THREAD_CPU" = 1 ] && thread_ticks "$c" > "$raw.threads0"
  read -r busy0 total0 < <(cpu_ticks); ours0=$(our_ticks); steal0=$(steal_ticks)
  env "${env[@]}" wrk "${args[@]}" -c"$conns" "https://127.0.0.1:$port$path" >"$raw" 2>&1 || true
  read -r busy1 total1 < <(cpu_ticks); ours1=$(our_ticks); steal1=$(steal_ticks)
  [ "$THREAD_CPU" = 1 ] && thread_ticks "$c" > "$raw.threads1"
  times > "$raw.times"    # this subshell's children: wrk
  wrk_ticks=$(awk -v hz="$(getconf CLK_TCK)" 'NR==2 {
      n = split($0, f, /[ ms]+/); printf "%d", ((f[1]*60 + f[2]) + (f[3]*60 + f[4])) * hz }' "$raw.times")
  # CPU used by anything other than wrk, the backend and the proxies, in % of the machine
  other=$(awk -v b="$((busy1 - busy0))" -v o="$((ours1 - ours0))" -v w="$wrk_ticks" -v t="$((total1 - total0))" \
    'BEGIN { x = (b - o - w) / (t > 0 ? t : 1) * 100; printf "%d", (x < 0 ? 0 : x) }')
  # of which the hypervisor gave to other machines (steal: counted in busy, never in a process)
  steal=$(awk -v s="$((steal1 - steal0))" -v t="$((total1 - total0))" 'BEGIN { printf "%d", s / (t > 0 ? t : 1) * 100 }')
  echo "$(grep '^WRKSUM ' "$raw" | tail -1 || true) other_cpu_pct=$other steal_pct=$steal" | grep '^WRKSUM ' || true
}

thread_ticks() {    # contender -> "group|ticks" lines: utime+stime per thread name (digits as #) of its processes
  local p t st rest
  for p in ${TREE[$1]:-}; do
    for t in /proc/"$p"/task/*; do
      st=$(cat "$t/stat" 2>/dev/null) || continue
      rest=${st##*) }
      # shellcheck disable=SC2086
      set -- $rest
      echo "$(sed 's/[0-9]\+/#/g' "$t/comm" 2>/dev/null)|$((${12} + ${13}))"
    done
  done | awk -F'|' '{a[$1] += $2} END {for (k in a) print k "|" a[k]}' | LC_ALL=C sort -t'|' -k1,1
}

thread_report() {   # metric contender label requests -> "  label: X us/req group, ..." from the snapshots around the run
  local raw="$WORK/raw/$1-$2-$3.txt"
  [ -f "$raw.threads0" ] && [ -f "$raw.threads1" ] && [ "${4:-0}" -gt 0 ] || return 0
  LC_ALL=C join -t'|' -a1 -e0 -o '0,1.2,2.2' "$raw.threads1" "$raw.threads0" \
    | awk -F'|' -v n="$4" -v hz="$(getconf CLK_TCK)" '{ d = $2 - $3; if (d > 0) { printf "%.2f|%s\n", d / hz * 1e6 / n, $1; t += d } }
        END { printf "%.2f|all threads\n", t / hz * 1e6 / n }' \
    | sort -t'|' -k1,1 -rn | awk -F'|' -v l="$3" 'BEGIN { printf "    run %s:", l } { printf " %s %s;", $1, $2 } END { print "" }'
}

our_ticks() {       # utime+stime of the backend and the proxies (all threads)
  # shellcheck disable=SC2086
  tree_ticks ${TREE[backend]:-} ${TREE[front]:-} ${TREE[plainsight]:-} ${TREE[audit]:-}
}

declare -A VALS     # "metric contender" -> space-separated per-run values
declare -A P99S     # contender -> per-run p99 (ms) of the rps runs
declare -A ERRS     # contender -> error summary lines
declare -A OTHER    # contender -> per-run % of machine CPU used by other processes (noise)
declare -A THREADS  # contender -> per-run CPU per request by thread group (THREAD_CPU=1)
declare -A STEAL    # contender -> per-run % of machine CPU stolen by the hypervisor (part of OTHER)
declare -A RUNVAL   # "metric contender label" -> the run's value (pairs of the with/without ratio)
declare -A RUNOTHER # "metric contender label" -> the run's other CPU %
PS_RESP_BYTES=0     # response bytes wrk received through plainsight (all runs incl. warm-up)

record() {          # metric contender label wrksum
  local m=$1 c=$2 label=$3 s=$4
  if [ -z "$s" ]; then
    log "  $m $c $label: wrk produced no summary (see $WORK/raw/$m-$c-$label.txt)"
    return
  fi
  local req bytes dur p99 ec er ew es et good val
  req=$(kv requests "$s"); bytes=$(kv bytes "$s"); dur=$(kv duration_us "$s"); p99=$(kv p99_us "$s")
  ec=$(kv err_connect "$s"); er=$(kv err_read "$s"); ew=$(kv err_write "$s"); es=$(kv err_status "$s"); et=$(kv err_timeout "$s")
  [ "$c" = plainsight ] && PS_RESP_BYTES=$((PS_RESP_BYTES + bytes))
  [ "$label" = warmup ] && return
  good=$((req - es))
  if [ $((ec + er + ew + es + et)) -gt 0 ]; then
    ERRS[$c]+="$m run $label: connect=$ec read=$er write=$ew status(non-2xx)=$es timeout=$et of $req requests"$'\n'
  fi
  case $m in
    rps|cps) val=$(awk -v n="$good" -v d="$dur" 'BEGIN{printf "%.1f", n / (d / 1e6)}') ;;
    mbs)     val=$(awk -v b="$bytes" -v d="$dur" 'BEGIN{printf "%.2f", b / 1048576 / (d / 1e6)}') ;;
  esac
  VALS["$m $c"]+="$val "
  OTHER[$c]+="$(kv other_cpu_pct "$s") "
  STEAL[$c]+="$(kv steal_pct "$s") "
  RUNVAL["$m $c $label"]=$val
  RUNOTHER["$m $c $label"]=$(kv other_cpu_pct "$s")
  if [ "$THREAD_CPU" = 1 ] && [[ $c == plainsight || $c == audit ]]; then
    THREADS[$c]+="$(thread_report "$m" "$c" "$label" "$req")"$'\n'
  fi
  if [ "$m" = rps ]; then
    P99S[$c]+="$(awk -v u="$p99" 'BEGIN{printf "%.3f", u / 1000}') "
  fi
  log "  $m $c run $label: $val $( [ "$m" = rps ] && echo "(p99 $((p99))us)") other CPU $(kv other_cpu_pct "$s")% (steal $(kv steal_pct "$s")%)"
}

verify_full_handshakes() {
  log "checking that wrk does full TLS handshakes with Connection: close (LD_PRELOAD shim)"
  gcc -shared -fPIC -O2 -o "$WORK/no-tls-resume.so" "$BENCH_DIR/no-tls-resume.c" -ldl
  local f="$WORK/logs/probe.access.log"
  : > "$f"
  wrk -t1 -c4 -d2s -H 'Connection: close' "https://127.0.0.1:$PROBE_PORT/1k" >/dev/null 2>&1 || true
  sleep 0.5
  WITHOUT_SHIM=$(awk '{n++} $1=="r"{r++} END{printf "%d of %d resumed", r, n}' "$f")
  : > "$f"
  LD_PRELOAD="$WORK/no-tls-resume.so" wrk -t1 -c4 -d2s -H 'Connection: close' \
    "https://127.0.0.1:$PROBE_PORT/1k" >/dev/null 2>&1 || true
  sleep 0.5
  WITH_SHIM=$(awk '{n++} $1=="r"{r++} END{printf "%d of %d resumed", r, n}' "$f")
  local resumed total
  resumed=$(awk '$1=="r"{r++} END{print r+0}' "$f"); total=$(wc -l < "$f")
  log "  plain wrk: $WITHOUT_SHIM; wrk + shim: $WITH_SHIM"
  [ "$total" -gt 0 ] && [ "$resumed" -eq 0 ] || die "could not force full TLS handshakes with wrk ($WITH_SHIM)"
}

tls_info() {        # negotiated protocol/cipher/group per contender, for the record
  openssl s_client -connect "127.0.0.1:$1" -servername localhost -brief </dev/null 2>&1 \
    | awk -F': ' '/^(Protocol version|Ciphersuite|Server Temp Key|Negotiated TLS1.3 group|Peer signature type)/ {printf "%s=%s; ", $1, $2}'
}

check_content() {   # the contender returns the right bytes
  local c=$1 port f
  port=$(port_of "$c")
  for f in 1k 1m; do
    if ! cmp -s <(curl -sk --max-time 10 "https://127.0.0.1:$port/$f") "$WORK/www/$f"; then
      log "$c on port $port does not return /$f intact"
      return 1
    fi
  done
}

measure_run() {     # metric contender label: one measured run, recorded
  local m=$1 c=$2 run=$3 ws
  if [ "$c" = plainsight ] && [ "$PS_AVAILABLE" = 1 ]; then
    ws=0; recycle_plainsight_if_disk_low || ws=$?
    [ "$ws" = 2 ] && record "$m" "$c" warmup "$(run_wrk "$m" "$c" "$WARMUP" warmup)"
  fi
  if ! usable "$c"; then
    [ "$c" = plainsight ] && [ "$PS_AVAILABLE" = 1 ] && { log "plainsight died"; ps_fail "process died during the benchmark" "$WORK/logs/plainsight-$PS_INSTANCE.log"; }
    return 0
  fi
  record "$m" "$c" "$run" "$(run_wrk "$m" "$c" "$DURATION" "$run")"
  case $c in direct) sample_rss direct ;; nginx) sample_rss front ;; plainsight|audit) sample_rss "$c" ;; esac
  sleep "$SETTLE"
}

quiet_labels() {    # metric pairs -> labels 1..pairs where both plainsight and audit ran with little noise
  local m=$1 n=$2 i po ao
  for i in $(seq 1 "$n"); do
    po=${RUNOTHER["$m plainsight $i"]:-}; ao=${RUNOTHER["$m audit $i"]:-}
    [ -n "$po" ] && [ -n "$ao" ] && [ "$po" -le "$NOISE_MAX" ] && [ "$ao" -le "$NOISE_MAX" ] && echo "$i"
  done
  return 0
}

quiet_pairs() { quiet_labels "$1" "$2" | wc -l; }

PAIRS_MEASURED=0

# ---- main ------------------------------------------------------------------
main() {
  LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
  ensure_tools wrk:wrk nginx:nginx openssl:openssl curl:curl gcc:gcc ps:procps ss:iproute2
  mkdir -p "$WORK/logs"
  for p in "$BACKEND_PORT" "$NGINX_PORT" "$PS_PORT" "$PROBE_PORT" "$AUDIT_PORT"; do
    port_free "$p" || die "port $p is in use (set BASE_PORT)"
  done
  make_pki
  make_content
  write_backend_conf
  write_front_conf
  start_nginx backend "$BACKEND_PORT"
  TREE[direct]=${TREE[backend]}
  verify_full_handshakes

  local want_ps=0 want_nginx=0 want_audit=0 c
  for c in $CONTENDERS; do
    [ "$c" = plainsight ] && want_ps=1
    [ "$c" = audit ] && want_ps=1 && want_audit=1
    [ "$c" = nginx ] && want_nginx=1
  done
  [ "$want_nginx" = 1 ] && start_nginx front "$NGINX_PORT"
  if [ "$want_ps" = 1 ]; then
    check_plainsight
    if [ "$PS_AVAILABLE" = 1 ]; then start_plainsight || true; fi
    if [ "$PS_AVAILABLE" = 1 ] && [ "$want_audit" = 1 ]; then start_plainsight audit || true; fi
    [ "$PS_AVAILABLE" = 1 ] || log "plainsight: not available ($PS_REASON)"
  else
    PS_REASON="not selected (CONTENDERS)"
  fi

  # the capture is written to disk: its sustained write bandwidth bounds plainsight's MiB/s
  DISK_WRITE=$(cd "$WORK" && dd if=/dev/zero of=dd-probe bs=1M count=1024 conv=fdatasync 2>&1 | tail -1 | awk -F', ' '{print $NF}'; rm -f "$WORK/dd-probe")

  declare -gA TLS
  for c in $CONTENDERS; do
    usable "$c" || continue
    if ! check_content "$c"; then
      if [ "$c" = audit ]; then
        stop_pids ${TREE[audit]:-}; TREE[audit]=""; AUDIT_REASON="serves wrong content"; continue
      fi
      [ "$c" = plainsight ] || die "$c serves wrong content"
      stop_plainsight
      ps_fail "serves wrong content" "$WORK/logs/plainsight-$PS_INSTANCE.log"
      continue
    fi
    TLS[$c]=$(tls_info "$(port_of "$c")")
  done

  local m run ws
  for m in $METRICS; do
    log "metric $m: warm-up ${WARMUP}s each"
    for c in $CONTENDERS; do
      usable "$c" || continue
      record "$m" "$c" warmup "$(run_wrk "$m" "$c" "$WARMUP" warmup)"
      sleep "$SETTLE"
    done
    for run in $(seq 1 "$RUNS"); do
      for c in $CONTENDERS; do
        measure_run "$m" "$c" "$run"
      done
    done
    # the with/without ratio: noisy pairs are measured again (see NOISE_MAX)
    if [ -n "$VARIANT" ] && [ "$m" = rps ]; then
      local extra=0 quiet
      # until RUNS pairs are quiet, or NOISE_RETRIES more pairs were measured
      while quiet=$(quiet_pairs "$m" $((RUNS + extra))) && [ "$quiet" -lt "$RUNS" ] && [ "$extra" -lt "$NOISE_RETRIES" ]; do
        extra=$((extra + 1))
        log "  $quiet of $((RUNS + extra - 1)) pairs quiet so far (other CPU <= ${NOISE_MAX}%): pair $((RUNS + extra)) after ${NOISE_PAUSE}s"
        sleep "$NOISE_PAUSE"
        for c in $CONTENDERS; do
          measure_run "$m" "$c" $((RUNS + extra))
        done
      done
      PAIRS_MEASURED=$((RUNS + extra))
    fi
  done
  RSS_KB[nginx]=${RSS_KB[front]:-}

  # Capture evidence: a marked request, then a graceful stop so everything is flushed.
  local marker="plainsight-bench-marker-$STAMP-$RANDOM" marker_hits="-" pbytes=0 pfiles=0
  if [ "$PS_AVAILABLE" = 1 ] && usable plainsight; then
    curl -sk -o /dev/null -H "X-Bench-Marker: $marker" "https://127.0.0.1:$PS_PORT/1k?$marker" || true
    sleep 1
    stop_plainsight
    pbytes=$((PS_PCAP_BYTES_DONE + $(pcap_bytes)))
    pfiles=$((PS_PCAP_FILES_DONE + $(pcap_files)))
    marker_hits=$({ find "$WORK/pcap" -type f -print0 2>/dev/null | xargs -0 -r env LC_ALL=C grep -a -F -l -- "$marker" || true; } | wc -l)
  fi
  # The audit contender: a marked request must reach its audit log; then a graceful stop
  AUDIT_MARKER="-"; AUDIT_ENTRIES=0; AUDIT_BYTES=0
  if usable audit; then
    curl -sk -o /dev/null -H "X-Bench-Marker: $marker" "https://127.0.0.1:$AUDIT_PORT/1k?$marker" || true
    sleep 1.5   # the audit log is flushed at least once a second
    sample_rss audit
    # shellcheck disable=SC2086
    stop_pids ${TREE[audit]:-}; TREE[audit]=""
    if [ "$VARIANT" = outputs ]; then
      local d="$WORK/audit"
      AUDIT_MARKER=$(LC_ALL=C grep -a -c -F -- "$marker" "$d/capture.pcapng" 2>/dev/null || true)
      OUTPUTS_SUMMARY="key log $(wc -l <"$d/keys.log" 2>/dev/null || echo 0) lines;"
      OUTPUTS_SUMMARY="$OUTPUTS_SUMMARY pcapng $(stat -c %s "$d/capture.pcapng" 2>/dev/null || echo 0) bytes;"
      OUTPUTS_SUMMARY="$OUTPUTS_SUMMARY PCAP-over-IP reader got $(stat -c %s "$d/pcap-over-ip.pcap" 2>/dev/null || echo 0) bytes;"
      OUTPUTS_SUMMARY="$OUTPUTS_SUMMARY connections $(wc -l <"$d/connections.jsonl" 2>/dev/null || echo 0) lines;"
      OUTPUTS_SUMMARY="$OUTPUTS_SUMMARY last scrape $(grep -c -v '^#' "$d/metrics.txt" 2>/dev/null || echo 0) samples"
      # time the I/O threads waited for room in a full sink queue (--overflow block), whole run
      OUTPUTS_SUMMARY="$OUTPUTS_SUMMARY; I/O threads blocked on full queues: $(awk -F'[{}" ]+' '/^plainsight_capture_blocked_seconds_total/ {
          for (i = 2; i < NF; i++) if ($i == "sink=") s = $(i + 1); printf "%s%s %.3f s", sep, s, $NF; sep = ", " }' "$d/metrics.txt" 2>/dev/null)"
    else
      local f="$WORK/audit/modsec_audit.log"
      AUDIT_MARKER=$(LC_ALL=C grep -a -c -F -- "$marker" "$f" 2>/dev/null || true)
      AUDIT_ENTRIES=$(LC_ALL=C grep -a -c -E '^--[a-f0-9]{8}-A--$' "$f" 2>/dev/null || true)
      AUDIT_BYTES=$(stat -c %s "$f" 2>/dev/null || echo 0)
    fi
  fi
  sample_rss front
  RSS_KB[nginx]=${RSS_KB[front]:-}

  report "$marker_hits" "$pbytes" "$pfiles" | tee "$REPORT"
  log "report written to $REPORT"
}

fmt() {             # metric value -> display
  [ -z "$2" ] && { echo "n/a"; return; }
  case $1 in
    rps|cps) awk -v v="$2" 'BEGIN{printf "%.0f", v}' ;;
    mbs)     awk -v v="$2" 'BEGIN{printf "%.1f", v}' ;;
    p99)     awk -v v="$2" 'BEGIN{printf "%.2f", v}' ;;
    rss)     awk -v v="$2" 'BEGIN{printf "%.1f", v / 1024}' ;;
  esac
}

report() {
  local marker_hits=$1 pbytes=$2 pfiles=$3
  local c m
  declare -A MED
  for m in rps mbs cps; do
    for c in direct nginx plainsight audit; do
      # shellcheck disable=SC2086
      MED["$m $c"]=$(median ${VALS["$m $c"]:-})
    done
  done
  for c in direct nginx plainsight audit; do
    # shellcheck disable=SC2086
    MED["p99 $c"]=$(median ${P99S[$c]:-})
  done
  MED["rss direct"]=${RSS_KB[direct]:-}
  MED["rss nginx"]=${RSS_KB[nginx]:-}
  local ps_measured=0
  [ -n "${VALS["rps plainsight"]:-}${VALS["mbs plainsight"]:-}${VALS["cps plainsight"]:-}" ] && ps_measured=1
  MED["rss plainsight"]=""
  [ "$ps_measured" = 1 ] && MED["rss plainsight"]=${RSS_KB[plainsight]:-}
  MED["rss audit"]=${RSS_KB[audit]:-}

  echo "plainsight reverse-proxy benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
  echo "tools: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); $(nginx -v 2>&1 | cut -d' ' -f3); $(openssl version | cut -d' ' -f1-2)"
  if [ -n "${VALS["rps plainsight"]:-}${VALS["mbs plainsight"]:-}${VALS["cps plainsight"]:-}" ]; then
    echo "plainsight: ${PS_VERSION:-unknown version}${PS_REASON:+ — WARNING: $PS_REASON}"
  else
    echo "plainsight: not available (${PS_REASON:-not measured})"
  fi
  echo "method: wrk -t$THREADS, -c$CONNS keep-alive / -c$CLOSE_CONNS Connection: close, ${WARMUP}s warm-up, $RUNS x ${DURATION}s runs interleaved, medians; nginx worker_processes $WORKERS"
  echo "full handshakes in conn/s: plain wrk $WITHOUT_SHIM, wrk + no-tls-resume shim $WITH_SHIM"
  echo "disk holding the PCAP: sequential write ${DISK_WRITE:-?} (dd 1 GiB, fdatasync)${PLAINSIGHT_ARGS:+; plainsight extra args: $PLAINSIGHT_ARGS}"
  for c in $CONTENDERS; do [ -n "${TLS[$c]:-}" ] && echo "tls $c: ${TLS[$c]}"; done
  echo
  printf '%-28s | %10s | %10s | %10s | %8s | %-16s | %s\n' metric direct nginx plainsight "ps/nginx" target result
  printf '%s\n' "-----------------------------+------------+------------+------------+----------+------------------+-------"
  local rows=("rps|1 KiB keep-alive req/s|>= 1.0x nginx|ge"
              "mbs|1 MiB keep-alive MiB/s|>= 1.0x nginx|ge"
              "cps|new TLS conn/s (full hs)|>= 1.0x nginx|ge"
              "p99|p99 latency 1 KiB (ms)|<= nginx|le"
              "rss|peak RSS (MiB)|< 200 MiB|abs")
  local row key label target kind d n p ratio result
  for row in "${rows[@]}"; do
    IFS='|' read -r key label target kind <<<"$row"
    d=${MED["$key direct"]:-}; n=${MED["$key nginx"]:-}; p=${MED["$key plainsight"]:-}
    ratio="-"; result="SKIP"
    if [ -n "$p" ] && [ -n "$n" ] && awk -v n="$n" 'BEGIN{exit !(n > 0)}'; then
      ratio=$(awk -v p="$p" -v n="$n" 'BEGIN{printf "%.2fx", p / n}')
    fi
    if [ -n "$p" ]; then
      case $kind in
        ge) [ -n "$n" ] && result=$(awk -v p="$p" -v n="$n" 'BEGIN{print (p >= n) ? "PASS" : "FAIL"}') ;;
        le) [ -n "$n" ] && result=$(awk -v p="$p" -v n="$n" 'BEGIN{print (p <= n) ? "PASS" : "FAIL"}') ;;
        abs) result=$(awk -v p="$p" 'BEGIN{print (p / 1024 < 200) ? "PASS" : "FAIL"}') ;;
      esac
    fi
    [ "$key" = rss ] && d=""   # the backend's RSS is not a contender's
    printf '%-28s | %10s | %10s | %10s | %8s | %-16s | %s\n' "$label" \
      "$( [ "$key" = rss ] && echo "-" || fmt "$key" "$d")" "$(fmt "$key" "$n")" \
      "$( [ -z "$p" ] && { [ "$ps_measured" = 1 ] && echo "n/a" || echo "not avail."; } || fmt "$key" "$p")" \
      "$ratio" "$target" "$result"
  done
  if [ -n "${VALS["rps audit"]:-}" ] || [ -n "$AUDIT_REASON" ]; then
    audit_report
  fi
  echo
  if [ "$ps_measured" = 1 ]; then
    echo "plainsight PCAP: $pfiles file(s), $pbytes bytes ($(awk -v b="$pbytes" 'BEGIN{printf "%.1f MiB", b/1048576}')); response bytes wrk received through plainsight: $PS_RESP_BYTES; marker request found in $marker_hits pcap file(s); instances: $PS_INSTANCE"
  else
    echo "plainsight: not available ($PS_REASON)"
  fi
  echo
  echo "per-run values (run order: interleaved)"
  for m in rps mbs cps; do
    for c in direct nginx plainsight audit; do
      [ -n "${VALS["$m $c"]:-}" ] && echo "  $m $c: ${VALS["$m $c"]}"
    done
  done
  for c in direct nginx plainsight audit; do
    [ -n "${P99S[$c]:-}" ] && echo "  p99(ms) $c: ${P99S[$c]}"
  done
  echo "  CPU used by other processes during each run, % of the machine (noise), in run order:"
  for c in direct nginx plainsight audit; do
    [ -n "${OTHER[$c]:-}" ] && echo "    $c: ${OTHER[$c]}"
  done
  echo "  of which steal (the hypervisor running other machines on our cores):"
  for c in direct nginx plainsight audit; do
    [ -n "${STEAL[$c]:-}" ] && echo "    $c: ${STEAL[$c]}"
  done
  echo "  load average at start: $LOAD_START; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  if [ "$THREAD_CPU" = 1 ]; then
    echo "  CPU per request (us) by thread group of each plainsight JVM, during each run (THREAD_CPU=1):"
    for c in plainsight audit; do
      [ -n "${THREADS[$c]:-}" ] && printf '  %s:\n%s' "$c" "${THREADS[$c]}"
    done
  fi
  local any=0
  for c in direct nginx plainsight audit; do
    if [ -n "${ERRS[$c]:-}" ]; then
      [ $any = 0 ] && echo && echo "wrk errors (non-2xx are excluded from req/s and conn/s):"; any=1
      printf '%s' "${ERRS[$c]}" | sed "s/^/  $c: /"
    fi
  done
  return 0
}

audit_report() {     # VARIANT=audit: plainsight with --audit-log vs without, 1 KiB req/s
  # The ratio is the median of the quiet pairs' ratios (NOISE_MAX): each pair's two runs follow each
  # other, so they share the machine's state of the moment, which two medians taken apart do not.
  local quiet i pv="" av="" rv="" nq=0 pi ai
  [ "$PAIRS_MEASURED" -gt 0 ] || PAIRS_MEASURED=$RUNS   # an audit contender without VARIANT: no retries
  quiet=$(quiet_labels rps "$PAIRS_MEASURED")
  for i in $quiet; do
    pi=${RUNVAL["rps plainsight $i"]:-}; ai=${RUNVAL["rps audit $i"]:-}
    pv+="$pi "; av+="$ai "; nq=$((nq + 1))
    rv+="$(awk -v a="$ai" -v p="$pi" 'BEGIN{printf "%.3f", (p > 0 ? a / p : 0)}') "
  done
  local p a ratio="-" result="SKIP" medians_ratio="-"
  # shellcheck disable=SC2086
  p=$(median $pv); a=$(median $av)
  if [ -n "$p" ] && [ -n "$a" ] && awk -v p="$p" 'BEGIN{exit !(p > 0)}'; then
    medians_ratio=$(awk -v a="$a" -v p="$p" 'BEGIN{printf "%.3f", a / p}')
  fi
  if [ -n "$rv" ]; then
    # shellcheck disable=SC2086
    ratio=$(awk -v r="$(median $rv)" 'BEGIN{printf "%.3f", r}')
    result=$(awk -v r="$ratio" -v t="$AUDIT_MIN_RATIO" 'BEGIN{print (r >= t) ? "PASS" : "FAIL"}')
  fi
  if [ "$nq" -lt "$MIN_QUIET_PAIRS" ]; then
    result="NOISY"
  fi
  local what="--audit-log"
  [ "$VARIANT" = outputs ] && what="the issue-7 outputs"
  echo
  if [ "$VARIANT" = outputs ]; then
    echo "keylog + pcapng (encrypted, DSB) + PCAP-over-IP (1 reader) + connections + metrics (scraped 1/s)${AUDIT_ARGS:+ $AUDIT_ARGS} vs plainsight without them, 1 KiB keep-alive req/s:"
  else
    echo "--audit-log (${AUDIT_ARGS:-default parts ABCFHZ, engine On, serial}) vs plainsight without it, 1 KiB keep-alive req/s:"
  fi
  printf '  %-22s %10s\n' "without $what" "$(fmt rps "$p")" "with $what" "$(fmt rps "$a")"
  printf '  %-22s %10s   target >= %s   %s\n' "ratio with/without" "$ratio" "$AUDIT_MIN_RATIO" "$result"
  # shellcheck disable=SC2086
  echo "  (the median of the ratios of $nq quiet pairs of $PAIRS_MEASURED, NOISY below $MIN_QUIET_PAIRS; other CPU <= ${NOISE_MAX}% in both runs: pairs $(echo $quiet | tr ' ' ,); their ratios: ${rv:--}; ratio of their medians: $medians_ratio)"
  printf '  %-22s %10s ms / %s ms (with / without)\n' "p99" "$(fmt p99 "${MED["p99 audit"]:-}")" "$(fmt p99 "${MED["p99 plainsight"]:-}")"
  if [ "$VARIANT" = outputs ]; then
    echo "  outputs: $OUTPUTS_SUMMARY; marker request in the pcapng: $AUDIT_MARKER; peak RSS with them: $(fmt rss "${MED["rss audit"]:-}") MiB${AUDIT_REASON:+; WARNING: $AUDIT_REASON}"
    echo "OUTPUTS_RATIO $ratio $result"
  else
    echo "  audit log: $AUDIT_ENTRIES entries, $AUDIT_BYTES bytes; marker request in it: $AUDIT_MARKER; peak RSS with it: $(fmt rss "${MED["rss audit"]:-}") MiB${AUDIT_REASON:+; WARNING: $AUDIT_REASON}"
    echo "AUDIT_RATIO $ratio $result"
  fi
}

main "$@"
