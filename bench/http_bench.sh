#!/usr/bin/env bash
# HTTP benchmark of the Argon Bot API on both store engines (SQLite and PostgreSQL) against an
# nginx baseline, with wrk, all on 127.0.0.1, in one run.
#
#   bench/install-bench-deps && bench/http_bench.sh [path/to/argon]
#
# Without an argument it builds build-bench/argon (Release, no tests). It then starts, in temp
# dirs that it removes again:
#   - nginx (Debian package) with its own config: daemon off, master_process on, 2 workers,
#     access_log off, answering every request with the static 2-byte JSON `{}`;
#   - for each engine in ENGINES, one after the other, an argon seeded with `argon demo` (person,
#     space with channel `general`, installed bot) in a data dir of its own, rate limits raised so
#     that they do not throttle the load, log level warn:
#       sqlite    store defaults (SQLite WAL, synchronous=FULL, group commit);
#       postgres  a throwaway PostgreSQL 15 cluster from scripts/pg-cluster (fsync on,
#                 synchronous_commit on; stopped and removed again), `--database URL`, store
#                 defaults (pool of 16 connections, one transaction per operation);
# warms each target up, and runs wrk against:
#   nginx `{}`  |  GET /IBotSelf/v1/GetMe  |  POST /IMessages/v1/Send (fresh randomId per request,
#   so every request is a new durable message)  at CONNS (100) keep-alive connections, then Send
#   once more at LOW_CONNS (10) to show latency without saturation — the argon rows once per engine.
# It prints a markdown table with an engine column (req/s, p50, p99, ratio to nginx, cores used by
# the server, by wrk and by anything else; for PostgreSQL the server is argon + all processes of the
# cluster's postmaster), a side-by-side summary and the targets per engine (GetMe >= 70 % of nginx,
# Send >= 30 %, p99 <= 5 ms).
#
# Nothing is pinned: wrk, nginx, argon and PostgreSQL share the machine's cores, as they would on a
# 2-core box. Knobs (env): ENGINES ("sqlite postgres": which engines, in this order), DURATION
# (15s), WARMUP (3s), LOW_DURATION (10s), THREADS (2), CONNS (100), LOW_CONNS (10), QUIET_WAIT (20:
# seconds to wait for an idle machine before each row), RETRIES (1: re-measure a row spoiled by
# foreign load), KEEP_TMP=1 keeps the temp dir (data dirs, logs incl. PostgreSQL's, wrk output).
# ARGON_STORE_URL from the environment is ignored: the engine is chosen per run by this script.
# Total run time with the defaults: about 2½ min after the build on an idle machine; at most ~9 min
# when other work keeps the machine busy (QUIET_WAIT=0 RETRIES=0 caps it at ~2½ min).
set -euo pipefail

DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-3s}
LOW_DURATION=${LOW_DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-100}
LOW_CONNS=${LOW_CONNS:-10}
ENGINES=${ENGINES:-"sqlite postgres"}
unset ARGON_STORE_URL

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
repo=$(cd "$here/.." && pwd)
BENCH_NAME=http_bench
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
PG_CLUSTER="$repo/scripts/pg-cluster"

[ -n "${ENGINES// /}" ] || { echo "http_bench: ENGINES is empty" >&2; exit 1; }
for engine in $ENGINES; do
  case $engine in
    sqlite | postgres) ;;
    *) echo "http_bench: unknown engine '$engine' in ENGINES (sqlite, postgres)" >&2; exit 1 ;;
  esac
done
want_pg=0
case " $ENGINES " in *" postgres "*) want_pg=1 ;; esac

tools="wrk nginx ss"
[ "$want_pg" = 1 ] && tools="$tools psql"
for tool in $tools; do
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
    echo "http_bench: '$tool' is missing; run bench/install-bench-deps first" >&2
    exit 1
  fi
