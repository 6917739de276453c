#!/usr/bin/env bash
# B1–B4 and B6–B8, one build for all (about 47 minutes). Each waits for a quiet machine first.
set -euo pipefail
cd "$(dirname "$0")"
source ./bench-common.sh
build
export BENCH_JAR="$JAR"
./run-b4.sh
./run-b3.sh
./run-b2.sh
./run-b1-latency.sh
./run-b1-saturation.sh
./run-b6.sh
./run-b7.sh
./run-b8.sh
