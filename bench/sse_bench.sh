#!/usr/bin/env bash
# Event-stream (SSE) benchmarks of argon, all on 127.0.0.1, with the C++ load client in bench/sse/.
#
#   bench/sse_bench.sh [path/to/argon]
#
# Without an argument it builds build-ssebench/argon (Release, no tests). The load client is built
# with g++ -O2 -std=c++20 into the temp dir. Each scenario gets a fresh server (its own temp data
# dir seeded by `argon demo`: person, space with channel `general`, installed bot); every stream
# uses the one bot token, so the rate limits are raised (IEvents, IMessages, max_concurrency),
# log level warn, heartbeat 3600 s (no heartbeats during the runs), store defaults (SQLite WAL,
# synchronous=FULL, group commit), stream queue default (1048576 bytes) unless STREAM_QUEUE_BYTES.
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
# It prints each scenario's log lines and then a markdown table with the targets.
# Knobs (env): the ones above, CLIENT_THREADS (1: receiver threads of the client), SENDERS (16:
# keep-alive Send connections for (c)), SEED_SENDERS (32: for seeding (d)), TIMEOUT (120 s per
# wait), STREAM_QUEUE_BYTES, KEEP_TMP=1 keeps the temp dir (data dirs, server logs, raw output).
# Total run time with the defaults: about 2–3 minutes after the build.
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

REPLAY_BIG_QUEUE=${REPLAY_BIG_QUEUE:-4194304}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
repo=$(cd "$here/.." && pwd)

# Each stream is one socket in the client and one in the server (separate processes, each with
# its own limit): raise the soft limit to the hard limit and check it covers the largest scenario.
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ]; then ulimit -n 1048576; else ulimit -n "$hard"; fi
need=$(( (IDLE_STREAMS > FANOUT_STREAMS ? IDLE_STREAMS : FANOUT_STREAMS) + 256 ))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  echo "sse_bench: open-file limit $(ulimit -n) is below $need; raise the hard limit" >&2
  exit 1
fi

