# SPDX-License-Identifier: Apache-2.0
"""authd-socket.js (the browser client that `authd` serves) against python-socketio, in headless Chromium and in Node.

The script under test is read from its single source, Sources/RealtimeServer/Resources/authd-socket.js (embedded in
`authd` at build time), and `test_served_scripts_are_the_resource_files` checks that `authd serve` serves exactly that
file and that Node parses it. The client's own logic has a Node suite of its own: Tests/JSClient (`node --test`).
"""
import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
import requests

from browser_support import console_errors, headless_chromium, quit_browser
from js_client_server import AUTH_EXPIRED, REPO, SocketIOTestServer, page_asset

SECRET = re.compile(r"\[Secret Code: [0-9a-f]{8}\]")
NODE = "/usr/bin/node"
CLIENT_FILE = REPO / "Sources/RealtimeServer/Resources/authd-socket.js"
NODE_PATH = "/usr/share/nodejs"  # Debian's node-ws lives here (Node 20 has no global WebSocket)

# Helpers evaluated before each browser scenario: `done` is Selenium's callback; every wait is bounded.
PRELUDE = """
const done = arguments[arguments.length - 1];
const url = arguments[0];
const opts = arguments[1] || {};
const out = { events: [] };
const fail = (e) => done({ ...out, failure: String(e && e.stack || e) });
const next = (emitter, event, ms = 8000) => new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("no " + event + " within " + ms + " ms")), ms);
  emitter.once(event, (...args) => { clearTimeout(timer); resolve(args); });
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const bytes = (buffer) => Array.from(new Uint8Array(buffer));
"""


@pytest.fixture(scope="module")
def client_js():
    return CLIENT_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser():
    session = headless_chromium()
    yield session
    quit_browser(session)


