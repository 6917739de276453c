#!/usr/bin/env bash
# B4: the collector stalls while 1,000,000 page views are tracked. About 1 minute.
source "$(dirname "$0")/bench-common.sh"
build
measure b4-overload.txt java -Xmx512m -cp "$JAR" io.github.helloretail4j.benchmarks.B4Overload "$@"
