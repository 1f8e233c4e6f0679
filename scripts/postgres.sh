#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A private PostgreSQL 15 instance for the tests, in DIR (data in DIR/pgdata, socket in DIR, log in DIR/postgres.log),
# listening on 127.0.0.1 only, port $PGPORT (default: the first free port from 55432), user authd with trust
# authentication, fsync off.
#
#   scripts/postgres.sh start DIR   # initdb when DIR/pgdata is missing, start unless running, print the URL
#   scripts/postgres.sh stop DIR    # stop it (fast shutdown) when running
#   scripts/postgres.sh url DIR     # print postgres://authd@127.0.0.1:PORT/postgres
#
# As root (initdb refuses to run as root), the server runs as the `postgres` system user, and DIR belongs to it.
set -euo pipefail

usage() {
    echo "usage: $0 start|stop|url DIR" >&2
    exit 2
}
(($# == 2)) || usage
command=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
data=$dir/pgdata

# The port: the one this instance already runs on (from its postmaster.pid, recorded in DIR/port), else $PGPORT, else the first free port
# from 55432 up, so that two checkouts (or a developer's instance and CI's) never collide.
in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
choose_port() {
    if [[ -n ${PGPORT:-} ]]; then
        echo "$PGPORT"
        return
    fi
    local candidate
    for candidate in $(seq 55432 55531); do
        in_use "$candidate" || {
            echo "$candidate"
            return
        }
    done
    echo "$0: no free port in 55432-55531; set PGPORT" >&2
    return 1
}

find_bin() {
    local name=$1 candidate
    for candidate in /usr/lib/postgresql/15/bin/"$name" "$(command -v "$name" 2>/dev/null || true)" /usr/lib/postgresql/*/bin/"$name"; do
        if [[ -n $candidate && -x $candidate ]]; then
            echo "$candidate"
            return 0
        fi
    done
    echo "$0: $name not found; install PostgreSQL (Debian: apt-get install postgresql)" >&2
    return 1
}

# Runs a PostgreSQL program as the user that owns the data (postgres when we are root).
as_owner() {
    if (($(id -u) == 0)); then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

running() {
    [[ -f $data/postmaster.pid ]] && as_owner "$pg_ctl" -D "$data" status >/dev/null 2>&1
}

case "$command" in
start)
    pg_ctl=$(find_bin pg_ctl)
    initdb=$(find_bin initdb)
    if (($(id -u) == 0)); then
        id postgres >/dev/null 2>&1 || {
            echo "$0: running as root needs the postgres system user (the Debian postgresql package creates it)" >&2
            exit 1
        }
        chown postgres: "$dir"
        chmod 0700 "$dir"
        # The postgres user must be able to reach DIR through its parents.
        runuser -u postgres -- test -x "$dir" || {
            echo "$0: the postgres user cannot enter $dir (check the permissions of its parent directories)" >&2
            exit 1
        }
    fi
    if running; then
        # The port the running server listens on (line 4 of postmaster.pid).
        port=$(sed -n 4p "$data/postmaster.pid")
        echo "$port" >"$dir/port"
    else
        port=$(choose_port)
        echo "$port" >"$dir/port"
    fi
    url="postgres://authd@127.0.0.1:$port/postgres"
    if [[ ! -f $data/PG_VERSION ]]; then
        rm -rf "$data"
        as_owner "$initdb" -D "$data" -A trust -U authd -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
            cat "$dir/initdb.log" >&2
            exit 1
        }
        cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
CONF
    fi
    if ! running; then
        as_owner "$pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 -o "-p $port" start >/dev/null || {
            tail -n 20 "$dir/postgres.log" >&2 || true
            exit 1
        }
    fi
    echo "$url"
    ;;
stop)
    pg_ctl=$(find_bin pg_ctl)
    if running; then
        as_owner "$pg_ctl" -D "$data" -m fast -w stop >/dev/null
    fi
    ;;
url)
    [[ -f $dir/port ]] || {
        echo "$0: no instance was started in $dir" >&2
        exit 1
    }
    echo "postgres://authd@127.0.0.1:$(cat "$dir/port")/postgres"
    ;;
*)
    usage
    ;;
esac
