#!/usr/bin/env bash
# Event-stream (SSE) benchmarks of argon on both store engines (SQLite and PostgreSQL), all on
# 127.0.0.1, with the C++ load client in bench/sse/, in one run.
#
#   bench/sse_bench.sh [path/to/argon]
#
# Without an argument it builds build-ssebench/argon (Release, no tests). The load client is built
# with g++ -O2 -std=c++20 into the temp dir. For each engine in ENGINES, each scenario gets a fresh
# server seeded by `argon demo` (person, space with channel `general`, installed bot) in a temp data
# dir of its own; on postgres also a fresh throwaway PostgreSQL 15 cluster from scripts/pg-cluster
# (fsync on, synchronous_commit on; stopped and removed after the scenario) given as `--database`.
# Every stream uses the one bot token, so the rate limits are raised (IEvents, IMessages,
# max_concurrency), log level warn, heartbeat 3600 s (no heartbeats during the runs), store defaults
# (SQLite: WAL, synchronous=FULL, group commit; PostgreSQL: pool of 16 connections, one transaction
# per operation), stream queue default (1048576 bytes) unless STREAM_QUEUE_BYTES.
#
#   (a) idle     IDLE_STREAMS (10000) idle streams: server VmRSS delta / streams
#   (b) fanout   FANOUT_STREAMS (10000) streams, FANOUT_ROUNDS (10) single messages: time from just
#                before the Send until the last stream has the messageCreate frame
#   (c) latency  LAT_STREAMS (1000) streams, LAT_RATE (1000) messages/s for LAT_DURATION (12) s,
#                first LAT_WARMUP (2) s excluded: Send→event latency over every (stream, message);
#                then the same at the lower rates in LAT_SWEEP ("100 300") to show where it holds
#   (d) replay   REPLAY_MESSAGES (100000) missed events: Last-Event-ID reconnect → `resumed`, once
#                with the default stream queue and once with REPLAY_BIG_QUEUE (4194304) bytes
#
# Before each scenario it waits (≤ QUIET_WAIT s) for an idle machine, and it records the CPU of the
# whole scenario run: argon, PostgreSQL (postmaster and all its children), the client, and the rest
# of the machine ("other"; a run where other work took more than 0.3 cores is flagged (!)).
# It prints each scenario's log lines and then a markdown table, one column per engine, with the
# targets. Knobs (env): the ones above, ENGINES ("sqlite postgres": which engines, in this order),
# SCENARIOS ("idle fanout latency replay": which scenarios run; the others' rows say "no result"),
# CLIENT_THREADS (1: receiver threads of the client), SENDERS (16: keep-alive Send connections for
# (c)), SEED_SENDERS (32: for seeding (d)), TIMEOUT (120 s per wait), STREAM_QUEUE_BYTES, QUIET_WAIT
# (20), KEEP_TMP=1 keeps the temp dir (data dirs, server logs incl. PostgreSQL's, raw output).
# ARGON_STORE_URL from the environment is ignored: the engine is chosen per run by this script.
# Total run time with the defaults: about 2 minutes on SQLite and 4 on PostgreSQL after the build
# (its Sends are slower: seeding each replay of (d) takes about a minute); more when it waits.
set -euo pipefail

IDLE_STREAMS=${IDLE_STREAMS:-10000}
FANOUT_STREAMS=${FANOUT_STREAMS:-10000}
FANOUT_ROUNDS=${FANOUT_ROUNDS:-10}
LAT_STREAMS=${LAT_STREAMS:-1000}
LAT_RATE=${LAT_RATE:-1000}
LAT_DURATION=${LAT_DURATION:-12}
LAT_WARMUP=${LAT_WARMUP:-2}
LAT_SWEEP=${LAT_SWEEP-"100 300"}
REPLAY_MESSAGES=${REPLAY_MESSAGES:-100000}
CLIENT_THREADS=${CLIENT_THREADS:-1}
SENDERS=${SENDERS:-16}
SEED_SENDERS=${SEED_SENDERS:-32}
TIMEOUT=${TIMEOUT:-120}
STREAM_QUEUE_BYTES=${STREAM_QUEUE_BYTES:-}
QUIET_WAIT=${QUIET_WAIT:-20}
ENGINES=${ENGINES:-"sqlite postgres"}
SCENARIOS=${SCENARIOS:-"idle fanout latency replay"}
unset ARGON_STORE_URL

