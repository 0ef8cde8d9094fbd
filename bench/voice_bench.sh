#!/usr/bin/env bash
# Voice relay benchmark of argon, all on 127.0.0.1, with the C++ load client bench/voice/voice_load.cpp.
#
#   bench/voice_bench.sh [path/to/argon]
#
# Without an argument it builds build-voicebench/argon (Release, no tests). The load client is built
# with g++ -O2 -std=c++20 into the temp dir. One server (temp data dir seeded by `argon demo`:
# person, space with a voice channel, installed bot), log level warn, rate limits raised
# (IVoice, max_concurrency). Setup creates PUBLISHERS bot apps as the demo person, installs them
# into the space and takes a stream token for each (each publisher needs its own identity: the relay
# forwards to the subscribers whose target_identity is the publisher's user id); the demo bot is
# the one subscriber identity, with one socket per publisher.
#
# Scenarios (each: PUBLISHERS publisher sockets + as many subscriber sockets, one 81-byte Opus
# packet per publisher every 20 ms, spread evenly; WARMUP s excluded, DURATION s measured):
#   direct   the floor, no server: the client's publishers write straight to its own subscribers
#            over loopback TCP (what the client and the kernel add by themselves)
#   relay    through argon, for each count in SMALL (contrast) and PUBLISHERS (the target: 500)
# QUICKACK=1 adds a relay run at PUBLISHERS where the subscribers set TCP_QUICKACK after every read
# (a diagnostic: shows what delayed ACKs, combined with the server's Nagle, cost).
#
# Knobs (env): PUBLISHERS (500), SMALL ("100"), DURATION (30), WARMUP (3), DRAIN (1), TICK_US (1000),
# DIRECT_DURATION (10), QUICKACK (0), QUIET_WAIT (20 s: wait for an idle machine before each run),
# TIMEOUT (90 s per wait), KEEP_TMP=1 keeps the temp dir (data dir, logs, raw output, samples).
# Run time with the defaults: about 2 minutes after the build.
set -euo pipefail

PUBLISHERS=${PUBLISHERS:-500}
SMALL=${SMALL-"100"}
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-3}
DRAIN=${DRAIN:-1}
TICK_US=${TICK_US:-1000}
DIRECT_DURATION=${DIRECT_DURATION:-10}
QUICKACK=${QUICKACK:-0}
QUIET_WAIT=${QUIET_WAIT:-20}
TIMEOUT=${TIMEOUT:-90}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# Two sockets per publisher in the client, two in the server: raise the soft open-file limit.
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ]; then ulimit -n 1048576; else ulimit -n "$hard"; fi
max_pubs=$PUBLISHERS
for n in $SMALL; do [ "$n" -gt "$max_pubs" ] && max_pubs=$n; done
need=$((2 * max_pubs + 256))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  echo "voice_bench: open-file limit $(ulimit -n) is below $need; raise the hard limit" >&2
  exit 1
fi

# ---- binaries -----------------------------------------------------------------------------------
if [ $# -ge 1 ]; then
  ARGON=$(realpath "$1")
else
  build="$repo/build-voicebench"
  echo "voice_bench: building $build/argon (Release)…" >&2
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DARGON_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" --target argon >/dev/null
  ARGON="$build/argon"
fi
[ -x "$ARGON" ] || { echo "voice_bench: no executable at $ARGON" >&2; exit 1; }

tmp=$(mktemp -d /tmp/argon-voice-bench.XXXXXX)
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
  if [ "${KEEP_TMP:-0}" = 1 ]; then echo "voice_bench: kept $tmp" >&2; else rm -rf "$tmp"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "voice_bench: building the load client…" >&2
g++ -O2 -std=c++20 -pthread -o "$tmp/voice_load" "$here/voice/voice_load.cpp"
LOAD="$tmp/voice_load"

# Busy cores of the whole machine over one second.
busy_cores() {
  local a b
  a=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9}' /proc/stat)
  sleep 1
  b=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9}' /proc/stat)
  awk -v a="$a" -v b="$b" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }'
}
wait_quiet() {
  local waited=0 busy="?"
  while [ "$waited" -lt "$QUIET_WAIT" ]; do
    busy=$(busy_cores)
    awk -v b="$busy" 'BEGIN { exit !(b < 0.25) }' && return 0
    waited=$((waited + 1))
  done
  echo "voice_bench: machine still busy ($busy cores) after ${QUIET_WAIT}s; measuring anyway" >&2
}

