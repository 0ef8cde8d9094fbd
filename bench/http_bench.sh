#!/usr/bin/env bash
# HTTP benchmark of the Argon Bot API against an nginx baseline, with wrk, all on 127.0.0.1.
#
#   bench/install-bench-deps && bench/http_bench.sh [path/to/argon]
#
# Without an argument it builds build-bench/argon (Release, no tests). It then starts, in temp
# dirs that it removes again:
#   - nginx (Debian package) with its own config: daemon off, master_process on, 2 workers,
#     access_log off, answering every request with the static 2-byte JSON `{}`;
#   - argon, seeded with `argon demo` (person, space with channel `general`, installed bot), rate
#     limits raised so that they do not throttle the load, log level warn, store defaults
#     (SQLite WAL, synchronous=FULL, group commit);
# warms each target up, and runs wrk against:
#   nginx `{}`  |  GET /IBotSelf/v1/GetMe  |  POST /IMessages/v1/Send (fresh randomId per request,
#   so every request is a new durable message)  at CONNS (100) keep-alive connections, then Send
#   once more at LOW_CONNS (10) to show latency without saturation.
# It prints a markdown table (req/s, p50, p99, ratio to nginx, cores used by the server, by wrk and by
# anything else) and the targets (GetMe >= 70 % of nginx, Send >= 30 %, p99 <= 5 ms).
#
# Nothing is pinned: wrk, nginx and argon share the machine's cores, as they would on a 2-core box.
# Knobs (env): DURATION (15s), WARMUP (3s), LOW_DURATION (10s), THREADS (2), CONNS (100),
# LOW_CONNS (10), QUIET_WAIT (20: seconds to wait for an idle machine before each row), RETRIES (1:
# re-measure a row spoiled by foreign load), KEEP_TMP=1 keeps the temp dir (data dir, logs, wrk output).
# Total run time with the defaults: about 75 s after the build on an idle machine; at most ~5 min
# when other work keeps the machine busy (QUIET_WAIT=0 RETRIES=0 caps it at ~75 s).
set -euo pipefail

DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-3s}
LOW_DURATION=${LOW_DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-100}
LOW_CONNS=${LOW_CONNS:-10}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
repo=$(cd "$here/.." && pwd)

for tool in wrk nginx ss; do
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
    echo "http_bench: '$tool' is missing; run bench/install-bench-deps first" >&2
    exit 1
  fi
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# 100 connections x (client + server side) plus the servers' own files: raise the soft limit to
# the hard limit (at least 4096 is needed; most boxes allow far more).
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ]; then ulimit -n 65536; else ulimit -n "$hard"; fi
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 4096 ]; then
  echo "http_bench: open-file limit $(ulimit -n) is below 4096; raise the hard limit" >&2
  exit 1
fi

# ---- binary -------------------------------------------------------------------------------------
if [ $# -ge 1 ]; then
  ARGON=$(realpath "$1")
else
  build="$repo/build-bench"
  echo "http_bench: building $build/argon (Release)…" >&2
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DARGON_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" --target argon >/dev/null
  ARGON="$build/argon"
fi
[ -x "$ARGON" ] || { echo "http_bench: no executable at $ARGON" >&2; exit 1; }

# ---- temp dir, cleanup --------------------------------------------------------------------------
tmp=$(mktemp -d /tmp/argon-http-bench.XXXXXX)
nginx_pid=""
argon_pid=""
cleanup() {
  local rc=$?
  for pid in "$argon_pid" "$nginx_pid"; do
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "$argon_pid" "$nginx_pid"; do
    if [ -n "$pid" ]; then
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [ "${KEEP_TMP:-0}" = 1 ]; then echo "http_bench: kept $tmp" >&2; else rm -rf "$tmp"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 40000))
    if [ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]; then echo "$p"; return 0; fi
  done
  echo "http_bench: no free port found" >&2
  return 1
}

