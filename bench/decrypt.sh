#!/usr/bin/env bash
# Offline decryption benchmark: `plainsight decrypt` vs `tshark -o tls.keylog_file:... -z follow`
# on the same capture (>= 1 GB: TLS 1.2 and 1.3, several cipher suites, HTTP/1.1 and HTTP/2, large
# bodies and thousands of short keep-alive connections), in the same run, medians; plus the heap
# one open connection costs plainsight (bench/DecryptMemoryBench.java).
# See bench/README.md ("decrypt.sh") for what it measures and why.
#
#   flock /tmp/plainsight-bench.lock bash bench/decrypt.sh [--quick] [--regen]
#
# --quick: a small capture (~80 MB) and one run each: a smoke test of the script, not figures.
# --regen: generate the capture again even if a cached one with the same parameters exists.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)

QUICK=0
REGEN=0
ORIG_ARGS=("$@")
for arg in "$@"; do
  case $arg in
    --quick) QUICK=1 ;;
    --regen) REGEN=1 ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (expected --quick, --regen)" >&2; exit 2 ;;
  esac
done

# ---- knobs (env) -----------------------------------------------------------
if [ "$QUICK" = 1 ]; then
  : "${RUNS:=1}" "${TSHARK_RUNS:=1}" "${LARGE_FILES:=4m 1m}" "${SMALL_CONNS:=300}" "${MEM_CONNS:=60}" "${WARM_ROUNDS:=3}"
  : "${MIN_CAPTURE_BYTES:=0}"
fi
RUNS=${RUNS:-3}                       # timed runs per plainsight mode
TSHARK_RUNS=${TSHARK_RUNS:-2}         # timed runs of tshark -z follow,tls,raw,0 (slow)
TSHARK_LAST_RUNS=${TSHARK_LAST_RUNS:-1}  # timed runs of tshark -z follow,tls,raw,<last stream> (the check)
MODES=${MODES:-"pcap nopcap har"}     # plainsight modes: pcap = --pcap OUT; nopcap = --no-pcap; har = --no-pcap --har OUT
BASE_PORT=${BASE_PORT:-18740}         # the capture's nginx listens on 127.0.0.1:BASE_PORT
CACHE_DIR=${CACHE_DIR:-/tmp/plainsight-bench/decrypt}   # generated captures are kept here between runs
LARGE_FILES=${LARGE_FILES:-"64m 16m 4m 1m 1m"}  # bodies fetched by each large-body connection (keep-alive)
SMALL_CONNS=${SMALL_CONNS:-4000}      # short connections, each SMALL_REQS on one keep-alive connection
SMALL_REQS=${SMALL_REQS:-"1k 4k 1k 16k 1k"}
LARGE_PARALLEL=${LARGE_PARALLEL:-3}   # large-body connections at a time
SMALL_PARALLEL=${SMALL_PARALLEL:-6}   # short connections at a time
RATE=${RATE:-25M}                     # curl --limit-rate per large-body connection (halved on each retry after drops)
GEN_ATTEMPTS=${GEN_ATTEMPTS:-3}       # capture attempts while tcpdump reports dropped packets
MIN_CAPTURE_BYTES=${MIN_CAPTURE_BYTES:-1000000000}
MEM_CONNS=${MEM_CONNS:-400}           # connections of the memory capture (each: /1k, then /64k, keep-alive)
MTU=${MTU:-65536}                     # loopback MTU of the capture's private network namespace; below 65536 also
                                      # gso_max_segs 1, so that every frame is at most MTU + 14 bytes (no TSO super-frames)
WARM_ROUNDS=${WARM_ROUNDS:-5}         # rounds of bench/DecryptThroughputBench.java (the pipeline in one warm JVM); 0: skip
TARGET_RATIO=${TARGET_RATIO:-10}      # plainsight MB/s (wall) >= this x tshark's
TARGET_PER_CORE=${TARGET_PER_CORE:-300}  # plainsight MB of capture per CPU second >= this
# A median is noisy when half or more of its runs saw more than NOISE_MAX % of the machine's CPU
# taken by other processes or the hypervisor (steal): its rows say NOISY instead of PASS/FAIL.
NOISE_MAX=${NOISE_MAX:-10}
KEEP_WORK=${KEEP_WORK:-0}             # 1: keep the run's work dir (reports, outputs, logs)
PLAINSIGHT=${PLAINSIGHT:-$ROOT/plainsight}
WORKERS=${WORKERS:-auto}              # nginx worker_processes while generating

OUT_DIR="$BENCH_DIR/out"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
SET=$([ "$QUICK" = 1 ] && echo quick || echo full)$([ "$MTU" = 65536 ] || echo "-mtu$MTU")
CAP="$CACHE_DIR/$SET"                 # capture.pcap, keys.log, mem.pcap, mem-keys.log, gen.txt, params
mkdir -p "$OUT_DIR" "$CAP"
WORK="$CACHE_DIR/run-$STAMP"          # this run's outputs (decrypted PCAPs are as big as the capture)
[ "${DECRYPT_GEN_CHILD:-0}" = 1 ] && WORK="$CACHE_DIR/gen-$STAMP"   # the generator, in its network namespace
mkdir -p "$WORK/logs"
chmod 755 /tmp/plainsight-bench "$CACHE_DIR" "$WORK" 2>/dev/null || true   # nginx workers (nobody) read the docroot
REPORT="$OUT_DIR/decrypt-$STAMP.txt"

# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"   # log, die, process bookkeeping + cleanup, nginx, measuring helpers

