#!/usr/bin/env bash
# B2: JMH of PageViewFilter.doFilter on the request thread, with -prof gc. About 7 minutes.
# Extra arguments go to JMH (e.g. -f 1).
source "$(dirname "$0")/bench-common.sh"
build
measure b2-filter-jmh.txt java -jar "$JAR" FilterBenchmark -prof gc -rf json -rff "$RESULTS/b2-filter-jmh.json" "$@"
