# SPDX-License-Identifier: Apache-2.0
"""Faults: `kill -9` of `authd serve` in the middle of a registration and login load, then a restart on the same store.

After the restart every registration that was answered 201 can log in, no user exists whose registration was never
attempted, and the store is intact: `PRAGMA integrity_check` on the SQLite file, `amcheck` on PostgreSQL's indexes.
The load is bounded (8 threads, at most 20 s) and stops by itself when the server dies.
"""
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from cluster_support import POSTGRES_BIN, ClusterError, Postgres, require_tools
from soak import RATE_LIMITS_OFF
from test_http_api import PASSWORD, Server

THREADS = 8
LOAD_SECONDS = 20  # the load never runs longer than this
KILL_AFTER_CREATED = 150  # kill -9 once this many registrations were answered 201 (or at 60 % of LOAD_SECONDS)


class Load:
    """THREADS threads that each register new users and log in users registered before, until stopped or dead."""

    def __init__(self, url: str):
        self.url = url
        self.lock = threading.Lock()
        self.attempted: set[str] = set()  # every username sent to /api/register, before it is sent
        self.created: list[str] = []  # answered 201
        self.logins_ok = 0
        self.unexpected: list[str] = []  # answers other than 201/200 (a dead server's connection errors are expected)
        self.stop = threading.Event()

    def worker(self, index: int):
        session = requests.Session()
        deadline = time.monotonic() + LOAD_SECONDS
        turn = 0
        while not self.stop.is_set() and time.monotonic() < deadline:
            turn += 1
            try:
                if turn % 2 or not self.created:
                    username = f"f{index}x{uuid.uuid4().hex[:10]}"
                    with self.lock:
                        self.attempted.add(username)
                    response = session.post(self.url + "/api/register", json={"username": username, "password": PASSWORD}, timeout=10)
                    if response.status_code == 201:
                        with self.lock:
                            self.created.append(username)
                    else:
                        self.unexpected.append(f"register {response.status_code} {response.text[:200]}")
                else:
                    with self.lock:
                        username = self.created[turn % len(self.created)]
                    response = session.post(self.url + "/api/login", json={"username": username, "password": PASSWORD}, timeout=10)
                    if response.status_code == 200:
                        with self.lock:
                            self.logins_ok += 1
                    else:
                        self.unexpected.append(f"login {response.status_code} {response.text[:200]}")
            except requests.RequestException:
                # The server was killed under this request: the load is over for this thread.
                if self.stop.is_set():
                    return
                time.sleep(0.01)

    def run_and_kill(self, kill):
        """Runs the load, calls `kill()` mid-load, stops the threads; returns when every thread has ended."""
        threads = [threading.Thread(target=self.worker, args=(i,), daemon=True) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        while time.monotonic() - started < LOAD_SECONDS * 0.6:
            with self.lock:
                if len(self.created) >= KILL_AFTER_CREATED:
                    break
            time.sleep(0.02)
        kill()
        self.stop.set()
        for thread in threads:
            thread.join(timeout=LOAD_SECONDS + 15)
        assert not any(thread.is_alive() for thread in threads), "load threads did not stop"


def kill9(server: Server):
    server.process.send_signal(signal.SIGKILL)
    assert server.process.wait(timeout=10) == -signal.SIGKILL
    server.kill()  # closes the log handle of that run


def listed_users(authd_bin: Path, *args: str, env: dict | None = None) -> set[str]:
    """Usernames from `authd users list --json` (store flags in `args`, or AUTHD_DATABASE_URL in `env`)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AUTHD_")}
    clean.update(env or {})
    result = subprocess.run([str(authd_bin), "users", "list", "--json", *args], capture_output=True, text=True, timeout=60, env=clean)
    assert result.returncode == 0, result.stdout + result.stderr
    return {user["username"] for user in json.loads(result.stdout)["users"]}


def check_after_restart(server: Server, load: Load, users: set[str]):
    print(f"created {len(load.created)} attempted {len(load.attempted)} logins {load.logins_ok} stored {len(users)}")
    """Every 201 logs in on the restarted server; every stored user was attempted (the seed user aside)."""
    assert not load.unexpected, load.unexpected[:5]
    assert len(load.created) >= 20, f"the load hardly ran before the kill: {len(load.created)} registrations"
    assert load.logins_ok > 0, "no login succeeded during the load"

    def log_in(username):
        response = requests.post(server.url + "/api/login", json={"username": username, "password": PASSWORD}, timeout=30)
        return username, response.status_code

    with ThreadPoolExecutor(4) as pool:
        failed = [(name, status) for name, status in pool.map(log_in, load.created) if status != 200]
    assert not failed, f"{len(failed)} of {len(load.created)} acknowledged registrations cannot log in: {failed[:5]}"
    assert set(load.created) <= users
    unknown = users - load.attempted
    assert not unknown, f"users that were never registered: {sorted(unknown)[:5]}"


def integrity_check(database: Path) -> str:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return "\n".join(row[0] for row in connection.execute("PRAGMA integrity_check").fetchall())


def test_kill_9_during_registration_and_login_load_sqlite(authd_bin, tmp_path):
    data = tmp_path / "data"
    server = Server(authd_bin, data, *RATE_LIMITS_OFF)
    try:
        server.start()
        load = Load(server.url)
        load.run_and_kill(lambda: kill9(server))
        # Before the restart: the file as the killed process left it (WAL and all) is a consistent database.
        assert integrity_check(data / "authd.sqlite") == "ok"

        server.start()  # the same data directory and store
        users = listed_users(authd_bin, "--data-dir", str(data))
        check_after_restart(server, load, users)
        assert server.stop(timeout=30) == 0
    finally:
        server.kill()
    assert integrity_check(data / "authd.sqlite") == "ok"


def psql(postgres: Postgres, sql: str) -> str:
    """Runs `sql` with PostgreSQL's own psql against the private server (password, if any, in PGPASSWORD only)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    from urllib.parse import urlsplit

    parts = urlsplit(postgres.url)
    if parts.password:
        env["PGPASSWORD"] = parts.password
    command = [
        str(POSTGRES_BIN / "psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1",
        "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port), "-U", parts.username or "postgres",
        "-d", parts.path.lstrip("/") or "postgres", "-c", sql,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


def test_kill_9_during_registration_and_login_load_postgres(authd_bin, tmp_path):
    try:
        require_tools(nginx=False)
    except ClusterError as error:
        pytest.fail(str(error))
    postgres = Postgres()
    server = None
    try:
        postgres.start()
        # The URL may carry a password: the environment only, never argv.
        env = {"AUTHD_DATABASE_URL": postgres.url}
        server = Server(authd_bin, tmp_path / "data", *RATE_LIMITS_OFF, env=env)
        server.start()
        load = Load(server.url)
        load.run_and_kill(lambda: kill9(server))

        server.start()
        users = listed_users(authd_bin, env=env)
        check_after_restart(server, load, users)
        assert server.stop(timeout=30) == 0
        server = None

        # Every B-tree index of authd's tables is consistent with its heap (amcheck, shipped with PostgreSQL).
        psql(postgres, "CREATE EXTENSION IF NOT EXISTS amcheck")
        checked = psql(
            postgres,
            "SELECT count(bt_index_check(c.oid, true)) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE a.amname = 'btree' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')",
        )
        assert int(checked) > 0, "no index of authd's tables was checked"
        # And the rows agree with what the CLI listed: one row per username.
        assert psql(postgres, "SELECT count(*) - count(DISTINCT username) FROM users") == "0"
    finally:
        if server is not None:
            server.kill()
        postgres.destroy()
