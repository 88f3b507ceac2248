# Shell functions shared by bench/reverse.sh and bench/forward.sh (sourced, not run).
# The sourcing script sets WORK (its work dir), KEEP_WORK and WORKERS before using them.

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---- process bookkeeping: stop exactly what we started ---------------------
STARTED=()          # every PID this script started (and their descendants, once known)
declare -A TREE     # name -> space-separated PIDs of its process tree

descendants() {     # PID and all its descendants
  ps -e -o pid=,ppid= | awk -v r="$1" '
    { parent[$1] = $2 }
    END { keep[r] = 1; grew = 1
          while (grew) { grew = 0
            for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; grew = 1 } }
          for (p in keep) print p }'
}

adopt_tree() {      # name root-pid: record the tree of a started process (for RSS, CPU and stopping)
  local tree p; tree=$(descendants "$2" | tr '\n' ' ')
  TREE[$1]=$tree
  for p in $tree; do [ "$p" = "$2" ] || STARTED+=("$p"); done
}

alive() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }

stop_pids() {       # TERM, wait up to 15 s, then KILL; only the given PIDs
  local p live=()
  for p in "$@"; do kill -0 "$p" 2>/dev/null && live+=("$p"); done
  [ ${#live[@]} -eq 0 ] && return 0
  kill -TERM "${live[@]}" 2>/dev/null || true
  local i
  for i in $(seq 1 150); do alive "${live[@]}" || break; sleep 0.1; done
  for p in "${live[@]}"; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null || true; done
  for p in "${live[@]}"; do wait "$p" 2>/dev/null || true; done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ ${#STARTED[@]} -gt 0 ]; then stop_pids "${STARTED[@]}"; fi
  if [ -n "${WORK:-}" ] && [ -d "$WORK" ]; then
    if [ "${KEEP_WORK:-0}" != 1 ]; then rm -rf "$WORK"; else log "work dir kept: $WORK"; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- prerequisites ---------------------------------------------------------
ensure_tools() {    # "test:package" ...; test is a command name or an absolute path that must exist
  local missing=() spec t pkg
  for spec in "$@"; do
    t=${spec%%:*}; pkg=${spec#*:}
    if [ "${t#/}" != "$t" ]; then [ -e "$t" ] && continue; else command -v "$t" >/dev/null 2>&1 && continue; fi
    missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" libc6-dev >/dev/null
  fi
}

port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }

wait_https() {      # port, pid..., timeout 120 s
  local port=$1; shift
  local i
  for i in $(seq 1 1200); do
    curl -sk -o /dev/null --max-time 2 "https://127.0.0.1:$port/1k" && return 0
    alive "$@" || return 1
    sleep 0.1
  done
  return 1
}

# ---- nginx -----------------------------------------------------------------
nginx_common() {    # $1 = name; temp paths inside the work dir, never /var/lib/nginx
  local t="$WORK/nginx-$1"
  mkdir -p "$t"
  cat <<EOF
worker_processes $WORKERS;
pid $t/nginx.pid;
error_log $WORK/logs/nginx-$1.error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $t/client_body;
    proxy_temp_path       $t/proxy;
    fastcgi_temp_path     $t/fastcgi;
    uwsgi_temp_path       $t/uwsgi;
    scgi_temp_path        $t/scgi;
    default_type application/octet-stream;
    keepalive_requests 100000000;
    keepalive_timeout  300s;
EOF
}

start_nginx() {     # $1 = name (config $WORK/$1.conf), $2 = port
  local name=$1 port=$2
  port_free "$port" || die "port $port is in use (set BASE_PORT)"
  nginx -t -q -p "$WORK" -c "$WORK/$name.conf" -e "$WORK/logs/nginx-$name.error.log" \
    || die "nginx config $name invalid, see $WORK/logs/nginx-$name.error.log"
  nginx -p "$WORK" -c "$WORK/$name.conf" -e "$WORK/logs/nginx-$name.error.log" -g 'daemon off;' \
    >"$WORK/logs/nginx-$name.out" 2>&1 &
  local pid=$!
  STARTED+=("$pid")
  wait_https "$port" "$pid" || die "nginx $name did not come up on $port (see $WORK/logs)"
  adopt_tree "$name" "$pid"
  log "nginx $name up on 127.0.0.1:$port (pids: ${TREE[$name]})"
}

# ---- measuring -------------------------------------------------------------
tree_hwm_kb() {     # sum of VmHWM (peak RSS) over the given PIDs
  local p v sum=0
  for p in "$@"; do
    v=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
    sum=$((sum + ${v:-0}))
  done
  echo "$sum"
}

tree_ticks() {      # utime+stime (all threads) of the given PIDs, in clock ticks
  local p t sum=0
  for p in "$@"; do
    t=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || true)
    sum=$((sum + ${t:-0}))
  done
  echo "$sum"
}

cpu_ticks() {       # busy and total jiffies of the whole machine
  awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6 }' /proc/stat
}

steal_ticks() {     # jiffies the hypervisor gave to other machines (part of cpu_ticks' busy)
  awk '/^cpu / { print $9 }' /proc/stat
}

kv() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<" $2"; }   # value of key $1 in a "k=v k=v" line $2

median() {          # of the arguments
  [ $# -eq 0 ] && { echo ""; return; }
  printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{ if (NR%2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2 }'
}
