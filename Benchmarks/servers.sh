# SPDX-License-Identifier: Apache-2.0
# Shared by Benchmarks/report.sh and Benchmarks/smoke.sh (sourced, not run): starts and stops the servers under test
# on 127.0.0.1 — authd, the Flask peer, the ws-echo floor and the raw TCP floor — and kills every process it started
# on exit. Needs: $work (a temp dir), $bin (the Benchmarks package's bin dir, with ws-echo), $authd_bin (the root
# package's authd, or BENCH_AUTHD_BIN), $repo, and $bench (authd-bench) for the raw TCP floor.

pids=()
cleanup_servers() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}

# http_status URL: the HTTP status of a GET (000 when nothing answers); python3 only, no curl needed.
http_status() {
    python3 - "$1" <<'PY'
import sys, urllib.error, urllib.request
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
try:
    print(urllib.request.build_opener(NoRedirect).open(sys.argv[1], timeout=5).status)
except urllib.error.HTTPError as error:
    print(error.code)
except Exception:
    print("000")
PY
}

random_hex() { python3 -c 'import secrets; print(secrets.token_hex(32))'; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# wait_ready URL PID [tries×0.1 s]: waits until URL answers (any HTTP status); fails when PID has died.
wait_ready() {
    local url=$1 pid=$2 tries=${3:-600} i
    for ((i = 0; i < tries; i++)); do
        [[ $(http_status "$url") != 000 ]] && return 0
        kill -0 "$pid" 2>/dev/null || { echo "server $pid exited early" >&2; return 1; }
        sleep 0.1
    done
    echo "server at $url not ready in time" >&2
    return 1
}

stop_server() {
    local pid=$1 i
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# start_authd COST: sets authd_pid, authd_url. Rate limits are off and the per-address connection caps are raised: a
# load generator on a few loopback addresses is exactly what they refuse (authd logs a warning about the limits). The
# total cap is raised from 16,000 to just under the 20,000 open files, for the idle benchmark's 19,000 sockets.
start_authd() {
    local cost=$1 port
    port=$(free_port)
    (
        for variable in $(compgen -e | grep '^AUTHD_' || true); do unset "$variable"; done
        ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
        exec "$authd_bin" serve --host 127.0.0.1 --port "$port" --data-dir "$work/authd-$cost" --bcrypt-cost "$cost" --log-level warning \
            --rate-limits off --max-connections 19900 --max-connections-per-ip 20000 --socket-max-awaiting-per-ip 20000
    ) >"$work/authd-$cost.log" 2>&1 &
    authd_pid=$!
    pids+=("$authd_pid")
    authd_url="http://127.0.0.1:$port"
    wait_ready "$authd_url/readyz" "$authd_pid"
}

# require_authd_realtime: authd must serve Engine.IO at /socket.io/ (a polling handshake answers 200). Anything else —
# a 404, an error status, no answer within the probe's timeout (three tries, each printed) — is a failure, never a
# skip: the socket scenarios are what the benchmarks are for.
require_authd_realtime() {
    local code try
    for try in 1 2 3; do
        code=$(http_status "$authd_url/socket.io/?EIO=4&transport=polling")
        [[ $code == 200 ]] && return 0
        echo "authd realtime probe $try/3: GET /socket.io/?EIO=4&transport=polling answered ${code/#000/nothing (timeout or refused)}" >&2
        [[ $code == 000 ]] || break
    done
    echo "FAIL authd serves no working /socket.io/ at $authd_url" >&2
    return 1
}

# start_flask COST: sets flask_pid, flask_url. The peer's source is read-only: it runs from a copy whose venv
# ($FLASK_PEER_VENV, kept under .build between runs) its run.sh fills from PyPI on first use.
start_flask() {
    local cost=$1 port source=${FLASK_PEER:-$repo/../shared/peers/flask-seed} venv=${FLASK_PEER_VENV:-$repo/.build/flask-peer-venv}
    [[ -d $source ]] || source=/work/shared/peers/flask-seed
    [[ -f $source/run.sh ]] || { echo "Flask peer not found (set FLASK_PEER)" >&2; return 1; }
    if [[ ! -d $work/flask-seed ]]; then
        cp -r "$source" "$work/flask-seed"
        chmod -R u+w "$work/flask-seed"
        rm -rf "$work/flask-seed/.venv"
        mkdir -p "$(dirname "$venv")"
        [[ -x $venv/bin/python ]] || python3 -m venv "$venv" >&2
        ln -s "$venv" "$work/flask-seed/.venv"
    fi
    port=$(free_port)
    (
        cd "$work/flask-seed"
        BCRYPT_ROUNDS=$cost PORT=$port DB_PATH="$work/flask-$cost-$port.db" \
            SECRET_KEY=$(random_hex) JWT_SECRET=$(random_hex) exec ./run.sh
    ) >"$work/flask-$cost.log" 2>&1 &
    flask_pid=$!
    pids+=("$flask_pid")
    flask_url="http://127.0.0.1:$port"
    # The first start installs the peer's requirements: allow for it (10 min).
    wait_ready "$flask_url/login" "$flask_pid" 6000 || { tail -20 "$work/flask-$cost.log" >&2; return 1; }
}

# start_echo: sets echo_pid, echo_url.
start_echo() {
    local port
    port=$(free_port)
    (
        ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
        exec "$bin/ws-echo" --host 127.0.0.1 --port "$port"
    ) >"$work/echo.log" 2>&1 &
    echo_pid=$!
    pids+=("$echo_pid")
    echo_url="http://127.0.0.1:$port"
    wait_ready "$echo_url/healthz" "$echo_pid"
}

# start_floor [LIFETIME]: the raw TCP floor (`authd-bench floor-server`); sets floor_pid, floor_url. It answers any
# request that is no WebSocket upgrade with 400, which is all wait_ready needs, and exits by itself after LIFETIME
# seconds (default 3600) should the cleanup ever miss it.
start_floor() {
    local lifetime=${1:-3600} port
    port=$(free_port)
    (
        ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
        exec "$bench" floor-server --host 127.0.0.1 --port "$port" --lifetime "$lifetime"
    ) >"$work/floor.log" 2>&1 &
    floor_pid=$!
    pids+=("$floor_pid")
    floor_url="http://127.0.0.1:$port"
    wait_ready "$floor_url/healthz" "$floor_pid"
}