done
if [ "$want_pg" = 1 ] && [ ! -x "$PG_CLUSTER" ]; then
  echo "http_bench: $PG_CLUSTER is missing (needed for ENGINES=postgres)" >&2
  exit 1
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# 100 connections x (client + server side) plus the servers' own files: raise the soft limit to
# the hard limit (at least 4096 is needed; most boxes allow far more).
raise_open_files 4096

# ---- binary -------------------------------------------------------------------------------------
ARGON=$(bench_argon "${1:-}" build-bench)
[ -x "$ARGON" ] || { echo "http_bench: no executable at $ARGON" >&2; exit 1; }

# ---- temp dir, cleanup --------------------------------------------------------------------------
tmp=$(mktemp -d /tmp/argon-http-bench.XXXXXX)
nginx_pid=""
argon_pid=""
pg_dir=""   # the PostgreSQL cluster's own temp dir (pg-cluster hands it to the postgres user)
pg_url=""
pg_pm=""    # its postmaster's pid
stop_argon() {
  stop_pid "$argon_pid"
  argon_pid=""
}
stop_pg() {
  [ -n "$pg_dir" ] || return 0
  cp "$pg_dir/server.log" "$tmp/postgres-server.log" 2>/dev/null || true
  "$PG_CLUSTER" stop "$pg_dir" >/dev/null 2>&1 ||
    echo "http_bench: could not stop the PostgreSQL cluster in $pg_dir" >&2
  pg_dir="" pg_url="" pg_pm=""
}
cleanup() {
  local rc=$?
  stop_argon
  stop_pid "$nginx_pid"
  stop_pg
  if [ "${KEEP_TMP:-0}" = 1 ]; then echo "http_bench: kept $tmp" >&2; else rm -rf "$tmp"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

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

# ---- argon (one engine at a time) ---------------------------------------------------------------
export ARGON_LOG_LEVEL=warn
export ARGON_RATELIMIT_IBOTSELF=1000000000
export ARGON_RATELIMIT_IMESSAGES=1000000000
export ARGON_RATELIMIT_MAX_CONCURRENCY=100000
data="" bot_token="" channel="" argon_port="" getme_url="" send_url=""

# start_argon engine: (postgres: a fresh cluster first), seed with `argon demo`, start `argon serve`.
start_argon() {
  local engine=$1
  local db_args=()
  data="$tmp/data-$engine"
  mkdir -p "$data"
  if [ "$engine" = postgres ]; then
    # Its own mktemp dir directly under /tmp: pg-cluster hands it to the postgres user, which
    # could not enter $tmp (mode 700, root's).
    pg_dir=$(mktemp -d /tmp/argon-http-bench-pg.XXXXXX)
    if ! pg_url=$("$PG_CLUSTER" start "$pg_dir" 2>"$tmp/pg-cluster.err"); then
      echo "http_bench: scripts/pg-cluster start failed:" >&2
      cat "$tmp/pg-cluster.err" >&2
      exit 1
    fi
    pg_pm=$(head -1 "$pg_dir/data/postmaster.pid")
    db_args=(--database "$pg_url")
  fi
  argon_port=$(free_port)
  if ! "$ARGON" demo --data-dir "$data" ${db_args[@]+"${db_args[@]}"} --listen "127.0.0.1:$argon_port" \
    >"$tmp/demo-$engine.out" 2>&1; then
    echo "http_bench: 'argon demo' failed ($engine):" >&2
    cat "$tmp/demo-$engine.out" >&2
    exit 1
  fi
  bot_token=$(sed -n 's/^bot token: *//p' "$tmp/demo-$engine.out" | head -1)
  channel=$(sed -n 's/.*(general channel \([^)]*\)).*/\1/p' "$tmp/demo-$engine.out" | head -1)
  if [ -z "$bot_token" ] || [ -z "$channel" ]; then
    echo "http_bench: could not read the bot token / channel from 'argon demo' ($engine):" >&2
    cat "$tmp/demo-$engine.out" >&2
    exit 1
  fi
  "$ARGON" serve --listen "127.0.0.1:$argon_port" --data-dir "$data" ${db_args[@]+"${db_args[@]}"} \
    >"$tmp/argon-$engine.out" 2>"$tmp/argon-$engine.err" &
  argon_pid=$!
  for _ in $(seq 100); do
    grep -q "listening on http://" "$tmp/argon-$engine.out" 2>/dev/null && break
    kill -0 "$argon_pid" 2>/dev/null || { echo "http_bench: argon exited:" >&2; cat "$tmp/argon-$engine.err" >&2; exit 1; }
    sleep 0.1
  done
  getme_url="http://127.0.0.1:$argon_port/IBotSelf/v1/GetMe"
  send_url="http://127.0.0.1:$argon_port/IMessages/v1/Send"
  wait_port "$argon_port" 10
}

# Sanity: each target answers 200 before we measure it.
check() { # name, curl args...
  local name=$1; shift
  local code
  command -v curl >/dev/null 2>&1 || return 0
  code=$(curl -s -o "$tmp/check.body" -w '%{http_code}' "$@" || true)
  if [ "$code" != 200 ]; then
    echo "http_bench: $name answered $code: $(head -c 300 "$tmp/check.body")" >&2
    exit 1
  fi
}

# ---- measuring ----------------------------------------------------------------------------------
# CPU ticks (utime+stime, all threads) of the given processes.
# CPU ticks of the PostgreSQL cluster: the postmaster (own + its reaped children's: cutime and
# cstime, so backends or autovacuum workers that exit during a row still count) + its live children.
# server_ticks server -> "total postgres-part": the CPU that counts for that server's rows.
server_ticks() {
  case $1 in
    nginx)
      # shellcheck disable=SC2046
      echo "$(cpu_ticks "$nginx_pid" $(pgrep -P "$nginx_pid" | tr '\n' ' ')) 0" ;;
    sqlite) echo "$(cpu_ticks "$argon_pid") 0" ;;
    postgres)
      local a p
      a=$(cpu_ticks "$argon_pid"); p=$(pg_ticks)
      echo "$((a + p)) $p" ;;
  esac
}
hz=$(getconf CLK_TCK)
phase=1 # randomId namespace of send.lua: every Send run (warm-up 1, then 2, 3, …) uses fresh ids
count_messages() { # engine
  case $1 in
    sqlite)
      if command -v sqlite3 >/dev/null 2>&1; then
        sqlite3 "$data/argon.db" 'PRAGMA busy_timeout=5000; SELECT count(*) FROM messages' 2>/dev/null | tail -1
      fi ;;
    postgres) psql "$pg_url" -X -Atc 'SELECT count(*) FROM messages' 2>/dev/null || true ;;
  esac
}
# PostgreSQL counters around a row: committed transactions in the argon database, WAL flushes
# (fdatasync), WAL bytes. The statistics are flushed by the backends about once a second.
pg_counters() {
  psql "$pg_url" -X -At -F ' ' -c "SELECT (SELECT xact_commit FROM pg_stat_database
    WHERE datname = current_database()), wal_sync, wal_bytes FROM pg_stat_wal" 2>/dev/null || echo "- - -"
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

