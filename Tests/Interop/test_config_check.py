# SPDX-License-Identifier: Apache-2.0
"""`authd config check`: the effective configuration with its sources, secrets masked, and every kind of bad value
refused with exit status 2 and the option's name, as `authd serve` would refuse it."""
import base64
import json
import os
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def check(authd_bin, *args, env=None, cwd=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AUTHD_")}
    environment.update(env or {})
    return subprocess.run([str(authd_bin), "config", "check", *args], capture_output=True, text=True, env=environment, cwd=cwd, timeout=60)


def test_sources_and_masked_secrets(authd_bin, tmp_path):
    config = tmp_path / "authd.json"
    config.write_text(json.dumps({"bcrypt-cost": 11, "issuer": "from-file", "port": 7000}))
    result = check(
        authd_bin,
        "--config", str(config), "--port", "9000", "--json",
        env={
            "AUTHD_ISSUER": "from-env",
            "AUTHD_SMTP_HOST": "127.0.0.1",
            "AUTHD_SMTP_USERNAME": "mailer",
            "AUTHD_SMTP_PASSWORD": "hunter2-secret",
            "AUTHD_DATABASE_URL": "postgres://authd:db-secret@127.0.0.1:5432/authd",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "hunter2-secret" not in result.stdout and "db-secret" not in result.stdout
    document = json.loads(result.stdout)
    assert document["valid"] is True
    settings = {setting["name"]: setting for setting in document["settings"]}
    assert settings["port"] == {"name": "port", "value": "9000", "source": "--port"}  # a flag beats the file
    assert settings["issuer"]["value"] == "from-env" and settings["issuer"]["source"] == "AUTHD_ISSUER"
    assert settings["bcrypt-cost"] == {"name": "bcrypt-cost", "value": "11", "source": str(config)}
    assert settings["host"]["source"] == "default" and settings["host"]["value"] == "127.0.0.1"
    assert settings["smtp-password"]["value"] == "********"
    assert settings["database"]["value"].startswith("postgres://authd:***@127.0.0.1:5432/authd")
    assert settings["database"]["source"] == "AUTHD_DATABASE_URL"

    text = check(authd_bin, "--config", str(config), env={"AUTHD_SMTP_HOST": "127.0.0.1", "AUTHD_SMTP_USERNAME": "m", "AUTHD_SMTP_PASSWORD": "hunter2-secret"})
    assert text.returncode == 0, text.stderr
    assert "hunter2-secret" not in text.stdout
    assert "configuration is valid" in text.stdout


def write(path, data: bytes):
    path.write_bytes(data)
    return str(path)


@pytest.fixture
def files(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    return {
        "public_pem": write(tmp_path / "public.pem", key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)),
        "es256_pem": write(tmp_path / "es256.pem", key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        "short_secret": write(tmp_path / "short.key", os.urandom(16)),
        "bad_kek": write(tmp_path / "bad-kek", base64.b64encode(os.urandom(16))),
        "good_kek": write(tmp_path / "kek", base64.b64encode(os.urandom(32))),
        "bad_json": write(tmp_path / "bad.json", b"{"),
        "unknown_key": write(tmp_path / "unknown.json", b'{"prot": 1}'),
    }


BAD = [
    (["--port", "99999"], {}, "port"),
    (["--port", "eighty"], {}, "port"),
    ([], {"AUTHD_BCRYPT_COST": "3"}, "AUTHD_BCRYPT_COST"),
    (["--jwt-alg", "none"], {}, "jwt-alg"),
    (["--access-token-ttl", "0"], {}, "access-token-ttl"),
    (["--max-body-size", "10"], {}, "max-body-size"),
    (["--public-url", "ftp://example.com"], {}, "public-url"),
    (["--mail-from", "a\nb"], {}, "mail-from"),
    (["--database", "mysql://x@h/db"], {}, "database"),
    (["--database", "postgres://x@h/db?sslmode=bogus"], {}, "database"),
    (["--log-level", "loud"], {}, "log-level"),
    ([], {"AUTHD_COOKIE_SECURE": "maybe"}, "AUTHD_COOKIE_SECURE"),
    ([], {"AUTHD_SMTP_HOST": "127.0.0.1", "AUTHD_SMTP_PASSWORD": "x"}, "smtp-username"),
    (["--socket-path", "/a b/"], {}, "socket-path"),
    (["--signing-key-file", "/nonexistent/key.pem"], {}, "signing-key-file"),
    (["--signing-key-file", "{public_pem}", "--jwt-alg", "ES256"], {}, "signing-key-file"),
    (["--signing-key-file", "{es256_pem}", "--jwt-alg", "EdDSA"], {}, "signing-key-file"),
    (["--session-key-file", "{short_secret}"], {}, "session-key-file"),
    (["--key-encryption-key-file", "{bad_kek}"], {}, "key-encryption-key-file"),
    (["--config", "{bad_json}"], {}, "config"),
    (["--config", "{unknown_key}"], {}, "config"),
    # Settings unsafe where others can reach the server (#17): refused unless --allow-insecure-development.
    (["--host", "0.0.0.0"], {}, "public-url"),
    (["--host", "0.0.0.0", "--public-url", "https://a.example", "--cookie-secure"], {}, "smtp-host"),
    (["--host", "0.0.0.0", "--public-url", "https://a.example", "--cookie-secure"], {"AUTHD_SMTP_HOST": "smtp.example"}, "key-encryption-key-file"),
    (["--public-url", "https://a.example"], {}, "cookie-secure"),
    (["--allowed-origins", "*"], {}, "allowed-origins"),
    (["--jwt-alg", "HS256", "--signing-key-file", "{short_secret}"], {}, "signing-key-file"),
    (["--smtp-host", "127.0.0.1", "--smtp-username", "m", "--smtp-password", "hunter2-secret"], {}, "AUTHD_SMTP_PASSWORD"),
    (["--smtp-host", "127.0.0.1", "--smtp-password-file", "/nonexistent/password"], {}, "smtp-password-file"),
]


@pytest.mark.parametrize("args,env,named", BAD, ids=[f"{i}-{named}" for i, (_, _, named) in enumerate(BAD)])
def test_bad_values_exit_2_naming_the_option(authd_bin, files, args, env, named):
    args = [arg.format(**files) for arg in args]
    result = check(authd_bin, *args, env=env)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert named in result.stderr, result.stderr
    assert "configuration is valid" not in result.stdout
    assert "Traceback" not in result.stderr and "Fatal error" not in result.stderr


def test_a_secret_flag_is_refused_without_echoing_it(authd_bin):
    result = check(authd_bin, "--smtp-host", "127.0.0.1", "--smtp-username", "m", "--smtp-password", "hunter2-secret")
    assert result.returncode == 2
    assert "hunter2-secret" not in result.stderr + result.stdout
    assert "never read from the command line" in result.stderr


def test_public_bind_with_production_settings_passes(authd_bin, files):
    result = check(
        authd_bin, "--host", "0.0.0.0", "--public-url", "https://auth.example.com", "--cookie-secure",
        "--key-encryption-key-file", files["good_kek"], "--json",
        env={"AUTHD_SMTP_HOST": "smtp.example.com"},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["unsafe_allowed"] == []


def test_allow_insecure_development_lists_every_unsafe_setting(authd_bin):
    result = check(authd_bin, "--host", "0.0.0.0", "--allow-insecure-development", "--json")
    assert result.returncode == 0, result.stderr
    allowed = [entry["option"] for entry in json.loads(result.stdout)["unsafe_allowed"]]
    assert allowed == ["public-url", "smtp-host", "key-encryption-key-file"]
    text = check(authd_bin, "--host", "0.0.0.0", env={"AUTHD_ALLOW_INSECURE_DEVELOPMENT": "true"})
    assert text.returncode == 0 and text.stdout.count("UNSAFE (allowed by --allow-insecure-development)") == 3


def test_serve_refuses_a_public_bind_before_listening(authd_bin, tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AUTHD_")}
    result = subprocess.run(
        [str(authd_bin), "serve", "--host", "0.0.0.0", "--port", "0", "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, env=environment, timeout=60,
    )
    assert result.returncode == 2
    assert "--public-url: unsafe outside development" in result.stderr
    assert "--allow-insecure-development" in result.stderr
    assert not (tmp_path / "data" / "authd.sqlite").exists()  # refused before the store was touched


def test_smtp_password_file(authd_bin, tmp_path):
    password = tmp_path / "smtp-password"
    password.write_text("hunter2-secret\n")
    result = check(authd_bin, "--smtp-host", "127.0.0.1", "--smtp-username", "m", "--smtp-password-file", str(password), "--json")
    assert result.returncode == 0, result.stderr
    assert "hunter2-secret" not in result.stdout


def test_good_key_files_pass(authd_bin, files):
    result = check(authd_bin, "--signing-key-file", files["es256_pem"], "--jwt-alg", "ES256", "--key-encryption-key-file", files["good_kek"])
    assert result.returncode == 0, result.stderr
