#!/usr/bin/env bash
# B1 saturation: wrk -t2 -c32 against each variant; delivery during and after, heap over time.
# About 4 minutes with the defaults. Needs wrk (apt-get install -y wrk).
source "$(dirname "$0")/bench-common.sh"
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }
build
wait_quiet
watch_start
out="$RESULTS/b1-saturation.txt"
{ environment; java -cp "$JAR" io.github.helloretail4j.benchmarks.B1Saturation logDir="$BENCH_DIR/target/b1s" "$@"; } 2>&1 | tee "$out"
watch_report | tee -a "$out"
