#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds every libFuzzer harness (WireProtocol's decoders, AuthCore's token verification) of the nested package Fuzz/
# with `--sanitize=fuzzer` and runs each for a bounded time.
#
#   Fuzz/run.sh [seconds-per-target] [target…]     (default: 60 seconds, every target)
#
# The committed seeds in Fuzz/Corpus/<target>/ are copied into a working corpus under .build-fuzz/ (git-ignored), so a
# run never rewrites them; crash reproducers land in .build-fuzz/crashes/<target>/. Exits non-zero if any target
# finds a crash. Replay a reproducer without the fuzzer: `swift run --package-path Fuzz <target> <file>`.
set -euo pipefail

seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(FuzzEngineIOPayload FuzzSocketIOPacket FuzzJWTVerify FuzzBcryptVerify)
fi
case "$seconds" in ''|*[!0-9]*) echo "seconds must be a whole number" >&2; exit 2 ;; esac

root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$root/.build-fuzz"
cd "$root"

status=0
for target in "${targets[@]}"; do
    echo "== building $target"
    swift build --package-path Fuzz -c debug --sanitize=fuzzer --product "$target" --scratch-path "$scratch" >/dev/null
    corpus="$scratch/corpus/$target"
    # Not $scratch/artifacts: SwiftPM owns that directory (binary artifacts) and empties it when it resolves packages,
    # which a build of another target during this run would do.
    artifacts="$scratch/crashes/$target"
    mkdir -p "$corpus" "$artifacts"
    cp -n "Fuzz/Corpus/$target/"* "$corpus/" 2>/dev/null || true
    echo "== fuzzing $target for ${seconds}s"
    # Swift's own crash backtracer would catch the trap of a failed precondition first and exit before libFuzzer
    # writes the reproducer; without it libFuzzer's handler saves the input to $artifacts.
    if ! SWIFT_BACKTRACE=enable=no "$scratch/debug/$target" "$corpus" \
        -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" 2>"$scratch/$target.log"; then
        echo "!! $target found a crash; see $artifacts/ and $scratch/$target.log" >&2
        status=1
    fi
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done)|#[0-9]+ *DONE" "$scratch/$target.log" || tail -5 "$scratch/$target.log"
done
exit $status
