#!/usr/bin/env bash
# A CPU profile of one shop JVM under load (async-profiler 4.2), and where its CPU goes per
# delivered page view: by thread group and, for the tracker's threads, by kind of frame (kernel:
# futex/scheduling, epoll, socket write, socket read, other; httpclient5; Jackson; ours; JDK
# locks; other) plus their top self frames. About 1 minute per mode. Needs wrk.
#
# Usage: benchmarks/run-profile.sh [mode=saturation|rate|both] [jar=<any build's benchmarks.jar>]
#          [label=profile] [variant=helloretail|none|matomo] [name=value ... for Profile]
#   mode=saturation: wrk -t2 -c32 -d20s (Rig.HEADERS); mode=rate: 2,000 req/s for 20 s
#   (ConstantRateLoad); both: one after the other. Each after a 15 s warm-up at 2,000 req/s that
#   is not profiled. Other Profile arguments: seconds=20 warmup=15 rate=2000 interval=1000000 (ns)
#   event=cpu (falls back to itimer, without kernel frames, when perf events are refused),
#   out=<directory> (default benchmarks/results/profiles).
#
# What runs: a sink JVM and the load from this tree's benchmarks jar (built here, as for the other
# run-b*.sh); ONE shop JVM (ShopApp <variant>) from jar= (default: this tree's). After the warm-up
# the agent (target/async-profiler/linux-x64/libasyncProfiler.so, unpacked by the benchmarks
# build from tools.profiler:async-profiler:4.2) is loaded into the shop JVM through the attach API
# (VirtualMachine.loadAgentPath, as jcmd <pid> JVMTI.agent_load does) with
# start,event=cpu,interval=...,threads; after the measured load a second load with
# stop,file=...,collapsed writes the profile. Kernel frames need perf events (root, or
# kernel.perf_event_paranoid <= 1).
#
# Writes benchmarks/results/profiles/<label>-<mode>.txt (the summary, the command on top) and
# <label>-<mode>.collapsed.gz (the raw collapsed stacks: zcat; "[thread tid=N];root;...;leaf count").
# Re-summarise a profile: java -cp benchmarks/target/benchmarks.jar io.github.helloretail4j.benchmarks.Profile \
#   analyze=<file.collapsed.gz> served=N delivered=N interval=1000000
#
# Profiling another build (a "before" and an "after" jar): build its benchmarks jar, e.g. of b9a3d10:
#   git worktree add ../before-b9a3d10 b9a3d10
#   cd ../before-b9a3d10 && mvn -q -B -Dmaven.repo.local=<repo> install -DskipTests \
#     && mvn -q -B -Dmaven.repo.local=<repo> -f benchmarks package -DskipTests
#   then, back in this repository's root: benchmarks/run-profile.sh mode=both jar=../before-b9a3d10/benchmarks/target/benchmarks.jar label=before-b9a3d10
# (install puts the library's 0.1.0-SNAPSHOT into <repo>: build one tree's library and its
# benchmarks jar right after each other, never two trees at once with the same repository.)
# Environment: as for the other scripts (SKIP_BUILD=1, QUIET_WAIT=<s>, MVN_ARGS=...).
source "$(dirname "$0")/bench-common.sh"
need_wrk
CMD="$(for v in SKIP_BUILD QUIET_WAIT MVN_ARGS BENCH_JAR; do if [ -n "${!v:-}" ]; then printf '%s=%q ' "$v" "${!v}"; fi; done)benchmarks/run-profile.sh $*"
build
LIB="$BENCH_DIR/target/async-profiler/linux-x64/libasyncProfiler.so"
[ -f "$LIB" ] || { echo "no $LIB: build the benchmarks (mvn -f benchmarks package) first" >&2; exit 1; }

MODE=saturation; LABEL=profile; SHOP_JAR="$JAR"; OUT_DIR="$RESULTS/profiles"; ARGS=()
for a in "$@"; do
  case "$a" in
    mode=*) MODE="${a#mode=}" ;;
    jar=*) SHOP_JAR="${a#jar=}" ;;
    out=*) OUT_DIR="${a#out=}" ;;
    label=*) LABEL="${a#label=}"; ARGS+=("$a") ;;
    *) ARGS+=("$a") ;;
  esac
done
if [ "$SHOP_JAR" != "$JAR" ]; then
  [ -f "$SHOP_JAR" ] || { echo "no jar $SHOP_JAR" >&2; exit 1; }
  # a private copy in target/run/: a rebuild cannot change it midway, and the watcher counts its JVM as ours
  copy="$BENCH_DIR/target/run/profile-shop-$(date -u +%Y%m%d%H%M%S)-$$.jar"
  cp "$SHOP_JAR" "$copy"
  origin="$(cd "$(dirname "$SHOP_JAR")" && pwd)/$(basename "$SHOP_JAR")"
  echo "commit $(git -C "$(dirname "$SHOP_JAR")" log -1 --format=%h 2>/dev/null || echo unknown) (its tree's HEAD; copied from $origin)" > "$copy.commit"
  SHOP_JAR="$copy"
fi
case "$MODE" in
  both) MODES="saturation rate" ;;
  saturation|rate) MODES="$MODE" ;;
  *) echo "mode is saturation, rate or both: $MODE" >&2; exit 1 ;;
esac
mkdir -p "$OUT_DIR"; OUT_DIR="$(cd "$OUT_DIR" && pwd)"

for m in $MODES; do
  out="$OUT_DIR/$LABEL-$m.txt"
  wait_quiet
  export PROFILE_COMMAND="$CMD"
  PROFILE_HEADER="$(environment)
# async-profiler: tools.profiler:async-profiler:4.2 (Maven Central), $LIB sha256 $(sha256sum "$LIB" | cut -c1-16)
# another build's jar: git worktree add ../before-<commit> <commit>; in it mvn -q -B -Dmaven.repo.local=<repo> install -DskipTests && mvn -q -B -Dmaven.repo.local=<repo> -f benchmarks package -DskipTests; then jar=../before-<commit>/benchmarks/target/benchmarks.jar"
  export PROFILE_HEADER
  watch_start
  java -cp "$JAR" io.github.helloretail4j.benchmarks.Profile lib="$LIB" jar="$SHOP_JAR" mode="$m" \
    out="$OUT_DIR" logDir="$BENCH_DIR/target/profile" "${ARGS[@]}"
  watch_report | tee -a "$out"
done
