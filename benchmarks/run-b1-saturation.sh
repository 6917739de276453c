#!/usr/bin/env bash
# B1 saturation: wrk -t2 -c32 against each variant; delivery during and after, heap over time.
# About 4 minutes with the defaults. Needs wrk (apt-get install -y wrk).
source "$(dirname "$0")/bench-common.sh"
need_wrk
build
measure b1-saturation.txt java -cp "$JAR" io.github.helloretail4j.benchmarks.B1Saturation logDir="$BENCH_DIR/target/b1s" "$@"
