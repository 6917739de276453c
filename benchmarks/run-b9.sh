#!/usr/bin/env bash
# B9: the order feed serving a million orders (two lines each) to a loopback client, in a JVM of
# -Xmx64m: orders per second and the heap's peak; from made-up orders in memory (identity and
# gzip) and through SqlOrderSource from a throwaway PostgreSQL (started from Debian's binaries on
# a free loopback port, removed at the end, also on failure). About a minute.
source "$(dirname "$0")/bench-common.sh"
build

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}"
PG_DIR="$(mktemp -d -t helloretail4j-b9-pg-XXXXXX)"
PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
stop_pg() {
  as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DIR/data" -m immediate -w >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_pg EXIT
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U bench -A trust -E UTF8 --locale=C >/dev/null
as_pg "$PG_BIN/pg_ctl" start -w -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
  -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DIR" >/dev/null

ORDERS="${1:-1000000}"
# In a subshell: measure's watcher sets an EXIT trap of its own, which would replace stop_pg.
( measure b9-order-feed.txt bash -c "echo '# -Xmx64m, $ORDERS orders; PostgreSQL: $("$PG_BIN/postgres" --version)'; \
  echo '## in memory, identity'; java -Xmx64m -cp '$JAR' io.github.helloretail4j.benchmarks.B9OrderFeed $ORDERS identity; \
  echo '## in memory, gzip'; java -Xmx64m -cp '$JAR' io.github.helloretail4j.benchmarks.B9OrderFeed $ORDERS gzip; \
  echo '## SqlOrderSource, identity'; java -Xmx64m -cp '$JAR' io.github.helloretail4j.benchmarks.B9OrderFeed $ORDERS identity \
    jdbc:postgresql://127.0.0.1:$PG_PORT/postgres bench" )
