#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make bench-smoke`: every load scenario of authd-bench once, tiny (a few connections, a few operations, seconds),
# against the ws-echo floor, the raw TCP floor (`authd-bench floor-server`), the Flask peer and authd, and the JWT
# micro-benchmark — so that the tool cannot rot. No timing is asserted: a scenario passes when it completed at least
# one operation and none failed.
# authd's socket scenarios fail (they are never skipped) when authd's /socket.io/ does not answer a polling handshake.
# authd-bench and ws-echo come from the nested package Benchmarks/, authd from the root package (its own .build, which
# `make test` has already built).
# Env: BENCH_CONFIG (debug|release, default debug), BENCH_AUTHD_BIN (an authd binary to use instead of building one),
# FLASK_PEER, FLASK_PEER_VENV.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
config=${BENCH_CONFIG:-debug}
echo "bench-smoke: building authd-bench, ws-echo and authd ($config)…" >&2
for product in authd-bench ws-echo; do swift build --package-path Benchmarks -c "$config" --product "$product" >&2; done
bin=$(swift build --package-path Benchmarks -c "$config" --show-bin-path)
bench=$bin/authd-bench
if [[ -n ${BENCH_AUTHD_BIN:-} ]]; then
    authd_bin=$BENCH_AUTHD_BIN
else
    swift build -c "$config" --product authd >&2
    authd_bin=$(swift build -c "$config" --show-bin-path)/authd
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/authd-bench-smoke.XXXXXX")
source Benchmarks/servers.sh
trap 'cleanup_servers; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
# pass LABEL / fail LABEL [FILE…]: counts one result (a failure shows FILEs, the scenario's output).
pass() {
    echo "PASS $1" >&2
    passed=$((passed + 1))
}
fail() {
    echo "FAIL $1" >&2
    shift
    cat "$@" >&2 || true
    failed=$((failed + 1))
}
# scenario LABEL ARGS…: runs one bounded scenario with --json and checks that it completed cleanly.
scenario() {
    local label=$1 out
    shift
    out=$work/$(echo "$label" | tr ' /' '__').json
    if timeout 120 "$bench" "$@" --json --quiet >"$out" 2>"$out.err" &&
        python3 - "$out" <<'PY'; then
import json, sys
r = json.load(open(sys.argv[1]))
clean = r["ok"] > 0 and r["failed"] == 0 and not r.get("setup_failures")
print(f'  ok {r["ok"]}, failed {r["failed"]} {r.get("errors") or ""}', file=sys.stderr)
sys.exit(0 if clean else 1)
PY
        pass "$label"
    else
        fail "$label" "$out" "$out.err"
    fi
}

common=(--duration 20 --timeout 10 --users 2)

start_echo
echo "ws-echo at $echo_url" >&2
scenario "echo handshake" handshake --url "$echo_url" --target echo -c 2 --count 6 "${common[@]}"
scenario "echo rtt" rtt --url "$echo_url" --target echo -c 2 --count 10 "${common[@]}"
scenario "echo idle" idle --url "$echo_url" --target echo --steps 4,8 --processes 2 --server-pid "$echo_pid" --settle 0.2 "${common[@]}"

start_floor 600
echo "raw TCP floor at $floor_url" >&2
scenario "floor handshake" handshake --url "$floor_url" --target floor -c 2 --count 6 "${common[@]}"
scenario "floor rtt" rtt --url "$floor_url" --target floor -c 2 --count 10 "${common[@]}"
scenario "floor echo-target rtt" rtt --url "$floor_url" --target echo -c 2 --count 10 "${common[@]}"
stop_server "$floor_pid"

start_flask 4
echo "Flask peer at $flask_url" >&2
scenario "flask login" login --url "$flask_url" --target flask -c 2 --count 6 "${common[@]}"
scenario "flask handshake" handshake --url "$flask_url" --target flask -c 2 --count 6 "${common[@]}"
scenario "flask rtt" rtt --url "$flask_url" --target flask -c 2 --count 10 "${common[@]}"
scenario "flask idle" idle --url "$flask_url" --target flask --steps 4,8 --processes 2 --server-pid "$flask_pid" --settle 0.2 "${common[@]}"

start_authd 4
echo "authd at $authd_url" >&2
scenario "authd login" login --url "$authd_url" --target authd -c 2 --count 6 "${common[@]}"
if require_authd_realtime; then
    scenario "authd handshake" handshake --url "$authd_url" --target authd -c 2 --count 6 "${common[@]}"
    scenario "authd rtt" rtt --url "$authd_url" --target authd -c 2 --count 10 "${common[@]}"
    scenario "authd idle" idle --url "$authd_url" --target authd --steps 4,8 --processes 2 --server-pid "$authd_pid" --settle 0.2 "${common[@]}"
else
    # Counted as failures: a run whose socket scenarios did not run must not pass.
    for label in "authd handshake" "authd rtt" "authd idle"; do fail "$label (no /socket.io/)" "$work/authd-4.log"; done
fi

# The JWT micro-benchmark (no server): every row, the peers' included, must be printed; libjwt's rows are measured
# when the library is installed and otherwise say so.
out=$work/jwt.md
if timeout 300 "$bench" jwt --seconds 0.05 --rounds 1 >"$out" 2>"$out.err" &&
    grep -q "HS256 verify" "$out" && grep -q "vapor/jwt-kit" "$out" && grep -q "libjwt" "$out" && grep -q "EdDSA verify" "$out"; then
    grep "libjwt" "$out" >&2
    pass jwt
else
    fail jwt "$out" "$out.err"
fi

echo "bench-smoke: $passed passed, $failed failed"
((failed == 0))
