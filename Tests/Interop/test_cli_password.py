# SPDX-License-Identifier: Apache-2.0
"""`authd password hash|verify` against pyca/bcrypt and the system's libxcrypt crypt(3)."""
import ctypes
import os
import random

import bcrypt
import pytest

_libcrypt = ctypes.CDLL("libcrypt.so.1")
_libcrypt.crypt.restype = ctypes.c_char_p
_libcrypt.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]


def libxcrypt(password: bytes, setting: bytes) -> bytes:
    return _libcrypt.crypt(password, setting)


PASSWORDS = ["correct horse battery staple", "ünïcödé pässwörd", "x" * 72, "🔐" * 18, "", "a"]


@pytest.mark.parametrize("password", PASSWORDS)
@pytest.mark.parametrize("variant", ["2b", "2a", "2y"])
def test_hash_verifies_in_libxcrypt_and_pyca(authd, password, variant):
    result = authd("password", "hash", "--cost", "4", "--variant", variant, stdin=password + "\n")
    assert result.returncode == 0, result.stderr
    hashed = result.stdout.strip()
    assert hashed.startswith(f"${variant}$04$".encode()) and len(hashed) == 60
    assert libxcrypt(password.encode(), hashed) == hashed
    if variant != "2y":  # pyca/bcrypt only reads $2a$ and $2b$ hashes
        assert bcrypt.checkpw(password.encode(), hashed)


@pytest.mark.parametrize("password", PASSWORDS)
def test_verify_accepts_hashes_made_by_pyca(authd, password):
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
    assert authd("password", "verify", hashed, stdin=password).returncode == 0
    near_miss = ("!" + password[1:]) if password else "!"
    wrong = authd("password", "verify", hashed, stdin=near_miss)
    assert wrong.returncode == 1
    assert b"does not match" in wrong.stderr


def test_verify_accepts_random_libxcrypt_hashes(authd):
    rng = random.Random(20261125)
    for _ in range(20):
        password = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzÄÖÜß€0123456789 !") for _ in range(rng.randint(0, 24)))
        salt = bcrypt.gensalt(rounds=4, prefix=rng.choice([b"2a", b"2b"]))
        setting = salt.replace(b"$2b$", b"$" + rng.choice([b"2b", b"2y"]) + b"$", 1) if salt.startswith(b"$2b$") else salt
        hashed = libxcrypt(password.encode(), setting).decode()
        assert authd("password", "verify", hashed, stdin=password).returncode == 0, (password, hashed)


@pytest.mark.parametrize(
    "hashed",
    ["", "plain", "$2b$04$tooshort", "$2c$04$" + "a" * 53, "$2b$03$" + "a" * 53, "$2b$32$" + "a" * 53, "$2b$1x$" + "a" * 53,
     "$2b$04$" + "!" * 53, "$2b$04$" + "a" * 54],
)
def test_verify_refuses_malformed_hashes_with_exit_2(authd, hashed):
    result = authd("password", "verify", hashed, stdin="password")
    assert result.returncode == 2
    assert result.stderr.startswith(b"authd: ")
    assert b"Traceback" not in result.stderr and b"Fatal error" not in result.stderr


def test_hash_refuses_passwords_over_72_bytes(authd):
    result = authd("password", "hash", "--cost", "4", stdin="x" * 73)
    assert result.returncode == 2
    assert b"72" in result.stderr


def test_verify_refuses_passwords_over_72_bytes_instead_of_truncating(authd):
    # pyca/bcrypt 4 and C implementations truncate: this hash "matches" any password starting with these 72 bytes.
    hashed = libxcrypt(b"x" * 72, bcrypt.gensalt(rounds=4)).decode()
    result = authd("password", "verify", hashed, stdin="x" * 73)
    assert result.returncode == 2
    assert b"72 bytes" in result.stderr


@pytest.mark.parametrize("args", [["--cost", "3"], ["--cost", "32"], ["--cost", "ten"], ["--variant", "2x"]])
def test_hash_refuses_bad_options(authd, args):
    result = authd("password", "hash", *args, stdin="password")
    assert result.returncode != 0
    assert b"Error" in result.stderr or b"error" in result.stderr


def test_hash_removes_exactly_one_trailing_line_break(authd):
    hashed = authd("password", "hash", "--cost", "4", stdin="secret words\r\n").stdout.strip()
    assert bcrypt.checkpw(b"secret words", hashed)
    hashed = authd("password", "hash", "--cost", "4", stdin="secret words\n\n").stdout.strip()
    assert bcrypt.checkpw(b"secret words\n", hashed)
