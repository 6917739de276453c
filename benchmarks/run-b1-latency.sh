#!/usr/bin/env bash
# B1 latency at 500 and 2,000 requests/s: no filter vs PageViewFilter vs Matomo's filter.
# About 8 minutes with the defaults. Arguments go to B1Latency (name=value), e.g. rounds=3.
source "$(dirname "$0")/bench-common.sh"
build
measure b1-latency.txt java -cp "$JAR" io.github.helloretail4j.benchmarks.B1Latency logDir="$BENCH_DIR/target/b1" "$@"
