#!/bin/bash
# B3 alone, before/after alternated, 3 rounds each
cd benchmarks
for r in 1 2 3; do
  for j in before after; do
    if [ $j = before ]; then jar=<before.jar>; else jar=<after.jar>; fi
    java -Xmx1g -cp $jar io.github.helloretail4j.benchmarks.B3Delivery rounds=1 seconds=10 logDir=target/b3-$j > results/engine-side-by-side-quiet/b3-extra-$j-$r.txt 2>&1
    echo "B3 $j extra $r: $(grep -E '^\| tracker' results/engine-side-by-side-quiet/b3-extra-$j-$r.txt)"
    echo "   others: $(pgrep -fa 'mvn|surefire' | grep -v b3 | wc -l)"
  done
done
