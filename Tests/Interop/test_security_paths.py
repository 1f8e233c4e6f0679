# SPDX-License-Identifier: Apache-2.0
"""The newest security paths, end to end against the real `authd serve` (issue #17, "Evidence that holds").

- Cross-site WebSocket hijacking: a foreign `Origin` carrying a valid page-session cookie is refused at the polling
  handshake, at a direct WebSocket and at the polling → WebSocket upgrade; `--allowed-origins` lets one origin through.
- `auth_expiring` is sent before `auth_expired` (a short access-token lifetime).
- A password reset (through the outbox mail link) and a reused refresh token close live python-socketio sockets, and
  the store's revocation feed (`revocation_events`) records them.
- `authd users revoke|delete` run beside the running server close live sockets through that feed.
- authd-socket.js (the JS client authd serves), in Node, against `authd serve` itself: `revoked` and `auth_expired`
  stop it reconnecting.
No latency is asserted: each event must happen within a generous bound (EVENT_BOUND).
"""
import contextlib
import json
import os
import re
import sqlite3
import subprocess
import time
from pathlib import Path

import jwt
import pytest
import requests
import socketio
import websocket

from js_client_server import AUTH_EXPIRED
from test_http_api import PASSWORD, TIMEOUT, login, register, server_factory, wait_for_mail  # noqa: F401 (fixture)
from test_realtime import EVENT_BOUND, SECRET, Recorder, clients, refused  # noqa: F401 (fixture)

REPO = Path(__file__).resolve().parents[2]
CLIENT_FILE = REPO / "Sources/RealtimeServer/Resources/authd-socket.js"
NODE = "/usr/bin/node"
NODE_PATH = "/usr/share/nodejs"
FOREIGN = "http://evil.example"
ALLOWED = "https://app.example.com"


