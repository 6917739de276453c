#!/usr/bin/env bash
# B1 saturation: wrk -t2 -c32 against each variant; delivery during and after, heap over time.
# About 4 minutes with the defaults (5 with beforeJar=). Needs wrk (apt-get install -y wrk).
# Arguments go to B1Saturation (name=value), e.g. rounds=1 seconds=5 warmup=5.
# Side by side with another build of the library: beforeJar=<that build's benchmarks.jar> (or the
# environment's BEFORE_JAR) adds the variant 'before', alternated with the others; 'helloretail'
# is this tree's build (the jar this script builds and runs). A "before" jar, e.g. of b9a3d10:
#   git worktree add ../before-b9a3d10 b9a3d10
#   cd ../before-b9a3d10 && mvn -q -B -Dmaven.repo.local=<repo> install -DskipTests \
#     && mvn -q -B -Dmaven.repo.local=<repo> -f benchmarks package -DskipTests
#   jar (paths from this repository's root): ../before-b9a3d10/benchmarks/target/benchmarks.jar
# install puts the library's 0.1.0-SNAPSHOT into <repo> and the benchmarks jar shades it from
# there: build one tree's library and its benchmarks jar right after each other, never two trees
# at once with the same repository. The jar is copied into target/run/ for the run.
source "$(dirname "$0")/bench-common.sh"
need_wrk
build
measure b1-saturation.txt java -cp "$JAR" io.github.helloretail4j.benchmarks.B1Saturation logDir="$BENCH_DIR/target/b1s" "$@"
