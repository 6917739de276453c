#!/usr/bin/env bash
# B2: JMH of PageViewFilter.doFilter on the request thread, with -prof gc. About 7 minutes.
# Extra arguments go to JMH (e.g. -f 1).
source "$(dirname "$0")/bench-common.sh"
build
wait_quiet
watch_start
out="$RESULTS/b2-filter-jmh.txt"
{ environment; java -jar "$JAR" FilterBenchmark -prof gc -rf json -rff "$RESULTS/b2-filter-jmh.json" "$@"; } 2>&1 | tee "$out"
watch_report | tee -a "$out"
