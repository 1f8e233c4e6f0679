#!/usr/bin/env bash
# Runs an official protocol conformance suite against `authd conformance`.
#   Tests/Conformance/run.sh engine.io
# Needs node (>= 18, for the built-in fetch), Debian's `mocha` and `node-ws` (apt-get install mocha node-ws), and a
# built authd: AUTHD_BIN, else `swift build --show-bin-path`/authd. Starts the server on a free port, runs the suite,
# stops the server. See Docs/conformance.md.
set -euo pipefail
suite=${1:?usage: run.sh engine.io|socket.io}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
case "$suite" in
engine.io | socket.io) ;;
*) echo "run.sh: unknown suite '$suite' (known: engine.io, socket.io)" >&2; exit 2 ;;
esac
bin=${AUTHD_BIN:-$(cd "$root" && swift build --show-bin-path)/authd}
[[ -x "$bin" ]] || { echo "run.sh: $bin not found; build it with: swift build --product authd" >&2; exit 2; }
mocha=$(command -v mocha || true)
[[ -n "$mocha" ]] || { echo "run.sh: mocha not found; install it with: apt-get install -y mocha node-ws" >&2; exit 2; }
# Debian installs node modules under /usr/share/nodejs (and /usr/lib/nodejs); require() finds them through NODE_PATH.
export NODE_PATH=/usr/share/nodejs:/usr/lib/nodejs${NODE_PATH:+:$NODE_PATH}

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
work=$(mktemp -d)
log="$work/authd.log"
"$bin" conformance --port "$port" >"$log" 2>&1 &
server=$!
cleanup() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

ready=false
for _ in $(seq 1 300); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then
        ready=true
        break
    fi
    kill -0 "$server" 2>/dev/null || { cat "$log" >&2; echo "run.sh: authd conformance exited" >&2; exit 1; }
    sleep 0.1
done
$ready || { cat "$log" >&2; echo "run.sh: authd conformance did not listen on port $port within 30 s" >&2; exit 1; }

# The suite hard-codes http://localhost:3000: run a copy that points at our port.
# Both suites share the engine.io directory's node-imports.js and chai.js stand-ins.
cp "$here/engine.io/node-imports.js" "$here/engine.io/chai.js" "$work/"
cp "$here/$suite/test-suite.js" "$here/$suite/package.json" "$work/"
sed -i "s#http://localhost:3000#http://127.0.0.1:$port#" "$work/test-suite.js"
status=0
# No retries: a server race that fails one run in three must fail the run, not hide behind a silent retry.
# mocha's 2-second default per test is raised for a loaded machine: every test waits for an event, none for a time.
(cd "$work" && "$mocha" --exit --timeout 10000 test-suite.js) || status=$?
if ((status != 0)); then
    echo "--- authd conformance log ---" >&2
    cat "$log" >&2
fi
exit "$status"