# ---- server -------------------------------------------------------------------------------------
dir="$tmp/server"
mkdir -p "$dir"
"$ARGON" demo --data-dir "$dir/data" --listen 127.0.0.1:1 >"$dir/demo.txt" 2>&1
BOT_TOKEN=$(sed -n 's/^bot token: //p' "$dir/demo.txt")
PERSON_TOKEN=$(sed -n 's/^person token: //p' "$dir/demo.txt")
SPACE=$(sed -n 's/^space: \([^ ]*\).*/\1/p' "$dir/demo.txt")
[ -n "$BOT_TOKEN" ] && [ -n "$PERSON_TOKEN" ] && [ -n "$SPACE" ] ||
  { echo "voice_bench: demo output unexpected:" >&2; cat "$dir/demo.txt" >&2; exit 1; }
env ARGON_LOG_LEVEL=warn ARGON_RATELIMIT_IVOICE=1000000000 ARGON_RATELIMIT_ICHANNELS=1000000000 \
  ARGON_RATELIMIT_MAX_CONCURRENCY=1000000 \
  "$ARGON" serve --listen 127.0.0.1:0 --data-dir "$dir/data" >"$dir/server.log" 2>&1 &
server_pid=$!
PORT=""
for _ in $(seq 100); do
  PORT=$(sed -n 's#^listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$dir/server.log")
  [ -n "$PORT" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "voice_bench: server did not start:" >&2; cat "$dir/server.log" >&2; exit 1; }
threads=$(awk '/^Threads:/ {print $2}' "/proc/$server_pid/status")

echo "== setup: $max_pubs publisher bots" >&2
timeout "$TIMEOUT" "$LOAD" setup --port "$PORT" --person-token "$PERSON_TOKEN" \
  --bot-token "$BOT_TOKEN" --space "$SPACE" --publishers "$max_pubs" --threads 8 \
  --out "$tmp/tokens.txt" >"$tmp/setup.out"
setup_s=$(sed -n 's/.*setup_s=\([^ ]*\).*/\1/p' "$tmp/setup.out")

: >"$tmp/results"
run() {  # $1 = label, rest = voice_load args; appends the RESULT line to $tmp/results
  local label=$1
  shift
  wait_quiet
  echo "== $label" >&2
  set +e
  timeout $((TIMEOUT + DURATION * 2 + 60)) "$LOAD" "$@" --warmup "$WARMUP" --drain "$DRAIN" \
    --tick-us "$TICK_US" --timeout "$TIMEOUT" --samples-out "$tmp/$label.samples" \
    >"$tmp/$label.out" 2>"$tmp/$label.err"
  local rc=$?
  set -e
  cat "$tmp/$label.err" >&2
  echo "$label $(grep '^RESULT' "$tmp/$label.out" || echo 'RESULT failed=1') rc=$rc" >>"$tmp/results"
  sleep 2  # let the server finish closing the previous sockets
}

run "direct$PUBLISHERS" direct --publishers "$PUBLISHERS" --duration "$DIRECT_DURATION"
for n in $SMALL "$PUBLISHERS"; do
  run "relay$n" run --port "$PORT" --tokens "$tmp/tokens.txt" --publishers "$n" \
    --duration "$DURATION" --server-pid "$server_pid"
done
if [ "$QUICKACK" = 1 ]; then
  run "quickack$PUBLISHERS" run --port "$PORT" --tokens "$tmp/tokens.txt" \
    --publishers "$PUBLISHERS" --duration "$DURATION" --server-pid "$server_pid" --quickack
fi
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status")

# RESULTS_OUT=path: a copy of the raw results (for bench/all.sh, `make bench`).
[ -n "${RESULTS_OUT:-}" ] && cp "$tmp/results" "$RESULTS_OUT"

# ---- table --------------------------------------------------------------------------------------
get() {  # $1 = label, $2 = key
  grep "^$1 " "$tmp/results" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1
}
verdict() {  # $1 = value, $2 = target (≤)
  [ -z "$1" ] && { echo "no result"; return; }
  if awk -v v="$1" -v t="$2" 'BEGIN { exit !(v <= t) }'; then echo "met"; else echo "**not met**"; fi
}

echo
echo "Machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GB RAM, $(uname -sr); load before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Server: $threads threads at start, VmRSS $rss_kb KB at the end; setup of $max_pubs bots: ${setup_s}s. Window: ${DURATION}s (direct: ${DIRECT_DURATION}s) after ${WARMUP}s warm-up; tick ${TICK_US}µs."
echo
echo "| run | packets/s sent → relayed | lost | latency p50 / p90 / p99 / p99.9 / max (ms) | > 2 ms | server cores | client cores | machine busy cores | p99 ≤ 2 ms |"
echo "|---|---|---|---|---|---|---|---|---|"
for label in "direct$PUBLISHERS" $(for n in $SMALL "$PUBLISHERS"; do echo "relay$n"; done) \
  $([ "$QUICKACK" = 1 ] && echo "quickack$PUBLISHERS"); do
  grep -q "^$label " "$tmp/results" || continue
  sent=$(get "$label" sent)
  over=$(get "$label" over2ms)
  recv=$(get "$label" received)
  overp=$(awk -v o="$over" -v r="$recv" 'BEGIN { if (r > 0) printf "%.2f%%", 100 * o / r; else print "-" }')
  v=$(verdict "$(get "$label" p99_ms)" 2)
  case $label in direct*) v="(floor)" ;; esac
  [ "$(get "$label" failed)" = 1 ] && v="**failed** (see log)"
  # Other work on the machine during the window (machine busy − server − client > 0.3 cores).
  awk -v m="$(get "$label" machine_cores)" -v s="$(get "$label" server_cores)" \
    -v c="$(get "$label" client_cores)" 'BEGIN { exit !(m - s - c > 0.3) }' && v="$v (!) busy machine"
  echo "| $label: $(get "$label" publishers) pub + $(get "$label" publishers) sub | $(get "$label" sent_per_s) → **$(get "$label" relayed_per_s)** | $(get "$label" lost) of $sent ($(get "$label" loss_pct)%) | $(get "$label" p50_ms) / $(get "$label" p90_ms) / **$(get "$label" p99_ms)** / $(get "$label" p999_ms) / $(get "$label" max_ms) | $overp | $(get "$label" server_cores) | $(get "$label" client_cores) | $(get "$label" machine_cores) | $v |"
done
echo
echo "(!) = other work took more than 0.3 cores during the window: that row is not a clean measurement."
echo "Send lateness (client pacing vs the 20 ms schedule, p50/p99/max ms):"
for label in $(cut -d' ' -f1 "$tmp/results"); do
  echo "- $label: $(get "$label" late_p50_ms) / $(get "$label" late_p99_ms) / $(get "$label" late_max_ms); connect $(get "$label" connect_s)s; server pings answered $(get "$label" pings), closes $(get "$label" closes), seq gaps $(get "$label" gaps), queued writes $(get "$label" queued_writes), rc $(grep "^$label " "$tmp/results" | sed -n 's/.*rc=\([0-9]*\).*/\1/p')"
done
