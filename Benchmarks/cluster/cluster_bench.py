# SPDX-License-Identifier: Apache-2.0
"""Cluster benchmark: three authd instances on one private PostgreSQL (no nginx), plus one SQLite instance.

  (a) cross-instance emit latency: a socket on A emits `notify_devices`, time until the same user's socket on B
      receives `device_notice`; sequential; p50/p99 in ms.
  (b) revocation propagation: per login, a socket on C, `POST /api/logout` on B; time from the logout response to the
      socket's `revoked` event or disconnect on C; p50/p99 in ms (negative: the close came before the response).
  (c) logins/s over HTTP, PostgreSQL store (instance A) vs SQLite store, same bcrypt cost, fixed count and
      concurrency, with the server's CPU seconds per login (utime + stime from /proc/<pid>/stat).

Prints a Markdown table and writes JSON to --json PATH. Every count and wait is bounded; --time-limit caps each part
(a part cut short reports how many samples it has). Reuses the interop fixture (Tests/Interop/cluster_support.py), so
run it with the interop venv: AUTHD_BIN=… .venv/bin/python Benchmarks/cluster/cluster_bench.py --json out.json
"""
import argparse
import json
import os
import platform
import queue
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "Interop"))

import requests  # noqa: E402
import socketio  # noqa: E402

from cluster_support import Cluster, ClusterError, Instance, login_on, register_user, unique_user  # noqa: E402
from test_http_api import PASSWORD  # noqa: E402


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(samples_ms: list[float], wanted: int, timeouts: int = 0) -> dict:
    return {
        "count": len(samples_ms),
        "wanted": wanted,
        "timeouts": timeouts,
        "p50_ms": percentile(samples_ms, 0.50),
        "p99_ms": percentile(samples_ms, 0.99),
        "mean_ms": statistics.fmean(samples_ms) if samples_ms else None,
        "max_ms": max(samples_ms) if samples_ms else None,
    }


