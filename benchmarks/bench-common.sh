# Sourced by the run-b*.sh scripts: build, wait for a quiet machine, record the environment.
# Environment: SKIP_BUILD=1 to use the jar as it is; QUIET_WAIT=<seconds> to wait at most that
# long for other java/mvn processes to end (default 1800; 0 = do not wait); MVN_ARGS=... extra
# arguments for every mvn call (e.g. -Dmaven.repo.local=...).
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
JAR=""
RESULTS="$BENCH_DIR/results"
mkdir -p "$RESULTS"

# Builds the library and the benchmarks, then runs from a private copy of the shaded jar (it
# holds the library's classes), so that a rebuild by someone else cannot change a run midway.
build() {
  if [ -n "${BENCH_JAR:-}" ]; then   # set by run-all.sh: every benchmark runs the same jar
    JAR="$BENCH_JAR"
    return
  fi
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    (cd "$ROOT" && mvn -q -B ${MVN_ARGS:-} install -DskipTests)
    (cd "$BENCH_DIR" && mvn -q -B ${MVN_ARGS:-} package -DskipTests)
  fi
  mkdir -p "$BENCH_DIR/target/run"
  JAR="$BENCH_DIR/target/run/benchmarks-$(date -u +%Y%m%d%H%M%S)-$$.jar"
  cp "$BENCH_DIR/target/benchmarks.jar" "$JAR"
  (cd "$ROOT" && echo "commit $(git rev-parse --short HEAD)$(git diff --quiet -- src/main pom.xml || echo ' + uncommitted changes in src/main')") > "$JAR.commit"
}

# Samples other java/mvn processes every 2 s while a benchmark runs.
watch_start() {
  WATCH_LOG="$(mktemp)"
  ( set +e +o pipefail
    while true; do
      list=$(others | grep -v "${WATCH_EXCLUDE:-$BENCH_DIR/target/run/}")
      if [ -n "$list" ]; then echo "$list" | sed "s/^/$(date -u +%T) /" | cut -c1-160 >> "$WATCH_LOG.who"; echo 1; else echo 0; fi >> "$WATCH_LOG"
      sleep 2
    done ) &
  WATCH_PID=$!
  # also when the benchmark fails or is interrupted: the loop would otherwise outlive the script
  trap 'kill "$WATCH_PID" 2>/dev/null || true; rm -f "$WATCH_LOG" "$WATCH_LOG.who"' EXIT
}

watch_report() {
  kill "$WATCH_PID" 2>/dev/null || true
  local total busy
  total=$(wc -l < "$WATCH_LOG"); busy=$(grep -vc '^0$' "$WATCH_LOG" || true)
  echo "# watcher: other java/mvn processes seen in $busy of $total samples (every 2 s) during the run"
  if [ -s "$WATCH_LOG.who" ]; then sort -u -k2 "$WATCH_LOG.who" | head -5 | sed 's/^/#   /'; fi
  rm -f "$WATCH_LOG.who"
  echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg); date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  rm -f "$WATCH_LOG"
}

# Other java/mvn processes (not this shell's own children).
others() {
  pgrep -fa 'java|mvn' | grep -v -e "^$$ " -e 'pgrep' || true
}

wait_quiet() {
  local waited=0 limit="${QUIET_WAIT:-1800}"
  while [ -n "$(others)" ]; do
    if [ "$waited" -ge "$limit" ]; then
      echo "# WARNING: other java/mvn processes still running after ${waited}s; measuring anyway:" >&2
      others >&2
      return 0
    fi
    [ "$waited" = 0 ] && { echo "# waiting for other java/mvn processes to end:" >&2; others >&2; }
    sleep 10; waited=$((waited + 10))
  done
  echo "# machine quiet: no other java/mvn process (waited ${waited}s)" >&2
}

