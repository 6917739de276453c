#!/usr/bin/env bash
# B10: a backlog of conversions delivered to the loopback sink answering 10/50/100 ms after each
# request, default settings, the directory outbox and the database outbox (on a throwaway
# PostgreSQL, unless outboxes=file). Arguments after the result file go to B10ConversionRoundTrip:
# rounds=, rtts=, seconds=, outboxes=, nodes=, backlog=, beforeJar= (see its Javadoc).
#
# Usage: benchmarks/run-b10.sh <result file under results/> [B10 args...]
#   e.g. benchmarks/run-b10.sh b10-hour-backlog.txt rtts=50 backlog=36000 seconds=300
#        benchmarks/run-b10.sh b10-3-nodes.txt rtts=50 outboxes=db nodes=3 beforeJar=<before jar>
# Environment: as bench-common.sh; PG_BIN=<PostgreSQL's bin directory> (default: Debian's newest).
source "$(dirname "$0")/bench-common.sh"
FILE="$1"; shift
build
mkdir -p "$(dirname "$RESULTS/$FILE")"
B10=(java -Xmx1g -cp "$JAR" io.github.helloretail4j.benchmarks.B10ConversionRoundTrip "$@")
if printf '%s\n' "$@" | grep -qx 'outboxes=file'; then
  measure "$FILE" "${B10[@]}"
  exit 0
fi
start_postgres b10
# In a subshell: measure's watcher sets an EXIT trap of its own (see start_postgres).
( measure "$FILE" "${B10[@]}" jdbc="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" user=bench )
