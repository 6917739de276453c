#!/usr/bin/env bash
# The fault, durability and multi-node suites of the core, run N times in a row (default 10), on
# both databases (the suites with a database run once per database in each run): how many of
# their tests passed and failed in each run. The core's tests must be compiled (mvn install).
#
# Usage: benchmarks/repeat-suites.sh [runs] [result file under benchmarks/results/]
set -uo pipefail
RUNS="${1:-10}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/benchmarks/results/${2:-suites-repeated.txt}"
SUITES="ConversionDurabilityTest,RealFullDiskTest,EngineFaultTest,FileOutboxFaultTest,NetworkFaultsTest,TrackerDeliveryTest,CloseDuringBacklogTest,ConversionWindowTest,DatabaseTrackerTest,DatabaseOutboxTest,MultiNodeTest"
REPORTS="$ROOT/core/target/surefire-reports"
mkdir -p "$(dirname "$OUT")"
{
  echo "# $RUNS runs in a row of: $SUITES"
  echo "# commit $(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && git diff --quiet -- src || echo ' + uncommitted changes in src'); $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "run,tests,failures,errors,seconds"
} | tee "$OUT"
failed_runs=0
for run in $(seq 1 "$RUNS"); do
  rm -rf "$REPORTS"
  start=$(date +%s)
  (cd "$ROOT" && mvn -q -B -o -pl core surefire:test -Dtest="$SUITES" -Dsurefire.failIfNoSpecifiedTests=false \
    > "/tmp/repeat-suites-$run.log" 2>&1)
  took=$(( $(date +%s) - start ))
  tests=$(cat "$REPORTS"/TEST-*.xml | grep -c '<testcase')
  failures=$(cat "$REPORTS"/TEST-*.xml | grep -c '<failure')
  errors=$(cat "$REPORTS"/TEST-*.xml | grep -c '<error')
  echo "$run,$tests,$failures,$errors,$took" | tee -a "$OUT"
  if [ "$failures" != 0 ] || [ "$errors" != 0 ]; then
    failed_runs=$((failed_runs + 1))
    grep -l '<failure\|<error' "$REPORTS"/TEST-*.xml | sed "s/^/#   run $run failed in /" | tee -a "$OUT"
    cp -r "$REPORTS" "/tmp/repeat-suites-reports-$run"
  fi
done
echo "# runs with a failure: $failed_runs of $RUNS; end $(date -u '+%H:%M:%S UTC')" | tee -a "$OUT"
