#!/usr/bin/env bash
# B4: the collector stalls while 1,000,000 page views are tracked. About 1 minute.
source "$(dirname "$0")/bench-common.sh"
build
wait_quiet
watch_start
out="$RESULTS/b4-overload.txt"
{ environment; java -Xmx512m -cp "$JAR" io.github.helloretail4j.benchmarks.B4Overload "$@"; } 2>&1 | tee "$out"
watch_report | tee -a "$out"