wait_port() { # port, seconds
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "http_bench: nothing listening on 127.0.0.1:$1 after $2 s" >&2
  return 1
}

# ---- nginx --------------------------------------------------------------------------------------
nginx_port=$(free_port)
mkdir -p "$tmp/nginx/logs" "$tmp/nginx/tmp"
cat >"$tmp/nginx/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 2;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/tmp/body;
  proxy_temp_path $tmp/nginx/tmp/proxy;
  fastcgi_temp_path $tmp/nginx/tmp/fastcgi;
  uwsgi_temp_path $tmp/nginx/tmp/uwsgi;
  scgi_temp_path $tmp/nginx/tmp/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      default_type application/json;
      return 200 '{}';
    }
  }
}
EOF
"$NGINX" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/logs/error.log" \
  >"$tmp/nginx/stdout.log" 2>&1 &
nginx_pid=$!
nginx_url="http://127.0.0.1:$nginx_port/"
wait_port "$nginx_port" 10

# ---- argon --------------------------------------------------------------------------------------
data="$tmp/data"
mkdir -p "$data"
export ARGON_LOG_LEVEL=warn
export ARGON_RATELIMIT_IBOTSELF=1000000000
export ARGON_RATELIMIT_IMESSAGES=1000000000
export ARGON_RATELIMIT_MAX_CONCURRENCY=100000
argon_port=$(free_port)
"$ARGON" demo --data-dir "$data" --listen "127.0.0.1:$argon_port" >"$tmp/demo.out" 2>&1
bot_token=$(sed -n 's/^bot token: *//p' "$tmp/demo.out" | head -1)
channel=$(sed -n 's/.*(general channel \([^)]*\)).*/\1/p' "$tmp/demo.out" | head -1)
if [ -z "$bot_token" ] || [ -z "$channel" ]; then
  echo "http_bench: could not read the bot token / channel from 'argon demo':" >&2
  cat "$tmp/demo.out" >&2
  exit 1
fi
"$ARGON" serve --listen "127.0.0.1:$argon_port" --data-dir "$data" >"$tmp/argon.out" 2>"$tmp/argon.err" &
argon_pid=$!
for _ in $(seq 100); do
  grep -q "listening on http://" "$tmp/argon.out" 2>/dev/null && break
  kill -0 "$argon_pid" 2>/dev/null || { echo "http_bench: argon exited:" >&2; cat "$tmp/argon.err" >&2; exit 1; }
  sleep 0.1
done
argon_base="http://127.0.0.1:$argon_port"
getme_url="$argon_base/IBotSelf/v1/GetMe"
send_url="$argon_base/IMessages/v1/Send"
wait_port "$argon_port" 10

# Sanity: each target answers 200 before we measure it.
check() { # name, curl args...
  local name=$1; shift
  local code
  code=$(curl -s -o "$tmp/check.body" -w '%{http_code}' "$@" || true)
  if [ "$code" != 200 ]; then
    echo "http_bench: $name answered $code: $(head -c 300 "$tmp/check.body")" >&2
    exit 1
  fi
}
if command -v curl >/dev/null 2>&1; then
  check nginx "$nginx_url"
  check GetMe -H "Authorization: Bot $bot_token" "$getme_url"
  check Send -H "Authorization: Bot $bot_token" -H 'Content-Type: application/json' \
    -d "{\"channelId\":\"$channel\",\"text\":\"bench\",\"randomId\":1}" "$send_url"
fi

