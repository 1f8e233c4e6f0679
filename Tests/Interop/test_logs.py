# SPDX-License-Identifier: Apache-2.0
"""Structured logs end to end: the real `authd serve --log-format json` through a whole session of API, pages and
sockets; every line must be one JSON object with the required members, request ids must tie lines to requests and
sockets, and no secret may appear anywhere in the log."""
import json
import os
import pty
import re
import select
import subprocess
import time

import requests
import socketio

from test_http_api import PASSWORD, TIMEOUT, free_port, login, register, server_factory, wait_for_mail  # noqa: F401 (fixture)

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
LEVELS = {"trace", "debug", "info", "notice", "warning", "error", "critical"}
NEW_PASSWORD = "a brand new passphrase"


def records(server):
    """Every line of the log, parsed; fails on the first line that is not one JSON object."""
    parsed = []
    for number, line in enumerate(server.logs().splitlines(), 1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise AssertionError(f"line {number} is not JSON ({error}): {line!r}")
        assert isinstance(record, dict), line
        parsed.append(record)
    assert parsed, "no log lines"
    return parsed


def with_id(request_id, **kwargs):
    headers = kwargs.pop("headers", {})
    headers["X-Request-Id"] = request_id
    return {"headers": headers, **kwargs}


def connect_socket(server, request_id, transports, headers=None, **options):
    client = socketio.Client(reconnection=False)
    greeted = []
    client.on("server_response", lambda data: greeted.append(data))
    headers = {**(headers or {}), "X-Request-Id": request_id}
    client.connect(server.url, transports=transports, headers=headers, wait_timeout=TIMEOUT, **options)
    deadline = time.monotonic() + TIMEOUT
    while not greeted and time.monotonic() < deadline:
        time.sleep(0.02)
    assert greeted, "no greeting"
    return client


def test_json_logs_carry_request_ids_and_no_secrets(server_factory, tmp_path):
    server = server_factory("--log-format", "json", "--log-level", "debug")
    user = register(server)

    # API: login, a failed login, an authenticated request, each with the caller's request id.
    response = server.post("/api/login", {"username": "ada", "password": PASSWORD}, **with_id("it-login"))
    assert response.status_code == 200 and response.headers["X-Request-Id"] == "it-login"
    tokens = response.json()
    failed = server.post("/api/login", {"username": "ada", "password": "wrong password here"}, **with_id("it-failed"))
    assert failed.status_code == 401 and failed.headers["X-Request-Id"] == "it-failed"
    me = requests.get(server.url + "/api/me", timeout=TIMEOUT, **with_id("it-me", headers={"Authorization": f"Bearer {tokens['access_token']}"}))
    assert me.status_code == 200 and me.headers["X-Request-Id"] == "it-me"
    generated = server.get("/healthz")
    assert REQUEST_ID.match(generated.headers["X-Request-Id"])

    # Password reset through the outbox.
    assert server.post("/api/password/forgot", {"username": "ada"}, **with_id("it-forgot")).status_code == 202
    body = wait_for_mail(tmp_path / "data" / "outbox").get_content()
    reset_token = re.search(r"/reset-password/(adpr_[A-Za-z0-9_-]+)", body).group(1)
    reset = server.post("/api/password/reset", {"token": reset_token, "password": NEW_PASSWORD}, **with_id("it-reset"))
    assert reset.status_code == 204
    second = login(server, password=NEW_PASSWORD)

    # Pages: a browser login, for the session cookie.
    browser = requests.Session()
    page = browser.get(server.url + "/login", timeout=TIMEOUT).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    signed_in = browser.post(server.url + "/login", data={"username": "ada", "password": NEW_PASSWORD, "csrf_token": csrf}, timeout=TIMEOUT)
    assert signed_in.status_code == 200
    session_cookie = browser.cookies["authd_session"]

    # Sockets: WebSocket only, and polling then upgrade; each handshake names its request id.
    ws = connect_socket(server, "it-socket-ws", ["websocket"], auth={"token": second["access_token"]})
    assert ws.call("get_secret", timeout=TIMEOUT)["message"]
    polling = connect_socket(server, "it-socket-poll", ["polling", "websocket"], auth={"token": second["access_token"]})
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    by_cookie = connect_socket(server, "it-socket-cookie", ["websocket"], headers={"Cookie": cookie})
    for client in (ws, polling, by_cookie):
        client.disconnect()

    logout = server.post("/api/logout", token=second["access_token"], **with_id("it-logout"))
    assert logout.status_code == 204 and logout.headers["X-Request-Id"] == "it-logout"
    assert server.stop() == 0

    lines = records(server)
    for record in lines:
        assert TIMESTAMP.match(record["timestamp"]), record
        assert record["level"] in LEVELS, record
        assert isinstance(record["message"], str) and record["message"], record
        assert isinstance(record["label"], str) and isinstance(record["source"], str), record
        assert "auth.user" not in record and "hb.request.id" not in record, record
        if "request.id" in record:
            assert REQUEST_ID.match(record["request.id"]), record

    requests_logged = [r for r in lines if r["message"] == "Request"]
    assert requests_logged and all("request.id" in r for r in requests_logged)

    def request_line(request_id, path):
        matching = [r for r in requests_logged if r["request.id"] == request_id and r["http.path"] == path]
        assert matching, f"no request line {request_id} {path}"
        return matching[0]

    assert request_line("it-login", "/api/login")["user.id"] == user["id"]
    assert request_line("it-failed", "/api/login")["http.status"] == "401"
    assert request_line("it-me", "/api/me")["user.id"] == user["id"]
    request_line("it-forgot", "/api/password/forgot")
    request_line("it-reset", "/api/password/reset")
    assert request_line("it-logout", "/api/logout")["user.id"] == user["id"]
    assert any(r["message"] == "Login refused" and r.get("request.id") == "it-failed" for r in lines)
    assert any(r["message"] == "Login" and r.get("request.id") == "it-login" and r["user.id"] == user["id"] for r in lines)
    assert any(r["message"] == "Password reset" and r.get("request.id") == "it-reset" for r in lines)

    # The socket lines carry the handshake request's id (and the user once authenticated).
    for request_id in ("it-socket-ws", "it-socket-poll", "it-socket-cookie"):
        socket_lines = [r for r in lines if r.get("request.id") == request_id]
        messages = {r["message"] for r in socket_lines}
        assert {"Request", "Engine.IO session opened", "Socket authenticated", "Engine.IO session closed"} <= messages, (request_id, messages)
        authenticated = [r for r in socket_lines if r["message"] == "Socket authenticated"]
        assert authenticated[0]["user.id"] == user["id"]
    assert any(r["request.id"] == "it-socket-ws" and r.get("http.upgrade") == "websocket" and r["http.status"] == "101" for r in requests_logged)

    # No secret anywhere in the log.
    log = server.logs()
    secrets = {
        "password": PASSWORD,
        "new password": NEW_PASSWORD,
        "access token": tokens["access_token"],
        "refresh token": tokens["refresh_token"],
        "second access token": second["access_token"],
        "second refresh token": second["refresh_token"],
        "reset token": reset_token,
        "session cookie": session_cookie,
        "session cookie secret": session_cookie.split(".", 1)[-1],
        "CSRF token": csrf,
    }
    for name, secret in secrets.items():
        assert secret not in log, f"the {name} is in the log"


def test_text_logs_on_a_terminal_json_elsewhere(authd_bin, tmp_path):
    """Without --log-format: readable text when standard error is a terminal, JSON lines otherwise."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTHD_")}

    def first_line(stderr_is_tty):
        port = free_port()
        command = [str(authd_bin), "serve", "--port", str(port), "--data-dir", str(tmp_path / f"data-{stderr_is_tty}"), "--bcrypt-cost", "4"]
        if stderr_is_tty:
            primary, secondary = pty.openpty()
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=secondary, env=env)
            os.close(secondary)
            reader = primary
        else:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
            reader = process.stderr.fileno()
        try:
            output = b""
            deadline = time.monotonic() + 30
            while b"authd listening" not in output and time.monotonic() < deadline:
                ready, _, _ = select.select([reader], [], [], 0.5)
                if ready:
                    chunk = os.read(reader, 4096)
                    if not chunk:
                        break
                    output += chunk
            assert b"authd listening" in output, output
            return output.decode(errors="replace").splitlines()[0]
        finally:
            process.terminate()
            process.wait(timeout=10)
            if stderr_is_tty:
                os.close(primary)

    text = first_line(True)
    assert not text.startswith("{") and "authd" in text, text
    record = json.loads(first_line(False))
    assert record["label"] == "authd" and TIMESTAMP.match(record["timestamp"])