# ---- binaries -----------------------------------------------------------------------------------
if [ $# -ge 1 ]; then
  ARGON=$(realpath "$1")
else
  build="$repo/build-ssebench"
  echo "sse_bench: building $build/argon (Release)…" >&2
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DARGON_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" --target argon >/dev/null
  ARGON="$build/argon"
fi
[ -x "$ARGON" ] || { echo "sse_bench: no executable at $ARGON" >&2; exit 1; }

tmp=$(mktemp -d /tmp/argon-sse-bench.XXXXXX)
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
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

# ---- one fresh server per scenario --------------------------------------------------------------
PORT="" TOKEN="" CHANNEL=""
start_server() {  # $1 = scenario name, $2 = stream queue bytes (optional)
  local queue=${2:-$STREAM_QUEUE_BYTES}
  local dir="$tmp/$1"
  mkdir -p "$dir"
  "$ARGON" demo --data-dir "$dir/data" --listen 127.0.0.1:1 >"$dir/demo.txt" 2>&1
  TOKEN=$(sed -n 's/^bot token: //p' "$dir/demo.txt")
  CHANNEL=$(sed -n 's/.*(general channel \([^)]*\)).*/\1/p' "$dir/demo.txt")
  [ -n "$TOKEN" ] && [ -n "$CHANNEL" ] || { echo "sse_bench: demo output unexpected" >&2; exit 1; }
  env ARGON_RATELIMIT_IEVENTS=1000000000 ARGON_RATELIMIT_IMESSAGES=1000000000 \
    ARGON_RATELIMIT_MAX_CONCURRENCY=1000000 ARGON_LOG_LEVEL=warn \
    ARGON_EVENTS_HEARTBEAT_SECONDS=3600 ARGON_EVENTS_STREAM_QUEUE_BYTES="${queue:-1048576}" \
    "$ARGON" serve --listen 127.0.0.1:0 --data-dir "$dir/data" >"$dir/server.log" 2>&1 &
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

run() {  # $1 = scenario/label, rest = sse_load args; appends RESULT to $tmp/results
  local label=$1
  shift
  echo "== $label" >&2
  set +e
  timeout $((TIMEOUT * 4)) "$LOAD" "$@" --port "$PORT" --token "$TOKEN" --server-pid "$server_pid" \
    --timeout "$TIMEOUT" >"$tmp/$label.out" 2>"$tmp/$label.err"
  local rc=$?
  set -e
  cat "$tmp/$label.err" >&2
  echo "$label $(grep '^RESULT' "$tmp/$label.out" || echo 'RESULT failed=1') rc=$rc" >>"$tmp/results"
}

: >"$tmp/results"
start_server idle
run idle idle --streams "$IDLE_STREAMS" --threads "$CLIENT_THREADS"
stop_server

start_server fanout
run fanout fanout --streams "$FANOUT_STREAMS" --rounds "$FANOUT_ROUNDS" --channel "$CHANNEL" \
  --threads "$CLIENT_THREADS"
stop_server

for rate in "$LAT_RATE" $LAT_SWEEP; do
  start_server "latency$rate"
  run "latency$rate" latency --streams "$LAT_STREAMS" --rate "$rate" --duration "$LAT_DURATION" \
    --warmup "$LAT_WARMUP" --senders "$SENDERS" --channel "$CHANNEL" --threads "$CLIENT_THREADS" \
    --tag "lat$rate"
  stop_server
done

start_server replay
run replay replay --messages "$REPLAY_MESSAGES" --senders "$SEED_SENDERS" --channel "$CHANNEL"
stop_server
# The same with a stream queue that holds a whole replay chunk burst (see docs/benchmarks.md).
if [ -n "$REPLAY_BIG_QUEUE" ]; then
  start_server replaybig "$REPLAY_BIG_QUEUE"
  run replaybig replay --messages "$REPLAY_MESSAGES" --senders "$SEED_SENDERS" --channel "$CHANNEL"
  stop_server
fi

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

echo
echo "Machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GB RAM, $(uname -sr); load before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| scenario | result | target | |"
echo "|---|---|---|---|"
per=$(get idle per_stream_bytes)
echo "| (a) $(get idle ready)/$IDLE_STREAMS idle streams | server RSS $(get idle rss_before_kb) → $(get idle rss_after_kb) KB = **$(awk -v b="$per" 'BEGIN{printf "%.1f", b/1024}') KB/stream** (all open in $(get idle open_s) s) | ≤ 10 KB | $(verdict "$per" le 10240) |"
echo "| (b) 1 message → $FANOUT_STREAMS streams, $(get fanout complete)/$FANOUT_ROUNDS rounds complete | last stream after **$(get fanout last_p50_ms) ms** median (min $(get fanout last_min_ms), max $(get fanout last_max_ms)); first after $(get fanout first_p50_ms) ms; Send response $(get fanout send_resp_p50_ms) ms | ≤ 100 ms | $(verdict "$(get fanout last_p50_ms)" le 100) |"
for rate in "$LAT_RATE" $LAT_SWEEP; do
  l="latency$rate"
  p99=$(get "$l" p99_ms)
  target="p99 ≤ 5 ms"; [ "$rate" != "$LAT_RATE" ] && target="sweep (p99 ≤ 5 ms)"
  echo "| (c) Send→event, $LAT_STREAMS streams, $rate msg/s | p50 **$(get "$l" p50_ms)**, p99 **$p99**, max $(get "$l" max_ms) ms; $(get "$l" delivered)/$(get "$l" expected) frames, $(get "$l" gaps) missing by id; Send response p50 $(get "$l" send_resp_p50_ms) / p99 $(get "$l" send_resp_p99_ms) ms; CPU server $(get "$l" server_cpu_s) s, client $(get "$l" client_cpu_s) s in $(get "$l" wall_s) s | $target | $(verdict "$p99" le 5) |"
done
for l in replay replaybig; do
  grep -q "^$l " "$tmp/results" || continue
  eps=$(get $l events_per_s)
  q="default queue 1048576 B"; [ $l = replaybig ] && q="queue $REPLAY_BIG_QUEUE B"
  [ $l = replay ] && [ -n "$STREAM_QUEUE_BYTES" ] && q="queue $STREAM_QUEUE_BYTES B"
  v=$(verdict "$eps" ge 200000)
  frames_ok $l || v="**not met: $(( REPLAY_MESSAGES - $(get $l frames) )) events lost**"
  echo "| (d) replay of $REPLAY_MESSAGES missed events, $q | connect → resumed **$(get $l resumed_ms) ms = $eps events/s** (server says replayedCount $(get $l replayed); $(get $l frames) messageCreate frames received, $(awk -v b="$(get $l bytes)" 'BEGIN{printf "%.1f", b/1e6}') MB); seeding took $(get $l seed_s) s ($(get $l seed_rate) msg/s over $SEED_SENDERS connections) | ≥ 200,000 events/s, all delivered | $v |"
done
echo
echo "Stream queue for (a)–(c): ${STREAM_QUEUE_BYTES:-1048576 (default)} bytes; client receiver threads: $CLIENT_THREADS. \"missing by id\": events skipped between consecutive ids of the space stream on one connection."
