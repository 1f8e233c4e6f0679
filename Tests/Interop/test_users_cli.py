# SPDX-License-Identifier: Apache-2.0
"""`authd users …` against the real binary and store, including its effect on a running `authd serve`."""
import json

from test_http_api import PASSWORD, register, server_factory  # noqa: F401 (fixture)


def users(authd, data_dir, *args, stdin=b""):
    return authd("users", *args, "--data-dir", str(data_dir), stdin=stdin)


def test_create_list_and_login(authd, tmp_path, server_factory):
    data = tmp_path / "data"
    created = users(authd, data, "create", "Grace", "--email", "grace@example.com", "--bcrypt-cost", "4", stdin=PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    assert b"created user grace" in created.stdout

    listed = users(authd, data, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    [user] = json.loads(listed.stdout)["users"]
    assert user["username"] == "grace" and user["email"] == "grace@example.com" and user["disabled"] is False
    assert "password" not in listed.stdout.decode() and "$2b$" not in listed.stdout.decode()

    table = users(authd, data, "list").stdout.decode()
    assert table.splitlines()[0].split() == ["USERNAME", "STATUS", "EMAIL", "CREATED", "ID"]
    assert "grace" in table and "enabled" in table and "(1 user)" in table

    server = server_factory(data_dir=data)
    assert server.post("/api/login", {"username": "grace", "password": PASSWORD}).status_code == 200


def test_create_refuses_bad_input(authd, tmp_path):
    data = tmp_path / "data"
    weak = users(authd, data, "create", "grace", "--bcrypt-cost", "4", stdin="password\n")
    assert weak.returncode == 2 and b"password refused" in weak.stderr
    bad_name = users(authd, data, "create", "x!", "--bcrypt-cost", "4", stdin=PASSWORD)
    assert bad_name.returncode == 2 and b"invalid username" in bad_name.stderr
    bad_email = users(authd, data, "create", "grace", "--email", "not-an-address", "--bcrypt-cost", "4", stdin=PASSWORD)
    assert bad_email.returncode == 2
    bad_cost = users(authd, data, "create", "grace", "--bcrypt-cost", "3", stdin=PASSWORD)
    assert bad_cost.returncode == 2 and b"bcrypt-cost" in bad_cost.stderr
    assert users(authd, data, "create", "grace", "--bcrypt-cost", "4", stdin=PASSWORD).returncode == 0
    taken = users(authd, data, "create", "GRACE", "--bcrypt-cost", "4", stdin=PASSWORD)
    assert taken.returncode == 1 and b"taken" in taken.stderr
    assert json.loads(users(authd, data, "list", "--json").stdout)["users"][0]["username"] == "grace"


def test_unknown_user_exits_1(authd, tmp_path):
    data = tmp_path / "data"
    for command in (["disable", "nobody"], ["enable", "nobody"], ["delete", "nobody", "--yes"]):
        result = users(authd, data, *command)
        assert result.returncode == 1, (command, result.stderr)
        assert b"no user named nobody" in result.stderr


def test_disable_revokes_a_running_servers_tokens_and_refuses_login(authd, tmp_path, server_factory):
    data = tmp_path / "data"
    server = server_factory(data_dir=data)
    register(server)
    login = server.post("/api/login", {"username": "ada", "password": PASSWORD}).json()
    access, refresh = login["access_token"], login["refresh_token"]
    assert server.get("/api/me", token=access).status_code == 200

    result = users(authd, data, "disable", "ada")
    assert result.returncode == 0, result.stderr
    assert b"disabled user ada (1 session revoked)" in result.stdout

    me = server.get("/api/me", token=access)
    assert me.status_code == 401 and me.json()["error"] == "invalid_token"
    assert server.post("/api/token/refresh", {"refresh_token": refresh}).status_code == 401
    refused = server.post("/api/login", {"username": "ada", "password": PASSWORD})
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_credentials"
    [user] = json.loads(users(authd, data, "list", "--json").stdout)["users"]
    assert user["disabled"] is True and user["revocation_epoch"] == 1

    assert users(authd, data, "enable", "ada").returncode == 0
    again = server.post("/api/login", {"username": "ada", "password": PASSWORD})
    assert again.status_code == 200
    assert server.get("/api/me", token=again.json()["access_token"]).status_code == 200
    # Tokens revoked while disabled stay revoked.
    assert server.get("/api/me", token=access).status_code == 401


def test_delete_needs_confirmation_and_revokes(authd, tmp_path, server_factory):
    data = tmp_path / "data"
    server = server_factory(data_dir=data)
    register(server)
    access = server.post("/api/login", {"username": "ada", "password": PASSWORD}).json()["access_token"]

    unconfirmed = users(authd, data, "delete", "ada")
    assert unconfirmed.returncode == 2 and b"--yes" in unconfirmed.stderr
    assert server.get("/api/me", token=access).status_code == 200

    deleted = users(authd, data, "delete", "ada", "--yes")
    assert deleted.returncode == 0, deleted.stderr
    assert server.get("/api/me", token=access).status_code == 401
    assert server.post("/api/login", {"username": "ada", "password": PASSWORD}).status_code == 401
    assert json.loads(users(authd, data, "list", "--json").stdout) == {"users": []}
    # The username is free again.
    assert server.post("/api/register", {"username": "ada", "password": PASSWORD}).status_code == 201


def test_help_lists_the_subcommands(authd):
    text = authd("users", "--help").stdout.decode()
    for name in ("list", "create", "disable", "enable", "delete"):
        assert name in text
