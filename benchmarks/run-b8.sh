#!/usr/bin/env bash
# B8: the floor under a page view's delivery. CPU per exchange of the tracker's threads (over http,
# and over https to a listener with HTTP/1.1 only and to one offering h2) beside
# httpclient5's classic client, a socket with no library, and a socket with every page view of a
# 20 ms window in one write (HTTP/1.1 pipelining at its best), at 500 and 2,000 page views/s to
# the loopback sink. About 9 minutes. Arguments go to B8ExchangeFloor (name=value), e.g. rounds=5.
source "$(dirname "$0")/bench-common.sh"
build
measure b8-exchange-floor.txt java -Xmx1g -cp "$JAR" io.github.helloretail4j.benchmarks.B8ExchangeFloor logDir="$BENCH_DIR/target/b8" "$@"