def page_cookie(server, username="ada"):
    """Logs in through the HTML form like a browser; returns the Cookie header value of the page session."""
    browser = requests.Session()
    page = browser.get(server.url + "/login", timeout=TIMEOUT).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = browser.post(server.url + "/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    assert cookie
    return cookie


def polling(server, origin=None, cookie=None, sid=None, method="GET", data=None):
    headers = {}
    if origin:
        headers["Origin"] = origin
    if cookie:
        headers["Cookie"] = cookie
    url = f"{server.url}/socket.io/?EIO=4&transport=polling" + (f"&sid={sid}" if sid else "")
    return requests.request(method, url, headers=headers, data=data, timeout=TIMEOUT)


def websocket_url(server, sid=None):
    return f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket" + (f"&sid={sid}" if sid else "")


def assert_forbidden(response):
    assert response.status_code == 403, (response.status_code, response.text)
    assert response.json() == {"code": 4, "message": "Forbidden"}
    assert "Access-Control-Allow-Origin" not in response.headers


def assert_websocket_refused(url, origin, cookie, status=403):
    with pytest.raises(websocket.WebSocketBadStatusException) as refusal:
        websocket.create_connection(url, origin=origin, header=[f"Cookie: {cookie}"], timeout=TIMEOUT)
    assert refusal.value.status_code == status


def connect_over_websocket(url, origin, cookie):
    """A raw Socket.IO CONNECT authenticated by the cookie alone; returns the frames up to the greeting."""
    ws = websocket.create_connection(url, origin=origin, header=[f"Cookie: {cookie}"], timeout=TIMEOUT)
    try:
        assert ws.recv().startswith("0{")
        ws.send("40")
        frames = [ws.recv()]
        while not frames[-1].startswith("42"):
            frames.append(ws.recv())
        return frames
    finally:
        ws.close()


def store(server):
    return contextlib.closing(sqlite3.connect(server.data_dir / "authd.sqlite", timeout=10))


def revocation_rows(server, user_id):
    with store(server) as database:
        return database.execute(
            "SELECT kind, session_id, epoch FROM revocation_events WHERE user_id = ? ORDER BY id", (user_id,)
        ).fetchall()


def session_id(token):
    return jwt.decode(token, options={"verify_signature": False})["sid"]


# MARK: cross-site WebSocket hijacking


def test_foreign_origin_with_a_valid_session_cookie_is_refused(server_factory, clients):
    server = server_factory()
    register(server)
    cookie = page_cookie(server)
    own = f"http://127.0.0.1:{server.port}"

    # The cookie is good: same-origin, it authenticates a socket (polling handshake and CONNECT).
    assert polling(server, origin=own, cookie=cookie).status_code == 200
    same_origin = clients().connect(server, headers={"Cookie": cookie, "Origin": own}, transports=["polling"])
    assert same_origin.wait_for("server_response") == {"message": "Connected as ada"}
    assert connect_over_websocket(websocket_url(server), own, cookie)[-1].startswith('42["server_response"')

    # A foreign page riding the same cookie: the polling handshake, a direct WebSocket, and the upgrade of a session
    # opened without an Origin (a non-browser client) are all refused with the Engine.IO 403.
    assert_forbidden(polling(server, origin=FOREIGN, cookie=cookie))
    assert_websocket_refused(websocket_url(server), FOREIGN, cookie)
    handshake = polling(server, cookie=cookie)
    assert handshake.status_code == 200
    sid = json.loads(handshake.text[1:])["sid"]
    assert_websocket_refused(websocket_url(server, sid), FOREIGN, cookie)
    # …and a polling POST of a CONNECT into that session with the foreign origin.
    assert_forbidden(polling(server, origin=FOREIGN, cookie=cookie, sid=sid, method="POST", data="40"))
    # python-socketio sending the foreign Origin header cannot connect either.
    with pytest.raises(socketio.exceptions.ConnectionError):
        clients().connect(server, headers={"Cookie": cookie, "Origin": FOREIGN}, transports=["polling"])
    with pytest.raises(socketio.exceptions.ConnectionError):
        clients().connect(server, headers={"Cookie": cookie, "Origin": FOREIGN}, transports=["websocket"])
    # The refusals cost the real user nothing.
    assert same_origin.client.connected
    assert SECRET.match(same_origin.client.call("get_secret", timeout=TIMEOUT)["message"])


def test_allowed_origins_lets_a_configured_origin_through(server_factory):
    server = server_factory("--allowed-origins", ALLOWED)
    register(server)
    cookie = page_cookie(server)

    handshake = polling(server, origin=ALLOWED, cookie=cookie)
    assert handshake.status_code == 200 and handshake.text.startswith("0{")
    assert handshake.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert handshake.headers["Access-Control-Allow-Credentials"] == "true"
    sid = json.loads(handshake.text[1:])["sid"]
    assert polling(server, origin=ALLOWED, cookie=cookie, sid=sid, method="POST", data="40").text == "ok"
    packets = polling(server, origin=ALLOWED, cookie=cookie, sid=sid).text.split("\x1e")
    assert packets[0].startswith("40{"), packets
    assert connect_over_websocket(websocket_url(server), ALLOWED, cookie)[-1] == '42["server_response",{"message":"Connected as ada"}]'

    # Only that origin: another one is still refused, on both transports.
    assert_forbidden(polling(server, origin=FOREIGN, cookie=cookie))
    assert_websocket_refused(websocket_url(server), FOREIGN, cookie)
    assert_websocket_refused(websocket_url(server), "https://app.example.com.evil.example", cookie)


# MARK: expiry warning


def test_auth_expiring_comes_before_auth_expired(server_factory, clients):
    # The warning is sent min(60 s, a fifth of the lifetime) before expiry, and only when that is at least 1 s.
    server = server_factory("--access-token-ttl", "10")
    register(server)
    token = login(server)["access_token"]
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    recorder = clients().connect(server, token)
    recorder.wait_for("server_response")

    warning = recorder.wait_for("auth_expiring", timeout=EVENT_BOUND)
    assert set(warning) == {"expires_in"} and 1 <= warning["expires_in"] <= 2, warning
    assert recorder.client.connected
    assert recorder.wait_for("auth_expired", timeout=EVENT_BOUND) == AUTH_EXPIRED
    assert recorder.seen_at["auth_expiring"] <= recorder.seen_at["auth_expired"]
    assert recorder.seen_at["auth_expired"] >= exp - 0.01
    assert recorder.disconnected.wait(EVENT_BOUND)


# MARK: revocations closing live sockets


def test_password_reset_through_the_mail_link_closes_live_sockets(server_factory, clients):
    server = server_factory()
    user = register(server)
    register(server, username="bob", email=None)
    first, second = login(server), login(server)
    ada_ws = clients().connect(server, first["access_token"])
    ada_polling = clients().connect(server, second["access_token"], transports=["polling"])
    bob = clients().connect(server, login(server, username="bob")["access_token"])
    for recorder in (ada_ws, ada_polling, bob):
        recorder.wait_for("server_response")

    assert server.post("/api/password/forgot", {"username": "ada"}).status_code == 202
    body = wait_for_mail(server.data_dir / "outbox").get_content()
    reset_token = re.search(r"/reset-password/(adpr_[A-Za-z0-9_-]+)", body).group(1)
    assert server.post("/api/password/reset", {"token": reset_token, "password": "a completely new passphrase"}).status_code == 204

    for recorder in (ada_ws, ada_polling):
        assert recorder.wait_for("revoked", timeout=EVENT_BOUND)["reason"] in ("password_reset", "revoked", "session_revoked")
        assert recorder.disconnected.wait(EVENT_BOUND)
    assert bob.client.connected
    assert SECRET.match(bob.client.call("get_secret", timeout=TIMEOUT)["message"])
    # The feed holds the revocation (the raised epoch), and the old credential cannot come back.
    kinds = [kind for kind, _, _ in revocation_rows(server, user["id"])]
    assert "epoch" in kinds, kinds
    assert refused(clients(), server, first["access_token"])["data"]["code"] == "token_revoked"


def test_refresh_token_reuse_closes_the_sessions_sockets(server_factory, clients):
    server = server_factory()
    user = register(server)
    leaked = login(server)
    other_login = login(server)
    rotated = server.post("/api/token/refresh", {"refresh_token": leaked["refresh_token"]}).json()
    old_socket = clients().connect(server, leaked["access_token"])
    new_socket = clients().connect(server, rotated["access_token"], transports=["polling"])
    bystander = clients().connect(server, other_login["access_token"])
    for recorder in (old_socket, new_socket, bystander):
        recorder.wait_for("server_response")

    reused = server.post("/api/token/refresh", {"refresh_token": leaked["refresh_token"]})
    assert reused.status_code == 401 and reused.json()["error"] == "refresh_token_reused"

    for recorder in (old_socket, new_socket):
        assert recorder.wait_for("revoked", timeout=EVENT_BOUND)["reason"] in ("refresh_token_reuse", "session_revoked")
        assert recorder.disconnected.wait(EVENT_BOUND)
    # Another login of the same user is not that session: it stays.
    assert bystander.client.connected
    assert SECRET.match(bystander.client.call("get_secret", timeout=TIMEOUT)["message"])
    assert ("session", session_id(leaked["access_token"]), None) in revocation_rows(server, user["id"])
    assert refused(clients(), server, rotated["access_token"])["data"]["code"] == "token_revoked"


def test_cli_sign_out_and_delete_beside_the_running_server_go_through_the_feed(server_factory, clients, authd_bin):
    server = server_factory()
    ada = register(server)
    bob = register(server, username="bob", email=None)
    ada_socket = clients().connect(server, login(server)["access_token"], transports=["polling"])
    bob_socket = clients().connect(server, login(server, username="bob")["access_token"])
    for recorder in (ada_socket, bob_socket):
        recorder.wait_for("server_response")
    with store(server) as database:
        (before,) = database.execute("SELECT coalesce(max(id), 0) FROM revocation_events").fetchone()

    def users(*args):
        result = subprocess.run([str(authd_bin), "users", *args, "--data-dir", str(server.data_dir)], capture_output=True, timeout=60)
        assert result.returncode == 0, result
        return result

    # Another process writes the store; only the feed can tell the server.
    users("revoke", "ada")
    assert ada_socket.wait_for("revoked", timeout=EVENT_BOUND)["reason"] in ("revoked", "session_revoked")
    assert ada_socket.disconnected.wait(EVENT_BOUND)
    assert bob_socket.client.connected
    users("delete", "--yes", "bob")
    assert bob_socket.wait_for("revoked", timeout=EVENT_BOUND)["reason"] == "account_deleted"
    assert bob_socket.disconnected.wait(EVENT_BOUND)

    with store(server) as database:
        rows = database.execute("SELECT user_id, kind FROM revocation_events WHERE id > ? ORDER BY id", (before,)).fetchall()
    assert (ada["id"], "epoch") in rows, rows
    assert (bob["id"], "deleted") in rows, rows


# MARK: the JS client against authd serve

NODE_DRIVER = """
const { io } = require(process.argv[2]);
const WebSocket = require("ws");
const [url, token, transports, action] = [process.argv[3], process.argv[4], JSON.parse(process.argv[5]), process.argv[6]];
const out = { events: [] };
const finish = (code) => { console.log(JSON.stringify(out)); process.exit(code); };
const timer = setTimeout(() => { out.failure = "timeout"; finish(1); }, 30000);
const socket = io(url, { auth: { token }, WebSocket, transports, reconnectionDelay: 50, reconnectionDelayMax: 100 });
for (const event of ["revoked", "auth_expiring", "auth_expired"]) socket.on(event, (data) => out.events.push([event, data]));
socket.on("connect_error", (error) => out.events.push(["connect_error", error.message, error.data]));
let connects = 0;
socket.on("connect", () => {
  connects += 1;
  if (connects > 1) return;
  out.transport = socket.io.engine.transport.name;
  socket.once("server_response", (data) => {
    out.greeting = data;
    console.log("READY");  // the test acts now (logout), or waits for the token to expire
  });
});
socket.on("disconnect", (reason) => {
  out.reason = reason;
  // Reconnection would happen within ~100 ms: wait well past it, then report.
  setTimeout(() => {
    clearTimeout(timer);
    out.connects = connects;
    out.connected = socket.connected;
    out.active = socket.active;
    out.stopReason = socket.stopReason;
    finish(0);
  }, 1500);
});
"""


def run_node_client(server, tmp_path, token, transports, on_ready=None):
    if not Path(NODE).exists():
        pytest.fail("node is needed at /usr/bin/node (Debian package nodejs)")
    if not Path(NODE_PATH, "ws").exists():
        pytest.fail("Node's WebSocket library is needed: `apt-get install node-ws`")
    driver = tmp_path / "drive-authd.js"
    driver.write_text(NODE_DRIVER, encoding="utf-8")
    process = subprocess.Popen(
        [NODE, str(driver), str(CLIENT_FILE), server.url, token, json.dumps(transports)],
        env={**os.environ, "NODE_PATH": NODE_PATH},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        assert first.strip() == "READY", first + process.stderr.read()
        if on_ready:
            on_ready()
        stdout, stderr = process.communicate(timeout=EVENT_BOUND + 30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == 0, stdout + stderr
    return json.loads(stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("transports", [["websocket"], ["polling"]], ids=["websocket", "polling"])
def test_js_client_stops_after_revoked_from_authd(server_factory, tmp_path, transports):
    server = server_factory()
    register(server)
    tokens = login(server)
    out = run_node_client(
        server, tmp_path, tokens["access_token"], transports,
        on_ready=lambda: server.post("/api/logout", token=tokens["access_token"]).raise_for_status(),
    )
    assert out["transport"] == transports[0]
    assert out["greeting"] == {"message": "Connected as ada"}
    assert ["revoked", {"reason": "logout"}] in out["events"], out
    assert out["reason"] == "io server disconnect"
    assert out["connects"] == 1 and out["connected"] is False and out["active"] is False
    assert out["stopReason"] == "revoked"


def test_js_client_stops_after_auth_expired_from_authd(server_factory, tmp_path):
    server = server_factory("--access-token-ttl", "10")
    register(server)
    out = run_node_client(server, tmp_path, login(server)["access_token"], ["websocket"])
    names = [event[0] for event in out["events"]]
    assert names[:2] == ["auth_expiring", "auth_expired"], out
    # Exactly what the Python stand-in of the browser tests (js_client_server.py) sends: it must not drift again.
    assert out["events"][1][1] == AUTH_EXPIRED
    # A fixed token cannot be renewed: the client stops instead of reconnecting with it.
    assert out["connects"] == 1 and out["connected"] is False
    assert out["stopReason"] == "auth_expired"
