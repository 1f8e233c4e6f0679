# SPDX-License-Identifier: Apache-2.0
"""Several authd instances on one PostgreSQL behind nginx: the multi-instance promises (Docs/deploy.md).

A module-scoped fixture runs a private PostgreSQL (scripts/postgres.sh), `authd migrate --database`, three
`authd serve --database` instances A, B, C started together, and a private nginx (scripts/nginx.sh) in front of
them. Every test uses its own user, bounds every wait, and sees every instance alive and ready when it starts. When a
test fails, the instances', nginx's and PostgreSQL's logs are printed. A missing nginx or PostgreSQL fails the tests
with the package to install.

The last two tests need no PostgreSQL: nginx in front of SQLite instances (the proxy itself), and the refusal of a
second instance on one SQLite file.
"""
import re
import subprocess
import time

import jwt
import pytest
import requests
import socketio

from cluster_support import (
    RESET_LINK,
    Client,
    Cluster,
    ClusterError,
    Instance,
    Nginx,
    established_to,
    login_on,
    mail_to,
    readyz,
    register_user,
    require_tools,
    unique_user,
    wait_until,
)
from test_http_api import PASSWORD, TIMEOUT, free_port, verify_with_jwks
from test_realtime import EVENT_BOUND

SECRET = re.compile(r"^.+ \[Secret Code: [0-9a-f]{8}\]$")


@pytest.fixture(scope="module")
def running_cluster(authd_bin, tmp_path_factory):
    cluster = Cluster(authd_bin, tmp_path_factory.mktemp("cluster"))
    problem = None
    try:
        cluster.start()
    except ClusterError as error:
        problem = f"{error}\n{cluster.logs()}"
        cluster.stop()
    except BaseException:
        cluster_logs = cluster.logs()
        cluster.stop()
        print(cluster_logs)
        raise
    if problem:
        pytest.fail(problem, pytrace=False)
    yield cluster
    cluster.stop()


@pytest.fixture
def cluster(running_cluster, request):
    """The module's cluster, every instance alive and ready; prints every log when the test fails."""
    running_cluster.ensure_running()
    failed_before = request.session.testsfailed
    yield running_cluster
    if request.session.testsfailed > failed_before:
        capture = request.config.pluginmanager.getplugin("capturemanager")
        with capture.global_and_fixture_disabled():
            print(f"\n===== cluster logs after {request.node.name} =====\n{running_cluster.logs()}")