REPLAY_BIG_QUEUE=${REPLAY_BIG_QUEUE:-4194304}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
repo=$(cd "$here/.." && pwd)
BENCH_NAME=sse_bench
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
PG_CLUSTER="$repo/scripts/pg-cluster"

[ -n "${ENGINES// /}" ] || { echo "sse_bench: ENGINES is empty" >&2; exit 1; }
for engine in $ENGINES; do
  case $engine in
    sqlite | postgres) ;;
    *) echo "sse_bench: unknown engine '$engine' in ENGINES (sqlite, postgres)" >&2; exit 1 ;;
  esac
done
case " $ENGINES " in
  *" postgres "*)
    [ -x "$PG_CLUSTER" ] || { echo "sse_bench: $PG_CLUSTER is missing (needed for postgres)" >&2; exit 1; } ;;
esac

# Each stream is one socket in the client and one in the server (separate processes, each with
# its own limit): raise the soft limit to the hard limit and check it covers the largest scenario.
need=$(( (IDLE_STREAMS > FANOUT_STREAMS ? IDLE_STREAMS : FANOUT_STREAMS) + 256 ))
raise_open_files "$need"

# ---- binaries -----------------------------------------------------------------------------------
ARGON=$(bench_argon "${1:-}" build-ssebench)
[ -x "$ARGON" ] || { echo "sse_bench: no executable at $ARGON" >&2; exit 1; }

tmp=$(mktemp -d /tmp/argon-sse-bench.XXXXXX)
server_pid=""
pg_dir=""  # the current scenario's PostgreSQL cluster (its own dir: pg-cluster hands it to postgres)
pg_pm=""   # its postmaster's pid
server_dir=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
  if [ -n "$pg_dir" ]; then
    if [ -n "$server_dir" ]; then cp "$pg_dir/server.log" "$server_dir/postgres.log" 2>/dev/null || true; fi
    "$PG_CLUSTER" stop "$pg_dir" >/dev/null 2>&1 ||
      echo "sse_bench: could not stop the PostgreSQL cluster in $pg_dir" >&2
    pg_dir="" pg_pm=""
  fi
}
cleanup() {
  local rc=$?
  stop_server
  if [ "${KEEP_TMP:-0}" = 1 ]; then echo "sse_bench: kept $tmp" >&2; else rm -rf "$tmp"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "sse_bench: building the load client…" >&2
g++ -O2 -std=c++20 -pthread -o "$tmp/sse_load" "$here/sse/sse_load.cpp"
LOAD="$tmp/sse_load"

# ---- CPU accounting -----------------------------------------------------------------------------
hz=$(getconf CLK_TCK)
machine_ticks() {  # "busy idle" of the whole machine
  awk '/^cpu / {busy = $2 + $3 + $4 + $7 + $8 + $9; idle = $5 + $6; print busy, idle; exit}' /proc/stat
}
children_cpu() {  # CPU seconds of this shell's finished children (the client); run in this shell
  times >"$tmp/times"
  awk 'NR==2 {
    split($1, u, /m/); split($2, t, /m/); sub(/s/, "", u[2]); sub(/s/, "", t[2])
    printf "%.2f", u[1] * 60 + u[2] + t[1] * 60 + t[2] }' "$tmp/times"
}
wait_quiet() {  # up to QUIET_WAIT s for the machine to be < 15 % busy over 1 s
  local deadline=$((SECONDS + QUIET_WAIT)) a b pct
  while :; do
    a=$(machine_ticks); sleep 1; b=$(machine_ticks)
    pct=$(echo "$a $b" | awk '{d = ($3 - $1) + ($4 - $2); print (d > 0) ? int(100 * ($3 - $1) / d) : 0}')
    [ "$pct" -lt 15 ] && return 0
    if [ $SECONDS -ge $deadline ]; then
      echo "sse_bench: machine still ${pct}% busy after ${QUIET_WAIT}s of waiting; measuring anyway" >&2
      return 0
    fi
  done
}

