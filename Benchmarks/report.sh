#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make bench-report`: the side-by-side benchmark report, in ONE run on this machine. It measures the raw ceilings
# (C bcrypt hashes/s at each cost on one thread per core, measured right before and after authd's logins at that
# cost and judged on the mean; raw HMAC-SHA256; Swift/C bcrypt and HS256/HMAC ratios), builds release, starts the
# ws-echo floor, the raw TCP floor (`authd-bench floor-server`: the same byte exchange over plain syscalls, the raw
# ceiling of the socket scenarios), the
# Flask peer and authd (each on 127.0.0.1, one at a time), runs every load scenario of authd-bench against each (the raw
# TCP floor: handshake and rtt, no idle), and writes Docs/benchmarks.md (the generated section) and Docs/images/.
# authd scenarios that cannot run (no /socket.io/ yet) are reported as "not available"; the run still finishes.
#
# Env (all optional): BENCH_SECONDS (per scenario, 10), BENCH_LOGIN_COSTS ("10 12"), BENCH_IDLE_STEPS
# (1000,2000,5000,10000,19000), BENCH_IDLE_FLASK_STEPS (500,1000,2000,5000), BENCH_IDLE_PROCESSES (4),
# BENCH_PYTHON (a python with matplotlib; make bench-report provides one), BENCH_SKIP_BUILD, BENCH_AUTHD_BIN
# (an authd binary to use instead of building release), FLASK_PEER, FLASK_PEER_VENV.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
seconds=${BENCH_SECONDS:-10}
read -r -a costs <<<"${BENCH_LOGIN_COSTS:-10 12}"
idle_steps=${BENCH_IDLE_STEPS:-1000,2000,5000,10000,19000}
idle_flask_steps=${BENCH_IDLE_FLASK_STEPS:-500,1000,2000,5000}
idle_processes=${BENCH_IDLE_PROCESSES:-4}
python=${BENCH_PYTHON:-python3}
[[ $seconds =~ ^[0-9]+$ ]] && ((seconds >= 1 && seconds <= 300)) || { echo "BENCH_SECONDS must be 1..300" >&2; exit 2; }
"$python" -c 'import matplotlib' 2>/dev/null || { echo "$python lacks matplotlib: use make bench-report" >&2; exit 2; }

results=$repo/Benchmarks/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$results"
work=$(mktemp -d "${TMPDIR:-/tmp}/authd-bench-report.XXXXXX")
source Benchmarks/servers.sh
trap 'cleanup_servers; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cat /proc/loadavg >"$results/loadavg-start.txt"
# authd-bench and ws-echo come from the nested package Benchmarks/, authd from the root package.
# BENCH_SKIP_BUILD=1 uses the release authd-bench and ws-echo already built (e.g. while authd still compiles).
if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
    echo "building release authd-bench, ws-echo…" >&2
    for product in authd-bench ws-echo; do swift build --package-path Benchmarks -c release --product "$product" >&2; done
fi
bin=$repo/Benchmarks/.build/release
[[ -x $bin/authd-bench && -x $bin/ws-echo ]] || bin=$(swift build --package-path Benchmarks -c release --show-bin-path)
bench=$bin/authd-bench

# run NAME ARGS…: one scenario with --json into $results/NAME.json; a failure is recorded, never fatal.
run() {
    local name=$1
    shift
    echo "  $name…" >&2
    if ! timeout 900 "$bench" "$@" --json --quiet >"$results/$name.json" 2>"$results/$name.err"; then
        python3 - "$results/$name.json" "$results/$name.err" <<'PY'
import json, sys
error = open(sys.argv[2]).read().strip().splitlines()
json.dump({"error": (error[-1] if error else "failed")[:300]}, open(sys.argv[1], "w"))
PY
    fi
}
unavailable() { echo "{\"unavailable\": \"$2\"}" >"$results/$1.json"; }

echo "micro-benchmark ratios…" >&2
"$bench" bcrypt --seconds 6 --rounds 3 --cost "${costs[0]}" --cost "${costs[-1]}" >"$results/micro-bcrypt.md"
"$bench" jwt --hs256-only --seconds 3 --rounds 5 >"$results/micro-jwt.md"

