#!/usr/bin/env bash
# B3: delivery throughput of the tracker vs the sink's own capacity under wrk. About 3 minutes.
source "$(dirname "$0")/bench-common.sh"
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }
build
wait_quiet
watch_start
out="$RESULTS/b3-delivery.txt"
{ environment; java -Xmx1g -cp "$JAR" io.github.helloretail4j.benchmarks.B3Delivery logDir="$BENCH_DIR/target/b3" "$@"; } 2>&1 | tee "$out"
watch_report | tee -a "$out"
