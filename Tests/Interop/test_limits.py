# SPDX-License-Identifier: Apache-2.0
"""Rate limits, lockouts and the audit log against the real `authd serve` binary on loopback.

Source addresses: every 127.0.0.0/8 address is the loopback interface on Linux, so a client bound to 127.0.0.2 and
one bound to 127.0.0.3 reach the same server as two different clients.
"""
import json
import re

import pytest
import requests
from requests.adapters import HTTPAdapter
from test_http_api import PASSWORD, TIMEOUT, login, register, server_factory  # noqa: F401 (fixture)
from test_realtime import Recorder, clients  # noqa: F401 (fixture)


class SourceAddressAdapter(HTTPAdapter):
    """Sends from a chosen loopback address."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_from(address: str) -> requests.Session:
    session = requests.Session()
    session.mount("http://", SourceAddressAdapter(address))
    return session


def attempt(session, server, username="ada", password="wrong", headers=None):
    return session.post(server.url + "/api/login", json={"username": username, "password": password}, headers=headers or {}, timeout=TIMEOUT)


def test_login_burst_gets_429_with_retry_after_and_the_api_error(server_factory):
    server = server_factory("--login-rate-limit", "3/1m", "--login-address-rate-limit", "100/1m")
    register(server)
    session = client_from("127.0.0.2")
    statuses = [attempt(session, server, password=PASSWORD).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = attempt(session, server, password=PASSWORD)
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"] == "rate_limited"
    assert re.fullmatch(r"[1-9][0-9]*", refused.headers["Retry-After"]), refused.headers
    assert 1 <= int(refused.headers["Retry-After"]) <= 20
    # The login bucket is per address and account: another account from the same address still works.
    register(server, "bob", email=None)
    assert attempt(session, server, username="bob", password=PASSWORD).status_code == 200


def test_owner_logs_in_from_home_while_an_attacker_is_locked_out(server_factory):
    server = server_factory()
    register(server)
    attacker, owner = client_from("127.0.0.3"), client_from("127.0.0.2")
    statuses = [attempt(attacker, server).status_code for _ in range(30)]
    assert statuses[:5] == [401] * 5, statuses
    assert set(statuses[5:]) == {429}, statuses
    locked = attempt(attacker, server, password=PASSWORD)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) >= 30
    # The real user, from their own address, is not affected.
    ok = attempt(owner, server, password=PASSWORD)
    assert ok.status_code == 200, ok.text
    assert ok.json()["access_token"]
    assert 500 not in statuses


def test_forwarded_for_is_honoured_only_from_a_trusted_proxy(server_factory):
    server = server_factory("--trusted-proxies", "127.0.0.1", "--login-address-rate-limit", "2/1h")
    register(server)
    proxy, stranger = client_from("127.0.0.1"), client_from("127.0.0.5")
    # Through the trusted proxy, each forwarded client has its own bucket.
    for index in range(4):
        forwarded = {"X-Forwarded-For": f"203.0.113.{index + 1}"}
        assert [attempt(proxy, server, password=PASSWORD, headers=forwarded).status_code for _ in range(2)] == [200, 200]
    # An untrusted peer cannot choose its key by writing the header: all its attempts share one bucket.
    statuses = [
        attempt(stranger, server, password=PASSWORD, headers={"X-Forwarded-For": f"198.51.100.{index}"}).status_code
        for index in range(4)
    ]
    assert statuses == [200, 200, 429, 429], statuses


def test_rate_limits_off_lifts_every_limit(server_factory):
    server = server_factory("--rate-limits", "off", "--login-rate-limit", "1/1h")
    register(server)
    session = client_from("127.0.0.3")
    statuses = [attempt(session, server).status_code for _ in range(15)]
    assert statuses == [401] * 15
    assert attempt(session, server, password=PASSWORD).status_code == 200
    assert "Rate limits and login lockouts are off" in server.logs()


def test_register_and_forgot_password_limits(server_factory):
    server = server_factory("--register-rate-limit", "2/1h", "--forgot-password-rate-limit", "2/1h")
    session = client_from("127.0.0.4")
    codes = [
        session.post(server.url + "/api/register", json={"username": f"user{i}", "password": PASSWORD}, timeout=TIMEOUT).status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]
    forgot = [session.post(server.url + "/api/password/forgot", json={"username": "user0"}, timeout=TIMEOUT) for _ in range(3)]
    assert [r.status_code for r in forgot] == [202, 202, 429]
    assert forgot[0].json() == forgot[1].json()
    assert forgot[2].json()["error"] == "rate_limited" and forgot[2].headers["Retry-After"]


def test_socket_handshake_burst_gets_connect_error_rate_limited(server_factory, clients):  # noqa: F811
    server = server_factory("--socket-rate-limit", "3/1m")
    register(server)
    token = login(server)["access_token"]
    for _ in range(3):
        recorder = clients().connect(server, token)
        assert recorder.wait_for("server_response") == {"message": "Connected as ada"}
        recorder.close()
    refused = clients()
    with pytest.raises(Exception):
        refused.connect(server, token)
    data = refused.connect_error
    assert data is not None
    assert data["data"]["code"] == "rate_limited", data
    assert isinstance(data["data"]["retry_after"], int) and data["data"]["retry_after"] >= 1
    assert data["message"]


def test_audit_shows_the_events_and_nothing_secret_leaks(server_factory, authd):
    server = server_factory("--socket-rate-limit", "2/1m")
    register(server)
    tokens = login(server)
    attacker = client_from("127.0.0.3")
    for _ in range(7):
        attempt(attacker, server)
    refreshed = server.post("/api/token/refresh", {"refresh_token": tokens["refresh_token"]}).json()
    server.post("/api/token/refresh", {"refresh_token": tokens["refresh_token"]})  # reuse: the family is revoked
    server.post("/api/password/forgot", {"username": "ada"})
    recorder = Recorder()
    try:
        with pytest.raises(Exception):
            recorder.connect(server, "not-a-token")
    finally:
        recorder.close()

    result = authd("audit", "--data-dir", str(server.data_dir), "--json")
    assert result.returncode == 0, result.stderr
    events = json.loads(result.stdout)["events"]
    kinds = {event["kind"] for event in events}
    assert {"register", "login_ok", "login_failed", "lockout", "refresh_reuse", "reset_requested", "socket_refused"} <= kinds, kinds
    lockout = next(event for event in events if event["kind"] == "lockout")
    assert lockout["address"] == "127.0.0.3" and lockout["username"] == "ada"
    refused = next(event for event in events if event["kind"] == "socket_refused")
    assert refused["detail"] == "token_malformed"
    only_ada = json.loads(authd("audit", "--data-dir", str(server.data_dir), "--json", "--user", "ada", "--limit", "3").stdout)["events"]
    assert len(only_ada) == 3 and all(event["username"] == "ada" or event["user_id"] for event in only_ada)
    text = authd("audit", "--data-dir", str(server.data_dir), "--since", "1h").stdout.decode()
    assert "lockout" in text

    secrets = [PASSWORD, tokens["access_token"], tokens["refresh_token"], refreshed["refresh_token"], refreshed["access_token"]]
    outbox = list((server.data_dir / "outbox").glob("*.eml"))
    reset_links = re.findall(r"reset-password/([A-Za-z0-9_\-]+)", "".join(p.read_text() for p in outbox))
    for output in (result.stdout.decode(), text, server.logs()):
        for secret in secrets + reset_links:
            assert secret not in output
    assert "wrong" not in result.stdout.decode()


def test_pages_show_a_friendly_429_page(server_factory):
    from test_pages import Browser

    server = server_factory("--login-rate-limit", "2/1m")
    register(server)
    browser = Browser(server)
    for _ in range(2):
        assert browser.submit("/login", {"username": "ada", "password": "wrong"}).status_code == 401
    refused = browser.submit("/login", {"username": "ada", "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.headers["Content-Type"].startswith("text/html")
    assert int(refused.headers["Retry-After"]) >= 1
    assert "Too many attempts" in refused.text and "try again" in refused.text


def test_audit_cli_refuses_bad_input(server_factory, authd):
    server = server_factory()
    for args in (["--since", "yesterday"], ["--limit", "0"]):
        result = authd("audit", "--data-dir", str(server.data_dir), *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert b"--since" in result.stderr or b"--limit" in result.stderr


def test_sighup_reloads_the_limits(server_factory, tmp_path):
    import signal

    from test_reload import wait_for_log

    config = tmp_path / "authd.json"
    config.write_text(json.dumps({"register-rate-limit": "1/1h"}))
    server = server_factory("--config", str(config))
    session = client_from("127.0.0.6")

    def register_as(name):
        return session.post(server.url + "/api/register", json={"username": name, "password": PASSWORD}, timeout=TIMEOUT)

    assert register_as("one").status_code == 201
    before = register_as("two")
    assert before.status_code == 429 and int(before.headers["Retry-After"]) > 3_000
    # A new limit applies to the bucket as it is: empty, it now refills one token every 12 minutes instead of 60.
    config.write_text(json.dumps({"register-rate-limit": "5/1h"}))
    server.process.send_signal(signal.SIGHUP)
    assert wait_for_log(server, "Configuration reloaded", 1), server.logs()
    after = register_as("three")
    assert after.status_code == 429 and int(after.headers["Retry-After"]) <= 720
    assert "register-rate-limit" not in "".join(line for line in server.logs().splitlines() if "only after a restart" in line)
    config.write_text(json.dumps({"rate-limits": "off"}))
    server.process.send_signal(signal.SIGHUP)
    assert wait_for_log(server, "Configuration reloaded", 2), server.logs()
    assert [register_as(f"more{i}").status_code for i in range(6)] == [201] * 6
    assert "Rate limits and login lockouts are off" in server.logs()
