# SPDX-License-Identifier: Apache-2.0
"""Several `authd serve` instances on one private PostgreSQL, optionally behind a private nginx.

Used by Tests/Interop/test_cluster.py (a module-scoped fixture) and Benchmarks/cluster/cluster_bench.py. The pieces
are the project's own scripts: scripts/postgres.sh (start|stop DIR, port from PGPORT) and scripts/nginx.sh
(start|stop DIR PORT UPSTREAM...). A missing tool raises ClusterError naming the Debian package: tests turn it into
a failure, never a skip.
"""
import email
import email.policy
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from test_http_api import PASSWORD, TIMEOUT, Server, free_port
from test_realtime import Recorder

REPO = Path(__file__).resolve().parents[2]
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
NGINX_SCRIPT = REPO / "scripts" / "nginx.sh"
# The PostgreSQL helper; CLUSTER_POSTGRES_SCRIPT points at another one with the same interface.
POSTGRES_SCRIPT = Path(os.environ.get("CLUSTER_POSTGRES_SCRIPT") or REPO / "scripts" / "postgres.sh")
RESET_LINK = re.compile(r"https?://\S+/reset-password/(adpr_[A-Za-z0-9_-]+)")


class ClusterError(RuntimeError):
    """The cluster could not be set up or torn down; the message says what to install or read."""


def require_tools(postgres: bool = True, nginx: bool = True):
    """Raises ClusterError naming the Debian package of the first missing tool."""
    if postgres and not (POSTGRES_BIN / "postgres").exists():
        raise ClusterError(f"PostgreSQL 15 is not installed ({POSTGRES_BIN}/postgres): install the Debian package postgresql-15")
    if postgres and not POSTGRES_SCRIPT.exists():
        raise ClusterError(f"{POSTGRES_SCRIPT} is missing: it comes with the PostgreSQL store (or set CLUSTER_POSTGRES_SCRIPT)")
    if nginx and not (os.environ.get("NGINX") or Path("/usr/sbin/nginx").exists() or shutil.which("nginx")):
        raise ClusterError("nginx is not installed: install the Debian package nginx")


