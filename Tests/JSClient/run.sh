#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Node suite of the browser client (Sources/RealtimeServer/Resources/authd-socket.js and dashboard.js), on Node's
# built-in runner. Needs node 18 or later and the `ws` module: Debian's nodejs and node-ws. Fails when either is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v node >/dev/null 2>&1; then
    echo "Tests/JSClient: node is missing (apt-get install nodejs node-ws)" >&2
    exit 1
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; then
    echo "Tests/JSClient: node $(node --version) is too old; node --test needs 18 or later" >&2
    exit 1
fi
exec node --test Tests/JSClient/*.test.js
