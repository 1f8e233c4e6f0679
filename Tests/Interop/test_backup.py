# SPDX-License-Identifier: Apache-2.0
"""`authd backup FILE` against a running `authd serve`, and a restore of the copy on a new data directory."""
import os
import shutil
import stat
import threading

from test_http_api import PASSWORD, login, register, server_factory  # noqa: F401 (fixture)


def backup(authd, data_dir, target, *extra):
    return authd("backup", str(target), "--data-dir", str(data_dir), *extra)


def test_backup_while_serving_and_restore_on_a_new_data_directory(authd, tmp_path, server_factory):
    data = tmp_path / "data"
    # Rate limits off: the writer below registers hundreds of users from one address, as no real client would.
    server = server_factory("--rate-limits", "off", data_dir=data)
    register(server)
    tokens = login(server)
    access, refresh = tokens["access_token"], tokens["refresh_token"]

    # Registrations keep the server writing while the backup runs.
    stop = threading.Event()
    written = []

    def keep_registering():
        while not stop.is_set() and len(written) < 500:
            name = f"user{len(written)}"
            response = server.post("/api/register", {"username": name, "password": PASSWORD})
            assert response.status_code == 201, response.text
            written.append(name)

    writer = threading.Thread(target=keep_registering)
    writer.start()
    target = tmp_path / "backups" / "authd-backup.sqlite"
    target.parent.mkdir()
    try:
        result = backup(authd, data, target)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert b"backed up" in result.stdout
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["authd-backup.sqlite"]

    # The running server was not disturbed.
    assert server.get("/api/me", token=access).status_code == 200
    assert server.post("/api/register", {"username": "after", "password": PASSWORD}).status_code == 201

    # Restore: a new data directory with the copy as its authd.sqlite, served by a new server.
    restored_data = tmp_path / "restored"
    restored_data.mkdir(mode=0o700)
    shutil.copyfile(target, restored_data / "authd.sqlite")
    os.chmod(restored_data / "authd.sqlite", 0o600)
    restored = server_factory(data_dir=restored_data)
    assert restored.post("/api/login", {"username": "ada", "password": PASSWORD}).status_code == 200
    # The signing keys are in the store: a token the first server issued verifies on the restored one.
    me = restored.get("/api/me", token=access)
    assert me.status_code == 200, me.text
    assert me.json()["user"]["username"] == "ada"
    assert restored.post("/api/token/refresh", {"refresh_token": refresh}).status_code == 200
    # Registered after the backup: not in it.
    assert restored.post("/api/login", {"username": "after", "password": PASSWORD}).status_code == 401


def test_backup_refuses_to_overwrite(authd, tmp_path):
    data = tmp_path / "data"
    assert authd("migrate", "--data-dir", str(data)).returncode == 0
    target = tmp_path / "existing.sqlite"
    target.write_bytes(b"keep me")
    result = backup(authd, data, target)
    assert result.returncode == 2
    assert b"already exists" in result.stderr
    assert target.read_bytes() == b"keep me"


def test_backup_refuses_postgres_and_names_pg_dump(authd, tmp_path):
    target = tmp_path / "backup.sqlite"
    result = authd("backup", str(target), "--database", "postgres://authd@127.0.0.1:1/authd")
    assert result.returncode == 2
    assert b"pg_dump -Fc" in result.stderr
    assert not target.exists()


def test_backup_without_a_database_exits_1(authd, tmp_path):
    target = tmp_path / "backup.sqlite"
    result = backup(authd, tmp_path / "nothing-here", target)
    assert result.returncode == 1
    assert b"no database" in result.stderr
    assert not target.exists()
    assert not (tmp_path / "nothing-here").exists()


def test_help_documents_restore_and_postgres(authd):
    text = " ".join(authd("backup", "--help").stdout.decode().split())  # help text is wrapped
    assert "authd.sqlite" in text and "pg_dump -Fc" in text
