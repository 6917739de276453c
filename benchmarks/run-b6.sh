#!/usr/bin/env bash
# B6: delivery to a distant collector (a sink answering after 10, 50, 100 ms), at most 2 vs 16
# page view threads. About 5 minutes (10 with beforeJar=). Arguments go to B6RoundTrip
# (name=value). B6 runs the tracker in this JVM; the before build is loaded by a class loader of
# its own over its jar. It reports the peak of the tracker's live threads per measurement.
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
measure b6-round-trip.txt java -Xmx1g -cp "$JAR" io.github.helloretail4j.benchmarks.B6RoundTrip "$@"
