#!/usr/bin/env bash
# Benchmarks of argon as a cluster: nodes on one PostgreSQL database and one nats-server, all on
# 127.0.0.1 of this machine, next to the same load on one node.
#
#   bench/install-bench-deps && bench/cluster_bench.sh [path/to/argon]
#
# Without an argument it builds build-bench/argon (Release, no tests). It starts, in temp dirs that
# it removes again: one throwaway PostgreSQL 15 cluster (scripts/pg-cluster: fsync on,
# synchronous_commit on), one nats-server on a free port (core NATS, no JetStream) and, for each
# measured set-up, a fresh database seeded by `argon demo` (a person, a space with channel
# `general`, an installed bot) and fresh argon nodes on it (`--database URL`, with `--bus URL`
# for the cluster set-ups), log level warn, rate limits raised so that they do not throttle,
# store defaults (pool of 16 connections per node).
#
#   (a) latency   LAT_STREAMS (1000) event streams of the bot, LAT_RATES ("100 300") Sends/s for
#                 LAT_DURATION (12) s (first LAT_WARMUP (2) s excluded) over SENDERS (16) keep-alive
#                 connections, with bench/sse/sse_load: Send→event latency over every (stream,
#                 message), in three set-ups per rate:
#                   1 node       one node, no bus (as bench/sse_bench.sh on PostgreSQL);
#                   same node    two nodes with the bus, streams and Sends both on node A;
#                   cross-node   two nodes with the bus, streams on node B, Sends through node A.
#   (b) throughput wrk -t THREADS (2) against POST /IMessages/v1/Send (the bot, bench/send.lua: a
#                 fresh randomId per request) at CONNS (100) for DURATION (15s) and at LOW_CONNS (10)
#                 for LOW_DURATION (10s), and the person's POST /api/v1/channels/{id}/messages
#                 (bench/person_send.lua) at CONNS for DURATION, in four set-ups:
#                   1 node          one node, no bus;
#                   1 node + bus    one node with --bus (a cluster of one: shared state in the store);
#                   2 nodes, 2 wrk  two nodes, one wrk per node with half the connections each;
#                   2 nodes, nginx  two nodes behind nginx (deploy/nginx/argon.conf without TLS:
#                                   plain HTTP on a free port, Debian's 2 workers), one wrk.
#
# Nothing is pinned: everything shares the machine's cores. Before each row it waits (at most
# QUIET_WAIT s) for the machine to be idle, and it records the CPU per wall second of argon (all
# nodes), PostgreSQL (postmaster and all its children), nats-server, nginx, the load client and
# the rest of the machine ("other"; a row where other work took more than 0.3 cores is flagged (!)).
# Send rows also count the new rows in `messages` (every acknowledged Send must be one). Anything
# argon logged at warn or above, and PostgreSQL's WARNING/ERROR/FATAL lines, are printed after the
# tables. Knobs (env): the ones above, SCENARIOS ("latency throughput"), TIMEOUT (120 s per wait),
# QUIET_WAIT (20), KEEP_TMP=1 keeps the temp dir (logs, raw output). About 9 minutes on an idle
# machine after the build.
set -euo pipefail

LAT_STREAMS=${LAT_STREAMS:-1000}
LAT_RATES=${LAT_RATES:-"100 300"}
LAT_DURATION=${LAT_DURATION:-12}
LAT_WARMUP=${LAT_WARMUP:-2}
SENDERS=${SENDERS:-16}
DURATION=${DURATION:-15s}
LOW_DURATION=${LOW_DURATION:-10s}
WARMUP=${WARMUP:-3s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-100}
LOW_CONNS=${LOW_CONNS:-10}
TIMEOUT=${TIMEOUT:-120}
QUIET_WAIT=${QUIET_WAIT:-20}
SCENARIOS=${SCENARIOS:-"latency throughput"}
unset ARGON_STORE_URL ARGON_BUS_URL

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
BENCH_NAME=cluster_bench
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
PG_CLUSTER="$repo/scripts/pg-cluster"
SITE_CONF="$repo/deploy/nginx/argon.conf"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

