# SPDX-License-Identifier: Apache-2.0
"""Soak: N authenticated sockets on one `authd serve` for M minutes, sampling the server's RSS and open fds.

Each socket has its own login and calls `get_secret` (with an ack) about once every --event-interval seconds: the
point is flatness over time, not throughput. A churn loop meanwhile takes one socket at a time through the session
life cycle: refresh over HTTP, `auth_refresh` in band with the new access token, and every third turn a logout
(the server must send `revoked` and close that socket), a new login and a new socket in its place. Every
--sample-interval seconds the script reads VmRSS from /proc/PID/status and counts /proc/PID/fd. After the run all
clients leave and the fd count is followed back to its baseline.

Anything unexpected (a non-2xx answer, a missing ack or event, a socket closed without a logout) counts as an
error. The result is JSON (--out): configuration, baseline, samples, after-leave samples, errors and a summary with
the RSS least-squares slope over the second half of the run.

    python Tests/Interop/soak.py --binary .build/release/authd --minutes 30 --sockets 1000 --out soak.json \
        --server-cpus 0          # run the script itself under `taskset -c 1`

Imported by Tests/Interop/test_soak.py (`run(...)`). Bounded: the run ends after --minutes, every wait has a timeout.
"""
import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from raw_sockets import RawSocket, SocketError, SpreadSessions, client_session  # noqa: E402

PASSWORD = "correct horse battery staple"
REPO = Path(__file__).resolve().parents[2]


# The soak, the SIGTERM and the kill -9 tests drive many logins from 127.0.0.1 on purpose; test_brute_force.py is where
# the limits are tested.
RATE_LIMITS_OFF = ("--rate-limits", "off")


def process_sample(pid: int) -> dict:
    """RSS (kB, VmRSS) and the number of open file descriptors of `pid`."""
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    return {"rss_kb": rss, "fds": len(os.listdir(f"/proc/{pid}/fd"))}


