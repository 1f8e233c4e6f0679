#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the DocC documentation of every library target (swift-docc-plugin) with warnings as errors: a broken
# ``Symbol`` link, an unknown parameter name or a bad topic group fails the run. Exit status: 0 clean, 1 otherwise.
# `make docs` runs it; SWIFT overrides the swift executable.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
TARGETS=(StrictJSON AuthCore WireProtocol RealtimeServer RealtimeServerTesting)

arguments=()
for target in "${TARGETS[@]}"; do arguments+=(--target "$target"); done

log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s)
status=0
"$SWIFT" package --disable-sandbox generate-documentation "${arguments[@]}" --warnings-as-errors 2>&1 | tee "$log" || status=$?
# docc prints each problem as `warning: …` (`error: …` with --warnings-as-errors) followed by its `--> file:line`;
# leave out SwiftPM's notes about dependencies' unhandled files and the plugin's own summary of a failed conversion.
problems=$(grep -E '^(warning|error): ' "$log" | grep -vE "^warning: '[^']+': found [0-9]+ file|invocation failed|^error: unspecified" | wc -l || true)
echo "docs-check: ${#TARGETS[@]} targets in $(($(date +%s) - start)) s, $problems problem(s), exit status $status"
if [ "$status" -ne 0 ] || [ "$problems" -ne 0 ]; then
    exit 1
fi