# ---- measuring ----------------------------------------------------------------------------------
# CPU ticks (utime+stime) of a process and its children threads/processes (nginx workers).
cpu_ticks() {
  local total=0 pid stat rest
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    stat=$(cat "/proc/$pid/stat")
    rest=${stat##*) }
    # fields after "comm)": state=1 … utime=12 stime=13 (i.e. fields 14 and 15 of the whole line)
    set -- $rest
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}
server_pids() { # name -> pids whose CPU counts for that server
  case $1 in
    nginx) echo "$nginx_pid $(pgrep -P "$nginx_pid" | tr '\n' ' ')" ;;
    *) echo "$argon_pid" ;;
  esac
}
hz=$(getconf CLK_TCK)
phase=1 # randomId namespace of send.lua: every Send run (warm-up 1, then 2, 3, …) uses fresh ids
count_messages() {
  if command -v sqlite3 >/dev/null 2>&1; then
    sqlite3 "$data/argon.db" 'PRAGMA busy_timeout=5000; SELECT count(*) FROM messages' 2>/dev/null | tail -1
  fi
}

# CPU ticks of the whole machine: "busy idle" (idle includes iowait).
machine_ticks() {
  awk '/^cpu / {busy = $2 + $3 + $4 + $7 + $8 + $9; idle = $5 + $6; print busy, idle; exit}' /proc/stat
}

# Children CPU seconds (user+sys) of this shell so far: wrk's CPU is the difference around a run.
# `times` must run in this shell (not in a $(…) subshell) to see this shell's children.
children_cpu() {
  times >"$tmp/times"
  awk 'NR==2 {
    split($1, u, /m/); split($2, t, /m/); sub(/s/, "", u[2]); sub(/s/, "", t[2])
    printf "%.2f", u[1] * 60 + u[2] + t[1] * 60 + t[2] }' "$tmp/times"
}

# The benchmark shares the machine; other work (a compiler, a test suite) skews it badly. Before
# each measured run, wait up to QUIET_WAIT seconds for the machine to be idle (< 15 % busy over 1 s).
QUIET_WAIT=${QUIET_WAIT:-20}
wait_quiet() {
  local deadline=$((SECONDS + QUIET_WAIT)) a b pct
  while :; do
    a=$(machine_ticks); sleep 1; b=$(machine_ticks)
    pct=$(echo "$a $b" | awk '{d = ($3 - $1) + ($4 - $2); print (d > 0) ? int(100 * ($3 - $1) / d) : 0}')
    [ "$pct" -lt 15 ] && return 0
    if [ $SECONDS -ge $deadline ]; then
      echo "http_bench: machine still ${pct}% busy after ${QUIET_WAIT}s of waiting; measuring anyway" >&2
      return 0
    fi
  done
}

# measure: run_wrk, and once more if foreign load (> 0.25 cores of "other") spoiled the row.
RETRIES=${RETRIES:-1}
measure() {
  local try=0
  while :; do
    run_wrk "$@"
    if awk -F'\t' 'END {exit !($13 > 0.25)}' "$tmp/results" && [ $try -lt "$RETRIES" ]; then
      echo "http_bench: foreign load during '$1 -c$3'; measuring it again" >&2
      sed -i '$d' "$tmp/results"
      try=$((try + 1))
      continue
    fi
    return 0
  done
}

