# SPDX-License-Identifier: Apache-2.0
"""End to end: the connection limits and timeouts of the real `authd serve`, its graceful shutdown with a deadline,
and Engine.IO sessions bound to their handshake (client address, credential).

Clients come from chosen loopback source addresses (127.0.0.2, 127.0.0.3) so that per-address limits and the
address binding can be seen; limits are configured small so that each case needs few connections.
"""
import http.client
import json
import re
import signal
import socket
import threading
import time

import pytest
import requests
import socketio

from test_http_api import PASSWORD, TIMEOUT, login, register, server_factory  # noqa: F401 (fixture)

EIO = "/socket.io/?EIO=4&transport=polling"


def raw_connection(server, source="127.0.0.1", send=b""):
    """A TCP connection to the server from `source`, having sent `send`."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT, source_address=(source, 0))
    if send:
        sock.sendall(send)
    return sock


def closed_by_server(sock, within):
    """Whether the server closes `sock` within `within` seconds (a read returns EOF or a reset)."""
    sock.settimeout(within)
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def request(server, method, path, source="127.0.0.1", headers=None, body=None):
    """One HTTP request from `source`; returns (status, body text)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT, source_address=(source, 0))
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def handshake(server, source="127.0.0.1", headers=None):
    """An Engine.IO polling handshake; returns the sid."""
    status, body = request(server, "GET", EIO, source=source, headers=headers)
    assert status == 200, body
    assert body.startswith("0"), body
    return json.loads(body[1:])["sid"]


def upgrade_status(server, sid, source, headers=None):
    """The status code of a WebSocket upgrade request for `sid` (None: a new session) from `source`."""
    query = f"&sid={sid}" if sid else ""
    lines = [
        f"GET /socket.io/?EIO=4&transport=websocket{query} HTTP/1.1",
        f"Host: 127.0.0.1:{server.port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        *[f"{name}: {value}" for name, value in (headers or {}).items()],
    ]
    with raw_connection(server, source, ("\r\n".join(lines) + "\r\n\r\n").encode()) as sock:
        sock.settimeout(TIMEOUT)
        head = b""
        while b"\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
        return int(head.split(b" ")[1])


def page_cookie(server):
    """The page session cookie of a logged-in browser, as a Cookie header value."""
    browser = requests.Session()
    page = browser.get(server.url + "/login", timeout=TIMEOUT).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = browser.post(server.url + "/login", data={"username": "ada", "password": PASSWORD, "csrf_token": csrf}, timeout=TIMEOUT)
    assert response.status_code == 200
    return "; ".join(f"{c.name}={c.value}" for c in browser.cookies)


def test_slowloris_connections_are_closed_after_the_header_timeout(server_factory):
    server = server_factory("--header-timeout", "2")
    held = [raw_connection(server, send=b"GET /healthz HT") for _ in range(200)]
    try:
        started = time.monotonic()
        # The server still serves while they are held.
        assert requests.get(server.url + "/healthz", timeout=TIMEOUT).status_code == 200
        for sock in held:
            remaining = max(0.1, started + 2 + 10 - time.monotonic())
            assert closed_by_server(sock, remaining), "a half-sent request line outlived the header timeout + 10 s"
        assert requests.get(server.url + "/healthz", timeout=TIMEOUT).status_code == 200
        metrics = requests.get(server.url + "/metrics", timeout=TIMEOUT).text
        timed_out = re.search(r'authd_connections_timed_out_total\{phase="request_head"\} (\d+)', metrics)
        assert timed_out and int(timed_out.group(1)) >= 200
    finally:
        for sock in held:
            sock.close()


def test_connections_beyond_the_per_address_limit_are_closed_at_once(server_factory):
    server = server_factory("--max-connections-per-ip", "5", "--header-timeout", "60")
    held = [raw_connection(server, "127.0.0.2") for _ in range(6)]
    try:
        # Each connection is counted on the event loop it was given, so which of six opened back to back is the one
        # too many depends on the threads: exactly one is closed, whichever it is, and the other five stay open.
        closed = []
        deadline = time.monotonic() + TIMEOUT
        while not closed and time.monotonic() < deadline:
            closed = [sock for sock in held if closed_by_server(sock, 0.05)]
        assert len(closed) == 1, f"{len(closed)} of 6 connections closed, expected exactly 1"
        held.remove(closed[0])
        closed[0].close()
        for sock in held:
            assert not closed_by_server(sock, 0.2)  # still open
        assert request(server, "GET", "/healthz", source="127.0.0.3")[0] == 200
    finally:
        for sock in held:
            sock.close()
    # Their slots are free again once they close.
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            if request(server, "GET", "/healthz", source="127.0.0.2")[0] == 200:
                break
        except (ConnectionError, http.client.HTTPException):
            time.sleep(0.1)
    else:
        pytest.fail("127.0.0.2 could not connect again after its connections closed")
    metrics = requests.get(server.url + "/metrics", timeout=TIMEOUT).text
    assert re.search(r'authd_connections_refused_total\{reason="per_address"\} [1-9]', metrics), metrics