# ---- one fresh server per scenario --------------------------------------------------------------
PORT="" TOKEN="" CHANNEL=""
start_server() {  # $1 = engine, $2 = scenario name, $3 = stream queue bytes (optional)
  local engine=$1 queue=${3:-$STREAM_QUEUE_BYTES}
  local dir="$tmp/$1-$2"
  local db_args=()
  server_dir=$dir
  mkdir -p "$dir"
  if [ "$engine" = postgres ]; then
    pg_dir=$(mktemp -d /tmp/argon-sse-bench-pg.XXXXXX)
    local url
    if ! url=$("$PG_CLUSTER" start "$pg_dir" 2>"$dir/pg-cluster.err"); then
      echo "sse_bench: scripts/pg-cluster start failed:" >&2
      cat "$dir/pg-cluster.err" >&2
      exit 1
    fi
    pg_pm=$(head -1 "$pg_dir/data/postmaster.pid")
    db_args=(--database "$url")
  fi
  "$ARGON" demo --data-dir "$dir/data" ${db_args[@]+"${db_args[@]}"} --listen 127.0.0.1:1 >"$dir/demo.txt" 2>&1 ||
    { echo "sse_bench: 'argon demo' failed ($engine):" >&2; cat "$dir/demo.txt" >&2; exit 1; }
  TOKEN=$(sed -n 's/^bot token: //p' "$dir/demo.txt")
  CHANNEL=$(sed -n 's/.*(general channel \([^)]*\)).*/\1/p' "$dir/demo.txt")
  if [ -z "$TOKEN" ] || [ -z "$CHANNEL" ]; then echo "sse_bench: demo output unexpected" >&2; exit 1; fi
  env ARGON_RATELIMIT_IEVENTS=1000000000 ARGON_RATELIMIT_IMESSAGES=1000000000 \
    ARGON_RATELIMIT_MAX_CONCURRENCY=1000000 ARGON_LOG_LEVEL=warn \
    ARGON_EVENTS_HEARTBEAT_SECONDS=3600 ARGON_EVENTS_STREAM_QUEUE_BYTES="${queue:-1048576}" \
    "$ARGON" serve --listen 127.0.0.1:0 --data-dir "$dir/data" ${db_args[@]+"${db_args[@]}"} \
    >"$dir/server.log" 2>&1 &
  server_pid=$!
  PORT=""
  for _ in $(seq 100); do
    PORT=$(sed -n 's#^listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$dir/server.log")
    [ -n "$PORT" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$PORT" ] || { echo "sse_bench: server did not start:" >&2; cat "$dir/server.log" >&2; exit 1; }
}

run() {  # $1 = label (engine-scenario), rest = sse_load args; appends RESULT to $tmp/results
  local label=$1
  shift
  echo "== $label" >&2
  wait_quiet
  local a0 p0 m0 c0 t0 a1 p1 m1 c1 t1
  a0=$(cpu_ticks "$server_pid"); p0=$(pg_ticks); m0=$(machine_ticks); t0=$(date +%s.%N)
  children_cpu >"$tmp/c0"
  set +e
  timeout $((TIMEOUT * 4)) "$LOAD" "$@" --port "$PORT" --token "$TOKEN" --server-pid "$server_pid" \
    --timeout "$TIMEOUT" >"$tmp/$label.out" 2>"$tmp/$label.err"
  local rc=$?
  set -e
  children_cpu >"$tmp/c1"
  a1=$(cpu_ticks "$server_pid"); p1=$(pg_ticks); m1=$(machine_ticks); t1=$(date +%s.%N)
  c0=$(cat "$tmp/c0"); c1=$(cat "$tmp/c1")
  cat "$tmp/$label.err" >&2
  # CPU over the whole client run (connects, seeding and draining included), in seconds.
  local cpu
  cpu=$(awk -v a0="$a0" -v a1="$a1" -v p0="$p0" -v p1="$p1" -v c0="$c0" -v c1="$c1" -v t0="$t0" \
    -v t1="$t1" -v m0="${m0% *}" -v m1="${m1% *}" -v hz="$hz" 'BEGIN {
      argon = (a1 - a0) / hz; pg = (p1 - p0) / hz; client = c1 - c0; wall = t1 - t0
      other = (m1 - m0) / hz - argon - pg - client; if (other < 0) other = 0
      printf "run_wall_s=%.1f run_argon_cpu_s=%.1f run_pg_cpu_s=%.1f run_client_cpu_s=%.1f run_other_cores=%.2f",
        wall, argon, pg, client, other / wall }')
  echo "$label $(grep '^RESULT' "$tmp/$label.out" || echo 'RESULT failed=1') rc=$rc $cpu" >>"$tmp/results"
  # Server log lines at warn or above (argon), and PostgreSQL's warnings and errors so far.
  local logs="$tmp/$label.serverlog"
  grep -v '^listening on' "$server_dir/server.log" >"$logs" 2>/dev/null || true
  if [ -n "$pg_dir" ]; then
    grep -E 'WARNING|ERROR|FATAL|PANIC' "$pg_dir/server.log" >>"$logs" 2>/dev/null || true
  fi
}

wants() { [[ " $SCENARIOS " == *" $1 "* ]]; }
: >"$tmp/results"
for engine in $ENGINES; do
  if wants idle; then
    start_server "$engine" idle
    run "$engine-idle" idle --streams "$IDLE_STREAMS" --threads "$CLIENT_THREADS"
    stop_server
  fi

  if wants fanout; then
    start_server "$engine" fanout
    run "$engine-fanout" fanout --streams "$FANOUT_STREAMS" --rounds "$FANOUT_ROUNDS" --channel "$CHANNEL" \
      --threads "$CLIENT_THREADS"
    stop_server
  fi

  if wants latency; then
    for rate in "$LAT_RATE" $LAT_SWEEP; do
      start_server "$engine" "latency$rate"
      run "$engine-latency$rate" latency --streams "$LAT_STREAMS" --rate "$rate" --duration "$LAT_DURATION" \
        --warmup "$LAT_WARMUP" --senders "$SENDERS" --channel "$CHANNEL" --threads "$CLIENT_THREADS" \
        --tag "lat$rate"
      stop_server
    done
  fi

  if wants replay; then
    start_server "$engine" replay
    run "$engine-replay" replay --messages "$REPLAY_MESSAGES" --senders "$SEED_SENDERS" --channel "$CHANNEL"
    stop_server
    # The same with a stream queue that holds a whole replay chunk burst (see docs/benchmarks.md).
    if [ -n "$REPLAY_BIG_QUEUE" ]; then
      start_server "$engine" replaybig "$REPLAY_BIG_QUEUE"
      run "$engine-replaybig" replay --messages "$REPLAY_MESSAGES" --senders "$SEED_SENDERS" --channel "$CHANNEL"
      stop_server
    fi
  fi
done

# RESULTS_OUT=path: a copy of the raw results (for bench/all.sh, `make bench`).
[ -n "${RESULTS_OUT:-}" ] && cp "$tmp/results" "$RESULTS_OUT"

# ---- table --------------------------------------------------------------------------------------
get() {  # $1 = label, $2 = key
  grep "^$1 " "$tmp/results" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1
}
frames_ok() {  # $1 = label: every replayed event arrived as a frame
  [ "$(get "$1" frames)" = "$REPLAY_MESSAGES" ] && [ "$(get "$1" replayed)" = "$REPLAY_MESSAGES" ]
}
verdict() {  # $1 = value, $2 = op (le|ge), $3 = target
  [ -z "$1" ] && { echo "no result"; return; }
  if awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { exit !((op == "le" && v <= t) || (op == "ge" && v >= t)) }'; then
    echo "met"
  else
    echo "**not met**"
  fi
}
flag() {  # $1 = label: " (!)" when other work took > 0.3 cores during the run
  awk -v o="$(get "$1" run_other_cores)" 'BEGIN { if (o + 0 > 0.3) printf " (!)" }'
}
cpu_note() {  # $1 = label: CPU of the whole client run
  local l=$1 pg=""
  [ "${l%%-*}" = postgres ] && pg=", postgres $(get "$l" run_pg_cpu_s) s"
  echo "whole run: $(get "$l" run_wall_s) s, CPU argon $(get "$l" run_argon_cpu_s) s$pg, client $(get "$l" run_client_cpu_s) s, other $(get "$l" run_other_cores) cores$(flag "$l")"
}

cell_idle() {
  local l=$1-idle per
  per=$(get "$l" per_stream_bytes)
  echo "$(get "$l" ready)/$IDLE_STREAMS ready; server RSS $(get "$l" rss_before_kb) → $(get "$l" rss_after_kb) KB = **$(awk -v b="$per" 'BEGIN{printf "%.1f", b/1024}') KB/stream** (all open in $(get "$l" open_s) s; $(cpu_note "$l")) — $(verdict "$per" le 10240)"
}
cell_fanout() {
  local l=$1-fanout
  echo "$(get "$l" complete)/$FANOUT_ROUNDS rounds complete; last stream after **$(get "$l" last_p50_ms) ms** median (min $(get "$l" last_min_ms), max $(get "$l" last_max_ms)); first after $(get "$l" first_p50_ms) ms; Send response $(get "$l" send_resp_p50_ms) ms — $(verdict "$(get "$l" last_p50_ms)" le 100)"
}
cell_latency() {
  local l=$1-latency$2 p99
  p99=$(get "$l" p99_ms)
  local failed=""
  [ "$(get "$l" send_failed)" != 0 ] && failed=", **$(get "$l" send_failed) Sends failed**"
  echo "p50 **$(get "$l" p50_ms)**, p99 **$p99**, max $(get "$l" max_ms) ms; $(get "$l" delivered)/$(get "$l" expected) frames, $(get "$l" gaps) missing by id; $(get "$l" sent) sent in $(get "$l" send_s) s ($(get "$l" late) > 1 ms behind schedule)$failed; Send response p50 $(get "$l" send_resp_p50_ms) / p99 $(get "$l" send_resp_p99_ms) ms; CPU in the window: argon $(get "$l" server_cpu_s) s, client $(get "$l" client_cpu_s) s in $(get "$l" wall_s) s; $(cpu_note "$l") — $(verdict "$p99" le 5)"
}
cell_replay() {
  local l=$1-$2 eps v frames
  eps=$(get "$l" events_per_s)
  frames=$(get "$l" frames)
  v=$(verdict "$eps" ge 200000)
  frames_ok "$l" || v="**not met: $(( REPLAY_MESSAGES - ${frames:-0} )) events lost**"
  [ -z "$eps" ] && v="**no result** (rc $(get "$l" rc))"
  echo "connect → resumed **$(get "$l" resumed_ms) ms = $eps events/s** (replayedCount $(get "$l" replayed); $(get "$l" frames) messageCreate frames, $(awk -v b="$(get "$l" bytes)" 'BEGIN{printf "%.1f", b/1e6}') MB); seeding took $(get "$l" seed_s) s ($(get "$l" seed_rate) msg/s over $SEED_SENDERS connections); $(cpu_note "$l") — $v"
}

echo
echo "Machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GB RAM, $(uname -sr); load before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
header="| scenario | target |" sep="|---|---|"
for engine in $ENGINES; do header="$header $engine |"; sep="$sep---|"; done
echo "$header"
echo "$sep"
row() {  # $1 = scenario text, $2 = target, $3 = cell function, rest = its args after the engine
  local text=$1 target=$2 fn=$3 line
  shift 3
  line="| $text | $target |"
  for engine in $ENGINES; do line="$line $("$fn" "$engine" "$@") |"; done
  echo "$line"
}
row "(a) $IDLE_STREAMS idle streams" "≤ 10 KB/stream" cell_idle
row "(b) 1 message → $FANOUT_STREAMS streams" "last stream ≤ 100 ms" cell_fanout
for rate in "$LAT_RATE" $LAT_SWEEP; do
  target="p99 ≤ 5 ms"; [ "$rate" != "$LAT_RATE" ] && target="sweep (p99 ≤ 5 ms)"
  row "(c) Send→event, $LAT_STREAMS streams, $rate msg/s" "$target" cell_latency "$rate"
done
for l in replay replaybig; do
  grep -q -- "-$l " "$tmp/results" || continue
  q="default queue 1048576 B"; [ $l = replaybig ] && q="queue $REPLAY_BIG_QUEUE B"
  [ $l = replay ] && [ -n "$STREAM_QUEUE_BYTES" ] && q="queue $STREAM_QUEUE_BYTES B"
  row "(d) replay of $REPLAY_MESSAGES missed events, $q" "≥ 200,000 events/s, all delivered" cell_replay "$l"
done
echo
echo "Stream queue for (a)–(c): ${STREAM_QUEUE_BYTES:-1048576 (default)} bytes; client receiver threads: $CLIENT_THREADS. \"missing by id\": events skipped between consecutive ids of the space stream on one connection. \"whole run\": CPU seconds over the whole client run (connecting, seeding and draining included) of argon, of the PostgreSQL cluster (postmaster and all its children) and of the client; \"other\" is the rest of the machine's busy time per second, (!) above 0.3 cores (foreign load)."

# Anything the servers logged at warn or above.
for f in "$tmp"/*.serverlog; do
  [ -s "$f" ] || continue
  l=$(basename "$f" .serverlog)
  echo
  echo "Server log of $l: $(wc -l <"$f") lines at warn or above, first ones:"
  echo '```'
  head -n 10 "$f"
  echo '```'
done
while read -r l _; do
  rc=$(get "$l" rc)
  [ "$rc" = 0 ] || echo "Note: the client exited with $rc in $l (see its log lines above)."
done <"$tmp/results"
