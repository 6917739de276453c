#!/usr/bin/env bash
# B7 on MariaDB: the same measurements as run-b7.sh (conversions accepted per second with 1/4/16
# threads, auto-commit and in the shop's transaction; delivered per second by 1 and 3 nodes), the
# database outbox on a throwaway MariaDB from Debian's mariadb-server instead of PostgreSQL. Run
# it right after run-b7.sh for the two side by side. About 3 minutes. Durable as a shop runs it:
# innodb_flush_log_at_trx_commit=1 (a log flush per commit), the doublewrite buffer on.
source "$(dirname "$0")/bench-common.sh"
build

start_mariadb b7

# In a subshell: measure's watcher sets an EXIT trap of its own (see start_mariadb).
( measure b7-database-outbox-mariadb.txt bash -c "echo '# MariaDB: $MARIADB_VERSION, innodb_flush_log_at_trx_commit=1, data in $MARIADB_DIR'; \
  java -Xmx1g -cp '$JAR' io.github.helloretail4j.benchmarks.B7DatabaseOutbox \
  jdbc:mariadb://127.0.0.1:$MARIADB_PORT/shop bench '$BENCH_DIR/target/b7-files' $*" )