# Rows of $tmp/results, tab-separated, no empty field ("-" instead):
#  1 engine (nginx|sqlite|postgres)  2 kind (nginx|getme|send|sendlow)  3 label  4 conns  5 req/s
#  6 p50  7 p99  8 non-2xx  9 socket errors  10 server cores  11 wrk cores  12 requests  13 seconds
#  14 machine busy %  15 other cores  16 postgres cores  17 new message rows  18 commits
#  19 WAL syncs  20 WAL bytes
# measure: run_wrk, and once more if foreign load (> 0.25 cores of "other") spoiled the row.
RETRIES=${RETRIES:-1}
measure() {
  local try=0
  while :; do
    run_wrk "$@"
    if awk -F'\t' 'END {exit !($15 > 0.25)}' "$tmp/results" && [ $try -lt "$RETRIES" ]; then
      echo "http_bench: foreign load during '$1 $3 -c$4'; measuring it again" >&2
      sed -i '$d' "$tmp/results"
      try=$((try + 1))
      continue
    fi
    return 0
  done
}

# run_wrk engine kind label conns duration url [wrk options] [-- script args] -> a row in $tmp/results
run_wrk() {
  local engine=$1 kind=$2 label=$3 conns=$4 dur=$5 url=$6; shift 6
  local opts=() sargs=()
  while [ $# -gt 0 ]; do
    if [ "$1" = -- ]; then shift; sargs=("${@/#@phase/$((++phase))}"); break; fi
    opts+=("$1"); shift
  done
  local out
  out="$tmp/wrk-$(echo "$engine-$label-c$conns" | tr -c 'A-Za-z0-9' '_').txt"
  local c0 c1 p0 p1 m0 m1 w0 w1 g0="- - -" g1="- - -"
  wait_quiet
  read -r c0 p0 <<<"$(server_ticks "$engine")"
  m0=$(machine_ticks)
  local n0="" n1=""
  case $kind in send*) n0=$(count_messages "$engine") ;; esac
  [ "$engine" = postgres ] && g0=$(pg_counters)
  children_cpu >"$tmp/w0"
  wrk -t"$THREADS" -c"$conns" -d"$dur" --latency ${opts[@]+"${opts[@]}"} "$url" ${sargs[@]+-- "${sargs[@]}"} >"$out" 2>&1
  children_cpu >"$tmp/w1"
  w0=$(cat "$tmp/w0"); w1=$(cat "$tmp/w1")
  read -r c1 p1 <<<"$(server_ticks "$engine")"
  m1=$(machine_ticks)
  if [ -n "$n0" ]; then sleep 0.3; n1=$(count_messages "$engine"); fi
  if [ "$engine" = postgres ]; then sleep 1.2; g1=$(pg_counters); fi
  local rps p50 p99 non2xx errors reqs secs
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(awk '$1=="50%" {print $2}' "$out")
  p99=$(awk '$1=="99%" {print $2}' "$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
  errors=$(awk '/Socket errors:/ {sub(/.*Socket errors: */,""); print}' "$out")
  reqs=$(awk '/requests in/ {print $1}' "$out")
  secs=$(awk '/requests in/ {gsub(/s,/,"",$4); print $4}' "$out")
  if [ -z "$rps" ] || [ -z "$p99" ]; then
    echo "http_bench: wrk gave no result for $engine $label:" >&2
    cat "$out" >&2
    exit 1
  fi
  # CPU in cores (CPU seconds / wall seconds): the server (all argon's threads / nginx's workers;
  # for PostgreSQL rows argon + the cluster), wrk, and everything else on the machine ("other":
  # kernel threads, and any foreign load that makes the row suspect; loopback softirq work is
  # mostly charged to the server and wrk).
  local srv_cores pg_cores wrk_cores other_cores busy_pct mb0 mi0 mb1 mi1
  read -r mb0 mi0 <<<"$m0"
  read -r mb1 mi1 <<<"$m1"
  srv_cores=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v s="$secs" 'BEGIN {printf "%.2f", (b - a) / hz / s}')
  pg_cores="-"
  [ "$engine" = postgres ] &&
    pg_cores=$(awk -v a="$p0" -v b="$p1" -v hz="$hz" -v s="$secs" 'BEGIN {printf "%.2f", (b - a) / hz / s}')
  wrk_cores=$(awk -v a="$w0" -v b="$w1" -v s="$secs" 'BEGIN {printf "%.2f", (b - a) / s}')
  other_cores=$(awk -v x="$mb0" -v y="$mb1" -v hz="$hz" -v s="$secs" -v srv="$srv_cores" -v w="$wrk_cores" \
    'BEGIN {r = (y - x) / hz / s - srv - w; if (r < 0) r = 0; printf "%.2f", r}')
  busy_pct=$(awk -v x="$mb0" -v y="$mb1" -v i="$mi0" -v j="$mi1" \
    'BEGIN {printf "%.0f", 100 * (y - x) / ((y - x) + (j - i))}')
  local newrows="-" commits wsyncs wbytes
  [ -n "$n0" ] && [ -n "$n1" ] && newrows=$((n1 - n0))
  read -r commits wsyncs wbytes <<<"$(paste -d' ' <(echo "$g0") <(echo "$g1") |
    awk '{ if ($1 == "-" || $4 == "-") print "- - -"; else print $4 - $1, $5 - $2, $6 - $3 }')"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$engine" "$kind" "$label" "$conns" "$rps" "$p50" "$p99" "${non2xx:-0}" "${errors:-none}" \
    "$srv_cores" "$wrk_cores" "$reqs" "$secs" "$busy_pct" "$other_cores" "$pg_cores" "$newrows" \
    "$commits" "$wsyncs" "$wbytes" >>"$tmp/results"
  cp "$out" "$tmp/last-wrk.txt"
}