def test_connections_beyond_the_total_limit_are_closed_and_logged(server_factory):
    server = server_factory("--max-connections", "10", "--header-timeout", "60")
    time.sleep(0.5)  # the readiness probe's connection is closed
    held = []
    try:
        for index in range(10):
            held.append(raw_connection(server, f"127.0.0.{2 + index}"))
        time.sleep(0.5)
        refused = [raw_connection(server, "127.0.0.20") for _ in range(3)]
        for sock in refused:
            assert closed_by_server(sock, 5)
            sock.close()
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + TIMEOUT
    while "Connections refused: limit reached" not in server.logs() and time.monotonic() < deadline:
        time.sleep(0.1)
    logs = server.logs()
    # Three refusals, one warning (at most one per 10 s).
    assert logs.count("Connections refused: limit reached") == 1, logs
    # Until the server has seen the held connections close, a new one can still be refused: count those too.
    refused_here = 0
    while True:
        try:
            metrics = requests.get(server.url + "/metrics", timeout=TIMEOUT).text
            break
        except requests.ConnectionError:
            refused_here += 1
            assert refused_here < 50, "the server kept refusing connections after the held ones closed"
            time.sleep(0.1)
    expected = 3 + refused_here
    assert re.search(rf'authd_connections_refused_total\{{reason="total"\}} {expected}\b', metrics), metrics


def test_sessions_awaiting_connect_are_capped_per_address(server_factory):
    server = server_factory("--socket-max-awaiting-per-ip", "3")
    for _ in range(3):
        handshake(server, "127.0.0.2")
    status, body = request(server, "GET", EIO, source="127.0.0.2")
    assert status == 503, body
    assert upgrade_status(server, None, "127.0.0.2") == 503
    # Another address is not affected.
    handshake(server, "127.0.0.3")
    # Sockets that have connected their namespace no longer count: five authenticated clients from 127.0.0.1 (more
    # than the cap of 3) stay connected together.
    register(server)
    token = login(server)["access_token"]
    connected = []
    try:
        for _ in range(5):
            client = socketio.Client(reconnection=False)
            client.connect(server.url, auth={"token": token}, transports=["polling"], wait_timeout=TIMEOUT)
            connected.append(client)
    finally:
        for client in connected:
            client.disconnect()


def test_a_sid_used_from_another_address_is_unknown(server_factory):
    server = server_factory("--socket-ping-interval", "1")
    sid = handshake(server, "127.0.0.2")
    status, body = request(server, "GET", f"{EIO}&sid={sid}", source="127.0.0.3")
    assert (status, json.loads(body)) == (400, {"code": 1, "message": "Session ID unknown"})
    status, body = request(server, "POST", f"{EIO}&sid={sid}", source="127.0.0.3", body="40")
    assert (status, json.loads(body)) == (400, {"code": 1, "message": "Session ID unknown"})
    assert upgrade_status(server, sid, "127.0.0.3") == 400
    # The session is untouched for its own client: the next poll gets the heartbeat.
    status, body = request(server, "GET", f"{EIO}&sid={sid}", source="127.0.0.2")
    assert (status, body) == (200, "2")
    assert upgrade_status(server, sid, "127.0.0.2") == 101
    assert sid not in server.logs()  # the sid is logged at debug only