# Cipher configurations of the capture: name|curl options. CBC (HTTP/2 forbids it) only over HTTP/1.1.
CONFIGS=(
  "tls13-aes128gcm|--tlsv1.3 --tls13-ciphers TLS_AES_128_GCM_SHA256"
  "tls13-aes256gcm|--tlsv1.3 --tls13-ciphers TLS_AES_256_GCM_SHA384"
  "tls13-chacha20|--tlsv1.3 --tls13-ciphers TLS_CHACHA20_POLY1305_SHA256"
  "tls12-aes128gcm|--tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256"
  "tls12-aes256gcm|--tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-AES256-GCM-SHA384"
  "tls12-chacha20|--tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-CHACHA20-POLY1305"
  "tls12-aes128cbc|--tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-AES128-SHA256"
)
GEN_VERSION=2   # bump when the generator changes what it captures
PARAMS="v$GEN_VERSION mtu=$MTU port=$BASE_PORT large=[$LARGE_FILES] small=$SMALL_CONNS x [$SMALL_REQS] mem=$MEM_CONNS configs=${#CONFIGS[@]}"

py() { python3 - "$@"; }

# ---- a JDK 21+ (for the memory harness; the launcher finds its own) ---------
find_java21() {
  local c v
  for c in ${PLAINSIGHT_JAVA:-} ${JAVA_HOME:+$JAVA_HOME/bin/java} "$(command -v java 2>/dev/null || true)" /usr/lib/jvm/*/bin/java; do
    [ -n "$c" ] && [ -x "$c" ] || continue
    v=$("$c" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -1)
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then echo "$c $v"; return 0; fi
  done
  return 1
}

# ---- capture generation ----------------------------------------------------
make_pki() {   # RSA-2048: the TLS 1.2 suites are ECDHE-RSA
  local d="$WORK/gen/pki"; mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -keyout "$d/key.pem" -out "$d/cert.pem" \
    -subj "/CN=localhost" -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
  chmod 600 "$d/key.pem"
}

make_content() {
  local w="$WORK/gen/www" f n
  mkdir -p "$w"
  for f in 1k 4k 16k 64k $LARGE_FILES $SMALL_REQS; do
    [ -f "$w/$f" ] && continue
    case $f in
      *k) n=$(( ${f%k} * 1024 )) ;;
      *m) n=$(( ${f%m} * 1048576 )) ;;
      *) die "bad file size '$f' (expected Nk or Nm)" ;;
    esac
    head -c "$n" /dev/urandom > "$w/$f"
  done
  chmod 755 "$WORK/gen" "$w"; chmod 644 "$w"/*
}

write_gen_conf() {
  { nginx_common gen; cat <<EOF
    server {
        listen 127.0.0.1:$BASE_PORT ssl http2;
        ssl_certificate     $WORK/gen/pki/cert.pem;
        ssl_certificate_key $WORK/gen/pki/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers HIGH:!aNULL:!MD5;
        ssl_session_tickets off;
        root $WORK/gen/www;
    }
}
EOF
  } > "$WORK/gen.conf"
}

curl_lines() {   # kind (large|small|mem) -> one line of curl arguments per connection
  local kind=$1 i=0 n c name opts proto files f line
  case $kind in
    large)
      for c in "${CONFIGS[@]}"; do
        name=${c%%|*}; opts=${c#*|}
        for proto in --http1.1 --http2; do
          [ "$proto" = --http2 ] && [ "${name%cbc}" != "$name" ] && continue
          line="-sSk $proto $opts --limit-rate $RATE"
          for f in $LARGE_FILES; do line+=" -o /dev/null https://127.0.0.1:$BASE_PORT/$f"; done
          echo "$line -w %{http_code}_%{size_download}_%{num_connects}\\\\n"
        done
      done ;;
    small|mem)
      n=$([ "$kind" = small ] && echo "$SMALL_CONNS" || echo "$MEM_CONNS")
      files=$([ "$kind" = small ] && echo "$SMALL_REQS" || echo "1k 64k")
      for i in $(seq 0 $((n - 1))); do
        c=${CONFIGS[$((i % ${#CONFIGS[@]}))]}
        name=${c%%|*}; opts=${c#*|}
        proto=$([ $(( (i / ${#CONFIGS[@]}) % 2 )) = 0 ] && echo --http1.1 || echo --http2)
        [ "${name%cbc}" != "$name" ] && proto=--http1.1
        line="-sSk $proto $opts"
        for f in $files; do line+=" -o /dev/null https://127.0.0.1:$BASE_PORT/$f"; done
        echo "$line -w %{http_code}_%{size_download}_%{num_connects}\\\\n"
      done ;;
  esac
}

expected_transfers() {   # kind -> "transfers connections"
  local nf
  case $1 in
    large) nf=$(wc -w <<<"$LARGE_FILES"); echo "$(( $(curl_lines large | wc -l) * nf )) $(curl_lines large | wc -l)" ;;
    small) nf=$(wc -w <<<"$SMALL_REQS"); echo "$((SMALL_CONNS * nf)) $SMALL_CONNS" ;;
    mem) echo "$((MEM_CONNS * 2)) $MEM_CONNS" ;;
  esac
}

check_transfers() {   # kind file -> dies unless every transfer was a 200 and each line one connection
  local kind=$1 f=$2 want wantc ok conns
  read -r want wantc < <(expected_transfers "$kind")
  ok=$(grep -c '^200_' "$f" || true)
  conns=$(awk -F_ '{s += $3} END {print s + 0}' "$f")
  [ "$ok" = "$want" ] || die "$kind load: $ok of $want transfers returned 200 (see $f)"
  [ "$conns" = "$wantc" ] || log "WARNING: $kind load opened $conns connections, expected $wantc (keep-alive not used?)"
}

start_tcpdump() {   # file -> sets TCPDUMP_PID; waits until it listens
  local f=$1 err="$WORK/logs/tcpdump.err"
  : > "$err"
  tcpdump -i lo -s0 -B 262144 -w "$f" "tcp port $BASE_PORT" 2>"$err" &
  TCPDUMP_PID=$!
  STARTED+=("$TCPDUMP_PID")
  local i
  for i in $(seq 1 100); do
    grep -q 'listening on' "$err" && break
    alive "$TCPDUMP_PID" || die "tcpdump did not start: $(cat "$err")"
    sleep 0.1
  done
  sleep 0.3
}

stop_tcpdump() {    # file -> $WORK/gen/tcpdump.stats: "captured received dropped lost" (dropped: by kernel + by interface)
  local f=$1 err="$WORK/logs/tcpdump.err" size=-1 same=0 i
  # tcpdump is still draining its kernel buffer: what is in it when it stops is lost (and not counted
  # as dropped), so wait until the file stops growing
  for i in $(seq 1 240); do
    local now; now=$(stat -c %s "$f" 2>/dev/null || echo 0)
    if [ "$now" = "$size" ]; then same=$((same + 1)); [ "$same" -ge 4 ] && break; else same=0; size=$now; fi
    sleep 0.25
  done
  kill -INT "$TCPDUMP_PID" 2>/dev/null || true
  wait "$TCPDUMP_PID" 2>/dev/null || true
  # on lo the filter sees every packet twice (sent and received) and libpcap keeps one copy, so without
  # drops received = 2 x captured; anything short of that was still in the buffer when tcpdump stopped
  awk '/packets captured/ {c=$1} /received by filter/ {r=$1} /dropped by kernel/ {d+=$1} /dropped by interface/ {d+=$1}
       END {l = (d == 0 && r > 2 * c) ? int(r / 2) - c : 0; print c+0, r+0, d+0, l}' "$err" > "$WORK/gen/tcpdump.stats"
}

generate_one() {   # kind dest-pcap dest-keylog -> writes the capture and $WORK/gen/tcpdump.stats
  local kind=$1 dest=$2 keys=$3
  rm -f "$dest" "$keys"
  start_tcpdump "$dest"
  local lines="$WORK/gen/$kind.lines"
  if [ "$kind" = main ]; then
    curl_lines small > "$WORK/gen/small.lines"
    curl_lines large > "$WORK/gen/large.lines"
    # short connections start first (tcp.stream 0 is a short one), the large bodies run alongside
    SSLKEYLOGFILE=$keys xargs -P "$SMALL_PARALLEL" -L 1 curl < "$WORK/gen/small.lines" > "$WORK/gen/small.out" 2>"$WORK/logs/curl-small.err" &
    local small_pid=$!
    sleep 1
    SSLKEYLOGFILE=$keys xargs -P "$LARGE_PARALLEL" -L 1 curl < "$WORK/gen/large.lines" > "$WORK/gen/large.out" 2>"$WORK/logs/curl-large.err" || true
    wait "$small_pid" || true
  else
    curl_lines mem > "$lines"
    SSLKEYLOGFILE=$keys xargs -P 1 -L 1 curl < "$lines" > "$WORK/gen/mem.out" 2>"$WORK/logs/curl-mem.err" || true
  fi
  stop_tcpdump "$dest"
}

generate_in_netns() {   # runs this script's generator in a private network namespace (its own lo: nobody
                        # else's traffic, no port clash, and the MTU can be set)
  command -v unshare >/dev/null && command -v ip >/dev/null || die "needs unshare (util-linux) and ip (iproute2)"
  [ "$(id -u)" = 0 ] || die "generating the capture needs root (a network namespace, tcpdump)"
  log "generating the capture in a private network namespace (lo MTU $MTU)"
  DECRYPT_GEN_CHILD=1 unshare --net -- bash "${BASH_SOURCE[0]}" "${ORIG_ARGS[@]}" &
  local pid=$!
  STARTED+=("$pid")
  wait "$pid" || die "generating the capture failed"
}

generate() {
  ip link set lo up
  if [ "$MTU" != 65536 ]; then
    ip link set lo mtu "$MTU" || die "cannot set the MTU of lo to $MTU"
    ip link set dev lo gso_max_segs 1 || die "cannot set gso_max_segs of lo (iproute2 too old?)"
  fi
  log "generating the capture ($PARAMS) into $CAP; lo: $(ip -d link show lo | grep -o ' mtu [0-9]*\| gso_max_segs [0-9]*' | tr '\n' ' ')"
  ensure_tools nginx:nginx openssl:openssl curl:curl tcpdump:tcpdump python3:python3 ps:procps ss:iproute2
  [ "$(id -u)" = 0 ] || die "capturing on lo needs root (tcpdump)"
  port_free "$BASE_PORT" || die "port $BASE_PORT is in use (set BASE_PORT)"
  local need=$(( MIN_CAPTURE_BYTES * 3 / 1000000000 + 2 )) free_gb
  free_gb=$(df -P -BG "$CACHE_DIR" | awk 'NR==2 {gsub("G","",$4); print $4}')
  [ "$free_gb" -ge "$need" ] || die "only ${free_gb} GiB free in $CACHE_DIR (need ~${need} GiB: capture + outputs)"
  make_pki
  make_content
  write_gen_conf
  start_nginx gen "$BASE_PORT"
  local attempt captured received dropped rate=$RATE
  for attempt in $(seq 1 "$GEN_ATTEMPTS"); do
    RATE=$rate
    log "  attempt $attempt: $SMALL_CONNS short connections ($SMALL_PARALLEL at a time) alongside $(curl_lines large | wc -l) large-body connections ($LARGE_PARALLEL at a time, --limit-rate $RATE each)"
    local t0=$SECONDS
    generate_one main "$CAP/capture.pcap.part" "$CAP/keys.log.part"
    read -r captured received dropped lost < "$WORK/gen/tcpdump.stats"
    log "  tcpdump: $captured packets captured, $received received by filter, $dropped dropped, $lost lost at the end ($((SECONDS - t0)) s)"
    check_transfers small "$WORK/gen/small.out"
    check_transfers large "$WORK/gen/large.out"
    dropped=$((dropped + lost))
    [ "$dropped" = 0 ] && break
    [ "$attempt" = "$GEN_ATTEMPTS" ] && { log "WARNING: packets still dropped after $GEN_ATTEMPTS attempts; keeping this capture"; break; }
    rate=$(( ${rate%M} / 2 ))M
    log "  packets were dropped: again, slower"
  done
  GEN_DROPS="$dropped dropped or lost of $((received / 2)) ($captured captured), attempt $attempt, --limit-rate $RATE; lo MTU $MTU"
  log "  memory capture: $MEM_CONNS connections one after the other, each /1k then /64k"
  generate_one mem "$CAP/mem.pcap.part" "$CAP/mem-keys.log.part"
  read -r captured received dropped lost < "$WORK/gen/tcpdump.stats"
  dropped=$((dropped + lost))
  check_transfers mem "$WORK/gen/mem.out"
  [ "$dropped" = 0 ] || log "WARNING: $dropped packets dropped in the memory capture"
  stop_pids ${TREE[gen]}
  mv "$CAP/capture.pcap.part" "$CAP/capture.pcap"; mv "$CAP/keys.log.part" "$CAP/keys.log"
  mv "$CAP/mem.pcap.part" "$CAP/mem.pcap"; mv "$CAP/mem-keys.log.part" "$CAP/mem-keys.log"
  {
    echo "generated: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nginx -v 2>&1 | cut -d' ' -f3); $(curl --version | head -1 | cut -d' ' -f1-2,5); $(tcpdump --version 2>&1 | head -1)"
    echo "tcpdump: $GEN_DROPS"
    echo "memory capture: $MEM_CONNS connections, $dropped packets dropped"
  } > "$CAP/gen.txt"
  echo "$PARAMS" > "$CAP/params"
}

# ---- capture facts (python: pcap headers, JSON reports, tshark follow output) ----
pcap_stats() {   # file -> "packets=.. bytes=.. frame_min=.. frame_avg=.. frame_max=.. data_avg=.. over1514=.."
  py "$1" <<'EOF'
import struct, sys
f = open(sys.argv[1], 'rb'); h = f.read(24)
end = '<' if h[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
n = tot = big = 0; mn = 1 << 30; mx = 0; data_n = data_b = 0
while True:
    r = f.read(16)
    if len(r) < 16: break
    _, _, incl, orig = struct.unpack(end + 'IIII', r)
    f.seek(incl, 1)
    n += 1; tot += orig; mn = min(mn, orig); mx = max(mx, orig)
    if orig > 1514: big += 1
    if orig > 66 + 12:           # Ethernet + IPv4 + TCP with timestamps: more than a bare ACK
        data_n += 1; data_b += orig
print(f"packets={n} frame_bytes={tot} frame_min={mn} frame_avg={tot // max(n, 1)} frame_max={mx} "
      f"data_packets={data_n} data_avg={data_b // max(data_n, 1)} over1514_pct={100.0 * big / max(n, 1):.1f}")
EOF
}

report_facts() {   # plainsight JSON report -> "exit=.. connections=.. decrypted=.. plaintext=.. first=.. last_id=.. last=.."
  py "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
s = r['summary']; rows = r['connections']
by_id = {c['id']: c for c in rows}
with_data = [i for i, c in by_id.items() if c['bytes_client_to_server'] + c['bytes_server_to_client'] > 0]
first = by_id.get(0); last_id = max(with_data) if with_data else -1; last = by_id.get(last_id)
b = lambda c: c['bytes_client_to_server'] + c['bytes_server_to_client'] if c else -1
print(f"exit={r['exit_code']} connections={s['connections']} decrypted={s['decrypted']} "
      f"not_fully={s['partly_decrypted'] + s['not_decrypted'] + s['no_data']} plaintext={s['plaintext_bytes']} "
      f"first={b(first)} last_id={last_id} last={b(last)} no_data={s['no_data']} packets={sum(i['packets'] for i in r['inputs'])} "
      f"warnings={r['warning_count']}")
EOF
}

report_mix() {    # plainsight JSON report -> lines "count version cipher alpn plaintext-bytes"
  py "$1" <<'EOF'
import json, sys
from collections import Counter
r = json.load(open(sys.argv[1])); n = Counter(); b = Counter()
for c in r['connections']:
    k = (c['version'] or '-', c['cipher'] or '-', c['alpn'] or '-')
    n[k] += 1; b[k] += c['bytes_client_to_server'] + c['bytes_server_to_client']
for k in sorted(n):
    print(f"    {n[k]:6d} connections {k[0]} {k[1]} {k[2]}: {b[k] / 1e6:.1f} MB of plaintext")
EOF
}

follow_bytes() {  # tshark -z follow,tls,raw output -> plaintext bytes it holds
  py "$1" <<'EOF'
import sys
n = 0; body = False
for line in open(sys.argv[1]):
    s = line.strip()
    if s.startswith('Node 1:'): body = True; continue
    if s.startswith('====='):
        if body: break
        continue
    if body and s: n += len(s) // 2
print(n)
EOF
}

# ---- measuring -------------------------------------------------------------
declare -A WALL USR SYS RSS OTHER THREADS  # label -> per-run values (space-separated; THREADS: "|")
HZ=$(getconf CLK_TCK)

thread_cpu() {   # pid -> "tid name ticks" per thread, one awk for all of them
  awk '{ match($0, /\(.*\)/); n = substr($0, RSTART + 1, RLENGTH - 2); gsub(/ /, "_", n)
         split(substr($0, RSTART + RLENGTH + 1), f, " "); split(FILENAME, p, "/"); print p[5], n, f[12] + f[13] }' \
      /proc/"$1"/task/*/stat 2>/dev/null || true
}