: >"$tmp/results"
: >"$tmp/settings"
check nginx "$nginx_url"
echo "http_bench: warming up nginx ($WARMUP)…" >&2
wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" "$nginx_url" >/dev/null 2>&1
echo "http_bench: measuring nginx ($DURATION at -c$CONNS)…" >&2
measure nginx nginx "nginx static {}" "$CONNS" "$DURATION" "$nginx_url"

for engine in $ENGINES; do
  echo "http_bench: starting argon on $engine…" >&2
  start_argon "$engine"
  check "GetMe ($engine)" -H "Authorization: Bot $bot_token" "$getme_url"
  check "Send ($engine)" -H "Authorization: Bot $bot_token" -H 'Content-Type: application/json' \
    -d "{\"channelId\":\"$channel\",\"text\":\"bench\",\"randomId\":1}" "$send_url"
  # Warm-up: connections, page cache / shared buffers, WAL, allocator arenas. Not reported.
  echo "http_bench: warming up argon on $engine ($WARMUP each)…" >&2
  wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -H "Authorization: Bot $bot_token" "$getme_url" >/dev/null 2>&1
  wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s "$here/send.lua" "$send_url" -- "$channel" "$bot_token" 1 \
    >/dev/null 2>&1
  echo "http_bench: measuring $engine ($DURATION each at -c$CONNS, Send also at -c$LOW_CONNS for $LOW_DURATION)…" >&2
  measure "$engine" getme "GET /IBotSelf/v1/GetMe" "$CONNS" "$DURATION" "$getme_url" -H "Authorization: Bot $bot_token"
  measure "$engine" send "POST /IMessages/v1/Send" "$CONNS" "$DURATION" "$send_url" -s "$here/send.lua" -- "$channel" "$bot_token" @phase
  measure "$engine" sendlow "POST /IMessages/v1/Send" "$LOW_CONNS" "$LOW_DURATION" "$send_url" -s "$here/send.lua" -- "$channel" "$bot_token" @phase
  case $engine in
    sqlite)
      mode=$(sqlite3 "$data/argon.db" 'PRAGMA journal_mode' 2>/dev/null | tail -1 || true)
      printf 'sqlite\tjournal_mode=%s, store.synchronous=%s, store.max_batch=%s\n' "${mode:-?}" \
        "${ARGON_STORE_SYNCHRONOUS:-full (default)}" "${ARGON_STORE_MAX_BATCH:-256 (default)}" >>"$tmp/settings" ;;
    postgres)
      pgset=$(psql "$pg_url" -X -At -F ', ' -c "SELECT 'PostgreSQL ' || current_setting('server_version'),
        'fsync=' || current_setting('fsync'), 'synchronous_commit=' || current_setting('synchronous_commit'),
        'wal_sync_method=' || current_setting('wal_sync_method'), 'commit_delay=' || current_setting('commit_delay'),
        'shared_buffers=' || current_setting('shared_buffers')" 2>/dev/null || echo '?')
      printf 'postgres\t%s, store.pool_size=%s\n' "$pgset" "${ARGON_STORE_POOL_SIZE:-16 (default)}" >>"$tmp/settings" ;;
  esac
  stop_argon
  # Anything argon (and PostgreSQL) logged at warn or above during the run.
  grep -v '^listening on' "$tmp/argon-$engine.err" >"$tmp/log-$engine.txt" 2>/dev/null || true
  if [ "$engine" = postgres ]; then
    stop_pg
    grep -E 'WARNING|ERROR|FATAL|PANIC' "$tmp/postgres-server.log" >>"$tmp/log-$engine.txt" 2>/dev/null || true
  fi
done

# ---- report -------------------------------------------------------------------------------------
to_ms() { # wrk latency "812.00us" / "2.26ms" / "1.02s" -> ms
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.2f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
    else print v }'
}
field() { # engine kind column -> the value of that row (first match)
  awk -F'\t' -v e="$1" -v k="$2" -v c="$3" '$1 == e && $2 == k {print $c; exit}' "$tmp/results"
}

