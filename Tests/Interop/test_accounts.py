# SPDX-License-Identifier: Apache-2.0
"""End to end against the real `authd serve`: password change, "sign out my other sessions", the session idle
timeout, the notice mailed after a reset or a change, and the pages for the first two (requests + python-socketio).
"""
import email
import email.policy
import re
import time
from pathlib import Path

import pytest

from test_http_api import PASSWORD, login, register, server_factory  # noqa: F401 (fixture)
from test_pages import Browser, csrf_in
from test_realtime import clients  # noqa: F401 (fixture)

NEW_PASSWORD = "a completely new passphrase"
RESET_LINK = re.compile(r"/reset-password/(adpr_[A-Za-z0-9_-]+)")


def mails(outbox: Path, count: int, timeout: float = 10):
    """The first `count` mails of the outbox, oldest first, waiting (bounded) until there are that many."""
    deadline = time.monotonic() + timeout
    while True:
        files = sorted(outbox.glob("*.eml")) if outbox.exists() else []
        if len(files) >= count:
            return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default) for path in files[:count]]
        if time.monotonic() > deadline:
            pytest.fail(f"{len(files)} mails in {outbox} after {timeout}s, wanted {count}")
        time.sleep(0.05)


def test_password_change_revokes_the_other_session_and_closes_its_socket(server_factory, clients, tmp_path):
    server = server_factory()
    register(server)
    mine, other = login(server), login(server)
    other_socket = clients().connect(server, other["access_token"])
    my_socket = clients().connect(server, mine["access_token"])
    other_socket.wait_for("server_response")

    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert server.post("/api/password/change", body).status_code == 401
    wrong = server.post("/api/password/change", {**body, "current_password": "not the password"}, token=mine["access_token"])
    assert wrong.status_code == 403 and wrong.json()["error"] == "invalid_current_password", wrong.text
    weak = server.post("/api/password/change", {**body, "new_password": "password"}, token=mine["access_token"])
    assert weak.status_code == 422 and weak.json()["error"] == "password_policy", weak.text
    assert server.post("/api/password/change", {"current_password": PASSWORD}, token=mine["access_token"]).status_code == 400

    changed = server.post("/api/password/change", body, token=mine["access_token"])
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"revoked_sessions": 1}

    assert other_socket.wait_for("revoked") == {"reason": "password_change"}
    assert other_socket.disconnected.wait(10)
    assert not my_socket.disconnected.is_set()
    assert "ada" in my_socket.client.call("get_secret", timeout=10)["message"]
    refused = server.post("/api/token/refresh", {"refresh_token": other["refresh_token"]})
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_refresh_token"
    assert server.post("/api/token/refresh", {"refresh_token": mine["refresh_token"]}).status_code == 200
    assert server.post("/api/login", {"username": "ada", "password": PASSWORD}).status_code == 401
    login(server, password=NEW_PASSWORD)

    (notice,) = mails(tmp_path / "data" / "outbox", 1)
    assert notice["Subject"] == "Your authd password was changed"
    text = notice.get_content()
    assert "If it was not you" in text and "/forgot-password" in text
    for secret in (PASSWORD, NEW_PASSWORD, mine["access_token"], mine["refresh_token"], "adpr_"):
        assert secret not in text
    logs = server.logs()
    for secret in (PASSWORD, NEW_PASSWORD, mine["refresh_token"], other["refresh_token"]):
        assert secret not in logs


