#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A private nginx in front of authd instances, for the cluster tests and benchmarks (and as a worked example of
# Docs/deploy.md). Everything it writes (config, pid, logs, temp files) stays under DIR.
#
#   scripts/nginx.sh start DIR PORT UPSTREAM...   # listen on 127.0.0.1:PORT, proxy to UPSTREAMs (127.0.0.1:P or P)
#   scripts/nginx.sh stop DIR                     # stop it (TERM, then KILL after 10 s)
#
# The config is scripts/nginx.conf.template filled by envsubst. Needs Debian's nginx (1.22 tested) and gettext-base
# (envsubst). NGINX overrides the binary (default /usr/sbin/nginx, else the one on PATH).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
template=$here/nginx.conf.template

usage() {
    echo "usage: $0 start DIR PORT UPSTREAM... | stop DIR" >&2
    exit 2
}

find_nginx() {
    local binary=${NGINX:-}
    if [[ -z $binary ]]; then
        if [[ -x /usr/sbin/nginx ]]; then binary=/usr/sbin/nginx; else binary=$(command -v nginx || true); fi
    fi
    if [[ -z $binary || ! -x $binary ]]; then
        echo "nginx is not installed: install the Debian package nginx (apt-get install --no-install-recommends nginx)" >&2
        exit 1
    fi
    echo "$binary"
}

stop() {
    local dir=$1 pid
    [[ -f $dir/nginx.pid ]] || return 0
    pid=$(cat "$dir/nginx.pid")
    if [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null; then
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/nginx.pid"
}

start() {
    local dir=$1 port=$2
    shift 2
    (($# > 0)) || usage
    [[ $port =~ ^[0-9]+$ ]] || { echo "PORT must be a number, not $port" >&2; exit 2; }
    local binary
    binary=$(find_nginx)
    command -v envsubst >/dev/null || { echo "envsubst is missing: install the Debian package gettext-base" >&2; exit 1; }
    [[ -f $template ]] || { echo "missing $template" >&2; exit 1; }

    mkdir -p "$dir/logs" "$dir/temp"
    dir=$(cd "$dir" && pwd)
    stop "$dir"

    local servers="" upstream
    for upstream in "$@"; do
        [[ $upstream == *:* ]] || upstream=127.0.0.1:$upstream
        [[ $upstream =~ ^127\.[0-9.]+:[0-9]+$ ]] || { echo "upstream must be 127.x.y.z:PORT, not $upstream" >&2; exit 2; }
        servers+="        server $upstream max_fails=1 fail_timeout=5s;"$'\n'
    done
    # Workers of a root master would run as nobody, who cannot write DIR: run them as the invoking user instead.
    local user_directive=""
    if (($(id -u) == 0)); then user_directive="user $(id -un) $(id -gn);"; fi

    NGINX_DIR=$dir NGINX_PORT=$port NGINX_UPSTREAM_SERVERS=${servers%$'\n'} NGINX_USER_DIRECTIVE=$user_directive \
        envsubst '${NGINX_DIR} ${NGINX_PORT} ${NGINX_UPSTREAM_SERVERS} ${NGINX_USER_DIRECTIVE}' \
        <"$template" >"$dir/nginx.conf"

    # -e: the error log before the config is read (the compiled-in /var/log/nginx may not be writable).
    if ! "$binary" -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" -t >"$dir/logs/configtest.log" 2>&1; then
        cat "$dir/logs/configtest.log" >&2
        exit 1
    fi
    # daemon on: the master has bound the port when this returns.
    "$binary" -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf"
    for _ in $(seq 50); do
        [[ -s $dir/nginx.pid ]] && break
        sleep 0.1
    done
    [[ -s $dir/nginx.pid ]] || { echo "nginx did not start; see $dir/logs/error.log" >&2; exit 1; }
    echo "nginx $(cat "$dir/nginx.pid") on 127.0.0.1:$port -> $*"
}

case ${1:-} in
start) (($# >= 4)) || usage; shift; start "$@" ;;
stop) (($# == 2)) || usage; stop "$2" ;;
*) usage ;;
esac