# run_wrk label server conns duration url [wrk options] [-- script args] -> a row in $tmp/results
run_wrk() {
  local label=$1 server=$2 conns=$3 dur=$4 url=$5; shift 5
  local opts=() sargs=()
  while [ $# -gt 0 ]; do
    if [ "$1" = -- ]; then shift; sargs=("${@/#@phase/$((++phase))}"); break; fi
    opts+=("$1"); shift
  done
  local out="$tmp/wrk-$(echo "$label-c$conns" | tr -c 'A-Za-z0-9' '_').txt"
  local pids c0 c1 m0 m1 w0 w1
  pids=$(server_pids "$server")
  wait_quiet
  c0=$(cpu_ticks $pids)
  m0=$(machine_ticks)
  local n0="" n1=""
  case $url in *Send*) n0=$(count_messages) ;; esac
  children_cpu >"$tmp/w0"
  wrk -t"$THREADS" -c"$conns" -d"$dur" --latency "${opts[@]}" "$url" ${sargs[@]+-- "${sargs[@]}"} >"$out" 2>&1
  children_cpu >"$tmp/w1"
  w0=$(cat "$tmp/w0"); w1=$(cat "$tmp/w1")
  c1=$(cpu_ticks $pids)
  m1=$(machine_ticks)
  if [ -n "$n0" ]; then sleep 0.3; n1=$(count_messages); fi
  local rps p50 p99 non2xx errors reqs secs
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(awk '$1=="50%" {print $2}' "$out")
  p99=$(awk '$1=="99%" {print $2}' "$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
  errors=$(awk '/Socket errors:/ {sub(/.*Socket errors: */,""); print}' "$out")
  reqs=$(awk '/requests in/ {print $1}' "$out")
  secs=$(awk '/requests in/ {gsub(/s,/,"",$4); print $4}' "$out")
  if [ -z "$rps" ] || [ -z "$p99" ]; then
    echo "http_bench: wrk gave no result for $label:" >&2
    cat "$out" >&2
    exit 1
  fi
  # CPU in cores (CPU seconds / wall seconds): the server (all its threads / nginx's workers), wrk,
  # and everything else on the machine ("other": kernel threads, and any foreign load that makes
  # the row suspect; loopback softirq work is mostly charged to the server and wrk).
  local srv_cores wrk_cores other_cores busy_pct mb0 mi0 mb1 mi1
  read -r mb0 mi0 <<<"$m0"
  read -r mb1 mi1 <<<"$m1"
  srv_cores=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v s="$secs" 'BEGIN {printf "%.2f", (b - a) / hz / s}')
  wrk_cores=$(awk -v a="$w0" -v b="$w1" -v s="$secs" 'BEGIN {printf "%.2f", (b - a) / s}')
  other_cores=$(awk -v x="$mb0" -v y="$mb1" -v hz="$hz" -v s="$secs" -v srv="$srv_cores" -v w="$wrk_cores" \
    'BEGIN {r = (y - x) / hz / s - srv - w; if (r < 0) r = 0; printf "%.2f", r}')
  busy_pct=$(awk -v x="$mb0" -v y="$mb1" -v i="$mi0" -v j="$mi1" \
    'BEGIN {printf "%.0f", 100 * (y - x) / ((y - x) + (j - i))}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$conns" "$rps" "$p50" "$p99" \
    "${non2xx:-0}" "${errors:-none}" "$srv_cores" "$wrk_cores" "$reqs" "$secs" "$busy_pct" "$other_cores" "${n0:+$((n1 - n0))}" >>"$tmp/results"
  cp "$out" "$tmp/last-wrk.txt"
}

# Warm-up: connections, SQLite page cache, WAL, allocator arenas. Not reported.
echo "http_bench: warming up ($WARMUP each)…" >&2
wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" "$nginx_url" >/dev/null 2>&1
wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -H "Authorization: Bot $bot_token" "$getme_url" >/dev/null 2>&1
wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s "$here/send.lua" "$send_url" -- "$channel" "$bot_token" 1 \
  >/dev/null 2>&1
echo "http_bench: measuring ($DURATION each at -c$CONNS, Send also at -c$LOW_CONNS for $LOW_DURATION)…" >&2
: >"$tmp/results"
measure "nginx static {}" nginx "$CONNS" "$DURATION" "$nginx_url"
measure "GET /IBotSelf/v1/GetMe" argon "$CONNS" "$DURATION" "$getme_url" -H "Authorization: Bot $bot_token"
measure "POST /IMessages/v1/Send" argon "$CONNS" "$DURATION" "$send_url" -s "$here/send.lua" -- "$channel" "$bot_token" @phase
measure "POST /IMessages/v1/Send" argon "$LOW_CONNS" "$LOW_DURATION" "$send_url" -s "$here/send.lua" -- "$channel" "$bot_token" @phase

sync_mode=$(sqlite3 "$data/argon.db" 'PRAGMA journal_mode' 2>/dev/null | tail -1 || true)

# ---- report -------------------------------------------------------------------------------------
to_ms() { # wrk latency "812.00us" / "2.26ms" / "1.02s" -> ms
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.2f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
    else print v }'
}