def test_revoke_others(server_factory, clients):
    server = server_factory()
    register(server)
    register(server, "bob", email=None)
    mine, first, second, bob = login(server), login(server), login(server), login(server, "bob")
    doomed = clients().connect(server, first["access_token"])
    bobs = clients().connect(server, bob["access_token"])
    doomed.wait_for("server_response")

    revoked = server.post("/api/sessions/revoke-others", token=mine["access_token"])
    assert revoked.status_code == 200 and revoked.json() == {"revoked_sessions": 2}, revoked.text
    assert doomed.wait_for("revoked") == {"reason": "signed_out_elsewhere"}
    assert doomed.disconnected.wait(10)
    for tokens in (first, second):
        assert server.post("/api/token/refresh", {"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert server.post("/api/token/refresh", {"refresh_token": mine["refresh_token"]}).status_code == 200
    assert server.post("/api/token/refresh", {"refresh_token": bob["refresh_token"]}).status_code == 200
    assert not bobs.disconnected.is_set()
    assert server.post("/api/sessions/revoke-others", token=mine["access_token"]).json() == {"revoked_sessions": 0}
    assert server.post("/api/sessions/revoke-others").status_code == 401


def test_idle_timeout(server_factory):
    """With a 4-second idle timeout: a session used every half second lives on, one left alone stops working."""
    server = server_factory("--session-idle-timeout", "4")
    register(server)
    used, left = login(server), login(server)
    left_at = time.monotonic()
    token = used["refresh_token"]
    while time.monotonic() - left_at < 5:  # longer than the timeout, bounded by the clock (about 10 rounds)
        time.sleep(0.5)
        refreshed = server.post("/api/token/refresh", {"refresh_token": token})
        assert refreshed.status_code == 200, refreshed.text
        token = refreshed.json()["refresh_token"]
    idle = server.post("/api/token/refresh", {"refresh_token": left["refresh_token"]})
    assert idle.status_code == 401 and idle.json()["error"] == "invalid_refresh_token"
    assert server.get("/api/me", left["access_token"]).status_code == 401


def test_idle_timeout_longer_than_the_session_is_refused(authd, tmp_path):
    result = authd(
        "serve", "--data-dir", str(tmp_path / "data"), "--port", "0", "--refresh-token-ttl", "3600", "--session-idle-timeout", "7200"
    )
    assert result.returncode != 0
    assert b"session-idle-timeout" in result.stderr and b"must not exceed refresh-token-ttl" in result.stderr


def test_reset_mails_a_notice_without_a_token(server_factory, tmp_path):
    server = server_factory()
    register(server)
    assert server.post("/api/password/forgot", {"username": "ada"}).status_code == 202
    outbox = tmp_path / "data" / "outbox"
    (link_mail,) = mails(outbox, 1)
    token = RESET_LINK.search(link_mail.get_content()).group(1)
    assert server.post("/api/password/reset", {"token": token, "password": NEW_PASSWORD}).status_code == 204

    _, notice = mails(outbox, 2)
    assert notice["To"] == "ada@example.com"
    assert notice["Subject"] == "Your authd password was changed"
    text = notice.get_content()
    assert "reset through a reset link" in text
    assert token not in text and "adpr_" not in text and "/reset-password/" not in text


def test_outbox_is_bounded(server_factory, tmp_path):
    # Six reset mails for one account in a row: the per-address limit and the per-account cooldown would stop them.
    server = server_factory("--outbox-max-files", "3", "--rate-limits", "off")
    register(server)
    for _ in range(6):
        assert server.post("/api/password/forgot", {"username": "ada"}).status_code == 202
    outbox = tmp_path / "data" / "outbox"
    deadline = time.monotonic() + 10
    while "Development outbox full" not in server.logs() or len(list(outbox.glob("*.eml"))) > 3:
        assert time.monotonic() < deadline, f"{len(list(outbox.glob('*.eml')))} files"
        time.sleep(0.05)
    assert len(list(outbox.glob("*.eml"))) == 3


def test_pages_change_password_and_sign_out_others(server_factory, clients):
    server = server_factory()
    register(server)
    api = login(server)
    api_socket = clients().connect(server, api["access_token"])
    api_socket.wait_for("server_response")
    browser = Browser(server)
    assert browser.submit("/login", {"username": "ada", "password": PASSWORD}).status_code == 303

    dashboard = browser.get("/dashboard")
    assert 'href="/account/password"' in dashboard.text and 'action="/account/sign-out-others"' in dashboard.text
    assert browser.post("/account/sign-out-others", {}).status_code == 403  # no CSRF token
    assert browser.post("/account/sign-out-others", {"csrf_token": csrf_in(dashboard.text)}, headers={"Origin": "https://evil.example"}).status_code == 403
    assert not api_socket.disconnected.is_set()

    wrong = browser.submit("/account/password", {"current_password": "nope", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert wrong.status_code == 403 and "The current password is incorrect." in wrong.text
    done = browser.submit("/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/dashboard"
    assert "Your password has been changed." in browser.get("/dashboard").text
    assert api_socket.wait_for("revoked") == {"reason": "password_change"}
    assert server.get("/api/me", api["access_token"]).status_code == 401

    # Another API login, then "sign out other devices" from the page.
    again = login(server, password=NEW_PASSWORD)
    signed_out = browser.submit("/account/sign-out-others", {}, form_page="/dashboard")
    assert signed_out.status_code == 303 and signed_out.headers["Location"] == "/dashboard"
    assert "Your other devices were signed out." in browser.get("/dashboard").text
    assert server.get("/api/me", again["access_token"]).status_code == 401
    assert browser.get("/dashboard").status_code == 200
