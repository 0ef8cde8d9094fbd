#!/usr/bin/env bash
# `make bench`: the HTTP, event-stream and voice benchmarks in one run, then one summary table of
# the performance targets with ratios against the nginx baseline measured in the same run, the
# machine's load before and after, and which targets are met.
#
#   bench/all.sh [path/to/argon]          # default: builds build-bench/argon (Release)
#
# Runs, one after the other, each with its own defaults unless overridden in the environment:
#   bench/http_bench.sh   nginx `{}`, GetMe, Send at -c100 and -c10 (SQLite and PostgreSQL)
#   bench/sse_bench.sh    idle streams, fan-out to 10,000 streams, Send→event latency, replay
#   bench/voice_bench.sh  the audio relay (500 publishers)
# Their own full reports are printed as they finish (and kept in the temp dir with KEEP_TMP=1);
# the summary comes last. ENGINES ("sqlite postgres") applies to the first two; PARTS ("http sse
# voice") chooses which benchmarks run. About 15 minutes on the 2-core machine after the build.
# Benchmarks want a quiet machine: each script waits (QUIET_WAIT) for one before measuring and
# flags rows spoiled by other work.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
PARTS=${PARTS:-"http sse voice"}
ENGINES=${ENGINES:-"sqlite postgres"}
export ENGINES

ARGON=${1:-}
if [ -z "$ARGON" ]; then
  cmake -S "$repo" -B "$repo/build-bench" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DARGON_BUILD_TESTS=OFF >/dev/null
  cmake --build "$repo/build-bench" --target argon
  ARGON="$repo/build-bench/argon"
fi
ARGON=$(cd "$(dirname "$ARGON")" && pwd)/$(basename "$ARGON")

tmp=$(mktemp -d /tmp/argon-bench-all.XXXXXX)
cleanup() { [ "${KEEP_TMP:-0}" = 1 ] && echo "kept $tmp" >&2 || rm -rf "$tmp"; }
trap cleanup EXIT

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$SECONDS
wants() { [[ " $PARTS " == *" $1 "* ]]; }
for part in http sse voice; do
  wants "$part" || continue
  echo "== bench/${part}_bench.sh $ARGON"
  if ! RESULTS_OUT="$tmp/$part.results" "$here/${part}_bench.sh" "$ARGON" 2>&1 | tee "$tmp/$part.log"; then
    echo "bench: ${part}_bench.sh failed (its report above)" >&2
  fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- summary ------------------------------------------------------------------------------------
to_ms() { # wrk latency "812.00us" / "2.26ms" / "1.02s" -> ms
  awk -v v="$1" 'BEGIN {
    if (v == "" || v == "-") { print ""; exit }
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
    else print v }'
}
http_field() { # engine kind column
  [ -f "$tmp/http.results" ] || return 0
  awk -F'\t' -v e="$1" -v k="$2" -v c="$3" '$1 == e && $2 == k {print $c; exit}' "$tmp/http.results"
}
kv() { # file label key: the value of key= on the line starting with label
  [ -f "$1" ] || return 0
  grep "^$2 " "$1" | tr ' ' '\n' | sed -n "s/^$3=//p" | head -1
}
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print ""; else printf "%.1f", 100 * a / b }'; }
check() { # value op target -> met / not met / no result
  [ -z "$1" ] && { echo "no result"; return; }
  if awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { exit !((op == "le" && v <= t) || (op == "ge" && v >= t)) }'; then
    echo "met"
  else
    echo "**not met**"
  fi
}
cell() { # value unit op target
  [ -z "$1" ] && { echo "no result"; return; }
  echo "$1$2 ($(check "$1" "$3" "$4"))"
}

nginx_rps=$(http_field nginx nginx 5)
echo
echo "# Summary (bench/all.sh)"
echo
echo "Machine: $(nproc) cores ($(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)), $(free -g | awk '/^Mem:/ {print $2}') GB RAM, $(uname -sr); load before: $load_before, after: $load_after; $((SECONDS - started)) s. argon $("$ARGON" --version 2>/dev/null || echo '?')."
echo "nginx baseline (same run, wrk -c100): ${nginx_rps:-no result} req/s."
echo
header="| figure | target |" sep="|---|---|"
for engine in $ENGINES; do header="$header $engine |"; sep="$sep---|"; done
echo "$header"
echo "$sep"
row() { # text target fn [args]: fn engine args… prints the cell
  local text=$1 target=$2 fn=$3; shift 3
  local line="| $text | $target |"
  for engine in $ENGINES; do line="$line $("$fn" "$engine" "$@") |"; done
  echo "$line"
}
getme_ratio() { local r; r=$(pct "$(http_field "$1" getme 5)" "$nginx_rps"); cell "$r" " %" ge 70; }
send_ratio() {
  local rps r; rps=$(http_field "$1" send 5); r=$(pct "$rps" "$nginx_rps")
  [ -z "$r" ] && { echo "no result"; return; }
  echo "$r % = $(printf '%.0f' "$rps") req/s ($(check "$r" ge 30))"
}
send_p99() { # engine kind target
  local v; v=$(to_ms "$(http_field "$1" "$2" 7)"); cell "$v" " ms" le "$3"
}
sse() { # engine label-suffix key op target unit [scale]
  local v; v=$(kv "$tmp/sse.results" "$1-$2" "$3")
  [ -n "$v" ] && [ -n "${7:-}" ] && v=$(awk -v x="$v" -v s="$7" 'BEGIN { printf "%.1f", x / s }')
  cell "$v" "$6" "$4" "$5"
}
voice() { # engine (one server, engine-independent): the first engine's column only
  [ "$1" = "$(echo "$ENGINES" | awk '{print $1}')" ] || { echo "(one run)"; return; }
  local v; v=$(kv "$tmp/voice.results" relay500 p99_ms); cell "$v" " ms" le 2
}
row "GetMe req/s vs nginx, -c100" "≥ 70 %" getme_ratio
row "durable Send req/s vs nginx, -c100" "≥ 30 %" send_ratio
row "Send p99, -c10" "≤ 3 ms" send_p99 sendlow 3
row "Send p99, -c100" "≤ 10 ms" send_p99 send 10
row "1 message → 10,000 streams, last frame (median)" "≤ 50 ms" sse fanout last_p50_ms le 50 " ms"
row "Send→event p99, 1,000 streams, 100 msg/s" "≤ 5 ms" sse latency100 p99_ms le 5 " ms"
row "Send→event p99, 1,000 streams, 1,000 msg/s" "≤ 20 ms" sse latency1000 p99_ms le 20 " ms"
row "replay of 100,000 events" "≥ 500 k ev/s" sse replay events_per_s ge 500 " k ev/s" 1000
row "RSS per idle stream at 10,000" "≤ 4 KB" sse idle per_stream_bytes le 4 " KB" 1024
row "voice relay p99, 500 publishers" "≤ 2 ms" voice
echo
echo "The scripts' own reports above give the details (CPU per process, rows spoiled by other"
echo "work marked (!), server warnings); docs/benchmarks.md explains the remaining gaps."