def slope_per_minute(points: list[tuple[float, float]]) -> float:
    """The least-squares slope of (seconds, value) points, per minute."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    variance = sum((t - mean_t) ** 2 for t, _ in points)
    if variance == 0:
        return 0.0
    return 60 * sum((t - mean_t) * (v - mean_v) for t, v in points) / variance


class AuthdServer:
    """`authd serve` on 127.0.0.1 with its own data directory (optionally pinned with taskset)."""

    def __init__(self, binary: Path, directory: Path, bcrypt_cost: int = 4, cpus: str | None = None):
        self.binary = binary
        self.directory = directory
        self.bcrypt_cost = bcrypt_cost
        self.cpus = cpus
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        command = [str(self.binary), "serve", "--port", str(self.port), "--data-dir", str(self.directory / "data"),
                   "--bcrypt-cost", str(self.bcrypt_cost), "--log-level", "warning", *RATE_LIMITS_OFF]  # fmt: skip
        if self.cpus:
            command = ["taskset", "-c", self.cpus, *command]
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUTHD_")}
        self.log = open(self.directory / "authd.log", "ab")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        import requests

        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"authd exited with {self.process.returncode}: see {self.directory / 'authd.log'}")
            try:
                if requests.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"authd did not become ready within {timeout} s")

    def stop(self, timeout: float = 30) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()
        return self.process.returncode


class Soak:
    def __init__(self, url: str, pid: int, sockets: int, minutes: float, event_interval: float, sample_interval: float,
                 churn_interval: float, users: int, renew_after: float = 600, progress=None):  # fmt: skip
        self.url = url
        self.pid = pid
        self.count = sockets
        self.duration = minutes * 60
        self.event_interval = event_interval
        self.sample_interval = sample_interval
        self.churn_interval = churn_interval
        self.renew_after = renew_after  # seconds after which a socket renews its access token (TTL 900 s)
        self.users = [f"soak{i}" for i in range(users)]
        self.progress = progress or (lambda text: None)
        self.errors: list[str] = []
        self.counters = {"events": 0, "acks": 0, "logins": 0, "refreshes": 0, "auth_refreshes": 0, "logouts": 0,
                         "revoked_closes": 0, "reconnects": 0, "setup_retries": 0}  # fmt: skip
        self.slots: list[dict] = []  # per socket: {"socket", "access", "refresh", "user", "retiring"}
        self.samples: list[dict] = []
        self.started = 0.0

    def error(self, text: str):
        if len(self.errors) < 1000:
            self.errors.append(f"{time.monotonic() - self.started:.1f}s {text}")

    async def post(self, session: aiohttp.ClientSession, path: str, body=None, token=None, expect=200):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with session.post(self.url + path, json=body, headers=headers, timeout=aiohttp.ClientTimeout(total=60)) as response:
            text = await response.text()
            if response.status != expect:
                raise SocketError(f"POST {path}: {response.status} {text[:200]}")
            return json.loads(text) if text else None

    async def login(self, session, user: str, setup: bool = False) -> dict:
        """Logs `user` in. During setup (many logins at once) a 503 `overloaded` from the bcrypt queue is retried a
        few times; during the run it is an error like any other."""
        for attempt in range(6 if setup else 1):
            try:
                answer = await self.post(session, "/api/login", {"username": user, "password": PASSWORD})
                break
            except SocketError as failure:
                if not (setup and " 503 " in str(failure)) or attempt == 5:
                    raise
                self.counters["setup_retries"] += 1
                await asyncio.sleep(0.5 * (attempt + 1))
        self.counters["logins"] += 1
        return answer

    async def open_slot(self, session, index: int, user: str, setup: bool = False) -> dict:
        tokens = await self.login(session, user, setup)
        # Its own connection pool: authd (SwiftNIO) upgrades only the first request of a connection to a WebSocket,
        # so an upgrade must not go out on a kept-alive connection that already carried a POST.
        # Spread over loopback source addresses (raw_sockets.SOURCE_ADDRESSES).
        socket = await RawSocket(self.url, tokens["access_token"]).connect(self.ws_sessions.for_index(index))
        await socket.wait_event("server_response")
        return {"socket": socket, "access": tokens["access_token"], "refresh": tokens["refresh_token"], "user": user,
                "retiring": False, "lock": asyncio.Lock(), "renewed": time.monotonic(),
                "renew_after": self.renew_after * random.uniform(0.8, 1.2)}  # fmt: skip

    async def renew(self, session, index: int, slot: dict):
        """HTTP refresh (rotating the refresh token), then `auth_refresh` in band with the new access token."""
        tokens = await self.post(session, "/api/token/refresh", {"refresh_token": slot["refresh"]})
        self.counters["refreshes"] += 1
        slot["access"], slot["refresh"] = tokens["access_token"], tokens["refresh_token"]
        answer = await slot["socket"].call("auth_refresh", {"token": slot["access"]}, timeout=30)
        if not (answer and answer[0].get("ok") is True):
            self.error(f"socket {index}: auth_refresh ack {answer!r}")
        self.counters["auth_refreshes"] += 1
        slot["renewed"] = time.monotonic()

    def sample(self, phase: str):
        entry = {"t": round(time.monotonic() - self.started, 2), "phase": phase, **process_sample(self.pid),
                 "sockets": sum(1 for s in self.slots if s and not s["socket"].closed.is_set()),
                 "errors": len(self.errors), **self.counters}  # fmt: skip
        self.samples.append(entry)
        return entry

    async def sampler(self, stop: asyncio.Event):
        while not stop.is_set():
            entry = self.sample("run")
            if len(self.samples) % 12 == 1:
                self.progress(f"t={entry['t']:.0f}s rss={entry['rss_kb'] / 1024:.1f}MiB fds={entry['fds']} sockets={entry['sockets']} events={entry['events']} errors={entry['errors']}")
            try:
                await asyncio.wait_for(stop.wait(), self.sample_interval)
            except TimeoutError:
                pass

    async def chatter(self, index: int, stop: asyncio.Event):
        """One socket slot: get_secret with an ack every event_interval seconds (jittered), forever until stop."""
        await asyncio.sleep(random.uniform(0, self.event_interval))
        while not stop.is_set():
            slot = self.slots[index]
            if not slot["retiring"] and time.monotonic() - slot["renewed"] > slot["renew_after"]:
                async with slot["lock"]:
                    if not slot["retiring"]:
                        try:
                            await self.renew(self.session, index, slot)
                        except (SocketError, TimeoutError, aiohttp.ClientError) as failure:
                            self.error(f"socket {index}: renewal: {failure!r}")
            if not slot["retiring"]:
                try:
                    answer = await slot["socket"].call("get_secret", timeout=30)
                    message = answer[0].get("message", "") if answer else ""
                    if "[Secret Code: " not in message:
                        self.error(f"socket {index}: get_secret ack {answer!r}")
                    self.counters["events"] += 1
                    self.counters["acks"] += 1
                except (SocketError, TimeoutError) as failure:
                    if not self.slots[index]["retiring"] and self.slots[index] is slot:
                        self.error(f"socket {index}: get_secret: {failure!r} (ending {slot['socket'].ending})")
            try:
                await asyncio.wait_for(stop.wait(), self.event_interval * random.uniform(0.8, 1.2))
            except TimeoutError:
                pass

    async def churn_one(self, session, index: int, slot: dict, logout: bool):
        await self.renew(session, index, slot)
        if logout:
            slot["retiring"] = True
            await self.post(session, "/api/logout", token=slot["access"], expect=204)
            self.counters["logouts"] += 1
            try:
                await asyncio.wait_for(slot["socket"].closed.wait(), 30)
                if not any(event == "revoked" for event, _ in slot["socket"].events):
                    self.error(f"socket {index}: closed after logout without a revoked event")
                self.counters["revoked_closes"] += 1
            except TimeoutError:
                self.error(f"socket {index}: still open 30 s after its session was logged out")
            await slot["socket"].close()
            self.slots[index] = await self.open_slot(session, index, slot["user"])
            self.counters["reconnects"] += 1

    async def churn(self, session, stop: asyncio.Event):
        """One slot at a time: HTTP refresh, in-band auth_refresh, and every third turn logout → revoked → new socket."""
        turn = 0
        while not stop.is_set():
            turn += 1
            index = random.randrange(self.count)
            slot = self.slots[index]
            try:
                async with slot["lock"]:
                    if not slot["retiring"]:
                        await self.churn_one(session, index, slot, logout=turn % 3 == 0)
            except (SocketError, TimeoutError, aiohttp.ClientError) as failure:
                self.error(f"churn on socket {index}: {failure!r}")
            try:
                await asyncio.wait_for(stop.wait(), self.churn_interval)
            except TimeoutError:
                pass

    async def watch_unexpected_closes(self, stop: asyncio.Event):
        """A socket that closes while not retiring is an error (checked every few seconds, reported once)."""
        reported = set()
        while not stop.is_set():
            for index, slot in enumerate(self.slots):
                socket = slot["socket"]
                if socket.closed.is_set() and not slot["retiring"] and id(socket) not in reported:
                    reported.add(id(socket))
                    self.error(f"socket {index} closed unexpectedly: {socket.ending}")
            try:
                await asyncio.wait_for(stop.wait(), 2)
            except TimeoutError:
                pass

    async def run(self) -> dict:
        self.started = time.monotonic()
        baseline = self.sample("baseline")
        async with client_session() as session, SpreadSessions() as ws_sessions:
            self.session = session
            self.ws_sessions = ws_sessions
            for user in self.users:
                await self.post(session, "/api/register", {"username": user, "password": PASSWORD}, expect=201)
            gate = asyncio.Semaphore(8)
            self.slots = [None] * self.count

            async def open_one(index):
                async with gate:
                    self.slots[index] = await self.open_slot(session, index, self.users[index % len(self.users)], setup=True)

            async with asyncio.timeout(max(300, self.count * 0.5)):
                await asyncio.gather(*(open_one(i) for i in range(self.count)))
            connected = self.sample("connected")
            self.progress(f"{self.count} sockets connected: rss={connected['rss_kb'] / 1024:.1f}MiB fds={connected['fds']}")
            run_started = time.monotonic()
            stop = asyncio.Event()
            tasks = [asyncio.create_task(self.sampler(stop)), asyncio.create_task(self.churn(session, stop)),
                     asyncio.create_task(self.watch_unexpected_closes(stop))]  # fmt: skip
            tasks += [asyncio.create_task(self.chatter(i, stop)) for i in range(self.count)]
            await asyncio.sleep(self.duration)
            stop.set()
            async with asyncio.timeout(120):
                await asyncio.gather(*tasks)
            run_seconds = time.monotonic() - run_started
            last = self.sample("end")
            for slot in self.slots:
                slot["retiring"] = True
            async with asyncio.timeout(120):
                await asyncio.gather(*(slot["socket"].close() for slot in self.slots))
        # Clients gone: follow the fd count back down (bounded).
        after = []
        deadline = time.monotonic() + 60
        while True:
            entry = self.sample("after")
            after.append(entry)
            if entry["fds"] <= baseline["fds"] + 5 or time.monotonic() > deadline:
                break
            await asyncio.sleep(1)
        run = [s for s in self.samples if s["phase"] == "run"]
        second_half = [s for s in run if s["t"] - run[0]["t"] >= (run[-1]["t"] - run[0]["t"]) / 2] if run else []
        summary = {
            "run_seconds": round(run_seconds, 1),
            "rss_kb_baseline": baseline["rss_kb"],
            "rss_kb_connected": connected["rss_kb"],
            "rss_kb_start": run[0]["rss_kb"] if run else None,
            "rss_kb_end": last["rss_kb"],
            "rss_kb_after_leave": after[-1]["rss_kb"],
            "rss_kb_per_minute_second_half": round(slope_per_minute([(s["t"], s["rss_kb"]) for s in second_half]), 1),
            "rss_kb_per_minute_whole_run": round(slope_per_minute([(s["t"], s["rss_kb"]) for s in run]), 1),
            "fds_baseline": baseline["fds"],
            "fds_start": run[0]["fds"] if run else None,
            "fds_end": last["fds"],
            "fds_max": max(s["fds"] for s in run) if run else None,
            "fds_min": min(s["fds"] for s in run) if run else None,
            "fds_after_leave": after[-1]["fds"],
            "errors": len(self.errors),
            **self.counters,
        }
        return {"summary": summary, "baseline": baseline, "samples": self.samples, "errors": self.errors}


def run(binary: Path, minutes: float = 30, sockets: int = 1000, event_interval: float = 5, sample_interval: float = 5,
        churn_interval: float = 1, users: int = 50, renew_after: float = 600, bcrypt_cost: int = 4, server_cpus: str | None = None,
        directory: Path | None = None, progress=None) -> dict:  # fmt: skip
    """Starts a server, soaks it, stops it; returns the result (with "config" and "exit_code")."""
    started_utc = datetime.now(timezone.utc).isoformat(timespec="seconds")
    owned = directory is None
    directory = directory or Path(tempfile.mkdtemp(prefix="authd-soak-"))
    server = AuthdServer(binary, directory, bcrypt_cost, server_cpus)
    server.start()
    try:
        soak = Soak(server.url, server.process.pid, sockets, minutes, event_interval, sample_interval, churn_interval, users, renew_after, progress)
        result = asyncio.run(soak.run())
    finally:
        code = server.stop()
        if owned:
            shutil.rmtree(directory, ignore_errors=True)
    result["exit_code"] = code
    result["config"] = {
        "binary": str(binary), "minutes": minutes, "sockets": sockets, "event_interval_s": event_interval,
        "sample_interval_s": sample_interval, "churn_interval_s": churn_interval, "users": users, "renew_after_s": renew_after,
        "bcrypt_cost": bcrypt_cost, "server_cpus": server_cpus, "client_cpus": sorted(os.sched_getaffinity(0)),
        "started_utc": started_utc, "finished_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"), "nproc": os.cpu_count(),
    }  # fmt: skip
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", type=Path, default=Path(os.environ.get("AUTHD_BIN") or REPO / ".build/release/authd"))
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--event-interval", type=float, default=5, help="seconds between get_secret calls per socket")
    parser.add_argument("--sample-interval", type=float, default=5, help="seconds between RSS/fd samples")
    parser.add_argument("--churn-interval", type=float, default=1, help="seconds between refresh/logout turns")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--renew-after", type=float, default=600, help="seconds after which each socket renews its token")
    parser.add_argument("--bcrypt-cost", type=int, default=4)
    parser.add_argument("--server-cpus", help="taskset CPU list for the server (e.g. 0)")
    parser.add_argument("--out", type=Path, help="write the JSON result here (default: stdout)")
    args = parser.parse_args()
    result = run(args.binary, args.minutes, args.sockets, args.event_interval, args.sample_interval, args.churn_interval,
                 args.users, args.renew_after, args.bcrypt_cost, args.server_cpus, progress=lambda text: print(text, file=sys.stderr, flush=True))  # fmt: skip
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    else:
        print(text)
    print(json.dumps(result["summary"]), file=sys.stderr)
    sys.exit(0 if not result["errors"] and result["exit_code"] == 0 else 1)


if __name__ == "__main__":
    main()