split_threads() {   # file of "tid name ticks" samples -> "main=.. jit=.. gc=.. sinks=.. other=.." (CPU seconds; last sample per thread)
  awk -v hz="$HZ" '{ name[$1] = $2; t[$1] = $3 }
    END { for (i in t) { n = name[i]; c = "other"
            if (n == "java" || n == "main") c = "main"; else if (n ~ /Compiler/) c = "jit"; else if (n ~ /^GC_|^G1_|^VM_Periodic|^VM_Thread/) c = "gc_vm"
            else if (n ~ /^sink/) c = "sinks"
            s[c] += t[i] / hz }
          printf "main=%.2f jit=%.2f gc_vm=%.2f sinks=%.2f other=%.2f", s["main"], s["jit"], s["gc_vm"], s["sinks"], s["other"] }' "$1"
}

timed() {   # label outfile cmd... -> records wall/user/sys/rss/other-CPU (+ JVM threads); returns the command's exit code
  local label=$1 out=$2; shift 2
  local t="$WORK/logs/$label.time" busy0 total0 busy1 total1 rc pid child="" samples="$WORK/logs/$label.threads"
  read -r busy0 total0 < <(cpu_ticks)
  : > "$samples"
  /usr/bin/time -o "$t" -f '%e %U %S %M %x' "$@" >"$out" 2>>"$WORK/logs/$label.err" &
  pid=$!
  STARTED+=("$pid")
  while kill -0 "$pid" 2>/dev/null; do   # per-thread CPU of the measured process (time's child), 4 times a second
    [ -n "$child" ] || child=$(ps -o pid= --ppid "$pid" 2>/dev/null | head -1 | tr -d ' ')
    [ -n "$child" ] && thread_cpu "$child" >> "$samples"
    sleep 0.25
  done
  set +e
  wait "$pid"
  rc=$?
  set -e
  read -r busy1 total1 < <(cpu_ticks)
  THREADS[$label]+="$(split_threads "$samples")|"
  local wall usr sys rss
  read -r wall usr sys rss _ < <(tail -1 "$t")
  WALL[$label]+="$wall "; USR[$label]+="$usr "; SYS[$label]+="$sys "; RSS[$label]+="$rss "
  # CPU used by everything else, in % of the machine (noise)
  OTHER[$label]+="$(awk -v b="$((busy1 - busy0))" -v t="$((total1 - total0))" -v u="$usr" -v s="$sys" -v hz="$HZ" \
      'BEGIN { x = (b - (u + s) * hz) / (t > 0 ? t : 1) * 100; printf "%d", (x < 0 ? 0 : x) }') "
  log "  $label: ${wall} s wall, $(awk -v u="$usr" -v s="$sys" 'BEGIN{printf "%.2f", u + s}') s CPU, peak RSS $((rss / 1024)) MiB, exit $rc, other CPU $(awk "{print \$NF}" <<<"${OTHER[$label]}")%"
  return "$rc"
}

