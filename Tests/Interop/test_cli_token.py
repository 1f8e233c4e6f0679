# SPDX-License-Identifier: Apache-2.0
"""`authd keys generate` and `authd token sign|verify` against PyJWT and pyca/cryptography."""
import base64
import json
import os
import stat
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

ALGORITHMS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]


def generate(authd, tmp_path, alg):
    path = tmp_path / f"{alg}.key"
    result = authd("keys", "generate", "--alg", alg, "--out", str(path))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    return path


def pyjwt_keys(path, alg):
    """(signing key, verification key) in the forms PyJWT takes."""
    data = path.read_bytes()
    if alg.startswith("HS"):
        return data, data
    private = serialization.load_pem_private_key(data, password=None)
    return private, private.public_key()


def claims(**extra):
    now = int(time.time())
    return {"sub": "42", "iss": "authd-test", "aud": "authd", "iat": now, "exp": now + 300, "name": "ada", **extra}


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_token_signed_by_authd_verifies_in_pyjwt(authd, tmp_path, alg):
    key = generate(authd, tmp_path, alg)
    payload = claims(roles=["admin", "ops"], nested={"a": [1, 2.5, None, True]})
    result = authd("token", "sign", "--alg", alg, "--key", str(key), "--kid", "k1", stdin=json.dumps(payload))
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().decode()
    _, verification = pyjwt_keys(key, alg)
    assert jwt.get_unverified_header(token) == {"alg": alg, "typ": "JWT", "kid": "k1"}
    assert jwt.decode(token, verification, algorithms=[alg], audience="authd", issuer="authd-test") == payload


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_token_signed_by_pyjwt_verifies_in_authd(authd, tmp_path, alg):
    key = generate(authd, tmp_path, alg)
    signing, _ = pyjwt_keys(key, alg)
    payload = claims()
    token = jwt.encode(payload, signing, algorithm=alg)
    result = authd("token", "verify", "--alg", alg, "--key", str(key), "--aud", "authd", "--iss", "authd-test", stdin=token)
    assert result.returncode == 0, result.stderr
    decoded = json.loads(result.stdout)
    assert decoded["claims"] == payload
    assert decoded["header"]["alg"] == alg


def test_public_key_file_is_enough_to_verify(authd, tmp_path):
    key = generate(authd, tmp_path, "ES256")
    public = tmp_path / "public.pem"
    private = serialization.load_pem_private_key(key.read_bytes(), password=None)
    public.write_bytes(private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    token = jwt.encode(claims(), private, algorithm="ES256")
    assert authd("token", "verify", "--alg", "ES256", "--key", str(public), "--aud", "authd", stdin=token).returncode == 0
    refused = authd("token", "sign", "--alg", "ES256", "--key", str(public), stdin=json.dumps(claims()))
    assert refused.returncode == 2


@pytest.mark.parametrize(
    "case, expected",
    [
        ("expired", "expired"),
        ("not_yet_valid", "not_yet_valid"),
        ("wrong_audience", "invalid_claim"),
        ("wrong_issuer", "invalid_claim"),
        ("tampered", "bad_signature"),
        ("other_key", "bad_signature"),
        ("alg_none", "algorithm_not_allowed"),
        ("garbage", "malformed"),
        ("other_alg", "algorithm_not_allowed"),
    ],
)
def test_verify_reports_typed_errors_with_exit_1(authd, tmp_path, case, expected):
    key = generate(authd, tmp_path, "HS256")
    secret = key.read_bytes()
    now = int(time.time())
    payload = claims()
    if case == "expired":
        payload["exp"] = now - 3600
    if case == "not_yet_valid":
        payload["nbf"] = now + 3600
    if case == "wrong_issuer":
        payload["iss"] = "someone-else"
    if case == "wrong_audience":
        payload["aud"] = "another-service"
    token = jwt.encode(payload, secret, algorithm="HS256")
    if case == "tampered":
        header, body, signature = token.split(".")
        token = ".".join([header, body, ("A" if signature[0] != "A" else "B") + signature[1:]])
    if case == "other_key":
        token = jwt.encode(payload, os.urandom(32), algorithm="HS256")
    if case == "alg_none":
        token = jwt.encode(payload, None, algorithm="none")
    if case == "garbage":
        token = "not.a.jwt"
    if case == "other_alg":
        token = jwt.encode(payload, secret + secret, algorithm="HS512")
    result = authd("token", "verify", "--alg", "HS256", "--key", str(key), "--aud", "authd", "--iss", "authd-test", stdin=token)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert json.loads(result.stdout)["error"] == expected
    assert token.encode() not in result.stderr and token.encode() not in result.stdout


def test_leeway_accepts_recently_expired_tokens(authd, tmp_path):
    key = generate(authd, tmp_path, "HS256")
    token = jwt.encode(claims(exp=int(time.time()) - 30), key.read_bytes(), algorithm="HS256")
    args = ["token", "verify", "--alg", "HS256", "--key", str(key), "--aud", "authd"]
    assert authd(*args, stdin=token).returncode == 1
    assert authd(*args, "--leeway", "120", stdin=token).returncode == 0


def test_keys_generate_refuses_to_overwrite(authd, tmp_path):
    key = generate(authd, tmp_path, "EdDSA")
    before = key.read_bytes()
    result = authd("keys", "generate", "--alg", "EdDSA", "--out", str(key))
    assert result.returncode == 2
    assert key.read_bytes() == before


@pytest.mark.parametrize(
    "args",
    [
        ["token", "sign", "--alg", "none", "--key", "/dev/null"],
        ["token", "sign", "--alg", "HS256", "--key", "/nonexistent/key"],
        ["keys", "generate", "--alg", "RS1", "--out", "/tmp/never-written.pem"],
    ],
)
def test_bad_arguments_give_clear_errors(authd, args):
    result = authd(*args, stdin=json.dumps(claims()))
    assert result.returncode != 0
    assert b"Fatal error" not in result.stderr
    assert result.stderr.strip()


@pytest.mark.parametrize("document", ["", "[]", "{", '{"exp": "tomorrow"}', "\xff"])
def test_sign_refuses_bad_claims_documents(authd, tmp_path, document):
    key = generate(authd, tmp_path, "HS256")
    result = authd("token", "sign", "--alg", "HS256", "--key", str(key), stdin=document.encode("latin-1"))
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith(b"authd: ")


@pytest.mark.parametrize("prefix", [b"{", b"-----BEGIN PUBLIC KEY-----", b"\x00", b"\n"])
def test_raw_hmac_secrets_are_never_mistaken_for_another_format(authd, tmp_path, prefix):
    secret = prefix + os.urandom(40)
    key = tmp_path / "secret.bin"
    key.write_bytes(secret)
    result = authd("token", "sign", "--alg", "HS256", "--key", str(key), stdin=json.dumps(claims()))
    assert result.returncode == 0, result.stderr
    assert jwt.decode(result.stdout.strip().decode(), secret, algorithms=["HS256"], audience="authd")["sub"] == "42"


def test_hmac_jwk_key_files_need_the_jwk_format(authd, tmp_path):
    secret = os.urandom(32)
    key = tmp_path / "secret.jwk"
    key.write_text(json.dumps({"kty": "oct", "k": base64.urlsafe_b64encode(secret).rstrip(b"=").decode()}))
    result = authd("token", "sign", "--alg", "HS256", "--key", str(key), "--key-format", "jwk", stdin=json.dumps(claims()))
    assert result.returncode == 0, result.stderr
    assert jwt.decode(result.stdout.strip().decode(), secret, algorithms=["HS256"], audience="authd")["sub"] == "42"
