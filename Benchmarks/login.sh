#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Login throughput at several bcrypt costs, in one run: the machine's raw C bcrypt capacity (libxcrypt crypt_r, one
# thread per core), `authd serve` (release) and the Flask peer (/work/shared/peers/flask-seed), all on 127.0.0.1.
#
# Usage: Benchmarks/login.sh [seconds-per-measurement] [cost...]     (defaults: 20, costs 10 12)
# Env:   PYTHON (a venv with aiohttp: Tests/Interop/requirements-ops.txt), CLIENTS (concurrent login clients, 8),
#        FLASK_PEER (the peer's source, read-only), FLASK_PEER_VENV (its venv, reused between runs).
# Prints the machine description and a Markdown table; every loop is bounded and every process is killed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
seconds=${1:-20}
shift || true
costs=("$@")
((${#costs[@]})) || costs=(10 12)
python=${PYTHON:-$repo/.venv/bin/python}
clients=${CLIENTS:-8}
users=4
password="correct horse battery staple"
flask_source=${FLASK_PEER:-/work/shared/peers/flask-seed}
flask_venv=${FLASK_PEER_VENV:-$repo/.build/flask-peer-venv}

[[ $seconds =~ ^[0-9]+$ ]] && ((seconds >= 1 && seconds <= 300)) || { echo "seconds must be 1..300" >&2; exit 2; }
for cost in "${costs[@]}"; do
    [[ $cost =~ ^[0-9]+$ ]] && ((cost >= 4 && cost <= 16)) || { echo "costs must be 4..16" >&2; exit 2; }
done
"$python" -c 'import aiohttp' 2>/dev/null || { echo "$python lacks aiohttp: pip install -r Tests/Interop/requirements-ops.txt" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/authd-login-bench.XXXXXX")
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# Waits (at most 60 s) until `url` answers; fails when the process `pid` has died.
wait_ready() {
    local url=$1 pid=$2 i
    for ((i = 0; i < 600; i++)); do
        curl -fs -o /dev/null --max-time 1 "$url" && return 0
        kill -0 "$pid" 2>/dev/null || { echo "server $pid exited early" >&2; return 1; }
        sleep 0.1
    done
    echo "server at $url not ready within 60 s" >&2
    return 1
}

stop() {
    local pid=$1 i
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

user_list() {
    local i list=""
    for ((i = 0; i < users; i++)); do list+="${list:+,}bench$i"; done
    echo "$list"
}

echo "building release authd and authd-bench…" >&2
swift build -c release --product authd >&2
swift build -c release --product authd-bench >&2
bin=$(swift build -c release --show-bin-path)

# The Flask peer's source is read-only: copy it, and give the copy a venv that survives between runs.
mkdir -p "$flask_venv"
cp -r "$flask_source" "$work/flask-seed"
chmod -R u+w "$work/flask-seed"
rm -rf "$work/flask-seed/.venv"
[[ -x $flask_venv/bin/python ]] || "${PYTHON3:-python3}" -m venv "$flask_venv" >&2
ln -s "$flask_venv" "$work/flask-seed/.venv"

results="$work/results.jsonl"
for cost in "${costs[@]}"; do
    echo "cost $cost: raw bcrypt capacity…" >&2
    raw=$("$bin/authd-bench" bcrypt-capacity --cost "$cost" --threads "$(nproc)" --seconds "$seconds" --json)

    echo "cost $cost: authd…" >&2
    port=$(free_port)
    (
        for variable in $(compgen -e | grep '^AUTHD_' || true); do unset "$variable"; done
        exec "$bin/authd" serve --host 127.0.0.1 --port "$port" --data-dir "$work/authd-$cost" --bcrypt-cost "$cost" --log-level warning
    ) >"$work/authd-$cost.log" 2>&1 &
    authd_pid=$!
    pids+=("$authd_pid")
    wait_ready "http://127.0.0.1:$port/readyz" "$authd_pid"
    for ((i = 0; i < users; i++)); do
        curl -fs -o /dev/null --max-time 30 -H 'Content-Type: application/json' \
            -d "{\"username\": \"bench$i\", \"password\": \"$password\"}" "http://127.0.0.1:$port/api/register"
    done
    authd_result=$("$python" Benchmarks/login_load.py --url "http://127.0.0.1:$port" --path /api/login \
        --users "$(user_list)" --password "$password" --clients "$clients" --seconds "$seconds")
    stop "$authd_pid"

    echo "cost $cost: Flask peer…" >&2
    port=$(free_port)
    (
        cd "$work/flask-seed"
        BCRYPT_ROUNDS=$cost PORT=$port DB_PATH="$work/flask-$cost.db" \
            SECRET_KEY=$(openssl rand -hex 32) JWT_SECRET=$(openssl rand -hex 32) exec ./run.sh
    ) >"$work/flask-$cost.log" 2>&1 &
    flask_pid=$!
    pids+=("$flask_pid")
    # The first start installs the peer's requirements into its venv: allow for it.
    for ((i = 0; i < 3000; i++)); do
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/login" && break
        kill -0 "$flask_pid" 2>/dev/null || { cat "$work/flask-$cost.log" >&2; exit 1; }
        sleep 0.1
    done
    for ((i = 0; i < users; i++)); do
        curl -s -o /dev/null --max-time 30 --data-urlencode "username=bench$i" --data-urlencode "password=$password" \
            "http://127.0.0.1:$port/register"
    done
    flask_result=$("$python" Benchmarks/login_load.py --url "http://127.0.0.1:$port" --path /login \
        --users "$(user_list)" --password "$password" --clients "$clients" --seconds "$seconds")
    stop "$flask_pid"

    echo "{\"cost\": $cost, \"raw\": $raw, \"authd\": $authd_result, \"flask\": $flask_result}" >>"$results"
done

echo "## Machine"
echo
echo "- $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "- $(swift --version 2>/dev/null | head -1)"
echo "- libxcrypt $(dpkg-query -W -f='${Version}' libcrypt1 2>/dev/null || echo n/a), $("$work/flask-seed/.venv/bin/python" --version) for the Flask peer (bcrypt $("$work/flask-seed/.venv/bin/python" -c 'import bcrypt; print(bcrypt.__version__)'))"
echo "- date: $(date -u +%Y-%m-%d), command: \`Benchmarks/login.sh $seconds ${costs[*]}\` ($clients concurrent clients, $users users)"
echo
"$python" - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print("| cost | raw C bcrypt hashes/s (2 threads) | authd logins/s | authd / raw | goal ≥ 0.95 met | Flask logins/s | authd / Flask | authd p50 / p99 ms | Flask p50 / p99 ms | failed (authd, Flask) |")
print("| ---: | ---: | ---: | ---: | :---: | ---: | ---: | ---: | ---: | ---: |")
for row in rows:
    raw = row["raw"]["hashes_per_second"]
    authd = row["authd"]["logins_per_second"]
    flask = row["flask"]["logins_per_second"]
    ratio = authd / raw if raw else 0
    failed = f'{row["authd"]["failed"] + row["authd"]["errors"]}, {row["flask"]["failed"] + row["flask"]["errors"]}'
    print(
        f'| {row["cost"]} | {raw:.2f} | {authd:.2f} | {ratio:.3f} | {"yes" if ratio >= 0.95 else "no"} | {flask:.2f} | '
        f'{authd / flask if flask else float("inf"):.2f} | {row["authd"]["p50_ms"]} / {row["authd"]["p99_ms"]} | '
        f'{row["flask"]["p50_ms"]} / {row["flask"]["p99_ms"]} | {failed} |'
    )
print()
print("Raw JSON:")
print()
for row in rows:
    print("    " + json.dumps(row))
PY