ps_run() {   # mode run-number
  local mode=$1 n=$2 label="ps-$1" args=()
  case $mode in
    pcap) args=(--pcap "$WORK/out.pcap") ;;
    nopcap) args=(--no-pcap) ;;
    har) args=(--no-pcap --har "$WORK/out.har") ;;
    *) die "unknown mode $mode" ;;
  esac
  local r="$WORK/report-$mode-$n.json" rc=0
  timed "$label" "$WORK/logs/$label.out" "$PLAINSIGHT" decrypt "$CAP/capture.pcap" --keylog "$CAP/keys.log" \
    "${args[@]}" -q --report json --report-file "$r" || rc=$?
  PS_RC[$label]+="$rc "
  [ -f "$r" ] && PS_FACTS[$label]=$(report_facts "$r")
  case $mode in
    pcap) [ -f "$WORK/out.pcap" ] && OUT_PCAP_BYTES=$(stat -c %s "$WORK/out.pcap"); rm -f "$WORK/out.pcap" ;;
    har) [ -f "$WORK/out.har" ] && OUT_HAR_BYTES=$(stat -c %s "$WORK/out.har"); rm -f "$WORK/out.har" ;;
  esac
  [ "$n" = 1 ] && [ -f "$r" ] && cp "$r" "$WORK/report-$mode.json"
  rm -f "$r"
}

