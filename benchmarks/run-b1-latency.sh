#!/usr/bin/env bash
# B1 latency at 500 and 2,000 requests/s: no filter vs PageViewFilter vs Matomo's filter.
# About 8 minutes with the defaults (11 with beforeJar=). Arguments go to B1Latency (name=value),
# e.g. rounds=3. It reports each variant's warm-up p99 (a new JVM at the highest rate) too.
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
build
measure b1-latency.txt java -cp "$JAR" io.github.helloretail4j.benchmarks.B1Latency logDir="$BENCH_DIR/target/b1" "$@"
