# SPDX-License-Identifier: Apache-2.0
"""The Engine.IO server of authd (`authd conformance`, the echo server at /engine.io/) against the real
python-engineio client over polling only, WebSocket only and polling upgraded to WebSocket, plus raw HTTP error
codes."""
import json
import queue
import socket
import subprocess
import threading
import time

import engineio
import pytest
import requests
import websocket

PATH = "engine.io"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(authd_bin):
    port = _free_port()
    process = subprocess.Popen(
        [str(authd_bin), "conformance", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"authd conformance did not start: {process.stderr.read().decode(errors='replace')}")
            time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def server(authd_bin):
    process, url = _start(authd_bin)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("authd conformance did not stop on SIGTERM")
    assert process.returncode == 0


def _client():
    client = engineio.Client()
    received = queue.Queue()
    client.on("message", lambda data: received.put(data))
    return client, received


@pytest.mark.parametrize(
    "transports, expected",
    [(["polling"], "polling"), (["websocket"], "websocket"), (["polling", "websocket"], "websocket")],
    ids=["polling", "websocket", "upgrade"],
)
def test_echo_text_and_binary(server, transports, expected):
    client, received = _client()
    client.connect(server, transports=transports, engineio_path=PATH)
    try:
        assert client.transport() == expected
        client.send("héllo")
        assert received.get(timeout=5) == "héllo"
        client.send(b"\x00\x01\x02\xff")
        assert received.get(timeout=5) == b"\x00\x01\x02\xff"
        for i in range(20):
            client.send(f"message {i}")
        assert [received.get(timeout=5) for _ in range(20)] == [f"message {i}" for i in range(20)]
    finally:
        client.disconnect()


def test_session_survives_heartbeats(server):
    """pingInterval is 300 ms: the client answers several pings and the session stays open."""
    client, received = _client()
    client.connect(server, transports=["websocket"], engineio_path=PATH)
    try:
        time.sleep(1.2)
        client.send("still here")
        assert received.get(timeout=5) == "still here"
    finally:
        client.disconnect()


def _error(response):
    return response.status_code, response.json()


def test_unknown_sid(server):
    response = requests.get(f"{server}/{PATH}/?EIO=4&transport=polling&sid=nope", timeout=5)
    assert _error(response) == (400, {"code": 1, "message": "Session ID unknown"})


def test_unknown_transport(server):
    response = requests.get(f"{server}/{PATH}/?EIO=4&transport=carrier-pigeon", timeout=5)
    assert _error(response) == (400, {"code": 0, "message": "Transport unknown"})


def test_bad_handshake_method(server):
    response = requests.post(f"{server}/{PATH}/?EIO=4&transport=polling", data="4x", timeout=5)
    assert _error(response) == (400, {"code": 2, "message": "Bad handshake method"})


def test_eio3_refused(server):
    response = requests.get(f"{server}/{PATH}/?EIO=3&transport=polling", timeout=5)
    assert _error(response) == (400, {"code": 5, "message": "Unsupported protocol version"})


def _handshake(server):
    response = requests.get(f"{server}/{PATH}/?EIO=4&transport=polling", timeout=5)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("0")
    return json.loads(response.text[1:])


def test_oversize_post_refused_and_session_closed(server):
    handshake = _handshake(server)
    url = f"{server}/{PATH}/?EIO=4&transport=polling&sid={handshake['sid']}"
    response = requests.post(url, data=b"4" + b"x" * handshake["maxPayload"], timeout=10)
    assert response.status_code == 413
    assert requests.get(url, timeout=5).status_code == 400


def test_foreign_origin_refused_on_polling(server):
    response = requests.get(
        f"{server}/{PATH}/?EIO=4&transport=polling", headers={"Origin": "https://evil.example"}, timeout=5
    )
    assert _error(response) == (403, {"code": 4, "message": "Forbidden"})


def test_same_origin_allowed_on_polling(server):
    response = requests.get(f"{server}/{PATH}/?EIO=4&transport=polling", headers={"Origin": server}, timeout=5)
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_foreign_origin_refused_on_websocket(server):
    url = server.replace("http", "ws") + f"/{PATH}/?EIO=4&transport=websocket"
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(url, origin="https://evil.example", timeout=5)
    assert refused.value.status_code in (400, 403)
    # Without a foreign Origin the same request is upgraded and receives the open packet.
    ws = websocket.create_connection(url, timeout=5)
    try:
        assert ws.recv().startswith("0{")
    finally:
        ws.close()


def _raw_upgrade(server, query, origin=None):
    """Sends a WebSocket upgrade request by hand; returns (status, headers, body) of a refusal."""
    port = int(server.rsplit(":", 1)[1])
    extra = f"Origin: {origin}\r\n" if origin else ""
    request = (
        f"GET /{PATH}/?{query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), 5) as raw:
        raw.settimeout(5)
        raw.sendall(request.encode())
        answer = b""
        while chunk := raw.recv(4096):  # the server closes after a refusal
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize(
    "query, origin, status, error",
    [
        ("EIO=3&transport=websocket", None, 400, {"code": 5, "message": "Unsupported protocol version"}),
        ("EIO=4&transport=websocket&sid=nope", None, 400, {"code": 1, "message": "Session ID unknown"}),
        ("EIO=4&transport=carrier-pigeon", None, 400, {"code": 0, "message": "Transport unknown"}),
        ("EIO=4&transport=websocket", "https://evil.example", 403, {"code": 4, "message": "Forbidden"}),
    ],
    ids=["eio3", "unknown-sid", "bad-transport", "foreign-origin"],
)
def test_refused_websocket_upgrade_gets_the_json_error(server, query, origin, status, error):
    """A WebSocket request that cannot be upgraded gets the same JSON error as polling, then the connection closes."""
    code, headers, body = _raw_upgrade(server, query, origin)
    assert code == status
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close"
    assert json.loads(body) == error


def test_overlapping_posts_close_the_session(server):
    """The reference server refuses a second data request while one is in flight, and closes the session."""
    sid = _handshake(server)["sid"]
    port = int(server.rsplit(":", 1)[1])
    path = f"/{PATH}/?EIO=4&transport=polling&sid={sid}"
    with socket.create_connection(("127.0.0.1", port), 5) as slow:
        # A POST whose body is not complete yet: the server is reading it.
        slow.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 6\r\n\r\n4he".encode())
        time.sleep(0.1)  # lets the server start on it (synchronisation, not an assertion; pings time out at 500 ms)
        second = requests.post(server + path, data="4x", timeout=5)
        assert _error(second) == (400, {"code": 3, "message": "Bad request"})
        slow.sendall(b"llo")
        slow.settimeout(5)
        assert slow.recv(4096).startswith(b"HTTP/1.1 400")
    assert requests.get(server + path, timeout=5).status_code == 400


def test_sigterm_ends_a_pending_poll_with_close(authd_bin):
    """Graceful shutdown closes the session: a waiting poll gets `1` at once and authd exits 0."""
    process, url = _start(authd_bin)
    try:
        sid = _handshake(url)["sid"]
        result = queue.Queue()
        poller = threading.Thread(
            target=lambda: result.put(requests.get(f"{url}/{PATH}/?EIO=4&transport=polling&sid={sid}", timeout=10))
        )
        poller.start()
        time.sleep(0.1)  # lets the poll reach the server (synchronisation; the first ping is due at 300 ms)
        process.terminate()
        response = result.get(timeout=10)
        assert (response.status_code, response.text) == (200, "1")
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()


def test_sigterm_closes_open_websockets_and_exits(authd_bin):
    """Graceful shutdown with WebSocket sessions open: each gets `1` then a close frame, and authd exits 0 (the
    HTTP server waits for its connections, so a WebSocket left open would hang the shutdown)."""
    process, url = _start(authd_bin)
    try:
        ws_url = url.replace("http", "ws") + f"/{PATH}/?EIO=4&transport=websocket"
        sockets = [websocket.create_connection(ws_url, timeout=10) for _ in range(3)]
        for ws in sockets:
            assert ws.recv().startswith("0{")
        process.terminate()
        for ws in sockets:
            received = []
            while True:
                opcode, data = ws.recv_data(control_frame=True)
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    break
                if opcode == websocket.ABNF.OPCODE_TEXT and data != b"2":  # a ping may still be in flight
                    received.append(data)
            assert received == [b"1"]
            ws.close()
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