tshark_run() {   # stream label
  local stream=$1 label=$2 conf rc=0
  conf=$(mktemp -d "$WORK/wsconf.XXXXXX")
  timed "$label" "$WORK/follow-$label.txt" env WIRESHARK_CONFIG_DIR="$conf" \
    tshark -r "$CAP/capture.pcap" -o "tls.keylog_file:$CAP/keys.log" -q -z "follow,tls,raw,$stream" || rc=$?
  TS_RC[$label]+="$rc "
  TS_BYTES[$label]=$(follow_bytes "$WORK/follow-$label.txt")
  rm -rf "$conf" "$WORK/follow-$label.txt"
}

declare -A PS_RC PS_FACTS TS_RC TS_BYTES
OUT_PCAP_BYTES=""; OUT_HAR_BYTES=""

med() { median "$@"; }

noisy() {   # per-run other-CPU % values -> true when half or more of them exceed NOISE_MAX
  [ $# -gt 0 ] || return 1
  local x n=0
  for x in "$@"; do [ "$x" -gt "$NOISE_MAX" ] && n=$((n + 1)); done
  [ $((2 * n)) -ge $# ]
}
mb_s() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", b / 1e6 / s; else print "n/a" }'; }
sum_list() { paste -d' ' <(tr ' ' '\n' <<<"$1" | sed '/^$/d') <(tr ' ' '\n' <<<"$2" | sed '/^$/d') | awk '{printf "%.2f ", $1 + $2}'; }

# ---- the pipeline in a warm JVM (what the JIT's warm-up costs a single run) ----
WARM_RESULT=""
warm_bench() {
  [ "$WARM_ROUNDS" -gt 0 ] || return 0
  local j ver
  if ! read -r j ver < <(find_java21); then WARM_RESULT="no JDK 21+ found"; return; fi
  # the launcher's decrypt options (heap and inlining, see ./plainsight)
  local opts=(--enable-native-access=ALL-UNNAMED -Xms64m -XX:MaxRAMPercentage=25 -XX:+UseParallelGC
              -XX:MaxInlineLevel=6 -XX:InlineSmallCode=1000 -XX:LoopUnrollLimit=16 -XX:-PartialPeelLoop
              -XX:-SplitIfBlocks -XX:MaxNewSize=64m -XX:CompileCommand=quiet
              -XX:CompileCommand=CompileThresholdScaling,com/sun/crypto/provider/*.*,0.2
              -XX:CompileCommand=CompileThresholdScaling,sun/security/provider/*.*,0.2
              -XX:CompileCommand=MaxNodeLimit,com/sun/crypto/provider/AESCrypt.makeSessionKey,1
              -XX:CompileCommand=MaxNodeLimit,com/sun/crypto/provider/ChaCha20Cipher.implChaCha20Block,1
              '-XX:CompileCommand=MaxNodeLimit,io/plainsight/offline/tls/DecryptionKeys*.*,1'
              '-XX:CompileCommand=MaxNodeLimit,io/plainsight/offline/tls/KeyLogLines*.*,1')
  [ "$ver" -ge 24 ] && opts+=(--sun-misc-unsafe-memory-access=allow)
  log "the pipeline in one JVM, $WARM_ROUNDS rounds: bench/DecryptThroughputBench.java"
  if ! "$j" "${opts[@]}" -cp "$ROOT/target/plainsight.jar" "$BENCH_DIR/DecryptThroughputBench.java" \
      "$CAP/capture.pcap" "$CAP/keys.log" "$WARM_ROUNDS" copy > "$WORK/logs/warm.out" 2>"$WORK/logs/warm.err"; then
    WARM_RESULT="harness failed: $(tail -3 "$WORK/logs/warm.err" | tr '\n' ' ')"
    return
  fi
  cat "$WORK/logs/warm.out" >&2
  WARM_RESULT=$(cat "$WORK/logs/warm.out")
}

# ---- memory per open connection ----------------------------------------------
MEM_RESULT=""
memory_bench() {
  local j ver
  if ! read -r j ver < <(find_java21); then MEM_RESULT="no JDK 21+ found"; return; fi
  local opts=(--enable-native-access=ALL-UNNAMED)
  [ "$ver" -ge 24 ] && opts+=(--sun-misc-unsafe-memory-access=allow)
  log "memory per open connection: bench/DecryptMemoryBench.java on $CAP/mem.pcap"
  local heap_mb=$(( $(stat -c %s "$CAP/mem.pcap") * 4 / 1048576 + 256 ))   # it holds the capture, twice
  [ "$heap_mb" -ge 512 ] || heap_mb=512
  if ! "$j" "${opts[@]}" "-Xmx${heap_mb}m" -XX:+UseParallelGC -cp "$ROOT/target/plainsight.jar" "$BENCH_DIR/DecryptMemoryBench.java" \
      "$CAP/mem.pcap" "$CAP/mem-keys.log" > "$WORK/logs/memory.out" 2>"$WORK/logs/memory.err"; then
    MEM_RESULT="harness failed: $(tail -3 "$WORK/logs/memory.err" | tr '\n' ' ')"
    return
  fi
  cat "$WORK/logs/memory.out" >&2
  MEM_RESULT=$(cat "$WORK/logs/memory.out")
}

# ---- main ------------------------------------------------------------------
main() {
  if [ "${DECRYPT_GEN_CHILD:-0}" = 1 ]; then generate; return; fi
  LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
  ensure_tools tshark:tshark python3:python3 /usr/bin/time:time
  if [ "$REGEN" = 1 ] || [ ! -f "$CAP/capture.pcap" ] || [ ! -f "$CAP/mem.pcap" ] || [ "$(cat "$CAP/params" 2>/dev/null)" != "$PARAMS" ]; then
    rm -f "$CAP"/capture.pcap "$CAP"/keys.log "$CAP"/mem.pcap "$CAP"/mem-keys.log "$CAP"/params
    generate_in_netns
  else
    log "using the cached capture $CAP/capture.pcap ($(cat "$CAP/params"))"
  fi
  CAP_BYTES=$(stat -c %s "$CAP/capture.pcap")
  [ "$CAP_BYTES" -ge "$MIN_CAPTURE_BYTES" ] || die "the capture has $CAP_BYTES bytes, less than MIN_CAPTURE_BYTES=$MIN_CAPTURE_BYTES (raise LARGE_FILES)"
  CAP_STATS=$(pcap_stats "$CAP/capture.pcap")
  log "capture: $CAP_BYTES bytes; $CAP_STATS"
  local free_gb
  free_gb=$(df -P -BG "$WORK" | awk 'NR==2 {gsub("G","",$4); print $4}')
  [ "$free_gb" -gt $(( CAP_BYTES * 2 / 1073741824 + 1 )) ] || die "only ${free_gb} GiB free for the outputs in $WORK"

  log "building/checking plainsight and warming the page cache (untimed run)"
  (cd "$ROOT" && "$PLAINSIGHT" --version) > "$WORK/logs/version.log" 2>&1 || die "plainsight does not build/run (see $WORK/logs/version.log)"
  PS_VERSION=$(sed 's/\x1b\[[0-9;]*m//g' "$WORK/logs/version.log" | grep -E '^plainsight [0-9]' | tail -1 || true)
  PS_VERSION="${PS_VERSION:-plainsight} (git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"
  cat "$CAP/capture.pcap" > /dev/null
  "$PLAINSIGHT" decrypt "$CAP/capture.pcap" --keylog "$CAP/keys.log" --no-pcap -q --report none 2>"$WORK/logs/warmup.err" || true

  local run m
  for run in $(seq 1 "$RUNS"); do
    log "round $run of $RUNS"
    for m in $MODES; do ps_run "$m" "$run"; done
    [ "$run" -le "$TSHARK_RUNS" ] && tshark_run 0 ts-follow0
  done
  local r
  for r in $(seq $((RUNS + 1)) "$TSHARK_RUNS"); do tshark_run 0 ts-follow0; done
  # the last stream: if tshark decrypts every packet whatever it follows, this costs the same
  LAST_ID=$(kv last_id " ${PS_FACTS[ps-${MODES%% *}]:-}")
  for r in $(seq 1 "$TSHARK_LAST_RUNS"); do [ -n "$LAST_ID" ] && tshark_run "$LAST_ID" ts-followlast; done

  warm_bench
  memory_bench
  report | tee "$REPORT"
  log "report written to $REPORT"
}

thread_medians() {   # "main=.. jit=..|main=.. jit=..|" -> medians per key
  local k out="" v
  for k in main jit gc_vm sinks other; do
    # shellcheck disable=SC2046
    v=$(median $(tr '|' '\n' <<<"$1" | sed -n "s/.*$k=\([0-9.]*\).*/\1/p"))
    out+="$k ${v:-?} s, "
  done
  echo "${out%, }"
}

row() { printf '%-44s | %12s | %12s | %8s | %-16s | %s\n' "$@"; }

report() {
  NOISY_ROWS=0
  local m label w c facts
  echo "plainsight offline decryption benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); load average at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "plainsight: $PS_VERSION; $(tshark --version 2>/dev/null | head -1)"
  echo "capture: $CAP/capture.pcap, $CAP_BYTES bytes ($(awk -v b="$CAP_BYTES" 'BEGIN{printf "%.2f GB", b/1e9}')); $(cat "$CAP/params")"
  echo "  $CAP_STATS"
  if [ "$MTU" = 65536 ]; then
    echo "  (loopback, MTU 65536 with TSO: data frames up to ~64 KiB, not 1,514 bytes as on an Ethernet link; per-packet costs weigh less than in such a capture: MTU=1500 for that)"
  else
    echo "  (loopback with MTU $MTU and gso_max_segs 1: frames of at most $((MTU + 14)) bytes, as on an Ethernet link)"
  fi
  sed 's/^/  /' "$CAP/gen.txt"
  facts=${PS_FACTS[ps-${MODES%% *}]:-}
  echo "  plainsight's report: $facts"
  [ -f "$WORK/report-${MODES%% *}.json" ] && report_mix "$WORK/report-${MODES%% *}.json"
  echo "method: MB = 10^6 bytes of capture file; MB/s = capture bytes / wall seconds; per core = capture bytes / (user + sys CPU seconds)"
  echo "  of the whole process (JIT and GC threads included); medians of $RUNS plainsight runs per mode and $TSHARK_RUNS tshark run(s), interleaved; page cache warm."
  echo "  plainsight: ./plainsight decrypt CAPTURE --keylog KEYS -q --report json --report-file R, plus: pcap = --pcap OUT; nopcap = --no-pcap; har = --no-pcap --har OUT"
  echo "  tshark: WIRESHARK_CONFIG_DIR=<empty> tshark -r CAPTURE -o tls.keylog_file:KEYS -q -z follow,tls,raw,0"
  echo
  row "metric" "plainsight" "tshark" "ratio" "target" "result"
  printf '%s\n' "---------------------------------------------+--------------+--------------+----------+------------------+-------"
  local ts_wall ts_cpu ts_rss ts_mbs ts_core
  ts_wall=$(med ${WALL[ts-follow0]:-})
  ts_cpu=$(med $(sum_list "${USR[ts-follow0]:-}" "${SYS[ts-follow0]:-}"))
  ts_rss=$(awk '{m=0; for(i=1;i<=NF;i++) if($i>m) m=$i; print m}' <<<"${RSS[ts-follow0]:-0}")
  ts_mbs=$([ -n "$ts_wall" ] && mb_s "$CAP_BYTES" "$ts_wall" || echo "")
  ts_core=$([ -n "$ts_cpu" ] && mb_s "$CAP_BYTES" "$ts_cpu" || echo "")
  for m in $MODES; do
    label="ps-$m"
    w=$(med ${WALL[$label]:-}); c=$(med $(sum_list "${USR[$label]:-}" "${SYS[$label]:-}"))
    local mbs core ratio res1 res2 name
    mbs=$(mb_s "$CAP_BYTES" "$w"); core=$(mb_s "$CAP_BYTES" "$c")
    ratio=$([ -n "$ts_mbs" ] && awk -v p="$mbs" -v t="$ts_mbs" 'BEGIN{printf "%.1fx", p / t}' || echo "-")
    case $m in pcap) name="decrypt + write PCAP" ;; nopcap) name="decrypt only (--no-pcap)" ;; har) name="decrypt + HTTP decode + HAR" ;; esac
    res1=$(awk -v p="$mbs" -v t="${ts_mbs:-0}" -v x="$TARGET_RATIO" 'BEGIN{print (t > 0 && p >= x * t) ? "PASS" : "FAIL"}')
    res2=$(awk -v p="$core" -v x="$TARGET_PER_CORE" 'BEGIN{print (p >= x) ? "PASS" : "FAIL"}')
    # shellcheck disable=SC2086
    if noisy ${OTHER[$label]:-}; then res1="NOISY"; res2="NOISY"; NOISY_ROWS=1; fi
    # shellcheck disable=SC2086
    if noisy ${OTHER[ts-follow0]:-}; then res1="NOISY"; NOISY_ROWS=1; fi
    row "$name: MB/s (wall)" "$mbs" "$ts_mbs" "$ratio" ">= ${TARGET_RATIO}x tshark" "$res1"
    row "$name: MB/s per core (CPU)" "$core" "$ts_core" "$(awk -v p="$core" -v t="${ts_core:-0}" 'BEGIN{if (t > 0) printf "%.1fx", p / t; else print "-"}')" ">= $TARGET_PER_CORE MB/s" "$res2"
  done
  local ps_rss=0 x
  for m in $MODES; do for x in ${RSS[ps-$m]:-}; do [ "$x" -gt "$ps_rss" ] && ps_rss=$x; done; done
  row "peak RSS (MiB), max over runs" "$(awk -v k="$ps_rss" 'BEGIN{printf "%.0f", k/1024}')" "$(awk -v k="$ts_rss" 'BEGIN{printf "%.0f", k/1024}')" "" "bounded" "see below"
  if [ "$NOISY_ROWS" = 1 ]; then
    echo "NOISY: half or more of the runs behind a median had more than ${NOISE_MAX}% of the machine's CPU taken by"
    echo "  other processes or the hypervisor (other CPU %, per run below): those rows are not a measurement of plainsight"
  fi
  echo
  echo "plainsight's CPU by thread (seconds, median over runs; main = the decrypting thread, jit = C1 + C2 compiler threads):"
  for m in $MODES; do
    echo "  $m: $(thread_medians "${THREADS[ps-$m]:-}")"
  done
  if [ -n "$WARM_RESULT" ]; then
    echo "the same pipeline in one JVM, round after round (bench/DecryptThroughputBench.java: reader, reassembly, decryption, plaintext copied; no bus, no sinks):"
    sed 's/^/  /' <<<"$WARM_RESULT"
  fi
  echo
  echo "checks:"
  for m in $MODES; do
    echo "  plainsight $m: exit codes ${PS_RC[ps-$m]:-}; ${PS_FACTS[ps-$m]:-no report}"
  done
  [ -n "$OUT_PCAP_BYTES" ] && echo "  decrypted PCAP written: $OUT_PCAP_BYTES bytes; HAR: ${OUT_HAR_BYTES:-n/a} bytes"
  local first last
  first=$(kv first " $facts"); last=$(kv last " $facts")
  echo "  tshark follow,tls,raw,0: exit codes ${TS_RC[ts-follow0]:-}; ${TS_BYTES[ts-follow0]:-?} plaintext bytes (plainsight, connection 0: $first)"
  if [ -n "${WALL[ts-followlast]:-}" ]; then
    echo "  tshark follow,tls,raw,$LAST_ID (last stream): exit codes ${TS_RC[ts-followlast]:-}; ${TS_BYTES[ts-followlast]:-?} plaintext bytes (plainsight: $last);"
    echo "    wall ${WALL[ts-followlast]}s, CPU $(sum_list "${USR[ts-followlast]}" "${SYS[ts-followlast]}")s, peak RSS $(awk '{printf "%.0f", $1/1024}' <<<"${RSS[ts-followlast]}") MiB"
    echo "    (against follow 0: same cost = tshark dissects and decrypts every packet whatever stream it follows)"
  fi
  echo
  echo "memory per open connection (bench/DecryptMemoryBench.java: N connections of $CAP/mem.pcap held open at once, heap after full GC):"
  sed 's/^/  /' <<<"$MEM_RESULT"
  echo
  echo "per-run values (run order: interleaved)"
  for label in $(printf '%s\n' "${!WALL[@]}" | sort); do
    echo "  $label: wall ${WALL[$label]}; user ${USR[$label]}; sys ${SYS[$label]}; peak RSS KiB ${RSS[$label]}; other CPU % ${OTHER[$label]}"
    if [ "${label#ps-}" != "$label" ]; then echo "    threads: ${THREADS[$label]:-}"; fi
  done
  return 0
}

main "$@"
