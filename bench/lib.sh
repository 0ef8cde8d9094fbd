# Helpers shared by the benchmark scripts (sourced; BENCH_NAME prefixes their messages).
# shellcheck shell=bash

stop_pid() { # pid: TERM, wait up to 10 s, then KILL
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

free_port() {
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 40000))
    if [ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]; then echo "$p"; return 0; fi
  done
  echo "$BENCH_NAME: no free port found" >&2
  return 1
}

wait_port() { # port, seconds
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "$BENCH_NAME: nothing listening on 127.0.0.1:$1 after $2 s" >&2
  return 1
}

cpu_ticks() { # utime+stime (all threads) of the given pids
  local total=0 pid stat rest
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    stat=$(cat "/proc/$pid/stat")
    rest=${stat##*) }
    # fields after "comm)": state=1 … utime=12 stime=13 (i.e. fields 14 and 15 of the whole line)
    # shellcheck disable=SC2086
    set -- $rest
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}

pg_ticks() { # the PostgreSQL cluster of $pg_pm: postmaster (own + reaped children's) + live children
  if [ -z "${pg_pm:-}" ] || [ ! -r "/proc/$pg_pm/stat" ]; then echo 0; return; fi
  local stat rest own
  stat=$(cat "/proc/$pg_pm/stat")
  rest=${stat##*) }
  # shellcheck disable=SC2086
  set -- $rest
  own=$((${12} + ${13} + ${14} + ${15}))
  # shellcheck disable=SC2046
  echo $((own + $(cpu_ticks $(pgrep -P "$pg_pm" | tr '\n' ' '))))
}

raise_open_files() { # needed: the open-file limit up to the hard one; exit if below `needed`
  local hard
  hard=$(ulimit -Hn)
  if [ "$hard" = unlimited ]; then ulimit -n 1048576; else ulimit -n "$hard"; fi
  if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$1" ]; then
    echo "$BENCH_NAME: open-file limit $(ulimit -n) is below $1; raise the hard limit" >&2
    exit 1
  fi
}

bench_argon() { # [path] build-dir-name: the argon to measure, built (Release, no tests) if no path
  if [ -n "$1" ]; then
    realpath "$1"
    return
  fi
  local build="$repo/$2"
  echo "$BENCH_NAME: building $build/argon (Release)…" >&2
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DARGON_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" --target argon >/dev/null
  echo "$build/argon"
}
