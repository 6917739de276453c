#!/usr/bin/env bash
# Conversions side by side with another build (a "before" jar), in one run: B5 (100,000
# conversions replayed to the loopback sink, and accepted from 1/16/64 threads) for each jar,
# alternated per round; then B10 (run-b10.sh: a backlog delivered to a sink 10/50/100 ms away,
# default settings, the directory outbox and the database outbox on a throwaway PostgreSQL), both
# builds in one JVM, alternated. Raw output in benchmarks/results/<label>/. B5=0 leaves B5 out,
# B10=0 B10.
#
# Usage: benchmarks/run-side-by-side-conversions.sh <before benchmarks.jar> [rounds] [label] [B10 args...]
#   e.g. ... before.jar 1 conversions-quick rtts=50 seconds=10
# A "before" jar: git worktree add ../before <commit>; in it mvn -q -B install -DskipTests and
# mvn -q -B -f benchmarks package -DskipTests, with a Maven repository of its own
# (-Dmaven.repo.local=...), built right after each other; the jar is benchmarks/target/benchmarks.jar.
# Environment: as bench-common.sh (SKIP_BUILD=1 runs this tree's last built jar; MVN_ARGS=...;
# QUIET_WAIT=<seconds>); PG_BIN=<PostgreSQL's bin directory> (default: Debian's newest); NO_DB=1
# leaves the database outbox out.
source "$(dirname "$0")/bench-common.sh"
BEFORE="$1"; ROUNDS="${2:-1}"; LABEL="${3:-side-by-side-conversions}"; shift $(( $# < 3 ? $# : 3 ))
[ -f "$BEFORE" ] || { echo "no jar $BEFORE" >&2; exit 1; }
build
OUT="$RESULTS/$LABEL"
mkdir -p "$OUT"
mkdir -p "$BENCH_DIR/target/run"
cp "$BEFORE" "$BENCH_DIR/target/run/before.jar"
BJ="$BENCH_DIR/target/run/before.jar"

b5() { # <label> <jar> <round>
  rm -rf "$BENCH_DIR/target/b5-$1"
  java -Xmx2g -cp "$2" io.github.helloretail4j.benchmarks.ConversionThroughput "$BENCH_DIR/target/b5-$1" \
    > "$OUT/b5-$1-$3.txt" 2>&1
  grep -E 'thread|replay' "$OUT/b5-$1-$3.txt" | sed "s/^/B5 $1 $3: /"
  rm -rf "$BENCH_DIR/target/b5-$1"
}

run_b5() {
  echo "# before: $BEFORE (sha256 $(sha256sum "$BEFORE" | cut -c1-16)); after: $JAR ($(cat "$JAR.commit" 2>/dev/null))"
  for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then b5 before "$BJ" "$round"; b5 after "$JAR" "$round"
    else b5 after "$JAR" "$round"; b5 before "$BJ" "$round"; fi
  done
}
[ "${B5:-1}" = 0 ] || measure "$LABEL/b5.txt" run_b5

B10_ARGS=(rounds="$ROUNDS" beforeJar="$BJ" "$@")
[ "${NO_DB:-0}" = 1 ] && B10_ARGS+=(outboxes=file)
[ "${B10:-1}" = 0 ] || BENCH_JAR="$JAR" "$BENCH_DIR/run-b10.sh" "$LABEL/b10.txt" "${B10_ARGS[@]}"
