#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The one list of Debian packages that authd's make targets need, and their installer: installs what is missing
# (`dpkg -s`), as root, with `apt-get update` + `apt-get install -y --no-install-recommends`; says nothing when
# everything is there. Not root and something missing: says which packages to ask an administrator for, exits 1.
#
#   scripts/install-packages.sh run     # make run: build and run authd
#   scripts/install-packages.sh bench   # make bench, bench-smoke, fuzz-smoke: also libcrypt (the C bcrypt peer)
#   scripts/install-packages.sh test    # make test: everything the suites use
#   scripts/install-packages.sh --list test     # print a list, one line
set -euo pipefail

# The root package: make and pkg-config, OpenSSL's libcrypto (AuthCore), SQLite (GRDB), zlib (compress-nio, for
# WebSocket compression).
run=(make pkg-config libssl-dev libsqlite3-dev zlib1g-dev)
# The nested Benchmarks and Fuzz packages: libxcrypt's crypt_r; python3-venv for the benchmark venv and Flask peer;
# postgresql for the cluster benchmark (three instances on one private PostgreSQL, scripts/postgres.sh).
bench=("${run[@]}" libcrypt-dev python3-venv postgresql)
# The test suites: nodejs, mocha and node-ws run the official conformance suites (Tests/Conformance) and the client's
# Node tests (Debian's nodejs or NodeSource's, which provides the same `nodejs` package); chromium and chromium-driver
# run the headless browser tests; postgresql (from bench) runs the store suites and the cluster tests; nginx and
# gettext-base (envsubst) put the cluster tests' three instances behind a private nginx (scripts/nginx.sh).
test=("${bench[@]}" nodejs mocha node-ws chromium chromium-driver nginx gettext-base)
# Optional, for make test: libjwt, the JWT benchmark's C peer, loaded at run time (bench-smoke says when it is absent).
test_optional=(libjwt0)

list=false
if [[ ${1:-} == --list ]]; then
    list=true
    shift
fi
mode=${1:-}
case "$mode" in
run) required=("${run[@]}") optional=() ;;
bench) required=("${bench[@]}") optional=() ;;
test) required=("${test[@]}") optional=("${test_optional[@]}") ;;
*)
    echo "usage: $0 [--list] run|bench|test" >&2
    exit 2
    ;;
esac
if $list; then
    echo "${required[*]}${optional[*]:+ (optional: ${optional[*]})}"
    exit 0
fi

installed() { dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'; }
missing=()
for package in "${required[@]}"; do installed "$package" || missing+=("$package"); done
missing_optional=()
for package in "${optional[@]}"; do installed "$package" || missing_optional+=("$package"); done
((${#missing[@]} + ${#missing_optional[@]})) || exit 0

if (($(id -u) != 0)); then
    if ((${#missing[@]})); then
        echo "make $mode needs Debian packages that are not installed: ${missing[*]}" >&2
        echo "Ask an administrator to run: apt-get install --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
    echo "note: optional ${missing_optional[*]} not installed (not root, so not installing it)" >&2
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if ((${#missing[@]})); then
    echo "installing for make $mode: ${missing[*]}" >&2
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
for package in "${missing_optional[@]}"; do
    # apt-cache knows the package only where the distribution has it (Debian 12: yes); elsewhere skip it quietly.
    if apt-cache show "$package" >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends "$package"; then
        continue
    fi
    echo "note: optional $package is not available here; the tests that use it say so and go on" >&2
done