@pytest.fixture
def socket_server(client_js):
    started = []

    def make(**kwargs):
        server = SocketIOTestServer(client_js, **kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


def run_in_page(browser, server, body, opts=None):
    """Opens the test page of `server` and runs `body` (async JS ending in `done(out)`) with (url, opts)."""
    browser.get(server.url + "/test.html")
    result = browser.execute_async_script(PRELUDE + "(async () => {\n" + body + "\n})().catch(fail);", server.url, opts or {})
    assert "failure" not in result, result["failure"]
    # Failed requests are expected in some scenarios (a refused WebSocket); script errors never are.
    errors = [e for e in console_errors(browser) if e.get("source") != "network"]
    assert not errors, errors
    return result


def connects(server):
    return [event for event in server.events if event[0] == "connect"]


def test_websocket_connect_events_and_acks_both_ways(browser, socket_server):
    server = socket_server()
    result = run_in_page(
        browser,
        server,
        """
        const socket = AuthdSocket.io(url, { auth: { token: "good-token" } });
        const greeting = next(socket, "server_response");
        await next(socket, "connect");
        out.transport = socket.io.engine.transport.name;
        out.sid = socket.id;
        out.greeting = (await greeting)[0];
        const pushed = next(socket, "secret_message");
        out.secret = await socket.timeout(5000).emitWithAck("get_secret", {});
        out.pushed = (await pushed)[0];
        out.echo = await socket.emitWithAck("echo", 1, "two", { three: [3, null, true] });
        const fired = next(socket, "fired");
        socket.emit("fire", { n: 1 });
        out.fired = (await fired)[0];
        socket.on("question", (data, ack) => ack({ answer: data.n * 2 }));
        out.serverAsked = await socket.timeout(5000).emitWithAck("ask_client", { n: 21 });
        try {
          await socket.timeout(300).emitWithAck("no_such_event_handler");
        } catch (e) { out.timeout = e.message; }
        socket.disconnect();
        out.connectedAfter = socket.connected;
        done(out);
        """,
    )
    assert result["transport"] == "websocket"
    assert isinstance(result["sid"], str) and result["sid"]
    assert result["greeting"] == {"message": "Connected as ada"}
    assert SECRET.search(result["secret"]["message"]), result
    assert result["pushed"] == result["secret"]
    assert result["echo"] == [1, "two", {"three": [3, None, True]}]
    assert result["fired"] == {"n": 1}
    assert result["serverAsked"] == {"answer": 42}
    assert result["timeout"] == "operation has timed out"
    assert result["connectedAfter"] is False
    (connect,) = connects(server)
    assert connect[1] == {"token": "good-token"}
    assert "transport=websocket" in connect[2] and "EIO=4" in connect[2]
    assert ("client_answer", {"answer": 42}) in server.events


def test_binary_events_and_acks(browser, socket_server):
    server = socket_server()
    result = run_in_page(
        browser,
        server,
        """
        const socket = AuthdSocket.io(url, { auth: { token: "good-token" } });
        await next(socket, "connect");
        const back = next(socket, "binary_back");
        const ack = await socket.timeout(5000).emitWithAck("binary_echo", { raw: new Uint8Array([0, 1, 2, 250, 255]), name: "b" });
        out.ackLength = ack.length;
        out.ackFirst = bytes(ack.first);
        out.ackFirstIsBuffer = ack.first instanceof ArrayBuffer;
        const [data] = await back;
        out.back = bytes(data.raw);
        out.name = data.name;
        socket.disconnect();
        done(out);
        """,
    )
    assert result == {"events": [], "ackLength": 5, "ackFirst": [0, 1, 2, 250], "ackFirstIsBuffer": True,
                      "back": [0, 1, 2, 250, 255, 255], "name": "b"}
    assert ("binary", {"raw": b"\x00\x01\x02\xfa\xff", "name": "b"}) in server.events


def test_polling_fallback_when_websocket_is_refused(browser, socket_server):
    server = socket_server(websocket=False)
    result = run_in_page(
        browser,
        server,
        """
        const socket = AuthdSocket.io(url, { auth: { token: "good-token" } });
        const fallback = next(socket.io, "transport_fallback");
        await next(socket, "connect");
        out.fallback = (await fallback)[0];
        out.transport = socket.io.engine.transport.name;
        out.secret = await socket.timeout(5000).emitWithAck("get_secret");
        const back = next(socket, "binary_back");
        out.ack = await socket.timeout(5000).emitWithAck("binary_echo", { raw: new Uint8Array([7, 8, 9]) });
        out.back = bytes((await back)[0].raw);
        out.ack.first = bytes(out.ack.first);
        socket.disconnect();
        done(out);
        """,
    )
    assert result["fallback"] == "polling"
    assert result["transport"] == "polling"
    assert SECRET.search(result["secret"]["message"])
    assert result["ack"] == {"length": 3, "first": [7, 8, 9]}
    assert result["back"] == [7, 8, 9, 255]
    (connect,) = connects(server)
    assert "transport=polling" in connect[2]


def test_polling_then_upgrade_to_websocket(browser, socket_server):
    server = socket_server()
    result = run_in_page(
        browser,
        server,
        """
        const socket = AuthdSocket.io(url, { auth: { token: "good-token" }, transports: ["polling", "websocket"] });
        const opened = next(socket.io, "open");
        const upgraded = next(socket.io, "upgrade");
        out.first = (await opened)[0];  // the transport of the handshake
        await next(socket, "connect");
        // Emitted during the upgrade: must arrive once, over whichever transport is current.
        const early = socket.timeout(5000).emitWithAck("echo", "during upgrade");
        out.upgraded = (await upgraded)[0];
        out.early = await early;
        out.now = socket.io.engine.transport.name;
        const back = next(socket, "binary_back");
        out.ack = await socket.timeout(5000).emitWithAck("binary_echo", { raw: new Uint8Array([4, 5]) });
        out.back = bytes((await back)[0].raw);
        out.transportSeenByServer = await socket.timeout(5000).emitWithAck("transport");
        socket.disconnect();
        done(out);
        """,
    )
    assert result["first"] == "polling"
    assert result["upgraded"] == "websocket" and result["now"] == "websocket"
    assert result["early"] == ["during upgrade"]
    assert result["back"] == [4, 5, 255]
    assert result["transportSeenByServer"] == "websocket"
    assert [e for e in server.events if e[0] == "echo"] == [("echo", ("during upgrade",))]


def test_polling_only_transport(browser, socket_server):
    server = socket_server()
    result = run_in_page(
        browser,
        server,
        """
        const socket = AuthdSocket.io(url, { auth: { token: "good-token" }, transports: ["polling"] });
        await next(socket, "connect");
        out.transport = socket.io.engine.transport.name;
        out.echo = await socket.timeout(5000).emitWithAck("echo", "é ✓ \\u0001", [1, 2]);
        socket.disconnect();
        done(out);
        """,
    )
    assert result["transport"] == "polling"
    assert result["echo"] == ["é ✓ \u0001", [1, 2]]


def test_connect_error_with_a_fatal_code_stops_reconnecting(browser, socket_server):
    server = socket_server()
    result = run_in_page(
        browser,
        server,
        """
        const socket = AuthdSocket.io(url, { reconnectionDelay: 50, reconnectionDelayMax: 100 });
        let errors = 0;
        socket.on("connect_error", () => errors++);
        const [error] = await next(socket, "connect_error");
        out.message = error.message;
        out.data = error.data;
        await sleep(1500);  // several backoff periods: a retrying client would have tried again
        out.errors = errors;
        out.active = socket.active;
        out.stopReason = socket.stopReason;
        out.connected = socket.connected;
        done(out);
        """,
    )
    assert result["data"] == {"code": "token_missing"}
    assert "token_missing" in result["message"]
    assert result["errors"] == 1 and result["active"] is False and result["connected"] is False
    assert result["stopReason"] == "connect_error:token_missing"
    assert len(connects(server)) == 1


def test_connect_error_with_a_retryable_code_reconnects_with_backoff(browser, socket_server):
    server = socket_server()
    server.refuse_once = "server_busy"
    result = run_in_page(
        browser,
        server,
        """
        const socket = AuthdSocket.io(url, { auth: { token: "good-token" }, reconnectionDelay: 50, reconnectionDelayMax: 200 });
        const attempt = next(socket.io, "reconnect_attempt");
        const [error] = await next(socket, "connect_error");
        out.code = error.data.code;
        out.attempt = (await attempt)[0];
        await next(socket, "connect");
        out.connected = socket.connected;
        socket.disconnect();
        done(out);
        """,
    )
    assert result["code"] == "server_busy"
    assert result["attempt"] >= 1
    assert result["connected"] is True
    assert len(connects(server)) == 2


def test_reconnects_after_the_server_closes_the_transport(browser, socket_server):
    server = socket_server()
    result = run_in_page(
        browser,
        server,
        """
        const socket = AuthdSocket.io(url, { auth: { token: "good-token" }, reconnectionDelay: 100, reconnectionDelayMax: 300 });
        await next(socket, "connect");
        out.firstSid = socket.id;
        const lost = next(socket, "disconnect");
        const back = next(socket.io, "reconnect");
        socket.emit("kick", "engine");
        out.reason = (await lost)[0];
        await back;
        if (!socket.connected) await next(socket, "connect");
        out.secondSid = socket.id;
        out.secret = await socket.timeout(5000).emitWithAck("get_secret", {});
        socket.disconnect();
        done(out);
        """,
    )
    assert result["reason"] == "transport close"
    assert result["secondSid"] and result["secondSid"] != result["firstSid"]
    assert SECRET.search(result["secret"]["message"])
    assert [c[1] for c in connects(server)] == [{"token": "good-token"}, {"token": "good-token"}]


def test_revoked_disconnects_without_reconnecting(browser, socket_server):
    server = socket_server()
    result = run_in_page(
        browser,
        server,
        """
        const socket = AuthdSocket.io(url, { auth: { token: "good-token" }, reconnectionDelay: 50, reconnectionDelayMax: 100 });
        await next(socket, "connect");
        const revoked = next(socket, "revoked");
        const lost = next(socket, "disconnect");
        socket.emit("kick", "revoke");
        out.revoked = (await revoked)[0];
        out.reason = (await lost)[0];
        await sleep(1000);
        out.connected = socket.connected;
        out.active = socket.active;
        out.stopReason = socket.stopReason;
        done(out);
        """,
    )
    assert result["revoked"] == {"reason": "logout"}
    assert result["reason"] == "io server disconnect"
    assert result["connected"] is False and result["active"] is False and result["stopReason"] == "revoked"
    assert len(connects(server)) == 1


def test_auth_expired_stops_reconnecting_with_a_fixed_token(browser, socket_server):
    server = socket_server()
    result = run_in_page(
        browser,
        server,
        """
        const socket = AuthdSocket.io(url, { auth: { token: "good-token" }, reconnectionDelay: 50, reconnectionDelayMax: 100 });
        await next(socket, "connect");
        const expired = next(socket, "auth_expired");
        const lost = next(socket, "disconnect");
        socket.emit("kick", "expire");
        out.expired = (await expired)[0];
        out.reason = (await lost)[0];
        await sleep(1000);
        out.connected = socket.connected;
        out.stopReason = socket.stopReason;
        done(out);
        """,
    )
    assert result["expired"] == AUTH_EXPIRED
    assert result["reason"] == "transport close"
    assert result["connected"] is False and result["stopReason"] == "auth_expired"
    assert len(connects(server)) == 1


def test_auth_expired_with_an_auth_callback_reconnects_with_a_fresh_token(browser, socket_server):
    server = socket_server()
    result = run_in_page(
        browser,
        server,
        """
        let token = "good-token";
        const socket = AuthdSocket.io(url, { auth: (cb) => cb({ token }), reconnectionDelay: 50, reconnectionDelayMax: 100 });
        await next(socket, "connect");
        socket.on("auth_expired", () => { token = "fresh-token"; });
        const back = next(socket.io, "reconnect");
        socket.emit("kick", "expire");
        await back;
        if (!socket.connected) await next(socket, "connect");
        out.connected = socket.connected;
        socket.disconnect();
        done(out);
        """,
    )
    assert result["connected"] is True
    assert [c[1] for c in connects(server)] == [{"token": "good-token"}, {"token": "fresh-token"}]


def test_reconnects_when_the_server_restarts(browser, socket_server, client_js):
    first = socket_server()
    browser.get(first.url + "/test.html")
    result = browser.execute_async_script(
        PRELUDE
        + """
        (async () => {
          window.socket = AuthdSocket.io(url, { auth: { token: "good-token" }, reconnectionDelay: 100, reconnectionDelayMax: 400 });
          window.failures = 0;
          socket.on("connect_error", () => window.failures++);
          await next(socket, "connect");
          out.sid = socket.id;
          done(out);
        })().catch(fail);
        """,
        first.url,
        {},
    )
    assert "failure" not in result, result
    first.stop()
    # Down: the client keeps trying (and failing) to reconnect; then a new server comes up on the same port.
    result = browser.execute_async_script(
        PRELUDE
        + """
        (async () => {
          if (socket.connected) out.reason = (await next(socket, "disconnect"))[0];
          while (window.failures < 2) await next(socket, "connect_error");
          out.failures = window.failures;
          done(out);
        })().catch(fail);
        """,
        first.url,
        {},
    )
    assert "failure" not in result, result
    assert result["failures"] >= 2
    second = socket_server(port=first.port)
    result = browser.execute_async_script(
        PRELUDE
        + """
        (async () => {
          if (!socket.connected) await next(socket, "connect", 15000);
          out.secret = await socket.timeout(5000).emitWithAck("get_secret", {});
          socket.disconnect();
          done(out);
        })().catch(fail);
        """,
        second.url,
        {},
    )
    assert "failure" not in result, result
    assert SECRET.search(result["secret"]["message"])
    assert [c[1] for c in connects(second)] == [{"token": "good-token"}]


def test_refresh_token_emits_auth_refresh_and_uses_the_new_token_on_reconnect(browser, socket_server):
    server = socket_server()
    result = run_in_page(
        browser,
        server,
        """
        const socket = AuthdSocket.io(url, { auth: { token: "good-token" }, reconnectionDelay: 50, reconnectionDelayMax: 100 });
        await next(socket, "connect");
        out.ok = await socket.refreshToken("fresh-token");
        try { await socket.refreshToken("forged"); } catch (e) { out.refused = { code: e.code, message: e.message }; }
        try { await socket.refreshToken(""); } catch (e) { out.empty = e.message; }
        const back = next(socket.io, "reconnect");
        socket.emit("kick", "engine");
        await back;
        if (!socket.connected) await next(socket, "connect");
        socket.disconnect();
        done(out);
        """,
    )
    assert result["ok"] == {"ok": True, "expires_in": 900}
    assert result["refused"] == {"code": "token_invalid", "message": "The token is not valid."}
    assert result["empty"] == "token must be a non-empty string"
    refreshes = [e[1] for e in server.events if e[0] == "auth_refresh"]
    assert refreshes == [{"token": "fresh-token"}, {"token": "forged"}]
    assert [c[1] for c in connects(server)] == [{"token": "good-token"}, {"token": "fresh-token"}]


def test_auth_callback_is_asked_on_every_connect(browser, socket_server):
    server = socket_server()
    result = run_in_page(
        browser,
        server,
        """
        let calls = 0;
        const socket = AuthdSocket.io(url, {
          auth: (cb) => { calls++; cb({ token: calls === 1 ? "good-token" : "fresh-token" }); },
          reconnectionDelay: 50, reconnectionDelayMax: 100,
        });
        await next(socket, "connect");
        const back = next(socket.io, "reconnect");
        socket.emit("kick", "engine");
        await back;
        if (!socket.connected) await next(socket, "connect");
        out.calls = calls;
        socket.disconnect();
        done(out);
        """,
    )
    assert result["calls"] == 2
    assert [c[1] for c in connects(server)] == [{"token": "good-token"}, {"token": "fresh-token"}]


def test_heartbeat_answers_pings_and_detects_a_silent_server(browser, socket_server):
    server = socket_server(ping_interval=1, ping_timeout=1)
    browser.get(server.url + "/test.html")
    # Phase 1: pings are answered, so the server keeps the session across several ping intervals.
    result = browser.execute_async_script(
        PRELUDE
        + """
        (async () => {
          window.socket = AuthdSocket.io(url, { auth: { token: "good-token" }, reconnection: false });
          let pings = 0;
          socket.io.on("ping", () => pings++);
          await next(socket, "connect");
          const sid = socket.id;
          await next(socket.io, "ping", 5000);
          await next(socket.io, "ping", 5000);
          await next(socket.io, "ping", 5000);
          out.pings = pings;
          out.sameSid = socket.id === sid && socket.connected;
          done(out);
        })().catch(fail);
        """,
        server.url,
        {},
    )
    assert "failure" not in result, result
    assert result["pings"] >= 3 and result["sameSid"] is True
    # Phase 2: the server's event loop stops answering; the client gives up after pingInterval + pingTimeout.
    server.loop.call_soon_threadsafe(time.sleep, 6)
    result = browser.execute_async_script(
        PRELUDE + "(async () => { out.reason = (await next(socket, 'disconnect', 10000))[0]; done(out); })().catch(fail);",
        server.url,
        {},
    )
    assert result.get("reason") == "ping timeout", result


def test_without_a_url_the_page_origin_and_the_default_namespace_are_used(browser, socket_server):
    server = socket_server()
    result = run_in_page(
        browser,
        server,
        """
        const socket = AuthdSocket.io({ auth: { token: "good-token" } });  // the page is /test.html
        out.nsp = socket.nsp;
        await next(socket, "connect");
        out.echo = await socket.timeout(5000).emitWithAck("echo", location.pathname);
        socket.disconnect();
        done(out);
        """,
    )
    assert result["nsp"] == "/"
    assert result["echo"] == ["/test.html"]


def test_namespaces_share_one_connection(browser, socket_server):
    server = socket_server()
    result = run_in_page(
        browser,
        server,
        """
        const main = AuthdSocket.io(url, { auth: { token: "good-token" } });
        const admin = AuthdSocket.io(url + "/admin", { auth: { token: "good-token" } });
        await Promise.all([next(main, "connect"), next(admin, "connect")]);
        out.shared = main.io === admin.io;
        out.adminEcho = await admin.timeout(5000).emitWithAck("whoami");
        out.mainEcho = await main.timeout(5000).emitWithAck("echo", "main");
        admin.disconnect();
        out.mainStillConnected = main.connected;
        main.disconnect();
        done(out);
        """,
    )
    assert result["shared"] is True
    assert result["adminEcho"] == {"namespace": "/admin"}
    assert result["mainEcho"] == ["main"]
    assert result["mainStillConnected"] is True


def test_node_client_over_websocket_and_polling(socket_server, tmp_path):
    if not Path(NODE).exists():
        pytest.fail("node is needed at /usr/bin/node (Debian package nodejs)")
    if not Path(NODE_PATH, "ws").exists():
        pytest.fail("Node's WebSocket library is needed: `apt-get install node-ws` (.ci/run installs it)")
    driver = tmp_path / "drive.js"
    driver.write_text(
        """
const { io } = require(process.argv[2]);
const WebSocket = require("ws");
const transports = JSON.parse(process.argv[4]);
const out = {};
const timer = setTimeout(() => { console.log(JSON.stringify({ failure: "timeout", out })); process.exit(1); }, 15000);
const socket = io(process.argv[3], { auth: { token: "good-token" }, WebSocket, transports, reconnectionDelay: 50 });
socket.on("question", (data, ack) => ack({ answer: data.n * 2 }));
socket.once("connect", async () => {
  out.transport = socket.io.engine.transport.name;
  out.secret = await socket.timeout(5000).emitWithAck("get_secret", {});
  out.asked = await socket.timeout(5000).emitWithAck("ask_client", { n: 4 });
  const ack = await socket.timeout(5000).emitWithAck("binary_echo", { raw: new Uint8Array([1, 2, 3]) });
  out.binary = Array.from(new Uint8Array(ack.first));
  socket.disconnect();
  clearTimeout(timer);
  console.log(JSON.stringify(out));
});
""",
        encoding="utf-8",
    )
    for transports, websocket, expected in [(["websocket", "polling"], True, "websocket"), (["websocket", "polling"], False, "polling")]:
        server = socket_server(websocket=websocket)
        env = {**os.environ, "NODE_PATH": NODE_PATH}
        run = subprocess.run([NODE, str(driver), str(CLIENT_FILE), server.url, json.dumps(transports)], env=env,
                             capture_output=True, text=True, timeout=30)
        assert run.returncode == 0, run.stdout + run.stderr
        out = json.loads(run.stdout.strip().splitlines()[-1])
        assert out["transport"] == expected
        assert SECRET.search(out["secret"]["message"])
        assert out["asked"] == {"answer": 8}
        assert out["binary"] == [1, 2, 3]


def test_packet_codec_in_node_round_trips_and_rejects_hostile_input(tmp_path):
    """The Socket.IO v5 codec on the spec's examples, and malformed packets fail with an Error, never a crash."""
    driver = tmp_path / "codec.js"
    driver.write_text(
        """
const { encodeSocketPacket: encode, decodeSocketPacket: decode } = require(process.argv[2]);
const out = { decoded: {}, rejected: {} };
for (const text of ['0{"token":"abc"}', '0/admin,{"sid":"x"}', '1/admin,', '2["hello",1]', '2/admin,456["project:delete",123]',
                    '3/admin,456[]', '4{"message":"Not authorized","data":{"code":"token_invalid"}}', '51-["hello",{"_placeholder":true,"num":0}]']) {
  out.decoded[text] = decode(text);
}
for (const text of ['', '9', '2', '2[', '2{}', '2[1]', '3[]', '1{"a":1}', '5x-["a"]', '5999-["a"]', '0[1]', '4[]', '2/admin']) {
  try { decode(text); out.rejected[text] = "accepted"; } catch (e) { out.rejected[text] = e instanceof Error ? "Error" : typeof e; }
}
const binary = encode({ type: 2, nsp: "/", id: 7, data: ["up", { raw: new Uint8Array([1, 2]), list: [new ArrayBuffer(1)] }] });
out.binary = { text: binary.text, sizes: binary.buffers.map((b) => b.byteLength) };
out.plain = encode({ type: 0, nsp: "/admin", data: { token: "t" } }).text;
console.log(JSON.stringify(out));
""",
        encoding="utf-8",
    )
    run = subprocess.run([NODE, str(driver), str(CLIENT_FILE)], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    decoded = out["decoded"]
    assert decoded['0{"token":"abc"}'] == {"type": 0, "nsp": "/", "attachments": 0, "data": {"token": "abc"}}
    assert decoded['0/admin,{"sid":"x"}']["nsp"] == "/admin"
    assert decoded["1/admin,"] == {"type": 1, "nsp": "/admin", "attachments": 0}
    assert decoded['2/admin,456["project:delete",123]'] == {"type": 2, "nsp": "/admin", "attachments": 0, "id": 456,
                                                          "data": ["project:delete", 123]}
    assert decoded['4{"message":"Not authorized","data":{"code":"token_invalid"}}']["data"]["data"] == {"code": "token_invalid"}
    assert decoded['51-["hello",{"_placeholder":true,"num":0}]']["attachments"] == 1
    assert set(out["rejected"].values()) == {"Error"}, out["rejected"]
    assert out["binary"] == {"text": '52-7["up",{"raw":{"_placeholder":true,"num":0},"list":[{"_placeholder":true,"num":1}]}]',
                             "sizes": [2, 1]}
    assert out["plain"] == '0/admin,{"token":"t"}'


def test_served_scripts_are_the_resource_files(authd_bin, tmp_path):
    """`authd serve` serves the embedded resource files byte for byte, as JavaScript that Node parses."""
    from test_http_api import Server

    server = Server(authd_bin, tmp_path / "data").start()
    try:
        for path, name in [("/static/authd-socket.js", "authd-socket.js"), ("/static/dashboard.js", "dashboard.js")]:
            response = requests.get(server.url + path, timeout=10)
            assert response.status_code == 200
            assert response.headers["Content-Type"] == "application/javascript; charset=utf-8"
            assert response.headers["Cache-Control"] == "public, max-age=3600"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.content.decode("utf-8") == page_asset(name)
            cached = requests.get(server.url + path, headers={"If-None-Match": response.headers["ETag"]}, timeout=10)
            assert cached.status_code == 304
            served = tmp_path / path.rsplit("/", 1)[1]
            served.write_bytes(response.content)
            check = subprocess.run([NODE, "--check", str(served)], capture_output=True, text=True, timeout=30)
            assert check.returncode == 0, check.stderr
    finally:
        server.kill()
