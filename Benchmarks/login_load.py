#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Bounded login load: N concurrent clients log in for T seconds (or until --max-requests) and print one JSON object.

    login_load.py --url http://127.0.0.1:8080 --path /api/login --clients 16 --seconds 20 \
        --users bench0,bench1 --password 'correct horse battery staple'

Every client is a closed loop (one request in flight); each picks the next user round-robin. The run stops at the
deadline or at --max-requests, whichever comes first; only 127.0.0.1/localhost/::1 targets are accepted.
Output: {"logins_per_second", "ok", "failed", "errors", "p50_ms", "p99_ms", "seconds", "clients"}.
"""
import argparse
import asyncio
import json
import sys
import time
from urllib.parse import urlparse

import aiohttp

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def percentile(sorted_values, fraction):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


async def run(args):
    users = [u for u in args.users.split(",") if u]
    latencies = []
    counts = {"ok": 0, "failed": 0, "errors": 0}
    statuses = {}
    budget = {"left": args.max_requests}
    deadline = time.monotonic() + args.seconds
    timeout = aiohttp.ClientTimeout(total=args.request_timeout)
    connector = aiohttp.TCPConnector(limit=args.clients, force_close=False)

    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:

        async def client(index):
            turn = index
            while time.monotonic() < deadline and budget["left"] > 0:
                budget["left"] -= 1
                username = users[turn % len(users)]
                turn += args.clients
                body = {"username": username, "password": args.password}
                started = time.perf_counter()
                try:
                    if args.form:
                        request = session.post(args.url + args.path, data=body)
                    else:
                        request = session.post(args.url + args.path, json=body)
                    async with request as response:
                        await response.read()
                        status = response.status
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    counts["errors"] += 1
                    continue
                elapsed = time.perf_counter() - started
                statuses[status] = statuses.get(status, 0) + 1
                if status == 200:
                    counts["ok"] += 1
                    latencies.append(elapsed)
                else:
                    counts["failed"] += 1

        started = time.monotonic()
        await asyncio.gather(*(client(i) for i in range(args.clients)))
        wall = time.monotonic() - started

    latencies.sort()
    result = {
        "logins_per_second": round(counts["ok"] / wall, 3) if wall > 0 else 0,
        "ok": counts["ok"],
        "failed": counts["failed"],
        "errors": counts["errors"],
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "p50_ms": round(percentile(latencies, 0.50) * 1e3, 2) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99) * 1e3, 2) if latencies else None,
        "seconds": round(wall, 3),
        "clients": args.clients,
    }
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="base URL, loopback only (http://127.0.0.1:PORT)")
    parser.add_argument("--path", default="/api/login")
    parser.add_argument("--users", required=True, help="comma-separated usernames, used round-robin")
    parser.add_argument("--password", required=True)
    parser.add_argument("--form", action="store_true", help="send a form body instead of JSON")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument("--request-timeout", type=float, default=30)
    args = parser.parse_args()
    host = urlparse(args.url).hostname
    if host not in LOOPBACK:
        sys.exit(f"login_load.py: refusing non-loopback target {host!r}")
    if not (1 <= args.clients <= 1024 and 0 < args.seconds <= 600 and 1 <= args.max_requests <= 10_000_000):
        sys.exit("login_load.py: --clients 1..1024, --seconds (0, 600], --max-requests 1..10^7")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