def echo_handshake(server, headers=None):
    """A polling handshake that keeps the session cookie the server sets; returns (sid, that cookie)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        connection.request("GET", EIO, headers=headers or {})
        response = connection.getresponse()
        body = response.read().decode()
        assert response.status == 200 and body.startswith("0"), body
        set_cookie = response.getheader("Set-Cookie")
        assert set_cookie and set_cookie.startswith("authd_eio=") and "HttpOnly" in set_cookie and "Path=/socket.io/" in set_cookie
        return json.loads(body[1:])["sid"], set_cookie.split(";")[0]
    finally:
        connection.close()


def test_a_sid_used_without_its_credential_is_unknown(server_factory):
    server = server_factory("--socket-ping-interval", "1")
    register(server)
    cookie = page_cookie(server)
    sid, echo = echo_handshake(server, headers={"Cookie": cookie})
    # Another credential is never accepted, nor is another session cookie.
    for headers in ({"Cookie": "authd_session=forged"}, {"Cookie": f"{cookie}; authd_eio=forged"}):
        status, body = request(server, "GET", f"{EIO}&sid={sid}", headers=headers)
        assert (status, json.loads(body)) == (400, {"code": 1, "message": "Session ID unknown"})
        assert upgrade_status(server, sid, "127.0.0.1", headers) == 400
    # The client that keeps cookies carries both back; other cookies may change. From then on the session is latched:
    # the sid alone (no credential, no session cookie), even from the same address, is unknown.
    status, body = request(server, "GET", f"{EIO}&sid={sid}", headers={"Cookie": f"{cookie}; theme=dark; {echo}"})
    assert (status, body) == (200, "2")
    status, body = request(server, "GET", f"{EIO}&sid={sid}")
    assert (status, json.loads(body)) == (400, {"code": 1, "message": "Session ID unknown"})
    assert upgrade_status(server, sid, "127.0.0.1", {}) == 400

    # A client that sends its Bearer header with the handshake only (python-socketio's `headers=`) goes on with the
    # session cookie; a wrong token is refused.
    token = login(server)["access_token"]
    sid, echo = echo_handshake(server, headers={"Authorization": f"Bearer {token}"})
    status, body = request(server, "POST", f"{EIO}&sid={sid}", headers={"Authorization": "Bearer forged"}, body="40")
    assert (status, json.loads(body)) == (400, {"code": 1, "message": "Session ID unknown"})
    status, body = request(server, "POST", f"{EIO}&sid={sid}", headers={"Cookie": echo}, body="40")
    assert (status, body) == (200, "ok")
    status, body = request(server, "POST", f"{EIO}&sid={sid}", body="42[\"get_secret\"]")
    assert (status, json.loads(body)) == (400, {"code": 1, "message": "Session ID unknown"})


@pytest.mark.parametrize("credential", ["bearer", "cookie"])
def test_python_socketio_upgrades_from_polling_to_websocket(server_factory, credential):
    server = server_factory()
    register(server)
    if credential == "bearer":
        headers = {"Authorization": f"Bearer {login(server)['access_token']}"}
    else:
        headers = {"Cookie": page_cookie(server)}
    client = socketio.Client(reconnection=False)
    greeted = threading.Event()
    client.on("server_response", lambda data: greeted.set())
    client.connect(server.url, transports=["polling", "websocket"], headers=headers, wait_timeout=TIMEOUT)
    try:
        assert greeted.wait(TIMEOUT)
        deadline = time.monotonic() + TIMEOUT
        while client.transport() != "websocket" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.transport() == "websocket"
        answer = client.call("get_secret", timeout=TIMEOUT)
        assert "Secret Code" in answer["message"]
    finally:
        client.disconnect()


def test_sigterm_closes_what_is_left_after_the_grace_period(server_factory):
    server = server_factory("--shutdown-grace", "3", "--header-timeout", "60")
    half_sent = [raw_connection(server, send=b"GET /healthz HT") for _ in range(50)]
    # A request whose body never completes is in flight until the deadline.
    stuck = raw_connection(server, send=b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
    time.sleep(0.5)
    try:
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        code = server.process.wait(timeout=3 + 15)
        elapsed = time.monotonic() - started
        assert code == 0, server.logs()
        assert elapsed < 3 + 15
        for sock in half_sent:
            assert closed_by_server(sock, 1)
    finally:
        for sock in half_sent + [stuck]:
            sock.close()


def test_sigterm_disconnects_sockets_and_does_not_wait_for_the_grace_period(server_factory):
    server = server_factory("--shutdown-grace", "60")
    register(server)
    token = login(server)["access_token"]
    clients = []
    for transports in (["websocket"], ["polling"]):
        client = socketio.Client(reconnection=False)
        disconnected = threading.Event()
        client.on("disconnect", lambda *args, event=disconnected: event.set())
        client.connect(server.url, auth={"token": token}, transports=transports, wait_timeout=TIMEOUT)
        clients.append((client, disconnected))
    idle = raw_connection(server)  # a keep-alive connection without a request
    try:
        server.process.send_signal(signal.SIGTERM)
        # Well before the 60 s grace: nothing in flight holds the shutdown.
        assert server.process.wait(timeout=30) == 0, server.logs()
        for _, disconnected in clients:
            assert disconnected.wait(TIMEOUT)
        assert closed_by_server(idle, 1)
    finally:
        idle.close()
        for client, _ in clients:
            client.disconnect()