for tool in wrk nginx nats-server psql ss g++; do
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
    echo "cluster_bench: '$tool' is missing; run bench/install-bench-deps and scripts/install-deps --test" >&2
    exit 1
  fi
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
NATS=$(command -v nats-server || echo /usr/sbin/nats-server)
[ -x "$PG_CLUSTER" ] || { echo "cluster_bench: $PG_CLUSTER is missing" >&2; exit 1; }
[ -r "$SITE_CONF" ] || { echo "cluster_bench: $SITE_CONF is missing" >&2; exit 1; }

raise_open_files $((LAT_STREAMS * 3 + 1024))

# ---- binaries -----------------------------------------------------------------------------------
ARGON=$(bench_argon "${1:-}" build-bench)
[ -x "$ARGON" ] || { echo "cluster_bench: no executable at $ARGON" >&2; exit 1; }

tmp=$(mktemp -d /tmp/argon-cluster-bench.XXXXXX)
node_pids=()
nginx_pid=""
nats_pid=""
pg_dir=""
pg_pm=""
stop_nodes() {
  local p
  for p in ${node_pids[@]+"${node_pids[@]}"}; do stop_pid "$p"; done
  node_pids=()
  stop_pid "$nginx_pid"
  nginx_pid=""
}
cleanup() {
  local rc=$?
  stop_nodes
  stop_pid "$nats_pid"
  if [ -n "$pg_dir" ]; then
    cp "$pg_dir/server.log" "$tmp/postgres-server.log" 2>/dev/null || true
    "$PG_CLUSTER" stop "$pg_dir" >/dev/null 2>&1 || echo "cluster_bench: could not stop the PostgreSQL cluster in $pg_dir" >&2
  fi
  if [ "${KEEP_TMP:-0}" = 1 ]; then echo "cluster_bench: kept $tmp" >&2; else rm -rf "$tmp"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "cluster_bench: building the load client…" >&2
g++ -O2 -std=c++20 -pthread -o "$tmp/sse_load" "$here/sse/sse_load.cpp"

# ---- PostgreSQL and NATS, once for the run ------------------------------------------------------
pg_dir=$(mktemp -d /tmp/argon-cluster-bench-pg.XXXXXX)
pg_url=$("$PG_CLUSTER" start "$pg_dir" 2>"$tmp/pg-cluster.err") ||
  { echo "cluster_bench: scripts/pg-cluster start failed:" >&2; cat "$tmp/pg-cluster.err" >&2; exit 1; }
pg_pm=$(head -1 "$pg_dir/data/postmaster.pid")
pg_base=${pg_url%/*}

nats_url=""
for _ in 1 2 3 4 5; do
  port=$(free_port)
  "$NATS" -a 127.0.0.1 -p "$port" >"$tmp/nats.log" 2>&1 &
  nats_pid=$!
  for _ in $(seq 100); do
    if grep -q "Server is ready" "$tmp/nats.log"; then nats_url="nats://127.0.0.1:$port"; break; fi
    kill -0 "$nats_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$nats_url" ] && break
  stop_pid "$nats_pid"; nats_pid=""
done
[ -n "$nats_url" ] || { echo "cluster_bench: nats-server did not start: $(tail -5 "$tmp/nats.log")" >&2; exit 1; }

# ---- one set-up: a fresh database, argon demo, N nodes ------------------------------------------
db_counter=0
DB_URL="" BOT_TOKEN="" PERSON_TOKEN="" CHANNEL="" PORTS=() LABEL=""
export ARGON_LOG_LEVEL=warn
export ARGON_RATELIMIT_IBOTSELF=1000000000 ARGON_RATELIMIT_IMESSAGES=1000000000
export ARGON_RATELIMIT_IEVENTS=1000000000 ARGON_RATELIMIT_MAX_CONCURRENCY=1000000
export ARGON_EVENTS_HEARTBEAT_SECONDS=3600
setup() { # label, nodes, bus (0|1)
  LABEL=$1
  local n=$2 bus=$3 i
  db_counter=$((db_counter + 1))
  local db="bench_$db_counter"
  psql "$pg_url" -X -qc "CREATE DATABASE $db" >/dev/null
  DB_URL="$pg_base/$db"
  local dir="$tmp/$db"
  mkdir -p "$dir"
  "$ARGON" demo --data-dir "$dir/demo" --database "$DB_URL" --listen 127.0.0.1:1 >"$dir/demo.txt" 2>&1 ||
    { echo "cluster_bench: 'argon demo' failed:" >&2; cat "$dir/demo.txt" >&2; exit 1; }
  BOT_TOKEN=$(sed -n 's/^bot token: *//p' "$dir/demo.txt" | head -1)
  PERSON_TOKEN=$(sed -n 's/^person token: *//p' "$dir/demo.txt" | head -1)
  CHANNEL=$(sed -n 's/.*(general channel \([^)]*\)).*/\1/p' "$dir/demo.txt" | head -1)
  [ -n "$BOT_TOKEN" ] && [ -n "$PERSON_TOKEN" ] && [ -n "$CHANNEL" ] ||
    { echo "cluster_bench: unexpected 'argon demo' output:" >&2; cat "$dir/demo.txt" >&2; exit 1; }
  local bus_args=()
  [ "$bus" = 1 ] && bus_args=(--bus "$nats_url")
  PORTS=()
  for i in $(seq "$n"); do
    "$ARGON" serve --listen 127.0.0.1:0 --data-dir "$dir/node$i" --database "$DB_URL" ${bus_args[@]+"${bus_args[@]}"} \
      >"$dir/node$i.out" 2>"$dir/node$i.err" &
    node_pids+=($!)
  done
  for i in $(seq "$n"); do
    local p=""
    for _ in $(seq 150); do
      p=$(sed -n 's#^listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$dir/node$i.out")
      [ -n "$p" ] && break
      kill -0 "${node_pids[$((i - 1))]}" 2>/dev/null || break
      sleep 0.1
    done
    [ -n "$p" ] || { echo "cluster_bench: node $i did not start:" >&2; cat "$dir/node$i.err" >&2; exit 1; }
    PORTS+=("$p")
  done
}
# nginx in front of the nodes of the set-up: deploy/nginx/argon.conf, plain HTTP on a free port.
NGINX_PORT=""
start_nginx() {
  local dir="$tmp/nginx-$db_counter"
  mkdir -p "$dir/tmp"
  NGINX_PORT=$(free_port)
  sed -e "s/server 10\.0\.0\.11:8080;/server 127.0.0.1:${PORTS[0]};/" \
      -e "s/server 10\.0\.0\.12:8080;/server 127.0.0.1:${PORTS[1]};/" \
      -e "s/listen 443 ssl http2;/listen 127.0.0.1:$NGINX_PORT;/" \
      -e "s/listen 80;/listen 127.0.0.1:$(free_port);/" \
      -e '/listen \[::\]/d' -e '/ssl_certificate/d' "$SITE_CONF" >"$dir/argon.conf"
  cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  include $dir/argon.conf;
}
EOF
  "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" >"$dir/stdout.log" 2>&1 &
  nginx_pid=$!
  wait_port "$NGINX_PORT" 10
}
teardown() {
  stop_nodes
  local dir="$tmp/bench_$db_counter" f
  for f in "$dir"/node*.err; do
    grep -v '^listening on' "$f" | sed "s#^#$LABEL $(basename "$f" .err): #" >>"$tmp/argon-warnings.txt" || true
  done
  if [ -f "$tmp/nginx-$db_counter/error.log" ]; then
    grep -E '\[(error|crit|alert|emerg)\]' "$tmp/nginx-$db_counter/error.log" | sed "s#^#$LABEL nginx: #" >>"$tmp/argon-warnings.txt" || true
  fi
}

# ---- CPU accounting -----------------------------------------------------------------------------
hz=$(getconf CLK_TCK)
nginx_ticks() {
  [ -n "$nginx_pid" ] || { echo 0; return; }
  # shellcheck disable=SC2046
  cpu_ticks "$nginx_pid" $(pgrep -P "$nginx_pid" | tr '\n' ' ')
}
machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6; exit}' /proc/stat; }
wait_quiet() {
  local deadline=$((SECONDS + QUIET_WAIT)) a b pct
  while :; do
    a=$(machine_ticks); sleep 1; b=$(machine_ticks)
    pct=$(echo "$a $b" | awk '{d = ($3 - $1) + ($4 - $2); print (d > 0) ? int(100 * ($3 - $1) / d) : 0}')
    [ "$pct" -lt 15 ] && return 0
    if [ $SECONDS -ge $deadline ]; then
      echo "cluster_bench: machine still ${pct}% busy after ${QUIET_WAIT}s of waiting; measuring anyway" >&2
      return 0
    fi
  done
}
# snapshot FILE: "argon pg nats nginx client machine_busy wall_ns" into FILE (ticks; client: CPU
# seconds of this shell's reaped children, the load clients). Not in a $(…): `times` must run in
# this shell to see its children.
snapshot() {
  times >"$tmp/times"
  local client
  client=$(awk 'NR==2 {
    split($1, u, /m/); split($2, t, /m/); sub(/s/, "", u[2]); sub(/s/, "", t[2])
    printf "%.2f", u[1] * 60 + u[2] + t[1] * 60 + t[2] }' "$tmp/times")
  # shellcheck disable=SC2068
  echo "$(cpu_ticks ${node_pids[@]}) $(pg_ticks) $(cpu_ticks "$nats_pid") $(nginx_ticks) $client $(machine_ticks | cut -d' ' -f1) $(date +%s%N)" >"$1"
}
# cores a b -> "argon pg nats nginx client other wall_s" in cores (CPU s per wall s)
cores() {
  awk -v hz="$hz" -v a="$1" -v b="$2" 'BEGIN {
    split(a, x, " "); split(b, y, " "); wall = (y[7] - x[7]) / 1e9
    ar = (y[1] - x[1]) / hz / wall; pg = (y[2] - x[2]) / hz / wall; na = (y[3] - x[3]) / hz / wall
    ng = (y[4] - x[4]) / hz / wall; cl = (y[5] - x[5]) / wall; all = (y[6] - x[6]) / hz / wall
    other = all - ar - pg - na - ng - cl; if (other < 0) other = 0
    printf "%.2f %.2f %.2f %.2f %.2f %.2f %.1f", ar, pg, na, ng, cl, other, wall }'
}
count_messages() { psql "$DB_URL" -X -Atc 'SELECT count(*) FROM messages' 2>/dev/null || echo 0; }