def run(command: list[str], timeout: float = 60, env: dict | None = None) -> subprocess.CompletedProcess:
    """Runs a helper, raising ClusterError with its output when it fails or takes longer than `timeout`."""
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as error:
        raise ClusterError(f"{' '.join(command)} took more than {timeout} s") from error
    if result.returncode != 0:
        raise ClusterError(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result


class Postgres:
    """A private PostgreSQL owned by the cluster: scripts/postgres.sh with its own DIR and PGPORT."""

    def __init__(self, port: int | None = None):
        # Under /tmp and world-searchable: as root, scripts/postgres.sh runs PostgreSQL as the postgres user, who
        # cannot enter pytest's owner-only temporary directories.
        self.directory = Path(tempfile.mkdtemp(prefix="authd-cluster-pg-"))
        self.directory.chmod(0o755)
        self.port = port or free_port()
        self.url = ""

    def _script(self, command: str, timeout: float = 120) -> str:
        env = {**os.environ, "PGPORT": str(self.port)}
        return run(["bash", str(POSTGRES_SCRIPT), command, str(self.directory)], timeout=timeout, env=env).stdout

    def start(self) -> str:
        lines = self._script("start").split()
        urls = [word for word in lines if word.startswith("postgres://")]
        self.url = urls[-1] if urls else self._script("url").strip()
        return self.url

    def stop(self):
        self._script("stop")

    def destroy(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


class Nginx:
    """scripts/nginx.sh on a free port in front of `upstreams` (ports on 127.0.0.1)."""

    def __init__(self, directory: Path, upstreams: list[int]):
        self.directory = directory
        self.upstreams = upstreams
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Nginx":
        run(["bash", str(NGINX_SCRIPT), "start", str(self.directory), str(self.port), *map(str, self.upstreams)])
        return self

    def stop(self):
        run(["bash", str(NGINX_SCRIPT), "stop", str(self.directory)])

    def get(self, path):
        return requests.get(self.url + path, timeout=TIMEOUT)

    def post(self, path, body=None, token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.post(self.url + path, json=body, headers=headers, timeout=TIMEOUT)

    def logs(self) -> str:
        parts = []
        for name in ("error.log", "access.log"):
            path = self.directory / "logs" / name
            if path.exists():
                parts.append(f"--- nginx {name}\n" + path.read_text(errors="replace"))
        return "\n".join(parts)


class Instance(Server):
    """One `authd serve` of the cluster, named A, B, C…; keeps its port across restarts (nginx knows it)."""

    def __init__(self, name: str, binary: Path, root: Path, *extra: str, env: dict | None = None):
        (root / name).mkdir(parents=True, exist_ok=True)
        super().__init__(binary, root / name / "data", *extra, env=env, port=free_port())
        self.name = name

    @property
    def outbox(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill9(self):
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def cpu_seconds(self) -> float:
        """utime + stime of the process so far, from /proc/<pid>/stat."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __repr__(self):
        return f"authd {self.name} on :{self.port}"


class Cluster:
    """PostgreSQL, `authd migrate`, instances A, B, C… in parallel (with `--database`), nginx in front (optional).

    `start()` raises ClusterError (or pytest's failure) with the logs; `stop()` tears down whatever was started.
    """

    def __init__(
        self,
        binary: Path,
        root: Path,
        names=("A", "B", "C"),
        with_nginx: bool = True,
        log_level: str = "info",
        rate_limits: str = "on",
    ):
        self.binary = binary
        self.rate_limits = rate_limits  # "off" for load benchmarks: one load generator hammers login
        self.root = root
        self.names = names
        self.with_nginx = with_nginx
        self.log_level = log_level
        self.postgres: Postgres | None = None
        self.instances: dict[str, Instance] = {}
        self.nginx: Nginx | None = None

    def __getitem__(self, name: str) -> Instance:
        return self.instances[name]

    @property
    def database_url(self) -> str:
        assert self.postgres is not None
        return self.postgres.url

    def authd(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        """Runs the authd CLI (without AUTHD_* variables of the caller's environment)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUTHD_")}
        return subprocess.run([str(self.binary), *args], capture_output=True, text=True, timeout=timeout, env=env)

    def start(self) -> "Cluster":
        require_tools(nginx=self.with_nginx)
        self.root.mkdir(parents=True, exist_ok=True)
        self.postgres = Postgres()
        self.postgres.start()
        migrated = self.authd("migrate", "--database", self.database_url)
        if migrated.returncode != 0:
            raise ClusterError(f"authd migrate --database {self.database_url} exited {migrated.returncode}:\n{migrated.stdout}{migrated.stderr}")
        env = {"AUTHD_LOG_LEVEL": self.log_level}
        for name in self.names:
            self.instances[name] = Instance(
                name, self.binary, self.root, "--database", self.database_url, "--rate-limits", self.rate_limits, env=env
            )
        # Together, as a deployment would: instances started at once must migrate and create keys safely.
        with ThreadPoolExecutor(len(self.instances)) as pool:
            for future in [pool.submit(instance.start) for instance in self.instances.values()]:
                future.result()
        if self.with_nginx:
            self.nginx = Nginx(self.root / "nginx", [instance.port for instance in self.instances.values()]).start()
        return self

    def stop(self):
        errors = []
        if self.nginx is not None:
            try:
                self.nginx.stop()
            except ClusterError as error:
                errors.append(error)
        for instance in self.instances.values():
            instance.kill()
        if self.postgres is not None:
            try:
                self.postgres.destroy()
            except ClusterError as error:
                errors.append(error)
        if errors:
            raise ClusterError("; ".join(map(str, errors)))

    def ensure_running(self, timeout: float = 30):
        """Starts PostgreSQL if a test left it stopped, restarts dead instances on their ports, and waits until
        every /readyz answers 200."""
        if self.postgres is not None:
            self.postgres.start()  # scripts/postgres.sh start: starts unless running
        for instance in self.instances.values():
            if not instance.alive:
                instance.kill()
                instance.start()
        wait_until(lambda: all(readyz(i) == 200 for i in self.instances.values()), timeout, "every instance ready")

    def logs(self, tail: int = 200) -> str:
        parts = []
        for instance in self.instances.values():
            lines = instance.logs().splitlines() if instance.log_path.exists() else []
            parts.append(f"--- {instance!r}: {instance.log_path} (last {tail} lines)\n" + "\n".join(lines[-tail:]))
        if self.nginx is not None:
            parts.append(self.nginx.logs()[-20000:])
        if self.postgres is not None:
            log = self.postgres.directory / "postgres.log"
            if log.exists():
                parts.append(f"--- postgres {log}\n" + log.read_text(errors="replace")[-5000:])
        return "\n".join(parts)


def wait_until(predicate, timeout: float, what: str, interval: float = 0.05):
    """Polls `predicate` until it returns a truthy value (returned) or `timeout` seconds pass (AssertionError)."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except (requests.RequestException, OSError) as error:
            last_error = error
        if time.monotonic() >= deadline:
            raise AssertionError(f"not within {timeout} s: {what}" + (f" (last error: {last_error})" if last_error else ""))
        time.sleep(interval)


def readyz(server) -> int:
    try:
        # Longer than the store's 2 s reachability timeout, so that a slow 503 is seen as one.
        return requests.get(server.url + "/readyz", timeout=5).status_code
    except requests.RequestException:
        return 0


def unique_user() -> str:
    return "u" + uuid.uuid4().hex[:12]


def register_user(server, username: str, email: str | None = None):
    body = {"username": username, "password": PASSWORD}
    if email:
        body["email"] = email
    response = server.post("/api/register", body)
    assert response.status_code == 201, response.text


def login_on(server, username: str, password: str = PASSWORD) -> dict:
    response = server.post("/api/login", {"username": username, "password": password})
    assert response.status_code == 200, f"login on {server!r}: {response.status_code} {response.text}"
    return response.json()


def mail_to(outbox: Path, address: str, timeout: float = 10) -> email.message.EmailMessage:
    """The newest .eml in `outbox` addressed to `address`."""

    def find():
        for path in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True) if outbox.exists() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if message["To"] == address:
                return message
        return None

    return wait_until(find, timeout, f"a mail to {address} in {outbox}")


class Client(Recorder):
    """A recording python-socketio client that also counts its connections (for reconnection tests)."""

    def __init__(self, **client_options):
        super().__init__(**client_options)
        self.connects = 0
        self.connected_again = threading.Condition()
        self.client.on("connect", self._connected)

    def _connected(self):
        with self.connected_again:
            self.connects += 1
            self.connected_again.notify_all()

    def wait_connects(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.connected_again:
            while self.connects < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.connected_again.wait(remaining)
        return True

    def count(self, name: str) -> int:
        with self.changed:
            return sum(1 for event, _ in self.events if event == name)

    def wait_count(self, name: str, count: int, timeout: float = TIMEOUT):
        """The data of the `count`-th `name` event, waiting up to `timeout` seconds for it."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                found = [data for event, data in self.events if event == name]
                if len(found) >= count:
                    return found[count - 1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"only {len(found)} {name!r} within {timeout}s; got {self.events}")
                self.changed.wait(remaining)


def established_to(port: int) -> int:
    """How many ESTABLISHED IPv4 TCP connections on this machine go to 127.0.0.1:`port` (from /proc/net/tcp)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        remote, state = fields[2], fields[3]
        address, remote_port = remote.split(":")
        if state == "01" and int(remote_port, 16) == port and address == "0100007F":
            count += 1
    return count
