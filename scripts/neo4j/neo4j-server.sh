#!/usr/bin/env bash
# Start/stop a real Neo4j 5.26 LTS (community) server for tests and CI, without Docker.
#
#   scripts/neo4j/neo4j-server.sh start    # resolve jars (cached), start, wait, write env file
#   source "${XDG_RUNTIME_DIR:-/tmp}/intersections-neo4j/neo4j.env"
#   python3 -m pytest ...
#   scripts/neo4j/neo4j-server.sh stop     # stop and clean up
#   scripts/neo4j/neo4j-server.sh status   # exit 0 if running, 3 if not
#   scripts/neo4j/neo4j-server.sh env      # print the env file path
#   scripts/neo4j/neo4j-server.sh import DIR
#       # stop, run `neo4j-admin database import full` on the files in DIR (written by
#       # `intersections load --neo4j-bulk-files DIR`: its import.args), start on that store
#
# Environment (all optional):
#   INTERSECTIONS_NEO4J_RUNDIR  run dir (pid, env file, log, data);
#                               default ${XDG_RUNTIME_DIR:-/tmp}/intersections-neo4j
#   INTERSECTIONS_NEO4J_LIBDIR  jar cache; default ${XDG_CACHE_HOME:-~/.cache}/intersections/neo4j-lib-<version>
#   NEO4J_PORT                  Bolt port (default: a free port on 127.0.0.1)
#   NEO4J_START_TIMEOUT         seconds to wait for Bolt (default 120)
#   NEO4J_JAVA_OPTS             JVM options (default "-Xms256m -Xmx1g")
#   NEO4J_PAGE_CACHE            page cache size (default 256m)
#   NEO4J_IMPORT_JAVA_OPTS      JVM options of the import tool (default "-Xms256m -Xmx1g")
#   NEO4J_IMPORT_OFF_HEAP       the import tool's --max-off-heap-memory (default 1g: the tool's
#                               own default, 90% of RAM, is not for a shared machine)
#
# A random password is generated on every start and only written to the env file (mode 600).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/pom.xml"
JAVA_SRC="$SCRIPT_DIR/Neo4jTestServer.java"
NEO4J_VERSION="$(sed -n 's:.*<neo4j.version>\(.*\)</neo4j.version>.*:\1:p' "$POM")"
RUNDIR="${INTERSECTIONS_NEO4J_RUNDIR:-${XDG_RUNTIME_DIR:-/tmp}/intersections-neo4j}"
LIBDIR="${INTERSECTIONS_NEO4J_LIBDIR:-${XDG_CACHE_HOME:-$HOME/.cache}/intersections/neo4j-lib-$NEO4J_VERSION}"
PIDFILE="$RUNDIR/neo4j.pid"
ENVFILE="$RUNDIR/neo4j.env"
LOGFILE="$RUNDIR/neo4j.log"
DATADIR="$RUNDIR/data"
# A store written by `import` (server.directories.data of the server started after it).
STOREDIR="$RUNDIR/store"
START_TIMEOUT="${NEO4J_START_TIMEOUT:-120}"

