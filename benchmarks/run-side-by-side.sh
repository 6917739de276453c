#!/usr/bin/env bash
# B2, B3 and B5 from two benchmark jars (the library before and after a change) in one run, the
# order of the two alternated per round so that the machine's drift hits both alike. About 4
# minutes per jar and round.
#
# Usage: benchmarks/run-side-by-side.sh <before.jar> <after.jar> [rounds] [label]
# A "before" jar: git worktree add ../before <commit>; in it, mvn -q install -DskipTests with a
# local repository of its own (-Dmaven.repo.local=...), then mvn -q -f benchmarks package with
# the same repository; the jar is ../before/benchmarks/target/benchmarks.jar.
# Environment: QUIET_WAIT=<seconds> as for the other scripts (0 = measure at once).
source "$(dirname "$0")/bench-common.sh"
need_wrk
BEFORE="$1"; AFTER="$2"; ROUNDS="${3:-2}"; LABEL="${4:-side-by-side}"
OUT="$RESULTS/$LABEL"
mkdir -p "$OUT"
for j in "$BEFORE" "$AFTER"; do [ -f "$j" ] || { echo "no jar $j" >&2; exit 1; }; done
mkdir -p "$BENCH_DIR/target/run"
cp "$BEFORE" "$BENCH_DIR/target/run/before.jar"; cp "$AFTER" "$BENCH_DIR/target/run/after.jar"
JAR="$BENCH_DIR/target/run/after.jar"   # for environment()

one() { # <label> <jar> <round>
  local label="$1" jar="$2" round="$3"
  echo "## $label, round $round ($(date -u +%T))"
  java -jar "$jar" FilterBenchmark -f 1 -wi 3 -i 5 -rf json -rff "$OUT/b2-$label-$round.json" > "$OUT/b2-$label-$round.txt" 2>&1
  grep -E '^FilterBenchmark\.[A-Za-z_]+ ' "$OUT/b2-$label-$round.txt" | sed "s/^/B2 $label $round: /"
  java -Xmx1g -cp "$jar" io.github.helloretail4j.benchmarks.B3Delivery rounds=1 seconds=10 \
    logDir="$BENCH_DIR/target/b3-$label" > "$OUT/b3-$label-$round.txt" 2>&1
  grep -E '^\| tracker' "$OUT/b3-$label-$round.txt" | sed "s/^/B3 $label $round: /"
  rm -rf "$BENCH_DIR/target/b5-$label"
  java -Xmx2g -cp "$jar" io.github.helloretail4j.benchmarks.ConversionThroughput "$BENCH_DIR/target/b5-$label" \
    > "$OUT/b5-$label-$round.txt" 2>&1
  grep -E 'thread|replay' "$OUT/b5-$label-$round.txt" | sed "s/^/B5 $label $round: /"
  rm -rf "$BENCH_DIR/target/b5-$label"
}

run_all() {
  echo "# before: $BEFORE (sha256 $(sha256sum "$BEFORE" | cut -c1-16)); after: $AFTER (sha256 $(sha256sum "$AFTER" | cut -c1-16))"
  for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then
      one before "$BENCH_DIR/target/run/before.jar" "$round"; one after "$BENCH_DIR/target/run/after.jar" "$round"
    else
      one after "$BENCH_DIR/target/run/after.jar" "$round"; one before "$BENCH_DIR/target/run/before.jar" "$round"
    fi
  done
}
measure "$LABEL/summary.txt" run_all