nginx_rps=$(field nginx nginx 5)
kernel=$(uname -r)
cpu=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
echo
echo "### argon HTTP benchmark, engines: $ENGINES — $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "$(nproc) cores ($cpu), kernel $kernel, $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'), $("$NGINX" -v 2>&1 | sed 's/.*: //'); wrk -t$THREADS, $DURATION per row (-c$LOW_CONNS: $LOW_DURATION), nothing pinned (wrk, nginx, argon and PostgreSQL share the cores); load average before the run: $load_before."
echo
echo "| engine | target | conns | req/s | p50 ms | p99 ms | vs nginx | non-2xx | socket errors | server cores | of which postgres | wrk cores | other cores | machine busy |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|"
suspect=0
while IFS=$'\t' read -r engine _kind label conns rps p50 p99 non2xx errors srv wrkc _reqs _secs busy other pgc _rest; do
  ratio=$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN {printf "%.1f %%", 100 * a / b}')
  flag=""
  if awk -v o="$other" 'BEGIN {exit !(o > 0.25)}'; then flag=" (!)"; suspect=1; fi
  printf '| %s | %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s%s | %s %% |\n' "$engine" "$label" "$conns" "$rps" \
    "$(to_ms "$p50")" "$(to_ms "$p99")" "$ratio" "$non2xx" "$errors" "$srv" "$pgc" "$wrkc" "$other" "$flag" "$busy"
