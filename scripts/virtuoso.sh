#!/usr/bin/env bash
# Install, start, load and stop a private Virtuoso (Debian virtuoso-opensource) on 127.0.0.1.
#
#   scripts/virtuoso.sh install                         apt-get install virtuoso-opensource (root)
#   scripts/virtuoso.sh start DIR HTTP_PORT SQL_PORT    new database in DIR; waits until it answers
#   scripts/virtuoso.sh load HTTP_PORT                  imet-kg push to it (Graph Store, Digest dba/dba)
#   scripts/virtuoso.sh stop DIR SQL_PORT               shut it down (checkpoint, then exit)
#
# The package's own service does not start in containers, so `start` runs virtuoso-t by hand: it
# copies the package's virtuoso.ini into DIR, points the database files there, binds both ports to
# 127.0.0.1 only, and starts `virtuoso-t +foreground` from DIR (log: DIR/virtuoso.out). A fresh
# database has the account dba/dba; SPARQL is at http://127.0.0.1:HTTP_PORT/sparql and the Graph
# Store with writes at /sparql-graph-crud-auth (HTTP Digest).
set -euo pipefail

INI=/etc/virtuoso-opensource-7/virtuoso.ini

usage() {
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

http_answers() {  # true once http://127.0.0.1:$1/sparql gives any HTTP status
    python3 - "$1" <<'EOF'
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/sparql?query=ASK%7B%7D", timeout=2)
except urllib.error.HTTPError:
    pass
except OSError:
    sys.exit(1)
EOF
}

install() {
    if command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null; then
        echo "virtuoso-opensource is already installed: $(command -v virtuoso-t)"
        return
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null
    command -v virtuoso-t
}

start() {
    local dir=$1 http_port=$2 sql_port=$3
    mkdir -p "$dir/vad"
    dir=$(cd "$dir" && pwd)
    if [ -e "$dir/virtuoso.lck" ]; then
        echo "virtuoso.sh: $dir/virtuoso.lck exists: a server may already run there" >&2
        exit 1
    fi
    # Private copy of the ini: database files in DIR, ports on 127.0.0.1, DIR allowed for loading,
    # and no row cap below what a whole-graph CONSTRUCT (imet-kg validate --endpoint) needs.
    awk -v dir="$dir" -v http="127.0.0.1:$http_port" -v sql="127.0.0.1:$sql_port" \
        -v host="localhost:$http_port" '
        /^\[/ { section = $0 }
        /^(DatabaseFile|ErrorLogFile|LockFile|TransactionFile|xa_persistent_file)[ \t]*=/ {
            n = split($3, parts, "/"); print $1 " = " dir "/" parts[n]; next
        }
        section == "[Parameters]" && /^ServerPort[ \t]*=/ { print "ServerPort = " sql; next }
        section == "[HTTPServer]" && /^ServerPort[ \t]*=/ { print "ServerPort = " http; next }
        /^DirsAllowed[ \t]*=/ { print $0 ", " dir; next }
        section == "[URIQA]" && /^DefaultHost[ \t]*=/ { print "DefaultHost = " host; next }
        /^VADInstallDir[ \t]*=/ { print "VADInstallDir = " dir "/vad/"; next }
        section == "[SPARQL]" && /^ResultSetMaxRows[ \t]*=/ { print "ResultSetMaxRows = 1000000"; next }
        { print }
    ' "$INI" >"$dir/virtuoso.ini"
    local pid
    cd "$dir"
    nohup virtuoso-t +foreground +configfile "$dir/virtuoso.ini" >"$dir/virtuoso.out" 2>&1 </dev/null &
    pid=$!
    cd - >/dev/null
    echo "$pid" >"$dir/virtuoso.pid"
    for _ in $(seq 1 300); do  # up to 60 s; it is usually up in 4-6 s
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "virtuoso.sh: virtuoso-t exited; the end of $dir/virtuoso.out:" >&2
            tail -n 20 "$dir/virtuoso.out" >&2
            exit 1
        fi
        if http_answers "$http_port"; then
            echo "Virtuoso is up: http://127.0.0.1:$http_port/sparql (pid $pid, SQL port $sql_port)"
            return
        fi
        sleep 0.2
    done
    echo "virtuoso.sh: no answer on port $http_port after 60 s; see $dir/virtuoso.out" >&2
    kill "$pid" 2>/dev/null || true
    exit 1
}

load() {
    local http_port=$1
    imet-kg push --gsp "http://127.0.0.1:$http_port/sparql-graph-crud-auth" \
        --user dba --password dba --auth digest
}

stop() {
    local dir=$1 sql_port=$2
    local pid=""
    [ -f "$dir/virtuoso.pid" ] && pid=$(cat "$dir/virtuoso.pid")
    isql-vt "127.0.0.1:$sql_port" dba dba exec="shutdown;" >/dev/null 2>&1 || true
    if [ -n "$pid" ]; then
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
        fi
        rm -f "$dir/virtuoso.pid"
    fi
    echo "Virtuoso on SQL port $sql_port stopped"
}

case "${1:-}" in
    install) [ $# -eq 1 ] || usage; install ;;
    start) [ $# -eq 4 ] || usage; start "$2" "$3" "$4" ;;
    load) [ $# -eq 2 ] || usage; load "$2" ;;
    stop) [ $# -eq 3 ] || usage; stop "$2" "$3" ;;
    *) usage ;;
esac
