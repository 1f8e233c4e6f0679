# SPDX-License-Identifier: Apache-2.0
"""End to end: the real `authd serve` binary on loopback, driven with requests, tokens checked with PyJWT."""
import email
import email.policy
import json
import os
import re
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path

import jwt
import pytest
import requests

TIMEOUT = 10  # seconds for any single HTTP call
PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `authd serve` process on a data directory; `start()` waits for /readyz, `stop()` sends SIGTERM."""

    def __init__(self, binary: Path, data_dir: Path, *extra: str, env: dict | None = None, port: int = 0):
        self.binary = binary
        self.data_dir = data_dir
        self.extra = extra
        self.env = env or {}
        self.process: subprocess.Popen | None = None
        self.fixed_port = port  # 0: a free port at each start
        self.port = port
        self.log_path = data_dir.parent / "authd.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        self.port = self.fixed_port or free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUTHD_")}
        env.update(self.env)
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [str(self.binary), "serve", "--port", str(self.port), "--data-dir", str(self.data_dir), "--bcrypt-cost", "4", *self.extra],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"authd exited with {self.process.returncode}:\n{self.log_path.read_text()}")
            try:
                if requests.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        self.kill()
        pytest.fail("authd did not become ready within 30 s")

    def stop(self, timeout: float = 10) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.kill()

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        if getattr(self, "log", None):
            self.log.close()

    # requests helpers
    def post(self, path, body=None, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.post(self.url + path, json=body, headers=headers, timeout=TIMEOUT, **kwargs)

    def get(self, path, token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.get(self.url + path, headers=headers, timeout=TIMEOUT)

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def server_factory(authd_bin, tmp_path):
    started = []

    def make(*extra, data_dir=None, env=None):
        server = Server(authd_bin, data_dir or tmp_path / "data", *extra, env=env)
        started.append(server)
        return server.start()

    yield make
    for server in started:
        server.kill()


def register(server, username="ada", password=PASSWORD, email="ada@example.com"):
    body = {"username": username, "password": password}
    if email:
        body["email"] = email
    response = server.post("/api/register", body)
    assert response.status_code == 201, response.text
    return response.json()["user"]


def login(server, username="ada", password=PASSWORD):
    response = server.post("/api/login", {"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def verify_with_jwks(server, token, alg="EdDSA"):
    jwks = server.get("/.well-known/jwks.json").json()
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "at+jwt"
    (key,) = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    public = jwt.PyJWK(key).key
    return jwt.decode(token, public, algorithms=[alg], audience="authd", issuer="authd")


def assert_error(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]


def test_full_flow_and_restart(server_factory, tmp_path):
    server = server_factory()
    data = tmp_path / "data"

    # Development keys live in the owner-only database (no key files), with one warning.
    assert not (data / "keys").exists()
    assert stat.S_IMODE(os.stat(data / "authd.sqlite").st_mode) == 0o600
    assert server.logs().count("kept UNENCRYPTED in the database") == 1

    assert server.get("/healthz").json() == {"status": "ok"}

    user = register(server, "  Ada ")
    assert user["username"] == "ada"
    assert_error(server.post("/api/register", {"username": "ADA", "password": "another long secret"}), 409, "username_taken")
    assert_error(server.post("/api/register", {"username": "a", "password": PASSWORD}), 422, "invalid_username")
    weak = server.post("/api/register", {"username": "bob", "password": "password"})
    assert_error(weak, 422, "password_policy")
    assert [v["code"] for v in weak.json()["violations"]] == ["common"]

    tokens = login(server)
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 900
    claims = verify_with_jwks(server, tokens["access_token"])
    assert claims["sub"] == user["id"] and claims["rev"] == 0 and claims["sid"]

    # PyJWKClient fetches the JWKS like any relying party would.
    signing_key = jwt.PyJWKClient(server.url + "/.well-known/jwks.json").get_signing_key_from_jwt(tokens["access_token"])
    jwt.decode(tokens["access_token"], signing_key.key, algorithms=["EdDSA"], audience="authd")

    me = server.get("/api/me", tokens["access_token"])
    assert me.json() == {"user": {"id": user["id"], "username": "ada", "email": "ada@example.com"}}

    # Login failures look alike.
    wrong = server.post("/api/login", {"username": "ada", "password": "wrong password!"})
    unknown = server.post("/api/login", {"username": "nobody", "password": "wrong password!"})
    assert_error(wrong, 401, "invalid_credentials")
    assert wrong.json() == unknown.json()

    # Refresh rotation and reuse detection.
    rotated = server.post("/api/token/refresh", {"refresh_token": tokens["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    pair = rotated.json()
    assert pair["refresh_token"] != tokens["refresh_token"]
    reused = server.post("/api/token/refresh", {"refresh_token": tokens["refresh_token"]})
    assert_error(reused, 401, "refresh_token_reused")
    assert_error(server.post("/api/token/refresh", {"refresh_token": pair["refresh_token"]}), 401, "invalid_refresh_token")
    assert_error(server.get("/api/me", pair["access_token"]), 401, "invalid_token")
    assert_error(server.post("/api/token/refresh", {"refresh_token": "adrt_nope"}), 401, "invalid_refresh_token")

    # Logout.
    session = login(server)
    assert server.post("/api/logout", token=session["access_token"]).status_code == 204
    denied = server.get("/api/me", session["access_token"])
    assert_error(denied, 401, "invalid_token")
    assert denied.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert_error(server.post("/api/token/refresh", {"refresh_token": session["refresh_token"]}), 401, "invalid_refresh_token")

    # Malformed requests are 4xx, never 500.
    assert_error(server.post("/api/login", data="{", headers={"Content-Type": "application/json"}), 400, "invalid_json")
    assert_error(server.post("/api/login", data="username=ada", headers={"Content-Type": "text/plain"}), 415, "unsupported_media_type")
    assert_error(server.post("/api/login", {"username": "ada"}), 400, "invalid_request")
    assert_error(server.post("/api/login", {"username": "ada", "password": "x" * 20000}), 413, "payload_too_large")
    assert_error(server.get("/api/nowhere"), 404, "not_found")

    # Password reset through the outbox.
    before_reset = login(server)
    accepted = server.post("/api/password/forgot", {"username": "ada"})
    unknown_forgot = server.post("/api/password/forgot", {"username": "nobody"})
    assert accepted.status_code == unknown_forgot.status_code == 202
    assert accepted.json() == unknown_forgot.json()
    message = wait_for_mail(data / "outbox")
    assert message["To"] == "ada@example.com"
    body = message.get_content()
    link = re.search(r"https?://\S+/reset-password/(adpr_[A-Za-z0-9_-]+)", body)
    assert link, body
    reset_token = link.group(1)
    assert reset_token not in server.logs()
    assert_error(server.post("/api/password/reset", {"token": reset_token, "password": "password"}), 422, "password_policy")
    new_password = "a completely new passphrase"
    assert server.post("/api/password/reset", {"token": reset_token, "password": new_password}).status_code == 204
    assert_error(server.post("/api/password/reset", {"token": reset_token, "password": "yet another passphrase"}), 400, "invalid_reset_token")
    assert_error(server.get("/api/me", before_reset["access_token"]), 401, "invalid_token")
    assert_error(server.post("/api/login", {"username": "ada", "password": PASSWORD}), 401, "invalid_credentials")
    after_reset = login(server, password=new_password)
    assert verify_with_jwks(server, after_reset["access_token"])["rev"] == 1

    # Nothing secret in the log: no password, no token; one line per request with the path but no query.
    logs = server.logs()
    for secret in (PASSWORD, new_password, after_reset["access_token"], after_reset["refresh_token"], tokens["refresh_token"]):
        assert secret not in logs
    assert '"http.path":"/api/login"' in logs  # JSON lines: standard error is not a terminal

    # Graceful shutdown, then restart on the same data directory.
    kid_before = jwt.get_unverified_header(after_reset["access_token"])["kid"]
    assert server.stop() == 0
    server = server_factory(data_dir=data)
    assert server.logs().count("kept UNENCRYPTED in the database") == 2  # one more for the second start
    assert server.get("/api/me", after_reset["access_token"]).status_code == 200
    assert verify_with_jwks(server, after_reset["access_token"])["sub"] == user["id"]
    assert server.get("/.well-known/jwks.json").json()["keys"][0]["kid"] == kid_before
    refreshed = server.post("/api/token/refresh", {"refresh_token": after_reset["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    login(server, password=new_password)
    assert_error(server.post("/api/register", {"username": "ada", "password": "another long secret"}), 409, "username_taken")
    # SIGTERM stops it (within stop()'s generous bound; how fast is a benchmark's business).
    assert server.stop(timeout=20) == 0


def wait_for_mail(outbox: Path, timeout: float = 10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(outbox.glob("*.eml")) if outbox.exists() else []
        if files:
            assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
            return email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
        time.sleep(0.05)
    pytest.fail("no mail in the outbox")


@pytest.mark.parametrize("alg", ["ES256", "RS256", "HS256"])
def test_algorithms(server_factory, alg):
    server = server_factory("--jwt-alg", alg)
    register(server)
    tokens = login(server)
    jwks = server.get("/.well-known/jwks.json").json()
    header = jwt.get_unverified_header(tokens["access_token"])
    assert header["alg"] == alg
    if alg == "HS256":
        assert jwks == {"keys": []}
    else:
        verify_with_jwks(server, tokens["access_token"], alg)
    assert server.get("/api/me", tokens["access_token"]).status_code == 200
    assert server.stop() == 0


def test_configuration_sources(server_factory, authd_bin, tmp_path):
    config = tmp_path / "authd.json"
    config.write_text(json.dumps({"issuer": "from-file", "audience": "from-file", "max-body-size": 1024}))
    server = server_factory("--config", str(config), env={"AUTHD_AUDIENCE": "from-env"})
    register(server)
    claims = jwt.decode(login(server)["access_token"], options={"verify_signature": False})
    assert claims["iss"] == "from-file"
    assert claims["aud"] in ("from-env", ["from-env"])
    assert_error(server.post("/api/login", {"username": "ada", "password": "x" * 2000}), 413, "payload_too_large")
    assert server.stop() == 0


@pytest.mark.parametrize(
    "args, env",
    [
        (["--port", "abc"], {}),
        (["--port", "70000"], {}),
        (["--jwt-alg", "none"], {}),
        ([], {"AUTHD_BCRYPT_COST": "99"}),
        (["--config", "/nonexistent/authd.json"], {}),
    ],
)
def test_invalid_settings_exit_2(authd_bin, tmp_path, args, env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AUTHD_")}
    environment.update(env)
    result = subprocess.run(
        [str(authd_bin), "serve", "--data-dir", str(tmp_path / "data"), *args], capture_output=True, env=environment, timeout=30
    )
    assert result.returncode == 2, result
    assert b"authd:" in result.stderr


def test_help_documents_every_option(authd):
    result = authd("serve", "--help")
    assert result.returncode == 0
    text = result.stdout.decode()
    for option in ("--host", "--port", "--data-dir", "--jwt-alg", "--signing-key-file", "--session-key-file", "--bcrypt-cost",
                   "--max-body-size", "--access-token-ttl", "--refresh-token-ttl", "--reset-token-ttl", "--config", "--log-level"):
        assert option in text
    assert "AUTHD_SIGNING_KEY_FILE" in text


def test_migrate(authd, tmp_path):
    result = authd("migrate", "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "authd.sqlite").exists()
    again = authd("migrate", "--data-dir", str(tmp_path / "data"))
    assert again.returncode == 0


def test_sigint_exits_0(server_factory):
    server = server_factory()
    register(server)
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=10) == 0
