# SPDX-License-Identifier: Apache-2.0
"""SIGHUP: `authd serve` re-reads its configuration file and applies the log level and the allowed origins while it
runs; other changes are named as needing a restart; a configuration that does not resolve changes nothing."""
import json
import signal
import time

import requests

from test_http_api import PASSWORD, register, server_factory  # noqa: F401 (a fixture)


def handshake(server, origin):
    """An Engine.IO polling handshake from a browser page at `origin`: (status, CORS origin header)."""
    response = requests.get(server.url + "/socket.io/?EIO=4&transport=polling", headers={"Origin": origin}, timeout=5)
    return response.status_code, response.headers.get("Access-Control-Allow-Origin")


def wait_for_log(server, text, count, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.logs().count(text) >= count:
            return True
        time.sleep(0.05)
    return False


def test_sighup_applies_log_level_and_origins(server_factory, tmp_path):
    config = tmp_path / "authd.json"
    config.write_text(json.dumps({"log-level": "info", "allowed-origins": ""}))
    server = server_factory("--config", str(config))
    assert handshake(server, "http://app.example")[0] == 403
    register(server, "ada")
    assert '"level":"debug"' not in server.logs() and " debug " not in server.logs()

    config.write_text(json.dumps({"log-level": "debug", "allowed-origins": "http://app.example", "issuer": "changed"}))
    server.process.send_signal(signal.SIGHUP)
    assert wait_for_log(server, "Configuration reloaded", 1), server.logs()
    assert "apply only after a restart" in server.logs() and "issuer" in server.logs()
    assert handshake(server, "http://app.example") == (200, "http://app.example")
    assert handshake(server, "http://evil.example")[0] == 403
    register(server, "grace")
    assert '"level":"debug"' in server.logs() or " debug " in server.logs(), "debug records did not appear after the reload"

    # A file that does not resolve is refused, and the running settings stay.
    config.write_text(json.dumps({"log-level": "loud"}))
    server.process.send_signal(signal.SIGHUP)
    assert wait_for_log(server, "Configuration reload refused", 1), server.logs()
    assert handshake(server, "http://app.example") == (200, "http://app.example")
    assert server.post("/api/login", {"username": "ada", "password": PASSWORD}).status_code == 200
    assert server.process.poll() is None
    assert server.stop() == 0
