#!/usr/bin/env bash
# B7: the database outbox beside the file outbox: conversions accepted per second (1/4/16 threads;
# auto-commit and in the shop's transaction) and delivered per second (1 and 3 nodes). About 3
# minutes. Starts a throwaway PostgreSQL from Debian's binaries (fsync on, as a shop runs it) in a
# temporary directory on a free loopback port, and removes it at the end, also on failure.
source "$(dirname "$0")/bench-common.sh"
build

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}"
PG_DIR="$(mktemp -d -t helloretail4j-b7-pg-XXXXXX)"
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
  -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DIR -c max_connections=300" >/dev/null

# In a subshell: measure's watcher sets an EXIT trap of its own, which would replace stop_pg.
( measure b7-database-outbox.txt bash -c "echo '# PostgreSQL: $("$PG_BIN/postgres" --version), fsync on, synchronous_commit on, data in $PG_DIR'; \
  java -Xmx1g -cp '$JAR' io.github.helloretail4j.benchmarks.B7DatabaseOutbox \
  jdbc:postgresql://127.0.0.1:$PG_PORT/postgres bench '$BENCH_DIR/target/b7-files' $*" )
