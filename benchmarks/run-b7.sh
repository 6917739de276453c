#!/usr/bin/env bash
# B7: the database outbox beside the file outbox: conversions accepted per second (1/4/16 threads;
# auto-commit and in the shop's transaction) and delivered per second (1 and 3 nodes). About 3
# minutes. Starts a throwaway PostgreSQL from Debian's binaries (fsync on, as a shop runs it) in a
# temporary directory on a free loopback port, and removes it at the end, also on failure.
source "$(dirname "$0")/bench-common.sh"
build

start_postgres b7

# In a subshell: measure's watcher sets an EXIT trap of its own (see start_postgres).
( measure b7-database-outbox.txt bash -c "echo '# PostgreSQL: $PG_VERSION, fsync on, synchronous_commit on, data in $PG_DIR'; \
  java -Xmx1g -cp '$JAR' io.github.helloretail4j.benchmarks.B7DatabaseOutbox \
  jdbc:postgresql://127.0.0.1:$PG_PORT/postgres bench '$BENCH_DIR/target/b7-files' $*" )
