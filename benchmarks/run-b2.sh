#!/usr/bin/env bash
# B2: JMH of PageViewFilter.doFilter on the request thread, with -prof gc, for both servlet
# layers back to back in one run: the Jakarta jar (benchmarks.jar) and then the javax jar
# (javax/target/benchmarks-javax.jar: the same FilterBenchmark, compiled against
# helloretail4j-javax and javax.servlet). About 14 minutes with JMH's defaults of the class;
# extra arguments go to both JMH runs (e.g. -f 1 -wi 3 -i 5 for a short one).
source "$(dirname "$0")/bench-common.sh"
build
if [ -n "${BENCH_JAVAX_JAR:-}" ]; then
  JAVAX_JAR="$BENCH_JAVAX_JAR"
else
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    (cd "$ROOT" && mvn -q -B ${MVN_ARGS:-} -f javax install -DskipTests)
    (cd "$BENCH_DIR/javax" && mvn -q -B ${MVN_ARGS:-} package -DskipTests)
  fi
  JAVAX_JAR="${JAR%.jar}-javax.jar"
  cp "$BENCH_DIR/javax/target/benchmarks-javax.jar" "$JAVAX_JAR"
fi

both() {
  echo "## jakarta: helloretail4j, $(basename "$JAR")"
  java -jar "$JAR" FilterBenchmark -prof gc -rf json -rff "$RESULTS/b2-filter-jmh-jakarta.json" "$@"
  echo "## javax: helloretail4j-javax, $(basename "$JAVAX_JAR") sha256 $(sha256sum "$JAVAX_JAR" | cut -c1-16)"
  java -jar "$JAVAX_JAR" FilterBenchmark -prof gc -rf json -rff "$RESULTS/b2-filter-jmh-javax.json" "$@"
}

measure b2-filter-jmh-layers.txt both "$@"