done <"$tmp/results"
echo
echo "server cores: CPU seconds per wall second of nginx (master + workers), of argon (all threads), and for the postgres rows of argon + the PostgreSQL cluster (postmaster and all its children: backends, WAL writer, checkpointer, autovacuum; \"of which postgres\" is that part)."
if [ "$suspect" = 1 ]; then
  echo "(!) other work took more than 0.25 cores during this row: foreign load on the machine; rerun when it is idle."
fi
echo

n_engines=$(echo "$ENGINES" | wc -w)
if [ "$n_engines" -gt 1 ]; then
  # Side by side: one column pair per engine.
  header="| target | conns |" sep="|---|---:|"
  for engine in $ENGINES; do header="$header $engine req/s (vs nginx) | $engine p99 ms |"; sep="$sep---:|---:|"; done
  echo "$header"
  echo "$sep"
  for kind in getme send sendlow; do
    line="| $(field "$(echo "$ENGINES" | awk '{print $1}')" $kind 3) | $(field "$(echo "$ENGINES" | awk '{print $1}')" $kind 4) |"
    for engine in $ENGINES; do
      r=$(field "$engine" $kind 5)
      line="$line $(awk -v a="$r" -v b="$nginx_rps" 'BEGIN {printf "%.0f (%.1f %%)", a, 100 * a / b}') | $(to_ms "$(field "$engine" $kind 7)") |"
    done
    echo "$line"
  done
  echo
