#!/usr/bin/env bash
# Runs authd's micro-benchmarks in a release build of the nested package Benchmarks/ and prints their Markdown tables.
# Usage: Benchmarks/run.sh [seconds-per-case]   (default 3; every loop is bounded by it)
# The tables are pasted into Docs/benchmarks.md together with the machine description printed first.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3}
swift build --package-path Benchmarks -c release --product authd-bench >&2
bin=$(swift build --package-path Benchmarks -c release --show-bin-path)
echo "## Machine"
echo
echo "- $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "- $(swift --version 2>/dev/null | head -1)"
echo "- $(openssl version 2>/dev/null || echo 'openssl: n/a'), libxcrypt $(dpkg-query -W -f='${Version}' libcrypt1 2>/dev/null || echo n/a)"
echo "- date: $(date -u +%Y-%m-%d)"
echo "- command: \`Benchmarks/run.sh $seconds\`"
echo
"$bin/authd-bench" all --seconds "$seconds"