nginx_rps=$(awk -F'\t' 'NR==1 {print $3}' "$tmp/results")
kernel=$(uname -r)
cpu=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
echo
echo "### argon HTTP benchmark — $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "$(nproc) cores ($cpu), kernel $kernel, $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'), $("$NGINX" -v 2>&1 | sed 's/.*: //'); wrk -t$THREADS, nothing pinned (wrk, nginx and argon share the cores); load average before the run: $load_before."
echo
echo "| target | conns | req/s | p50 ms | p99 ms | vs nginx | non-2xx | socket errors | server cores | wrk cores | other cores | machine busy |"
echo "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"
suspect=0
while IFS=$'\t' read -r label conns rps p50 p99 non2xx errors srv wrkc reqs secs busy other _newrows; do
  ratio=$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN {printf "%.1f %%", 100 * a / b}')
  flag=""
  if awk -v o="$other" 'BEGIN {exit !(o > 0.25)}'; then flag=" (!)"; suspect=1; fi
  printf '| %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s%s | %s %% |\n' "$label" "$conns" "$rps" \
    "$(to_ms "$p50")" "$(to_ms "$p99")" "$ratio" "$non2xx" "$errors" "$srv" "$wrkc" "$other" "$flag" "$busy"
done <"$tmp/results"
echo
if [ "$suspect" = 1 ]; then
  echo "(!) other work took more than 0.25 cores during this row: foreign load on the machine; rerun when it is idle."
  echo
fi
if command -v sqlite3 >/dev/null 2>&1; then
  awk -F'\t' -v mode="$sync_mode" -v sync="${ARGON_STORE_SYNCHRONOUS:-full (default)}" '
    $14 != "" { parts = parts sep sprintf("-c%s: %s completed by wrk, %s new rows in messages", $2, $10, $14); sep = "; " }
    END { if (parts != "") printf "Durability check (every Send a new message): %s (requests still in flight when wrk stops also commit). journal_mode=%s, store.synchronous=%s.\n\n", parts, mode, sync }' "$tmp/results"
fi

# Targets (at -c$CONNS): GetMe >= 70 % of nginx, Send >= 30 %, p99 <= 5 ms.
verdict() { if [ "$1" = 1 ]; then echo "met"; else echo "NOT met"; fi; }
awk -F'\t' -v n="$nginx_rps" 'NR==2 {print (100 * $3 / n >= 70) ? 1 : 0}' "$tmp/results" >"$tmp/t1"
awk -F'\t' -v n="$nginx_rps" 'NR==3 {print (100 * $3 / n >= 30) ? 1 : 0}' "$tmp/results" >"$tmp/t2"
getme_p99=$(to_ms "$(awk -F'\t' 'NR==2 {print $5}' "$tmp/results")")
send_p99=$(to_ms "$(awk -F'\t' 'NR==3 {print $5}' "$tmp/results")")
send_low_p99=$(to_ms "$(awk -F'\t' 'NR==4 {print $5}' "$tmp/results")")
echo "Targets at -c$CONNS:"
echo "- GetMe >= 70 % of nginx req/s: $(verdict "$(cat "$tmp/t1")")"
echo "- Send >= 30 % of nginx req/s: $(verdict "$(cat "$tmp/t2")")"
echo "- p99 <= 5 ms: GetMe $getme_p99 ms ($(verdict "$(awk -v p="$getme_p99" 'BEGIN {print (p <= 5) ? 1 : 0}')")), Send $send_p99 ms ($(verdict "$(awk -v p="$send_p99" 'BEGIN {print (p <= 5) ? 1 : 0}')")); Send at -c$LOW_CONNS: $send_low_p99 ms ($(verdict "$(awk -v p="$send_low_p99" 'BEGIN {print (p <= 5) ? 1 : 0}')"))"
