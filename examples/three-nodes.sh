#!/usr/bin/env bash
# Three msrp-relay nodes on one machine, sharing one PostgreSQL database and nothing else
# (docs/scaling-out.md walks through it). Creates the subscriber table if it is missing, adds
# alice, bob and carol (passwords NAME-secret), starts the nodes, prints one line per node:
#   node1 pid 4242 listening msrp://127.0.0.1:2855;tcp metrics http://127.0.0.1:9091
# and runs until SIGTERM or Ctrl-C, which it passes on to the nodes (each drains and exits).
#
# Usage: examples/three-nodes.sh postgres://USER:PASS@HOST:PORT/DB
# Environment: REALM (default example.net), HOST (default 127.0.0.1), BASE_PORT (default
# 2855: nodes on 2855, 2856, 2857 and metrics on 9091..9093; 0: free ports for all),
# LOG_DIR (default a new temporary directory: nodeN.log holds node N's JSON logs).
# Needs psql and a built checkout (pnpm install runs tsc -b).
set -euo pipefail
url=${1:?usage: examples/three-nodes.sh postgres://USER:PASS@HOST:PORT/DB}
realm=${REALM:-example.net}
host=${HOST:-127.0.0.1}
base=${BASE_PORT:-2855}
logs=${LOG_DIR:-$(mktemp -d)}
mkdir -p "$logs"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
relay=(node "$root/packages/msrp-relay/bin/msrp-relay.js")

# 1. One users table for every node: Kamailio's subscriber schema.
if ! psql "$url" -qAt -c 'SELECT 1 FROM subscriber LIMIT 0' >/dev/null 2>&1; then
  psql "$url" -q -v ON_ERROR_STOP=1 -f "$root/packages/msrp-relay/sql/subscriber-postgres.sql"
fi
for user in alice bob carol; do
  echo "$user-secret" | "${relay[@]}" users add "$user" --users-db "$url" --realm "$realm" >/dev/null
done

# 2. Three nodes: the same realm and database, their own port (and, on real hosts, their
# own --host name): each hands out relay URIs naming itself, in Use-Path.
pids=()
stop() {
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait
  exit "${1:-0}"
}
trap stop TERM INT
for n in 1 2 3; do
  port=0 metrics=0
  if [ "$base" != 0 ]; then port=$((base + n - 1)) metrics=$((9090 + n)); fi
  "${relay[@]}" --listen "msrp://$host:$port;tcp" --host "$host" --realm "$realm" \
    --users-db "$url" --users-db-column ha1-sha256=ha1_sha256 --metrics "$host:$metrics" \
    >"$logs/node$n.out" 2>"$logs/node$n.log" &
  pids+=("$!")
done

# 3. Each node prints "listening URI" then "metrics URL" once it is ready (bounded wait).
for n in 1 2 3; do
  pid=${pids[n - 1]}
  for _ in $(seq 200); do
    [ "$(wc -l <"$logs/node$n.out")" -ge 2 ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "node$n exited:" >&2
      cat "$logs/node$n.log" >&2
      stop 1
    fi
    sleep 0.1
  done
  [ "$(wc -l <"$logs/node$n.out")" -ge 2 ] || { echo "node$n not ready in 20 s" >&2; stop 1; }
  echo "node$n pid $pid $(head -n 2 "$logs/node$n.out" | paste -sd ' ')"
done
wait