log() { printf '[neo4j-server] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

now_ms() { python3 -c 'import time;print(int(time.time()*1000))'; }

# True if $1 is a live process running our Java server.
is_our_pid() {
    local pid="$1"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'Neo4jTestServer' || return 1
}

running_pid() {
    [[ -f "$PIDFILE" ]] || return 1
    local pid
    pid="$(cat "$PIDFILE")"
    is_our_pid "$pid" || return 1
    echo "$pid"
}

port_open() {
    python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.settimeout(1)
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
}

# Exit 0: verified with the driver; 1: driver present but failed; 2: driver not installed.
driver_check() {
    NEO4J_URI="$1" NEO4J_PASSWORD="$2" python3 - <<'EOF'
import os, sys
try:
    from neo4j import GraphDatabase
except ImportError:
    sys.exit(2)
try:
    with GraphDatabase.driver(os.environ["NEO4J_URI"], auth=("neo4j", os.environ["NEO4J_PASSWORD"])) as d:
        d.verify_connectivity()
        assert d.execute_query("RETURN 1 AS x").records[0]["x"] == 1
except Exception as e:  # noqa: BLE001
    print(f"driver check failed: {e!r}", file=sys.stderr)
    sys.exit(1)
EOF
}

check_tools() {
    command -v python3 >/dev/null || die "python3 is required"
    command -v java >/dev/null || die "java (17+) is required: apt-get install openjdk-17-jdk-headless"
    local jv
    jv="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
    [[ "${jv%%.*}" -ge 17 ]] 2>/dev/null || die "Java 17+ required, found '${jv:-unknown}'"
}

resolve_deps() {
    local stamp="$LIBDIR/.pom.sha256" want
    want="$(sha256sum "$POM" | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        return 0
    fi
    command -v mvn >/dev/null || die "mvn is required to fetch Neo4j jars: apt-get install maven"
    log "resolving Neo4j $NEO4J_VERSION jars into $LIBDIR (uses ~/.m2) ..."
    local tmp="$LIBDIR.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies -DoutputDirectory="$tmp" >&2; then
        rm -rf "$tmp"
        die "mvn dependency:copy-dependencies failed"
    fi
    echo "$want" >"$tmp/.pom.sha256"
    rm -rf "$LIBDIR"
    mv "$tmp" "$LIBDIR"
}

# Compile Neo4jTestServer.java once per source version (saves ~2-3 s per start over
# launching the single-file source). Falls back to source launch if javac is missing.
compile_server() {
    local sum classes
    sum="$(sha256sum "$JAVA_SRC" | cut -c1-16)"
    classes="$LIBDIR/classes-$sum"
    if [[ ! -f "$classes/Neo4jTestServer.class" ]] && command -v javac >/dev/null; then
        local tmp="$classes.tmp.$$"
        rm -rf "$tmp"
        mkdir -p "$tmp"
        if javac -nowarn -cp "$LIBDIR/*" -d "$tmp" "$JAVA_SRC" >&2; then
            rm -rf "$classes"
            mv "$tmp" "$classes"
        else
            rm -rf "$tmp"
            log "javac failed; launching the source file directly"
        fi
    fi
    if [[ -f "$classes/Neo4jTestServer.class" ]]; then
        SERVER_CP="$LIBDIR/*:$classes"
        SERVER_MAIN="Neo4jTestServer"
    else
        SERVER_CP="$LIBDIR/*"
        SERVER_MAIN="$JAVA_SRC"
    fi
}

print_info() {
    echo "Neo4j $NEO4J_VERSION running (pid $(cat "$PIDFILE")); env file: $ENVFILE"
    echo "  source $ENVFILE"
    # shellcheck disable=SC1090
    (source "$ENVFILE" && echo "  NEO4J_URI=$NEO4J_URI NEO4J_USERNAME=$NEO4J_USERNAME")
    echo "  log: $LOGFILE"
}

cmd_start() {
    check_tools
    mkdir -p "$RUNDIR"
    chmod 700 "$RUNDIR"
    if pid="$(running_pid)" && [[ -f "$ENVFILE" ]]; then
        local uri password
        uri="$(sed -n 's/^export NEO4J_URI=//p' "$ENVFILE")"
        password="$(sed -n "s/^export NEO4J_PASSWORD='\(.*\)'$/\1/p" "$ENVFILE")"
        if port_open "${uri##*:}"; then
            log "already running; reusing it"
            print_info
            return 0
        fi
        log "pid $pid is alive but Bolt does not answer; restarting"
        cmd_stop
        mkdir -p "$RUNDIR"
    fi
    cleanup_files "${KEEP_STORE:-}"

    local t0 t1 t2
    t0="$(now_ms)"
    # Several checkouts/sessions may share the jar cache: serialise filling it.
    mkdir -p "$(dirname "$LIBDIR")"
    exec 9>"$LIBDIR.lock"
    command -v flock >/dev/null && flock 9
    resolve_deps
    compile_server
    exec 9>&-
    t1="$(now_ms)"

    local port password
    port="${NEO4J_PORT:-$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')}"
    password="$(python3 -c 'import secrets;print(secrets.token_urlsafe(18))')"
    mkdir -p "$DATADIR"
    local data_args=()
    if [[ -d "$STOREDIR/databases/neo4j" ]]; then
        data_args=(--data-dir "$STOREDIR")
        log "opening the imported store $STOREDIR"
    fi

    # The password travels in the environment (not argv, which `ps` shows to everyone).
    # shellcheck disable=SC2086
    NEO4J_PASSWORD="$password" setsid java ${NEO4J_JAVA_OPTS:--Xms256m -Xmx1g} \
        -cp "$SERVER_CP" "$SERVER_MAIN" \
        --port "$port" --work-dir "$DATADIR" --page-cache "${NEO4J_PAGE_CACHE:-256m}" \
        "${data_args[@]}" \
        </dev/null >"$LOGFILE" 2>&1 &
    local pid=$!
    echo "$pid" >"$PIDFILE"
    log "started pid $pid (Bolt 127.0.0.1:$port), waiting up to ${START_TIMEOUT}s ..."

    local deadline=$((SECONDS + START_TIMEOUT))
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 40 "$LOGFILE" >&2 || true
            rm -f "$PIDFILE"
            die "Neo4j exited during startup (log: $LOGFILE)"
        fi
        if grep -q '^READY ' "$LOGFILE" && port_open "$port"; then
            break
        fi
        if ((SECONDS >= deadline)); then
            tail -n 40 "$LOGFILE" >&2 || true
            cmd_stop
            die "Neo4j did not become ready within ${START_TIMEOUT}s"
        fi
        sleep 0.3
    done

    local rc=0
    driver_check "bolt://127.0.0.1:$port" "$password" || rc=$?
    case "$rc" in
        0) log "verified with the Python neo4j driver" ;;
        2) log "Python neo4j driver not installed; verified the Bolt port only" ;;
        *) cmd_stop; die "Bolt port is open but the driver could not run RETURN 1" ;;
    esac
    t2="$(now_ms)"

    umask 077
    cat >"$ENVFILE" <<EOF
