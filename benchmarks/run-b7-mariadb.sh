#!/usr/bin/env bash
# B7 on MariaDB: the same measurements as run-b7.sh (conversions accepted per second with 1/4/16
# threads, auto-commit and in the shop's transaction; delivered per second by 1 and 3 nodes), the
# database outbox on a throwaway MariaDB from Debian's mariadb-server instead of PostgreSQL. Run
# it right after run-b7.sh for the two side by side. About 3 minutes. Durable as a shop runs it:
# innodb_flush_log_at_trx_commit=1 (a log flush per commit), the doublewrite buffer on.
source "$(dirname "$0")/bench-common.sh"
build

MARIADB_DIR="$(mktemp -d -t helloretail4j-b7-mariadb-XXXXXX)"
MARIADB_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
stop_mariadb() {
  [ -f "$MARIADB_DIR/server.pid" ] && kill "$(cat "$MARIADB_DIR/server.pid")" 2>/dev/null && sleep 2 || true
  rm -rf "$MARIADB_DIR"
}
trap stop_mariadb EXIT
mariadb-install-db --no-defaults --datadir="$MARIADB_DIR/data" --user="$(id -un)" \
  --auth-root-authentication-method=normal --skip-test-db >/dev/null
/usr/sbin/mariadbd --no-defaults --datadir="$MARIADB_DIR/data" --user="$(id -un)" --port="$MARIADB_PORT" \
  --bind-address=127.0.0.1 --socket="$MARIADB_DIR/server.sock" --pid-file="$MARIADB_DIR/server.pid" \
  --log-error="$MARIADB_DIR/server.log" --skip-name-resolve --max-connections=300 \
  --innodb-flush-log-at-trx-commit=1 --skip-log-bin &
for _ in $(seq 1 120); do
  mariadb --no-defaults -uroot -h127.0.0.1 -P"$MARIADB_PORT" -e 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.5
done
mariadb --no-defaults -uroot -h127.0.0.1 -P"$MARIADB_PORT" \
  -e "CREATE USER 'bench'@'%'; GRANT ALL ON *.* TO 'bench'@'%'; CREATE DATABASE shop CHARACTER SET utf8mb4;"

# In a subshell: measure's watcher sets an EXIT trap of its own, which would replace stop_mariadb.
( measure b7-database-outbox-mariadb.txt bash -c "echo '# MariaDB: $(/usr/sbin/mariadbd --version), innodb_flush_log_at_trx_commit=1, data in $MARIADB_DIR'; \
  java -Xmx1g -cp '$JAR' io.github.helloretail4j.benchmarks.B7DatabaseOutbox \
  jdbc:mariadb://127.0.0.1:$MARIADB_PORT/shop bench '$BENCH_DIR/target/b7-files' $*" )