environment() {
  echo "# date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "# nproc: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | sed 's/\s\+/ /g'); $(free -g | awk '/Mem:/{print $2}') GB RAM; kernel $(uname -r)"
  echo "# java: $(java -version 2>&1 | sed -n 2p)"
  echo "# library built from: $(cat "$JAR.commit" 2>/dev/null || echo unknown); benchmark jar $(basename "$JAR") sha256 $(sha256sum "$JAR" | cut -c1-16)"
  echo "# other java/mvn processes at start: $(others | wc -l)"
  echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# measure <file in results/> <command...>: runs the command on a quiet machine, watched, with the
# environment on top, to the terminal and to the file. Every benchmark runs through this.
measure() {
  local out="$RESULTS/$1"
  shift
  wait_quiet
  watch_start
  { environment; "$@"; } 2>&1 | tee "$out"
  watch_report | tee -a "$out"
}

need_wrk() {
  command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }
}

# start_postgres <name>: a throwaway PostgreSQL from Debian's newest binaries (PG_BIN= another),
# fsync on as a shop runs it, in a temporary directory on a free loopback port (PG_PORT; PG_DIR;
# PG_VERSION), removed at the end, also on failure. Measure in a subshell after it: measure's
# watcher sets an EXIT trap of its own, which would replace this one.
start_postgres() {
  PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}"
  PG_DIR="$(mktemp -d -t "helloretail4j-$1-pg-XXXXXX")"
  PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  PG_VERSION="$("$PG_BIN/postgres" --version)"
  [ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
  trap stop_postgres EXIT
  as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U bench -A trust -E UTF8 --locale=C >/dev/null
  as_postgres "$PG_BIN/pg_ctl" start -w -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DIR -c max_connections=300" >/dev/null
}

# initdb refuses root: as root, PostgreSQL's commands run as the postgres user.
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

stop_postgres() {
  as_postgres "$PG_BIN/pg_ctl" stop -D "$PG_DIR/data" -m immediate -w >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}

# start_mariadb <name>: a throwaway MariaDB from Debian's mariadb-server, durable as a shop runs it
# (innodb_flush_log_at_trx_commit=1, the doublewrite buffer on), in a temporary directory on a
# free loopback port (MARIADB_PORT; MARIADB_DIR; MARIADB_VERSION), with user bench and database
# shop; removed at the end, also on failure. Measure in a subshell after it, as after start_postgres.
start_mariadb() {
  MARIADB_DIR="$(mktemp -d -t "helloretail4j-$1-mariadb-XXXXXX")"
  MARIADB_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  MARIADB_VERSION="$(/usr/sbin/mariadbd --version)"
  trap stop_mariadb EXIT
  mariadb-install-db --no-defaults --datadir="$MARIADB_DIR/data" --user="$(id -un)" \
    --auth-root-authentication-method=normal --skip-test-db >/dev/null
  /usr/sbin/mariadbd --no-defaults --datadir="$MARIADB_DIR/data" --user="$(id -un)" --port="$MARIADB_PORT" \
    --bind-address=127.0.0.1 --socket="$MARIADB_DIR/server.sock" --pid-file="$MARIADB_DIR/server.pid" \
    --log-error="$MARIADB_DIR/server.log" --skip-name-resolve --max-connections=300 \
    --innodb-flush-log-at-trx-commit=1 --skip-log-bin &
  for _ in $(seq 1 120); do
    mariadb --no-defaults -uroot -h127.0.0.1 -P"$MARIADB_PORT" -e 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.5
  done
  mariadb --no-defaults -uroot -h127.0.0.1 -P"$MARIADB_PORT" \
    -e "CREATE USER 'bench'@'%'; GRANT ALL ON *.* TO 'bench'@'%'; CREATE DATABASE shop CHARACTER SET utf8mb4;"
}

stop_mariadb() {
  [ -f "$MARIADB_DIR/server.pid" ] && kill "$(cat "$MARIADB_DIR/server.pid")" 2>/dev/null && sleep 2 || true
  rm -rf "$MARIADB_DIR"
}