def socket_to(instance, token: str, on_event) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.on("*", on_event)
    client.on("disconnect", lambda *args: on_event("disconnect"))
    client.connect(instance.url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    return client


def emit_latency(cluster: Cluster, count: int, time_limit: float) -> dict:
    a, b = cluster["A"], cluster["B"]
    name = unique_user()
    register_user(a, name)
    token = login_on(a, name)["access_token"]
    arrivals: queue.Queue = queue.Queue()

    def received(event, *args):
        if event == "device_notice":
            arrivals.put((time.perf_counter(), args[0] if args else None))

    sender = socket_to(a, token, lambda *args: None)
    receiver = socket_to(b, token, received)
    samples, timeouts = [], 0
    deadline = time.monotonic() + time_limit
    try:
        for i in range(count):
            if time.monotonic() > deadline:
                break
            message = f"bench {i}"
            started = time.perf_counter()
            sender.emit("notify_devices", {"message": message})
            try:
                while True:
                    arrived, data = arrivals.get(timeout=5)
                    if isinstance(data, dict) and data.get("message") == message:
                        samples.append((arrived - started) * 1000)
                        break
            except queue.Empty:
                timeouts += 1
                if timeouts >= 3:
                    break
    finally:
        sender.disconnect()
        receiver.disconnect()
    return summary(samples, count, timeouts)


def revocation_latency(cluster: Cluster, count: int, time_limit: float) -> dict:
    a, b, c = cluster["A"], cluster["B"], cluster["C"]
    name = unique_user()
    register_user(a, name)
    samples, timeouts = [], 0
    deadline = time.monotonic() + time_limit
    session = requests.Session()
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        token = login_on(a, name)["access_token"]
        closed = threading.Event()
        closed_at = []

        def on_event(event, *args):
            if event in ("revoked", "disconnect") and not closed.is_set():
                closed_at.append(time.perf_counter())
                closed.set()

        client = socket_to(c, token, on_event)
        response = session.post(b.url + "/api/logout", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        answered = time.perf_counter()
        if response.status_code != 204:
            raise ClusterError(f"logout on B answered {response.status_code}: {response.text}")
        if closed.wait(5):
            samples.append((closed_at[0] - answered) * 1000)
        else:
            timeouts += 1
        client.disconnect()
        if timeouts >= 3:
            break
    return summary(samples, count, timeouts)


def login_rate(instance: Instance, count: int, concurrency: int, time_limit: float) -> dict:
    name = unique_user()
    register_user(instance, name)
    local = threading.local()
    deadline = time.monotonic() + time_limit
    failures = []

    def one(_):
        if time.monotonic() > deadline:
            return False
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        response = session.post(instance.url + "/api/login", json={"username": name, "password": PASSWORD}, timeout=30)
        if response.status_code != 200:
            failures.append(response.status_code)
            return False
        return True

    cpu_before = instance.cpu_seconds()
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        done = sum(pool.map(one, range(count)))
    elapsed = time.perf_counter() - started
    cpu = instance.cpu_seconds() - cpu_before
    return {
        "logins": done,
        "wanted": count,
        "failures": len(failures),
        "concurrency": concurrency,
        "seconds": elapsed,
        "logins_per_second": done / elapsed if elapsed > 0 else None,
        "server_cpu_ms_per_login": cpu * 1000 / done if done else None,
    }


def markdown(results: dict) -> str:
    def ms(value):
        return "n/a" if value is None else f"{value:.2f}"

    rows = [
        "| measure | count | p50 ms | p99 ms | max ms | timeouts |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for key, label in (("emit", "notify_devices A → device_notice B"), ("revocation", "logout on B → socket closed on C")):
        r = results[key]
        rows.append(f"| {label} | {r['count']}/{r['wanted']} | {ms(r['p50_ms'])} | {ms(r['p99_ms'])} | {ms(r['max_ms'])} | {r['timeouts']} |")
    rows += ["", "| store | logins | concurrency | logins/s | server CPU ms/login | failures |", "| --- | --- | --- | --- | --- | --- |"]
    for key in ("postgres", "sqlite"):
        r = results["logins"][key]
        rate = "n/a" if r["logins_per_second"] is None else f"{r['logins_per_second']:.0f}"
        rows.append(f"| {key} | {r['logins']}/{r['wanted']} | {r['concurrency']} | {rate} | {ms(r['server_cpu_ms_per_login'])} | {r['failures']} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", required=True, type=Path, help="where to write the results")
    parser.add_argument("--emits", type=int, default=1000)
    parser.add_argument("--revocations", type=int, default=200)
    parser.add_argument("--logins", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--time-limit", type=float, default=180, help="seconds per part at most")
    parser.add_argument("--authd", type=Path, default=os.environ.get("AUTHD_BIN"), help="the authd binary (default $AUTHD_BIN)")
    args = parser.parse_args()
    if args.authd is None or not args.authd.exists():
        parser.error("give --authd or AUTHD_BIN: the authd binary")
    for name in ("emits", "revocations", "logins"):
        if not 1 <= getattr(args, name) <= 100_000:
            parser.error(f"--{name} must be 1..100000")

    with tempfile.TemporaryDirectory(prefix="authd-cluster-bench-") as root:
        # Rate limits off: the benchmark logs in thousands of times from one address, which is what they refuse.
        cluster = Cluster(args.authd, Path(root) / "cluster", with_nginx=False, log_level="warning", rate_limits="off")
        sqlite = Instance("sqlite", args.authd, Path(root), "--rate-limits", "off", env={"AUTHD_LOG_LEVEL": "warning"})
        try:
            cluster.start()
            sqlite.start()
            results = {
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "loadavg": os.getloadavg()},
                "bcrypt_cost": 4,
                "emit": emit_latency(cluster, args.emits, args.time_limit),
                "revocation": revocation_latency(cluster, args.revocations, args.time_limit),
                "logins": {
                    "postgres": login_rate(cluster["A"], args.logins, args.concurrency, args.time_limit),
                    "sqlite": login_rate(sqlite, args.logins, args.concurrency, args.time_limit),
                },
            }
        except BaseException:
            print(cluster.logs(), file=sys.stderr)
            raise
        finally:
            sqlite.kill()
            cluster.stop()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
