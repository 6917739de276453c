#!/usr/bin/env bash
# B3: delivery throughput of the tracker vs the sink's own capacity under wrk. About 3 minutes.
source "$(dirname "$0")/bench-common.sh"
need_wrk
build
measure b3-delivery.txt java -Xmx1g -cp "$JAR" io.github.helloretail4j.benchmarks.B3Delivery logDir="$BENCH_DIR/target/b3" "$@"
