# SPDX-License-Identifier: Apache-2.0
"""End to end: the real `authd serve` Socket.IO endpoint driven by the python-socketio client (PyPI).

Covers authentication at CONNECT (auth object, Bearer header, page cookie), every refusal code, the secure
`get_secret` event with and without ack, binary packets, namespaces, in-band refresh, expiry and revocation.
Tokens with bad claims are signed by PyJWT with the server's own development key.
"""
import contextlib
import json
import re
import sqlite3
import subprocess
import threading
import time
import uuid
from pathlib import Path

import jwt
import pytest
import requests
import socketio
import websocket

from test_http_api import PASSWORD, TIMEOUT, login, register, server_factory  # noqa: F401 (fixture)

SECRET = re.compile(r"^.+ \[Secret Code: [0-9a-f]{8}\]$")
TRANSPORTS = [["websocket"], ["polling"]]
# How long an asynchronous event (a revocation, an expiry) may take to arrive: generous, since the machine running the
# tests may be shared and loaded. These tests prove that the event happens; Benchmarks/ measure how fast.
EVENT_BOUND = 20


class Recorder:
    """A python-socketio client that records every event it receives."""

    def __init__(self, **client_options):
        self.client = socketio.Client(**{"reconnection": False, **client_options})
        self.events: list[tuple[str, object]] = []
        self.seen_at: dict[str, float] = {}  # wall-clock time (time.time()) each event name was first received
        self.connect_error = None
        self.disconnected = threading.Event()
        self.changed = threading.Condition()
        self.client.on("*", self._record)
        self.client.on("connect_error", self._connect_error)
        self.client.on("disconnect", self._disconnect)

    def _record(self, event, *args):
        with self.changed:
            self.seen_at.setdefault(event, time.time())
            self.events.append((event, args[0] if len(args) == 1 else list(args)))
            self.changed.notify_all()

    def _connect_error(self, data):
        self.connect_error = data

    def _disconnect(self, *args):
        self.disconnected.set()

    def connect(self, server, token=None, transports=("websocket",), headers=None, namespaces=None):
        self.client.connect(
            server.url,
            auth={"token": token} if token is not None else None,
            transports=list(transports),
            headers=headers or {},
            namespaces=namespaces,
            wait_timeout=TIMEOUT,
        )
        return self

    def wait_for(self, name, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for event, data in self.events:
                    if event == name:
                        return data
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no {name!r} within {timeout}s; got {self.events}")
                self.changed.wait(remaining)

    def close(self):
        if self.client.connected:
            self.client.disconnect()


@pytest.fixture
def clients():
    made = []

    def make():
        recorder = Recorder()
        made.append(recorder)
        return recorder

    yield make
    for recorder in made:
        recorder.close()


def refused(recorder, server, token=None, **kwargs):
    """Connects expecting a CONNECT_ERROR; returns its data."""
    with pytest.raises(socketio.exceptions.ConnectionError):
        recorder.connect(server, token, **kwargs)
    assert recorder.connect_error is not None
    return recorder.connect_error


def signing_key(server):
    """The server's development EdDSA key (the active one in its SQLite store), to sign tokens with chosen claims."""
    kid = jwt.get_unverified_header(login(server)["access_token"])["kid"]
    with contextlib.closing(sqlite3.connect(server.data_dir / "authd.sqlite")) as database:
        (pem,) = database.execute("SELECT material FROM signing_keys WHERE kid = ? AND retired_at IS NULL", (kid,)).fetchone()
    return bytes(pem), kid


def forged(server, **overrides):
    """A token signed with the server's key whose claims start as a valid access token's."""
    token = login(server)["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.update(overrides)
    pem, kid = signing_key(server)
    return jwt.encode(claims, pem, algorithm="EdDSA", headers={"kid": kid, "typ": "at+jwt"})


@pytest.mark.parametrize("transports", TRANSPORTS, ids=["websocket", "polling"])
def test_valid_token_connects_greets_and_answers_get_secret(server_factory, clients, transports):
    server = server_factory()
    register(server)
    token = login(server)["access_token"]
    recorder = clients().connect(server, token, transports=transports)

    assert recorder.wait_for("server_response") == {"message": "Connected as ada"}
    recorder.client.emit("get_secret")
    message = recorder.wait_for("secret_message")["message"]
    assert SECRET.match(message), message
    assert "ada" in message

    # With an ack, the same object comes back as the ack (and as an event).
    first = recorder.client.call("get_secret", {}, timeout=TIMEOUT)
    second = recorder.client.call("get_secret", timeout=TIMEOUT)
    assert SECRET.match(first["message"]) and SECRET.match(second["message"])
    codes = {re.search(r"Code: (\w+)", m["message"]).group(1) for m in (first, second)}
    assert len(codes) == 2, "secret codes come from the CSPRNG"


def test_seed_clients_token_in_get_secret_payload(server_factory, clients):
    server = server_factory()
    register(server)
    token = login(server)["access_token"]
    recorder = clients().connect(server, token)
    assert SECRET.match(recorder.client.call("get_secret", {"token": token}, timeout=TIMEOUT)["message"])

    # A bad token in the payload answers Unauthorized and drops the socket.
    answer = recorder.client.call("get_secret", {"token": "not-a-token"}, timeout=TIMEOUT)
    assert answer == {"message": "Unauthorized"}
    assert recorder.disconnected.wait(TIMEOUT)


def test_bearer_header_and_page_cookie_authenticate_too(server_factory, clients):
    server = server_factory()
    register(server)
    token = login(server)["access_token"]
    recorder = clients().connect(server, headers={"Authorization": f"Bearer {token}"})
    assert recorder.wait_for("server_response") == {"message": "Connected as ada"}

    browser = requests.Session()
    page = browser.get(server.url + "/login", timeout=TIMEOUT).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = browser.post(server.url + "/login", data={"username": "ada", "password": PASSWORD, "csrf_token": csrf}, timeout=TIMEOUT)
    assert response.status_code == 200
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    same_origin = clients().connect(server, headers={"Cookie": cookie})
    assert same_origin.wait_for("server_response") == {"message": "Connected as ada"}
    assert SECRET.match(same_origin.client.call("get_secret", timeout=TIMEOUT)["message"])


def test_refusals_carry_stable_codes(server_factory, clients):
    server = server_factory()
    register(server)
    now = int(time.time())
    cases = {
        "token_missing": None,
        "token_malformed": "abc.def",
        "token_invalid": jwt.encode({"sub": "x"}, "a-different-secret-of-32-bytes!!", algorithm="HS256"),
        "token_expired": forged(server, exp=now - 120, iat=now - 1000),
        "token_not_yet_valid": forged(server, nbf=now + 600),
        "token_wrong_audience": forged(server, aud="someone-else"),
        "token_wrong_issuer": forged(server, iss="https://evil.example"),
    }
    for code, token in cases.items():
        data = refused(clients(), server, token)
        assert data["data"]["code"] == code, (code, data)
        assert data["message"]


@pytest.mark.parametrize("transports", TRANSPORTS, ids=["websocket", "polling"])
def test_refused_connect_closes_the_transport_and_sends_no_event(server_factory, transports):
    server = server_factory()
    if transports == ["websocket"]:
        ws = websocket.create_connection(f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket", timeout=TIMEOUT)
        assert ws.recv().startswith("0{")
        ws.send('40{"token":"bad"}')
        answer = ws.recv()
        assert answer.startswith("44{") and json.loads(answer[2:])["data"]["code"] == "token_malformed"
        # Nothing else: the server closes the connection.
        with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError, OSError)):
            while True:
                frame = ws.recv()
                assert frame in ("", "1"), f"unexpected frame after CONNECT_ERROR: {frame!r}"
                if frame == "":
                    raise websocket.WebSocketConnectionClosedException()
    else:
        base = f"{server.url}/socket.io/?EIO=4&transport=polling"
        sid = json.loads(requests.get(base, timeout=TIMEOUT).text[1:])["sid"]
        assert requests.post(f"{base}&sid={sid}", data='40{"token":"bad"}', timeout=TIMEOUT).text == "ok"
        packets = requests.get(f"{base}&sid={sid}", timeout=TIMEOUT).text.split("\x1e")
        assert packets[0].startswith("44{")
        # The session is gone: the next poll is refused.
        later = requests.get(f"{base}&sid={sid}", timeout=TIMEOUT)
        assert later.status_code == 400 or later.text.split("\x1e")[-1] == "1"


def test_unknown_namespace_is_refused(server_factory, clients):
    server = server_factory()
    register(server)
    token = login(server)["access_token"]
    recorder = clients()
    with pytest.raises(socketio.exceptions.ConnectionError):
        recorder.client.connect(server.url, auth={"token": token}, namespaces=["/admin"], transports=["websocket"], wait_timeout=TIMEOUT)


def test_binary_arguments_travel_as_attachments(server_factory, clients):
    server = server_factory()
    register(server)
    recorder = clients().connect(server, login(server)["access_token"])
    # A BINARY_EVENT with an attachment is reassembled by the server and answered like any get_secret.
    answer = recorder.client.call("get_secret", {"blob": b"\x00\x01\x02" * 100}, timeout=TIMEOUT)
    assert SECRET.match(answer["message"])


def test_auth_refresh_in_band(server_factory, clients):
    server = server_factory()
    register(server)
    register(server, username="bob", email=None)
    tokens = login(server)
    recorder = clients().connect(server, tokens["access_token"])
    recorder.wait_for("server_response")

    fresh = server.post("/api/token/refresh", {"refresh_token": tokens["refresh_token"]}).json()["access_token"]
    answer = recorder.client.call("auth_refresh", {"token": fresh}, timeout=TIMEOUT)
    assert answer["ok"] is True and 0 < answer["expires_in"] <= 900

    other = login(server, username="bob")["access_token"]
    answer = recorder.client.call("auth_refresh", {"token": other}, timeout=TIMEOUT)
    assert answer == {"ok": False, "error": {"code": "user_mismatch", "message": answer["error"]["message"]}}
    answer = recorder.client.call("auth_refresh", {"token": "garbage"}, timeout=TIMEOUT)
    assert answer["ok"] is False and answer["error"]["code"] == "token_malformed"
    assert recorder.client.connected


def test_expiry_disconnects_unless_refreshed(server_factory, clients):
    # exp is whole seconds (RFC 7519 NumericDate), so a token lives between TTL-1 and TTL seconds after issue.
    # No latency bound: the test proves the order of events from the tokens' own exp claims, whatever the load.
    server = server_factory("--access-token-ttl", "8")
    register(server)
    first = login(server)["access_token"]
    expiring = clients().connect(server, first)
    refreshed = clients().connect(server, (tokens := login(server))["access_token"])
    first_exp = jwt.decode(first, options={"verify_signature": False})["exp"]

    # Refresh once the clock is four whole seconds past the first token's issue, so the new token expires strictly
    # later and the refresh has about four seconds (less what the set-up took beyond that) before the first expires.
    while time.time() < first_exp - 4:
        time.sleep(0.1)
    fresh = server.post("/api/token/refresh", {"refresh_token": tokens["refresh_token"]}).json()["access_token"]
    fresh_exp = jwt.decode(fresh, options={"verify_signature": False})["exp"]
    assert fresh_exp > first_exp
    assert refreshed.client.call("auth_refresh", {"token": fresh}, timeout=TIMEOUT)["ok"] is True

    # Within a generous bound (a shared 2-core machine): the event happens; its latency is a benchmark's business.
    assert expiring.wait_for("auth_expired", timeout=EVENT_BOUND)["code"] == "token_expired"
    assert expiring.seen_at["auth_expired"] >= first_exp - 0.01
    assert expiring.disconnected.wait(EVENT_BOUND)
    # The refreshed socket outlives the first token: it expires at its new token's exp, not before.
    assert refreshed.wait_for("auth_expired", timeout=EVENT_BOUND)["code"] == "token_expired"
    assert refreshed.seen_at["auth_expired"] >= fresh_exp - 0.01
    assert refreshed.disconnected.wait(EVENT_BOUND)


def test_http_logout_revokes_exactly_that_sessions_sockets(server_factory, clients):
    server = server_factory()
    register(server)
    register(server, username="bob", email=None)
    first, second = login(server), login(server)
    a1 = clients().connect(server, first["access_token"])
    a1b = clients().connect(server, first["access_token"], transports=["polling"])
    a2 = clients().connect(server, second["access_token"])
    bob = clients().connect(server, login(server, username="bob")["access_token"])
    for recorder in (a1, a1b, a2, bob):
        recorder.wait_for("server_response")

    assert server.post("/api/logout", token=first["access_token"]).status_code == 204
    assert a1.wait_for("revoked", timeout=EVENT_BOUND)["reason"] == "logout"
    assert a1b.wait_for("revoked", timeout=EVENT_BOUND)["reason"] == "logout"
    assert a1.disconnected.wait(EVENT_BOUND) and a1b.disconnected.wait(EVENT_BOUND)
    # Another login of the same user and another user's socket stay.
    assert a2.client.connected and bob.client.connected
    # The revoked token cannot reconnect.
    assert refused(clients(), server, first["access_token"])["data"]["code"] == "token_revoked"


def test_operator_commands_kick_sockets_of_a_running_server(server_factory, clients, authd_bin):
    server = server_factory()
    register(server)
    register(server, username="bob", email=None)
    ada = clients().connect(server, login(server)["access_token"])
    bob_token = login(server, username="bob")["access_token"]
    bob = clients().connect(server, bob_token)
    ada.wait_for("server_response")
    bob.wait_for("server_response")

    def users(*args):
        return subprocess.run([str(authd_bin), "users", *args, "--data-dir", str(server.data_dir)], capture_output=True, timeout=60)

    assert users("revoke", "ada").returncode == 0
    assert ada.wait_for("revoked", timeout=EVENT_BOUND)["reason"] in ("revoked", "session_revoked")
    assert ada.disconnected.wait(EVENT_BOUND)
    assert bob.client.connected

    assert users("disable", "bob").returncode == 0
    assert bob.wait_for("revoked", timeout=EVENT_BOUND)["reason"] in ("revoked", "account_disabled", "session_revoked")
    assert bob.disconnected.wait(EVENT_BOUND)
    assert refused(clients(), server, bob_token)["data"]["code"] == "token_revoked"
    # ada signs in again after the revocation and connects.
    assert clients().connect(server, login(server)["access_token"]).wait_for("server_response") == {"message": "Connected as ada"}
