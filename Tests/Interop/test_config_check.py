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
]


@pytest.mark.parametrize("args,env,named", BAD, ids=[f"{i}-{named}" for i, (_, _, named) in enumerate(BAD)])
def test_bad_values_exit_2_naming_the_option(authd_bin, files, args, env, named):
    args = [arg.format(**files) for arg in args]
    result = check(authd_bin, *args, env=env)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert named in result.stderr, result.stderr
    assert "configuration is valid" not in result.stdout
    assert "Traceback" not in result.stderr and "Fatal error" not in result.stderr


def test_good_key_files_pass(authd_bin, files):
    result = check(authd_bin, "--signing-key-file", files["es256_pem"], "--jwt-alg", "ES256", "--key-encryption-key-file", files["good_kek"])
    assert result.returncode == 0, result.stderr
