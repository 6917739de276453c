#!/usr/bin/env bash
# B6: delivery to a distant collector (a sink answering after 10, 50, 100 ms), at most 2 vs 16
# page view threads. About 5 minutes.
source "$(dirname "$0")/bench-common.sh"
build
measure b6-round-trip.txt java -Xmx1g -cp "$JAR" io.github.helloretail4j.benchmarks.B6RoundTrip "$@"