fi

# Durability: every Send a new message; for PostgreSQL also commits and WAL flushes per Send.
for engine in $ENGINES; do
  awk -F'\t' -v e="$engine" -v set="$(awk -F'\t' -v e="$engine" '$1 == e {print $2}' "$tmp/settings")" '
    $1 == e && $17 != "-" {
      parts = parts sep sprintf("-c%s: %s completed by wrk, %s new rows in messages", $4, $12, $17)
      if ($18 != "-" && $17 > 0)
        parts = parts sprintf(" (%s commits = %.2f per message, %s WAL fsyncs = %.1f messages per fsync, %.1f KB WAL per message)",
          $18, $18 / $17, $19, ($19 > 0) ? $17 / $19 : 0, $20 / $17 / 1024)
      sep = "; " }
    END { if (parts != "") printf "Durability check, %s (every Send a new message): %s (requests still in flight when wrk stops also commit). %s.\n\n", e, parts, set }' "$tmp/results"
done

# RESULTS_OUT=path: a copy of the raw results (for bench/all.sh, `make bench`).
[ -n "${RESULTS_OUT:-}" ] && cp "$tmp/results" "$RESULTS_OUT"

# Server log lines at warn or above (argon; PostgreSQL's WARNING/ERROR/FATAL/PANIC).
for engine in $ENGINES; do
  if [ -s "$tmp/log-$engine.txt" ]; then
    echo "Server log ($engine): $(wc -l <"$tmp/log-$engine.txt") lines at warn or above, first ones:"
    echo
    echo '```'
    head -n 10 "$tmp/log-$engine.txt"
    echo '```'
    echo
  fi
done

# Targets (at -c$CONNS): GetMe >= 70 % of nginx, Send >= 30 %, p99 <= 5 ms.
verdict() { if [ "$1" = 1 ]; then echo "met"; else echo "NOT met"; fi; }
pct_of_nginx() { awk -v a="$1" -v b="$nginx_rps" 'BEGIN {printf "%.1f", 100 * a / b}'; }
at_least() { awk -v v="$1" -v t="$2" 'BEGIN {print (v >= t) ? 1 : 0}'; }
at_most() { awk -v v="$1" -v t="$2" 'BEGIN {print (v <= t) ? 1 : 0}'; }
for engine in $ENGINES; do
  getme_pct=$(pct_of_nginx "$(field "$engine" getme 5)")
  send_pct=$(pct_of_nginx "$(field "$engine" send 5)")
  getme_p99=$(to_ms "$(field "$engine" getme 7)")
  send_p99=$(to_ms "$(field "$engine" send 7)")
  send_low_p99=$(to_ms "$(field "$engine" sendlow 7)")
  echo "Targets, $engine, at -c$CONNS:"
  echo "- GetMe >= 70 % of nginx req/s: $getme_pct % ($(verdict "$(at_least "$getme_pct" 70)"))"
  echo "- Send >= 30 % of nginx req/s: $send_pct % ($(verdict "$(at_least "$send_pct" 30)"))"
  echo "- p99 <= 5 ms: GetMe $getme_p99 ms ($(verdict "$(at_most "$getme_p99" 5)")), Send $send_p99 ms ($(verdict "$(at_most "$send_p99" 5)")); Send at -c$LOW_CONNS: $send_low_p99 ms ($(verdict "$(at_most "$send_low_p99" 5)"))"
  echo
done
