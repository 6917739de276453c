#!/usr/bin/env bash
# B7 side by side with another build (a "before" jar), in one run on one throwaway database: the
# two builds' B7DatabaseOutbox alternated per round (before first in odd rounds), each run in a
# database of its own (B7 names its tables b7_1, b7_2, ... in every run). Raw output in benchmarks/results/<label>/b7-<database>-{before,after}-<round>.txt.
#
# Usage: benchmarks/run-b7-side-by-side.sh <before benchmarks.jar> [rounds] [label] [postgresql|mariadb]
# A "before" jar: as in run-side-by-side-conversions.sh. Environment: as bench-common.sh.
source "$(dirname "$0")/bench-common.sh"
BEFORE="$1"; ROUNDS="${2:-2}"; LABEL="${3:-b7-side-by-side}"; DB="${4:-postgresql}"
[ -f "$BEFORE" ] || { echo "no jar $BEFORE" >&2; exit 1; }
build
OUT="$RESULTS/$LABEL"
mkdir -p "$OUT" "$BENCH_DIR/target/run"
BJ="$BENCH_DIR/target/run/before-b7.jar"
cp "$BEFORE" "$BJ"
case "$DB" in
  postgresql) start_postgres b7; ABOUT="$PG_VERSION, fsync on" ;;
  mariadb) start_mariadb b7; ABOUT="$MARIADB_VERSION, innodb_flush_log_at_trx_commit=1" ;;
  *) echo "database: postgresql or mariadb, not $DB" >&2; exit 1 ;;
esac

fresh_database() { # <name>: creates it, prints its JDBC URL
  if [ "$DB" = postgresql ]; then
    as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U bench "$1"
    echo "jdbc:postgresql://127.0.0.1:$PG_PORT/$1"
  else
    mariadb --no-defaults -uroot -h127.0.0.1 -P"$MARIADB_PORT" -e "CREATE DATABASE $1 CHARACTER SET utf8mb4"
    echo "jdbc:mariadb://127.0.0.1:$MARIADB_PORT/$1"
  fi
}

b7() { # <before|after> <jar> <round>
  rm -rf "$BENCH_DIR/target/b7-files-$1"
  local url
  url="$(fresh_database "b7_$1_$3")"
  java -Xmx1g -cp "$2" io.github.helloretail4j.benchmarks.B7DatabaseOutbox "$url" bench \
    "$BENCH_DIR/target/b7-files-$1" > "$OUT/b7-$DB-$1-$3.txt" 2>&1
  grep -E 'threads|outbox|database' "$OUT/b7-$DB-$1-$3.txt" | sed "s/^/B7 $1 $3: /"
  rm -rf "$BENCH_DIR/target/b7-files-$1"
}

run() {
  echo "# $DB: $ABOUT"
  echo "# before: $BEFORE (sha256 $(sha256sum "$BEFORE" | cut -c1-16)); after: $JAR ($(cat "$JAR.commit" 2>/dev/null))"
  for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then b7 before "$BJ" "$round"; b7 after "$JAR" "$round"
    else b7 after "$JAR" "$round"; b7 before "$BJ" "$round"; fi
  done
}
# In a subshell: measure's watcher sets an EXIT trap of its own (see start_postgres).
( measure "$LABEL/b7-$DB.txt" run )