# sockets TARGET URL PID STEPS: the socket scenarios against one server (no idle when STEPS is empty).
sockets() {
    local target=$1 url=$2 pid=$3 steps=$4
    run "$target-handshake" handshake --url "$url" --target "$target" -c 32 --duration "$seconds" --users 8
    run "$target-rtt-c1" rtt --url "$url" --target "$target" -c 1 --duration "$seconds" --users 1
    run "$target-rtt-c1000" rtt --url "$url" --target "$target" -c 1000 --duration "$seconds" --users 8 --timeout 30
    [[ -n $steps ]] || return 0
    run "$target-idle" idle --url "$url" --target "$target" --server-pid "$pid" --steps "$steps" \
        --processes "$idle_processes" --duration 600 --timeout 30 --settle 3 --hold 5
}

echo "ws-echo…" >&2
start_echo
sockets echo "$echo_url" "$echo_pid" "$idle_steps"
stop_server "$echo_pid"

echo "raw TCP floor…" >&2
if start_floor; then
    sockets floor "$floor_url" "$floor_pid" ""
    stop_server "$floor_pid"
else
    for name in handshake rtt-c1 rtt-c1000; do unavailable "floor-$name" "the raw TCP floor did not start"; done
fi

for cost in "${costs[@]}"; do
    echo "Flask peer, bcrypt cost $cost…" >&2
    start_flask "$cost"
    run "flask-login-cost$cost" login --url "$flask_url" --target flask -c 8 --duration "$seconds" --users 4 --timeout 60
    if [[ $cost == "${costs[0]}" ]]; then sockets flask "$flask_url" "$flask_pid" "$idle_flask_steps"; fi
    stop_server "$flask_pid"
done

if [[ -n ${BENCH_AUTHD_BIN:-} ]]; then
    authd_bin=$BENCH_AUTHD_BIN
else
    echo "building release authd…" >&2
    swift build -c release --product authd >&2
    authd_bin=$(swift build -c release --show-bin-path)/authd
fi
for cost in "${costs[@]}"; do
    # The raw ceiling right before authd's logins at the same cost, so that both see the same machine.
    echo "raw C bcrypt capacity, cost $cost…" >&2
    "$bench" bcrypt-capacity --cost "$cost" --threads "$(nproc)" --seconds 5 --json >"$results/raw-bcrypt-$cost.json"
    echo "authd, bcrypt cost $cost…" >&2
    start_authd "$cost"
    run "authd-login-cost$cost" login --url "$authd_url" --target authd -c 8 --duration "$seconds" --users 4 --timeout 60
    # …and right after them (the report judges the mean): the other scenarios wait until it is measured.
    echo "raw C bcrypt capacity after authd's logins, cost $cost…" >&2
    "$bench" bcrypt-capacity --cost "$cost" --threads "$(nproc)" --seconds 5 --json >"$results/raw-bcrypt-$cost-after.json"
    if [[ $cost == "${costs[0]}" ]]; then
        # Fails the report (set -e) when authd's /socket.io/ does not answer: never a report without authd's sockets.
        require_authd_realtime
        sockets authd "$authd_url" "$authd_pid" "$idle_steps"
    fi
    stop_server "$authd_pid"
done
cat /proc/loadavg >"$results/loadavg-end.txt"

command="make bench-report"
[[ -n ${BENCH_SECONDS:-} || -n ${BENCH_LOGIN_COSTS:-} || -n ${BENCH_IDLE_STEPS:-} ]] &&
    command="BENCH_SECONDS=$seconds BENCH_LOGIN_COSTS=\"${costs[*]}\" BENCH_IDLE_STEPS=$idle_steps make bench-report"
{
    echo "started=$started"
    echo "finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "cores=$(nproc)"
    echo "memory=$(free -g | awk '/Mem:/ {print $2}') GiB"
    echo "kernel=$(uname -r)"
    echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "swift=$(swift --version 2>/dev/null | head -1)"
    echo "flask_python=$("$work/flask-seed/.venv/bin/python" --version 2>&1)"
    echo "command=$command"
    echo "seconds=$seconds"
    echo "idle_processes=$idle_processes"
} >"$results/machine.txt"
"$python" Benchmarks/report.py "$results" --doc Docs/benchmarks.md --images Docs/images
echo "report written: Docs/benchmarks.md, Docs/images/ (raw results in $results)" >&2
