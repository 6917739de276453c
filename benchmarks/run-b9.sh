#!/usr/bin/env bash
# B9: the order feed serving a million orders (two lines each) to a loopback client, in a JVM of
# -Xmx64m: orders per second and the heap's peak; from made-up orders in memory (identity and
# gzip) and through SqlOrderSource from a throwaway PostgreSQL (started from Debian's binaries on
# a free loopback port, removed at the end, also on failure). About a minute.
source "$(dirname "$0")/bench-common.sh"
build

start_postgres b9

ORDERS="${1:-1000000}"
# In a subshell: measure's watcher sets an EXIT trap of its own (see start_postgres).
( measure b9-order-feed.txt bash -c "echo '# -Xmx64m, $ORDERS orders; PostgreSQL: $PG_VERSION'; \
  echo '## in memory, identity'; java -Xmx64m -cp '$JAR' io.github.helloretail4j.benchmarks.B9OrderFeed $ORDERS identity; \
  echo '## in memory, gzip'; java -Xmx64m -cp '$JAR' io.github.helloretail4j.benchmarks.B9OrderFeed $ORDERS gzip; \
  echo '## SqlOrderSource, identity'; java -Xmx64m -cp '$JAR' io.github.helloretail4j.benchmarks.B9OrderFeed $ORDERS identity \
    jdbc:postgresql://127.0.0.1:$PG_PORT/postgres bench" )