# Written by scripts/neo4j/neo4j-server.sh start; removed by stop.
export NEO4J_URI=bolt://127.0.0.1:$port
export NEO4J_USERNAME=neo4j
export NEO4J_PASSWORD='$password'
export INTERSECTIONS_NEO4J_PID=$pid
EOF
    chmod 600 "$ENVFILE"
    log "ready in $(((t2 - t0) / 1000)).$(((t2 - t0) % 1000 / 100))s (deps $((t1 - t0)) ms, server $((t2 - t1)) ms)"
    print_info
}

cleanup_files() {
    rm -f "$PIDFILE" "$ENVFILE"
    rm -rf "$DATADIR"
    # the imported store survives only the start that follows `import`
    [[ "${1:-}" == keep-store ]] || rm -rf "$STOREDIR" "$RUNDIR/import-home"
}

# import DIR: a fresh store from the bulk files in DIR (import.args lists the files and options,
# paths relative to DIR), then start the server on it. Prints "IMPORT_SECONDS <s>" (the tool's
# wall time) so benchmarks can separate it from the restart.
cmd_import() {
    local dir="${1:-}"
    [[ -n "$dir" && -f "$dir/import.args" ]] ||
        die "usage: $0 import DIR (DIR holds import.args: intersections load --neo4j-bulk-files DIR)"
    dir="$(cd "$dir" && pwd)"
    check_tools
    cmd_stop
    mkdir -p "$RUNDIR"
    chmod 700 "$RUNDIR"
    mkdir -p "$(dirname "$LIBDIR")"
    exec 9>"$LIBDIR.lock"
    command -v flock >/dev/null && flock 9
    resolve_deps
    exec 9>&-
    local home="$RUNDIR/import-home"
    rm -rf "$STOREDIR" "$home"
    mkdir -p "$home/conf" "$STOREDIR"
    # neo4j-admin reads the data location from NEO4J_CONF/neo4j.conf, as in an install
    printf 'server.directories.data=%s\n' "$STOREDIR" >"$home/conf/neo4j.conf"
    log "importing $dir into $STOREDIR ..."
    local t0 t1 rc=0
    t0="$(now_ms)"
    # shellcheck disable=SC2086
    (cd "$dir" && NEO4J_HOME="$home" NEO4J_CONF="$home/conf" \
        java ${NEO4J_IMPORT_JAVA_OPTS:--Xms256m -Xmx1g} -cp "$LIBDIR/*" org.neo4j.cli.AdminTool \
        database import full --overwrite-destination=true \
        --max-off-heap-memory="${NEO4J_IMPORT_OFF_HEAP:-1g}" --report-file="$RUNDIR/import.report" \
        @import.args neo4j) >"$RUNDIR/import.log" 2>&1 || rc=$?
    t1="$(now_ms)"
    if ((rc != 0)); then
        tail -n 30 "$RUNDIR/import.log" >&2 || true
        rm -rf "$STOREDIR" "$home"
        die "neo4j-admin database import failed (exit $rc; log: $RUNDIR/import.log); the server was not started"
    fi
    grep -E '^(IMPORT DONE|Imported:|  [0-9]+ (nodes|relationships|properties))' "$RUNDIR/import.log" >&2 || true
    echo "IMPORT_SECONDS $(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100))"
    KEEP_STORE=keep-store cmd_start
}

cmd_stop() {
    local pid
    if pid="$(running_pid)"; then
        log "stopping pid $pid ..."
        kill -TERM "$pid" 2>/dev/null || true
        local i
        for ((i = 0; i < 300; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "pid $pid did not stop within 30s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.5
        fi
        log "stopped"
    else
        log "not running"
    fi
    cleanup_files
}

cmd_status() {
    local pid
    if pid="$(running_pid)"; then
        local uri
        uri="$(sed -n 's/^export NEO4J_URI=//p' "$ENVFILE" 2>/dev/null || true)"
        if [[ -n "$uri" ]] && port_open "${uri##*:}"; then
            echo "running: pid $pid, $uri, env file $ENVFILE"
        else
            echo "starting or unhealthy: pid $pid (log: $LOGFILE)"
        fi
        return 0
    fi
    echo "not running (run dir $RUNDIR)"
    return 3
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    restart) cmd_stop; cmd_start ;;
    status) cmd_status ;;
    env) echo "$ENVFILE" ;;
    import) cmd_import "${2:-}" ;;
    *)
        echo "usage: $0 {start|stop|restart|status|env|import DIR}" >&2
        exit 2
        ;;
esac