# ---- (a) latency --------------------------------------------------------------------------------
: >"$tmp/latency"
latency_run() { # label rate stream_port send_port
  local label=$1 rate=$2 sport=$3 tport=$4 s0 s1 rc=0
  echo "== latency: $label, $rate msg/s" >&2
  wait_quiet
  snapshot "$tmp/snap0"
  timeout $((TIMEOUT * 4)) "$tmp/sse_load" latency --port "$sport" --send-port "$tport" --token "$BOT_TOKEN" \
    --channel "$CHANNEL" --streams "$LAT_STREAMS" --rate "$rate" --duration "$LAT_DURATION" --warmup "$LAT_WARMUP" \
    --senders "$SENDERS" --timeout "$TIMEOUT" --server-pid "${node_pids[0]}" --tag "lat$rate" \
    >"$tmp/lat-$db_counter.out" 2>"$tmp/lat-$db_counter.err" || rc=$?
  snapshot "$tmp/snap1"
  s0=$(cat "$tmp/snap0"); s1=$(cat "$tmp/snap1")
  sed 's/^/    /' "$tmp/lat-$db_counter.err" >&2
  echo "$label|$rate|$(grep '^RESULT' "$tmp/lat-$db_counter.out" || echo 'RESULT failed=1') rc=$rc|$(cores "$s0" "$s1")" >>"$tmp/latency"
}
if [[ " $SCENARIOS " == *" latency "* ]]; then
  for rate in $LAT_RATES; do
    setup "1 node" 1 0
    latency_run "1 node (no bus)" "$rate" "${PORTS[0]}" "${PORTS[0]}"
    teardown
    setup "2 nodes" 2 1
    latency_run "2 nodes, streams and Sends on A" "$rate" "${PORTS[0]}" "${PORTS[0]}"
    teardown
    setup "2 nodes" 2 1
    latency_run "2 nodes, streams on B, Sends via A" "$rate" "${PORTS[1]}" "${PORTS[0]}"
    teardown
  done
