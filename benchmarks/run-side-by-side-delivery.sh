#!/usr/bin/env bash
# The asynchronous delivery's measurements, beside the blocking senders it replaced: this build's
# delivery beside another build's (a "before" jar), in one run: the profile (both modes), B1
# saturation, B1 latency with the cold start, B6, B4 for each jar, then B2/B3/B5 alternated.
# About 30 minutes. Raw output in benchmarks/results/<label>/.
#
# Usage: benchmarks/run-side-by-side-delivery.sh <before benchmarks.jar> [label]
# A "before" jar: git worktree add ../before <commit>; in it mvn -q -B install -DskipTests and
# mvn -q -B -f benchmarks package -DskipTests, with a Maven repository of its own
# (-Dmaven.repo.local=...), built right after each other; the jar is benchmarks/target/benchmarks.jar.
set -uo pipefail
BJ="$1"; LABEL="${2:-async-delivery}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
C=$(git rev-parse --short HEAD)
mvn -q -B install -DskipTests || exit 1
mvn -q -B -f benchmarks package -DskipTests || exit 1
mkdir -p benchmarks/target/jars && AJ="$ROOT/benchmarks/target/jars/after-$C.jar" && cp benchmarks/target/benchmarks.jar "$AJ"
OUT=benchmarks/results/$LABEL
mkdir -p "$OUT"
export SKIP_BUILD=1 QUIET_WAIT="${QUIET_WAIT:-120}"
keep() { mv "benchmarks/results/$1" "$OUT/$2" && git checkout -q -- "benchmarks/results/$1" 2>/dev/null || true; }
benchmarks/run-profile.sh mode=both jar="$AJ" label="after-$C"
benchmarks/run-b1-saturation.sh beforeJar="$BJ" && keep b1-saturation.txt b1-saturation.txt
benchmarks/run-b1-latency.sh rounds=3 seconds=10 warmup=30 beforeJar="$BJ" && keep b1-latency.txt b1-latency.txt
benchmarks/run-b6.sh senders=16 beforeJar="$BJ" && keep b6-round-trip.txt b6-round-trip.txt
BENCH_JAR="$BJ" benchmarks/run-b4.sh && keep b4-overload.txt b4-overload-before.txt
BENCH_JAR="$AJ" benchmarks/run-b4.sh && keep b4-overload.txt b4-overload-after.txt
benchmarks/run-side-by-side.sh "$BJ" "$AJ" 1 "$LABEL/side-by-side"