@pytest.fixture
def clients():
    made = []

    def make(**options):
        client = Client(**options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def connected(make, server, token, **kwargs):
    """A client connected to `server` (an instance or nginx) over WebSocket, greeted."""
    client = make().connect(server, token, **kwargs)
    client.wait_for("server_response")
    return client


def metric(server, sample: str) -> float:
    """One sample of the instance's /metrics (`name{labels}` exactly as exported), 0 when absent."""
    for line in server.get("/metrics").text.splitlines():
        if not line.startswith("#") and line.rpartition(" ")[0] == sample:
            return float(line.rpartition(" ")[2])
    return 0.0


def test_register_on_a_login_on_b_refresh_on_c(cluster):
    a, b, c = cluster["A"], cluster["B"], cluster["C"]
    name = unique_user()
    register_user(a, name)
    tokens = login_on(b, name)
    refreshed = c.post("/api/token/refresh", {"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    fresh = refreshed.json()
    assert fresh["refresh_token"] != tokens["refresh_token"]
    # Any instance verifies any instance's tokens, and their JWKS agree.
    for instance in (a, b, c):
        me = instance.get("/api/me", token=fresh["access_token"])
        assert me.status_code == 200 and me.json()["user"]["username"] == name, me.text
        assert verify_with_jwks(instance, tokens["access_token"])["sub"]
    # The rotated refresh token is spent everywhere.
    assert a.post("/api/token/refresh", {"refresh_token": tokens["refresh_token"]}).status_code == 401


def test_notify_devices_reaches_the_users_sockets_on_every_instance(cluster, clients):
    a, b, c = cluster["A"], cluster["B"], cluster["C"]
    name, other = unique_user(), unique_user()
    register_user(a, name)
    register_user(a, other)
    token = login_on(a, name)["access_token"]
    sender = connected(clients, a, token)
    on_b = connected(clients, b, login_on(b, name)["access_token"])
    on_c = connected(clients, c, token)
    through_nginx = connected(clients, cluster.nginx, token)
    stranger = connected(clients, b, login_on(b, other)["access_token"])

    message = f"hello from {name}"
    started = time.monotonic()
    assert sender.client.call("notify_devices", {"message": message}, timeout=TIMEOUT) == {"ok": True}
    for receiver in (on_b, on_c, through_nginx):
        assert receiver.wait_for("device_notice", timeout=EVENT_BOUND) == {"message": message, "from": name}
    elapsed = time.monotonic() - started
    print(f"notify_devices on A -> notices on B, C and through nginx in {elapsed * 1000:.0f} ms")
    # Another user hears nothing (give a stray notice as long as the slowest delivery took, at least 0.5 s).
    time.sleep(max(0.5, elapsed))
    assert stranger.count("device_notice") == 0


def test_logout_on_b_closes_that_logins_socket_on_c(cluster, clients):
    """Within a generous bound (a shared 2-core machine); `make bench-cluster` measures the propagation time."""
    a, b, c = cluster["A"], cluster["B"], cluster["C"]
    name = unique_user()
    register_user(a, name)
    first, second = login_on(a, name), login_on(a, name)
    doomed = connected(clients, c, first["access_token"])
    kept = connected(clients, c, second["access_token"])
    applied = metric(c, 'authd_revocations_applied_total{kind="session"}')
    propagated = metric(c, "authd_revocation_propagation_seconds_count")

    started = time.monotonic()
    assert b.post("/api/logout", token=first["access_token"]).status_code == 204
    assert doomed.disconnected.wait(EVENT_BOUND), f"socket on C still open after logout on B; events {doomed.events}"
    print(f"logout on B -> socket on C closed in {(time.monotonic() - started) * 1000:.0f} ms")
    assert kept.client.connected
    assert c.get("/api/me", token=first["access_token"]).status_code == 401
    # C applied B's revocation from the feed, once, and timed its trip from the commit.
    wait_until(lambda: metric(c, 'authd_revocations_applied_total{kind="session"}') == applied + 1, 5, "C counts the revocation", 0.1)
    assert metric(c, "authd_revocation_propagation_seconds_count") == propagated + 1


def test_password_reset_on_c_revokes_refresh_tokens_and_sockets_everywhere(cluster, clients):
    a, b, c = cluster["A"], cluster["B"], cluster["C"]
    name = unique_user()
    address = f"{name}@example.com"
    register_user(a, name, email=address)
    on_a = login_on(a, name)
    token = on_a["access_token"]
    sockets = [connected(clients, instance, token) for instance in (a, b, c)] + [connected(clients, cluster.nginx, token)]

    assert c.post("/api/password/forgot", {"username": name}).status_code == 202
    body = mail_to(c.outbox, address).get_content()
    link = RESET_LINK.search(body)
    assert link, body
    new_password = "an entirely different passphrase"
    started = time.monotonic()
    assert c.post("/api/password/reset", {"token": link.group(1), "password": new_password}).status_code == 204

    for socket in sockets:
        assert socket.disconnected.wait(max(0.1, EVENT_BOUND - (time.monotonic() - started))), f"socket still open: {socket.events}"
    refreshed = a.post("/api/token/refresh", {"refresh_token": on_a["refresh_token"]})
    assert refreshed.status_code == 401, refreshed.text
    assert b.post("/api/login", {"username": name, "password": PASSWORD}).status_code == 401
    assert login_on(b, name, new_password)["access_token"]


def jwks_kids(instance) -> set[str]:
    return {key["kid"] for key in instance.get("/.well-known/jwks.json").json()["keys"]}


def kid(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


def test_key_rotation_and_retirement_reach_every_instance(cluster, clients):
    a, b, c = cluster["A"], cluster["B"], cluster["C"]
    name = unique_user()
    register_user(a, name)
    old_token = login_on(a, name)["access_token"]
    old_kid = kid(old_token)
    assert old_kid in jwks_kids(c)

    listed = cluster.authd("keys", "list", "--database", cluster.database_url, "--json")
    assert listed.returncode == 0, listed.stderr
    assert old_kid in listed.stdout

    rotated = cluster.authd("keys", "rotate", "--database", cluster.database_url)
    assert rotated.returncode == 0, rotated.stderr
    # Within a few seconds, logins on A and on B are signed with one new key.
    new_on_a = wait_until(lambda: (k := kid(login_on(a, name)["access_token"])) != old_kid and k, 5, "a new kid on A", 0.2)
    new_on_b = wait_until(lambda: (k := kid(login_on(b, name)["access_token"])) != old_kid and k, 5, "a new kid on B", 0.2)
    assert new_on_a == new_on_b
    new_kid = new_on_a
    for instance in (a, b, c):
        assert wait_until(lambda: {old_kid, new_kid} <= jwks_kids(instance), 5, f"both kids in {instance!r} JWKS", 0.2)
    assert new_kid in cluster.authd("keys", "list", "--database", cluster.database_url, "--json").stdout
    # The old key still verifies: its token still opens a socket on C.
    assert connected(clients, c, old_token).wait_for("server_response")

    retired = cluster.authd("keys", "retire", old_kid, "--database", cluster.database_url)
    assert retired.returncode == 0, retired.stderr

    def refused_everywhere():
        for instance in (a, b, c):
            if old_kid in jwks_kids(instance):
                return False
            client = clients()
            try:
                client.connect(instance, old_token)
            except socketio.exceptions.ConnectionError:
                if client.connect_error is None:
                    return False  # not a CONNECT_ERROR: keep polling
                continue
            client.close()
            return False
        return True

    wait_until(refused_everywhere, 10, "the retired key's token refused and its kid gone from JWKS on every instance", 0.5)
    # Tokens of the new key keep working.
    assert connected(clients, b, login_on(c, name)["access_token"]).wait_for("server_response")


def test_a_killed_instance_s_client_reconnects_through_nginx_to_another(cluster, clients):
    name = unique_user()
    register_user(cluster["A"], name)
    token = login_on(cluster["A"], name)["access_token"]

    # Which instance does nginx give the socket to? The one whose count of established connections rises.
    before = {n: established_to(i.port) for n, i in cluster.instances.items()}
    roaming = clients(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1, reconnection_attempts=40)
    roaming.connect(cluster.nginx, token)
    roaming.wait_for("server_response")
    after = {n: established_to(i.port) for n, i in cluster.instances.items()}
    risen = [n for n in before if after[n] > before[n]]
    assert len(risen) == 1, f"cannot tell the instance: before {before}, after {after}"
    victim = cluster[risen[0]]
    survivor = next(i for n, i in cluster.instances.items() if n != victim.name)
    watcher = connected(clients, survivor, token)

    victim.kill9()
    assert roaming.disconnected.wait(10), "the nginx socket did not notice its instance die"
    assert roaming.wait_connects(2, 15), f"no reconnection through nginx within 15 s; events {roaming.events}"
    assert roaming.wait_count("server_response", 2, timeout=EVENT_BOUND)
    # Authenticated again on a live instance: the secure event answers and the user's notices arrive.
    assert SECRET.match(roaming.client.call("get_secret", timeout=TIMEOUT)["message"])
    notices = roaming.count("device_notice")
    assert watcher.client.call("notify_devices", {"message": "after failover"}, timeout=TIMEOUT) == {"ok": True}
    assert roaming.wait_count("device_notice", notices + 1, timeout=EVENT_BOUND) == {"message": "after failover", "from": name}


def test_postgres_restart_readiness_bus_and_revocations_recover(cluster, clients):
    a, b, c = cluster["A"], cluster["B"], cluster["C"]
    name = unique_user()
    register_user(a, name)
    doomed_login, kept_login = login_on(a, name), login_on(a, name)
    doomed = connected(clients, b, doomed_login["access_token"])
    sender = connected(clients, a, kept_login["access_token"])
    receiver = connected(clients, c, kept_login["access_token"])

    reconnects = metric(b, "authd_bus_reconnects_total")
    assert metric(b, "authd_bus_connected") == 1
    cluster.postgres.stop()
    for instance in (a, b, c):
        wait_until(lambda: readyz(instance) == 503, 20, f"{instance!r} /readyz 503 with PostgreSQL down", 0.2)
        assert instance.get("/healthz").status_code == 200
    assert metric(b, "authd_bus_connected") == 0
    cluster.postgres.start()

    # A revocation right after PostgreSQL is back, while the instances' listeners may still be reconnecting. A
    # request that fails because A's own pool is still reconnecting is retried (bounded).
    def logged_out():
        try:
            return a.post("/api/logout", token=doomed_login["access_token"]).status_code == 204
        except requests.RequestException:
            return False

    wait_until(logged_out, 15, "logout on A accepted after PostgreSQL restarted", 0.2)
    revoked_at = time.monotonic()
    for instance in (a, b, c):
        wait_until(lambda: readyz(instance) == 200, 30, f"{instance!r} /readyz 200 again", 0.2)
    assert doomed.disconnected.wait(max(0.1, EVENT_BOUND - (time.monotonic() - revoked_at))), "revocation lost across the restart"
    assert metric(b, "authd_bus_connected") == 1 and metric(b, "authd_bus_reconnects_total") > reconnects
    # The bus carries events again, to sockets that lived through the restart.
    assert sender.client.connected and receiver.client.connected
    assert sender.client.call("notify_devices", {"message": "after restart"}, timeout=TIMEOUT) == {"ok": True}
    assert receiver.wait_for("device_notice", timeout=EVENT_BOUND) == {"message": "after restart", "from": name}


# --- No PostgreSQL needed ---


def test_nginx_proxies_websocket_and_polling_and_skips_a_killed_instance(authd_bin, tmp_path, clients):
    """The proxy alone, with two SQLite instances: round robin, WebSocket + polling through it, failover."""
    require_nginx()
    first = Instance("S1", authd_bin, tmp_path)
    second = Instance("S2", authd_bin, tmp_path)
    nginx = Nginx(tmp_path / "nginx", [first.port, second.port])
    try:
        first.start()
        second.start()
        nginx.start()
        for _ in range(6):
            assert nginx.get("/healthz").status_code == 200
        access = (nginx.directory / "logs" / "access.log").read_text()
        assert f"upstream=127.0.0.1:{first.port}" in access and f"upstream=127.0.0.1:{second.port}" in access, access

        second.kill9()
        started = time.monotonic()
        for _ in range(6):
            assert nginx.get("/healthz").status_code == 200
        print(f"six requests after the kill answered in {(time.monotonic() - started) * 1000:.0f} ms")

        # Only S1 is left, so the registration, the login and both transports meet one store.
        name = unique_user()
        register_user(nginx, name)
        token = login_on(nginx, name)["access_token"]
        for transports in (["websocket"], ["polling"], ["polling", "websocket"]):
            client = connected(clients, nginx, token, transports=transports)
            wait_until(lambda: client.client.transport() == transports[-1], 5, f"{transports[-1]} through nginx")
            assert SECRET.match(client.client.call("get_secret", timeout=TIMEOUT)["message"])
            client.close()
    except BaseException:
        print(first.logs() if first.log_path.exists() else "", nginx.logs())
        raise
    finally:
        try:
            nginx.stop()
        finally:
            first.kill()
            second.kill()


def test_a_second_instance_on_one_sqlite_file_refuses_to_start(authd_bin, tmp_path):
    first = Instance("S1", authd_bin, tmp_path)
    try:
        first.start()
        port = free_port()
        result = subprocess.run(
            [str(authd_bin), "serve", "--port", str(port), "--data-dir", str(first.data_dir), "--bcrypt-cost", "4"],
            capture_output=True, text=True, timeout=15,
        )  # fmt: skip
        assert result.returncode != 0
        message = result.stdout + result.stderr
        assert str(first.data_dir) in message or "authd.sqlite" in message, message
        assert readyz(first) == 200
    except subprocess.TimeoutExpired:
        pytest.fail("a second authd serve on the same SQLite data directory kept running for 15 s")
    finally:
        first.kill()


def require_nginx():
    try:
        require_tools(postgres=False, nginx=True)
    except ClusterError as error:
        pytest.fail(str(error), pytrace=False)