fi

# ---- (b) throughput -----------------------------------------------------------------------------
: >"$tmp/throughput"
phase=1
# wrk_row setup_label target conns duration kind urls... : one wrk per url (connections split), in
# parallel. send.lua's randomIds: phase * 10 + wrk index, distinct in the set-up's database (the
# warm-up's are 1 and 2).
wrk_row() {
  local setup_label=$1 target=$2 conns=$3 dur=$4 kind=$5; shift 5
  local urls=("$@") n=$# i s0 s1 m0 m1
  local per=$((conns / n))
  phase=$((phase + 1))
  echo "== throughput: $setup_label, $target, -c$conns" >&2
  wait_quiet
  m0=$(count_messages)
  snapshot "$tmp/snap0"
  local pids=()
  for i in $(seq 0 $((n - 1))); do
    local out="$tmp/wrk-$db_counter-$phase-$i.txt"
    case $kind in
      bot) wrk -t"$THREADS" -c"$per" -d"$dur" --latency -s "$here/send.lua" "${urls[$i]}/IMessages/v1/Send" \
             -- "$CHANNEL" "$BOT_TOKEN" $((phase * 10 + i)) >"$out" 2>&1 & ;;
      person) wrk -t"$THREADS" -c"$per" -d"$dur" --latency -s "$here/person_send.lua" "${urls[$i]}" \
             -- "$CHANNEL" "$PERSON_TOKEN" >"$out" 2>&1 & ;;
    esac
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || true; done
  snapshot "$tmp/snap1"
  s0=$(cat "$tmp/snap0"); s1=$(cat "$tmp/snap1")
  sleep 0.5
  m1=$(count_messages)
  # req/s summed over the wrk processes; p50/p99 the worst of them; non-2xx and errors summed.
  local files=()
  for i in $(seq 0 $((n - 1))); do files+=("$tmp/wrk-$db_counter-$phase-$i.txt"); done
  local summary
  summary=$(awk '
    function ms(v) { if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 } if (v ~ /ms$/) { sub(/ms$/, "", v); return v }
                     if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000 } return v }
    /^Requests\/sec:/ { rps += $2 }
    $1 == "50%" { v = ms($2); if (v > p50) p50 = v }
    $1 == "99%" { v = ms($2); if (v > p99) p99 = v }
    /Non-2xx or 3xx responses:/ { bad += $NF }
    /Socket errors:/ { errs = errs $0 " " }
    /requests in/ { reqs += $1 }
    END { printf "%.0f %.2f %.2f %d %d \"%s\"", rps, p50, p99, bad, reqs, errs }' "${files[@]}")
  echo "$setup_label|$target|$conns|$summary|$((m1 - m0))|$(cores "$s0" "$s1")" >>"$tmp/throughput"
}
throughput_setup() { # label nodes bus mode(direct|nginx)
  local label=$1 n=$2 bus=$3 mode=$4 urls=() i
  setup "$label" "$n" "$bus"
  if [ "$mode" = nginx ]; then
    start_nginx
    urls=("http://127.0.0.1:$NGINX_PORT")
  else
    for i in "${PORTS[@]}"; do urls+=("http://127.0.0.1:$i"); done
  fi
  # Warm-up (not reported): connections, shared buffers, allocator arenas.
  echo "== warming up $label ($WARMUP)" >&2
  local k=0
  for i in "${urls[@]}"; do
    k=$((k + 1))
    wrk -t"$THREADS" -c$((CONNS / ${#urls[@]})) -d"$WARMUP" -s "$here/send.lua" "$i/IMessages/v1/Send" \
      -- "$CHANNEL" "$BOT_TOKEN" "$k" >/dev/null 2>&1 &
  done
  wait_all_wrk
  wrk_row "$label" "bot Send" "$CONNS" "$DURATION" bot "${urls[@]}"
  wrk_row "$label" "bot Send" "$LOW_CONNS" "$LOW_DURATION" bot "${urls[@]}"
  wrk_row "$label" "person Send" "$CONNS" "$DURATION" person "${urls[@]}"
  teardown
}
wait_all_wrk() { local j; for j in $(jobs -p); do case " ${node_pids[*]} $nginx_pid $nats_pid " in *" $j "*) ;; *) wait "$j" || true ;; esac; done; }
if [[ " $SCENARIOS " == *" throughput "* ]]; then
  throughput_setup "1 node" 1 0 direct
  throughput_setup "1 node + bus" 1 1 direct
  throughput_setup "2 nodes, 2 wrk" 2 1 direct
  throughput_setup "2 nodes, nginx" 2 1 nginx
fi

# ---- report -------------------------------------------------------------------------------------
get() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1; }
echo
echo "### argon cluster benchmark — $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "$(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r), $(psql "$pg_url" -X -Atc 'SHOW server_version' | cut -d' ' -f1 | sed 's/^/PostgreSQL /'), nats-server $("$NATS" --version 2>&1 | awk '{print $2}'), $("$NGINX" -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'); everything on 127.0.0.1, nothing pinned; load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)."
flag() { awk -v o="$1" 'BEGIN { if (o + 0 > 0.3) printf " (!)" }'; }
if [ -s "$tmp/latency" ]; then
  echo
  echo "(a) Send→event latency, $LAT_STREAMS streams of one bot, ${LAT_DURATION} s of Sends over $SENDERS connections (first ${LAT_WARMUP} s excluded):"
  echo
  echo "| set-up | msg/s | p50 ms | p90 ms | p99 ms | max ms | frames delivered | Send p50 / p99 ms | Sends failed | argon | postgres | nats | client | other |"
  echo "|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|"
  while IFS='|' read -r label rate res c; do
    read -r ar pg na _ng cl ot _wall <<<"$c"
    echo "| $label | $rate | $(get "$res" p50_ms) | $(get "$res" p90_ms) | **$(get "$res" p99_ms)** | $(get "$res" max_ms) | $(get "$res" delivered)/$(get "$res" expected) ($(get "$res" gaps) missing by id) | $(get "$res" send_resp_p50_ms) / $(get "$res" send_resp_p99_ms) | $(get "$res" send_failed) | $ar | $pg | $na | $cl | $ot$(flag "$ot") |"
  done <"$tmp/latency"
  echo
  echo "CPU columns: cores (CPU seconds per wall second) over the whole client run (opening the streams, Sends, draining) of argon (all nodes), the PostgreSQL cluster, nats-server, the load client, and the rest of the machine."
fi
if [ -s "$tmp/throughput" ]; then
  echo
  echo "(b) Send throughput, wrk -t$THREADS (two wrk processes: each -t$THREADS with half the connections), $DURATION per row (-c$LOW_CONNS: $LOW_DURATION):"
  echo
  echo "| set-up | target | conns | req/s | p50 ms | p99 ms | non-2xx | new messages | argon | postgres | nats | nginx | wrk | other | machine busy |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  while IFS='|' read -r label target conns summary newrows c; do
    read -r rps p50 p99 bad reqs _errs <<<"$summary"
    read -r ar pg na ng cl ot _wall <<<"$c"
    busy=$(awk -v a="$ar" -v b="$pg" -v c="$na" -v d="$ng" -v e="$cl" -v f="$ot" 'BEGIN {printf "%.0f %%", 50 * (a + b + c + d + e + f)}')
    echo "| $label | $target | $conns | **$rps** | $p50 | $p99 | $bad | $newrows (wrk: $reqs) | $ar | $pg | $na | $ng | $cl | $ot$(flag "$ot") | $busy |"
  done <"$tmp/throughput"
  echo
  echo "CPU columns: cores (CPU seconds per wall second) of argon (all nodes), the PostgreSQL cluster (postmaster and all its children), nats-server, nginx (master + workers), wrk, and the rest of the machine; machine busy = their sum over $(nproc) cores. \"new messages\": rows added to \`messages\` during the row (wrk's completed requests in brackets; requests still in flight when wrk stops also commit)."
  grep -h "Socket errors" "$tmp"/wrk-*.txt 2>/dev/null | sort | uniq -c | sed 's/^/wrk: /' || true
fi
# What the servers logged at warn or above.
cp "$pg_dir/server.log" "$tmp/postgres-server.log" 2>/dev/null || true
grep -E 'WARNING|ERROR|FATAL|PANIC' "$tmp/postgres-server.log" 2>/dev/null | sed 's/^/postgres: /' >>"$tmp/argon-warnings.txt" || true
if [ -s "$tmp/argon-warnings.txt" ]; then
  echo
  echo "Logged at warn or above: $(wc -l <"$tmp/argon-warnings.txt") lines; by kind:"
  echo
  echo '```'
  sed -E 's/^[^:]*: [0-9T:.-]+Z //' "$tmp/argon-warnings.txt" | sed -E 's/[0-9a-f]{8}-[0-9a-f-]{27}/<uuid>/g; s/[0-9]+/N/g' | sort | uniq -c | sort -rn | head -20
  echo '```'
  echo
  echo "First lines:"
  echo '```'
  head -n 10 "$tmp/argon-warnings.txt"
  echo '```'
fi
grep -h "RESULT" "$tmp"/lat-*.out >/dev/null 2>&1 || true
