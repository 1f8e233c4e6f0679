#!/usr/bin/env bash
# Metrics overhead: the same release authd with --metrics false vs --metrics true, 3 rounds alternating.
# Handshakes and round trips per server CPU second (server pinned to core 0, client to core 1), loopback only.
# Usage: bash scripts/perf-metrics.sh [authd] [authd-bench]   (ROUNDS, SECS override the defaults 3 and 8)
set -euo pipefail
bin=${1:-.build/release/authd}
bench=${2:-Benchmarks/.build/release/authd-bench}
rounds=${ROUNDS:-3}; secs=${SECS:-8}
out=/tmp/perf-metrics-results; rm -rf $out; mkdir -p $out
cpu() { awk '{print $14+$15}' /proc/$1/stat; }   # utime+stime in clock ticks
tick=$(getconf CLK_TCK)
run_one() { # label metrics round
    local label=$1 metrics=$2 r=$3 dir; dir=$(mktemp -d); port=$((18000 + RANDOM % 1000))
    taskset -c 0 "$bin" serve --port $port --data-dir "$dir/data" --bcrypt-cost 4 --log-level warning --metrics $metrics >"$dir/log" 2>&1 &
    local pid=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    local url=http://127.0.0.1:$port
    for scenario in "handshake -c 32 --users 8" "rtt -c 1 --users 1" "rtt -c 200 --users 8"; do
        set -- $scenario; name=$1; shift
        local c0; c0=$(cpu $pid)
        taskset -c 1 "$bench" $name --url $url --target authd --duration $secs "$@" --json --quiet >"$out/$label-$r-$name-$2.json" 2>/dev/null || true
        local c1; c1=$(cpu $pid)
        echo "$label $r $name c=$2 cpu_ticks=$((c1-c0))" >>"$out/cpu.txt"
    done
    if [ "$metrics" = true ]; then curl -sf "$url/metrics" >"$out/$label-$r-metrics.txt" || true; fi
    kill $pid; wait $pid 2>/dev/null || true; rm -rf "$dir"
}
for r in $(seq $rounds); do run_one off false $r; run_one on true $r; done
python3 - "$out" "$tick" <<'PY'
import json, sys, collections, statistics
out, tick = sys.argv[1], int(sys.argv[2])
cpu = {}
for line in open(f"{out}/cpu.txt"):
    label, r, name, c, t = line.split()
    cpu[(label, r, name, c.split("=")[1])] = int(t.split("=")[1]) / tick
rows = collections.defaultdict(list)
for (label, r, name, c), seconds in cpu.items():
    data = json.load(open(f"{out}/{label}-{r}-{name}-{c}.json"))
    ok = data.get("ok", 0)
    lat = (data.get("latency") or {}).get("p50Us")
    rows[(name, c, label)].append((ok / data["seconds"], ok / seconds if seconds else 0, lat, data.get("failed", 0)))
for key in sorted(rows):
    vals = rows[key]
    print(key, "rate/s", [round(v[0]) for v in vals], "per-server-CPU-s", [round(v[1]) for v in vals], "p50us", [v[2] for v in vals], "failed", [v[3] for v in vals])
print()
print("scenario            per-server-CPU-s median off -> on   change   rate/s median off -> on   change")
for name, c in sorted({(k[0], k[1]) for k in rows}):
    off, on = rows[(name, c, "off")], rows[(name, c, "on")]
    cpu_off, cpu_on = statistics.median(v[1] for v in off), statistics.median(v[1] for v in on)
    rate_off, rate_on = statistics.median(v[0] for v in off), statistics.median(v[0] for v in on)
    print(f"{name} -c {c:<5} {cpu_off:>12.0f} -> {cpu_on:<10.0f} {100*(cpu_on/cpu_off-1):+6.1f} %   {rate_off:>10.0f} -> {rate_on:<10.0f} {100*(rate_on/rate_off-1):+6.1f} %")
PY
