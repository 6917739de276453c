#!/usr/bin/env bash
# Soak: 10 minutes (or $1) of mixed load through PageViewFilter with a collector that fails in
# cycles, then recovers. Not part of the README's test command. Prints heap after GC, threads,
# page views dropped, conversions acknowledged vs delivered; exits non-zero if they differ.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B install -DskipTests
mvn -q -B -f benchmarks package -DskipTests
exec java -Xmx512m -cp benchmarks/target/benchmarks.jar io.github.helloretail4j.benchmarks.Soak "${1:-10}" "${2:-300}" "${3:-5}"
