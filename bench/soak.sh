#!/usr/bin/env bash
# Soak: 10 minutes of mixed load (bot and person Sends, event streams that disconnect and resume,
# interactions, voice) against one argon that is killed with SIGKILL and restarted every minute;
# then acknowledged vs stored messages, stream gaps and duplicates, 5xx, RSS per process.
#
#   bench/soak.sh [path/to/argon]                 # default build/argon; SQLite in a temp data dir
#   ENGINE=postgres bench/soak.sh                 # on a throwaway PostgreSQL (scripts/with-postgres)
#   DURATION=120 KILL_EVERY=30 bench/soak.sh      # knobs: see bench/soak/soak.mjs and docs/benchmarks.md
#
# Prints a markdown report (also OUT_DIR/report.md, with report.json, rss.csv and server.log;
# OUT_DIR defaults to a fresh $TMPDIR/argon-soak-* directory) and exits non-zero when an
# acknowledged message was lost or duplicated, a stream resumed with an id missed or repeated an
# event, or the server answered a 5xx other than 503.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${1:-$root/build/argon}
[ -x "$bin" ] || {
  echo "soak: no argon binary at $bin (build it: cmake --build build -j2 --target argon)" >&2
  exit 2
}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
command -v node >/dev/null || {
  echo "soak: node (>= 20) is needed" >&2
  exit 2
}
if [ ! -d "$root/tests/blackbox/node_modules/ws" ]; then
  npm ci --prefix "$root/tests/blackbox" --no-audit --no-fund >&2
fi

export ARGON_BIN=$bin
# Nothing of the caller's ARGON_TEST_* set-up leaks in: the engine is chosen here.
unset ARGON_TEST_NATS_URL
case "${ENGINE:-sqlite}" in
  sqlite)
    unset ARGON_TEST_PG_URL
    exec node "$here/soak/soak.mjs"
    ;;
  postgres)
    exec "$root/scripts/with-postgres" node "$here/soak/soak.mjs"
    ;;
  *)
    echo "soak: ENGINE must be sqlite or postgres, not ${ENGINE}" >&2
    exit 2
    ;;
esac
