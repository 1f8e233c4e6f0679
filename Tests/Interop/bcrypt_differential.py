# SPDX-License-Identifier: Apache-2.0
"""Differential oracle for AuthCore's bcrypt: pyca/bcrypt and the system's libxcrypt crypt_r (through ctypes).

Modes (JSON on stdout; `verify` and `wraparound` read JSON on stdin):
  generate --seed S --count N   random cases hashed by pyca/bcrypt and by crypt_r from the same setting string
  verify                        [{"password": hex, "hash": str}] -> [{"pyca": bool, "crypt": bool}]
  wraparound                    {"salt": "$2a$04$<22>"} -> pyca hashes of the keys OpenBSD's $2a$ wraparound reads

Notes on the oracles:
  * pyca/bcrypt 5 accepts $2a$, $2b$ and $2y$ settings and keeps the prefix; it hashes every variant the same
    (OpenBSD semantics). Passwords over 72 bytes raise ValueError, so cases stay within 72 bytes.
  * libxcrypt's $2a$ differs from OpenBSD's in one corner: crypt_blowfish's CVE-2011-2483 countermeasure flips
    a bit for keys where the old sign-extension bug would have been a silent collision (runs of 0xff before a
    high byte). `openwall_2a_safety` computes that condition exactly as BF_set_key does, so the Swift test can
    expect crypt_r to differ in those (rare, non-UTF-8) cases instead of skipping them.
  * Neither oracle is asked about NUL bytes: C stops at them and pyca does not, so cases never contain NUL.
"""
import ctypes
import json
import random
import sys

import bcrypt

ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
# The last of 22 salt characters carries 2 bits: its 4 low bits must be zero.
LAST_SALT_CHARACTERS = ".Oeu"

_libcrypt = ctypes.CDLL("libcrypt.so.1")
_libcrypt.crypt_r.restype = ctypes.c_char_p
_libcrypt.crypt_r.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p]
_crypt_data = ctypes.create_string_buffer(32768)  # sizeof(struct crypt_data), zeroed = "initialized = 0"


def crypt_r(password: bytes, setting: str) -> str:
    result = _libcrypt.crypt_r(password, setting.encode(), _crypt_data)
    return "" if result is None else result.decode()


def pyca_hash(password: bytes, setting: str) -> str:
    try:
        return bcrypt.hashpw(password, setting.encode()).decode()
    except ValueError as error:
        return "error: %s" % error


def pyca_check(password: bytes, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password, hashed.encode())
    except ValueError:
        return False


def openwall_2a_safety(password: bytes) -> bool:
    """Whether crypt_blowfish's BF_set_key flips initial[0] for this key under $2a$ (flags & 2)."""
    key = password + b"\0"
    position = 0
    sign = diff = 0
    for _ in range(18):
        correct = bugged = 0
        for j in range(4):
            byte = key[position]
            correct = ((correct << 8) | byte) & 0xFFFFFFFF
            signed = byte - 256 if byte >= 0x80 else byte
            bugged = ((bugged << 8) | (signed & 0xFFFFFFFF)) & 0xFFFFFFFF
            if j:
                sign |= bugged & 0x80
            position = 0 if byte == 0 else position + 1
        diff |= correct ^ bugged
    diff |= diff >> 16
    diff &= 0xFFFF
    diff += 0xFFFF
    sign <<= 9
    return bool(sign & ~diff & 0x10000)


def random_utf8(rng: random.Random, limit: int) -> bytes:
    ranges = [(0x20, 0x7E), (0xA0, 0x7FF), (0x800, 0xD7FF), (0xE000, 0xFFFD), (0x10000, 0x10FFFF), (0x01, 0x1F)]
    weights = [50, 20, 15, 5, 5, 5]
    out = b""
    target = rng.randint(0, limit)
    while True:
        low, high = rng.choices(ranges, weights)[0]
        piece = chr(rng.randint(low, high)).encode("utf-8")
        if len(out) + len(piece) > target:
            return out
        out += piece


def random_password(rng: random.Random, index: int) -> bytes:
    kind = index % 10
    if kind == 0:
        return b""
    if kind == 1:
        return bytes(rng.randint(1, 255) for _ in range(rng.choice([71, 72])))
    if kind == 2:
        return random_utf8(rng, 72)[:72].ljust(rng.choice([71, 72]), b"x")
    if kind in (3, 4):
        return bytes(rng.randint(1, 255) for _ in range(rng.randint(1, 72)))
    if kind == 5:
        # Runs of 0xff before high bytes: the inputs that separate crypt_blowfish's $2a$ from OpenBSD's.
        return bytes(rng.choice([0xFF, 0xFF, 0xA3, 0x80, 0x33]) for _ in range(rng.randint(1, 12)))
    return random_utf8(rng, 72)


def random_setting(rng: random.Random, index: int) -> str:
    variant = ("2a", "2b", "2y")[index % 3]
    cost = 5 if index % 50 == 7 else 4
    salt = "".join(rng.choice(ALPHABET) for _ in range(21)) + rng.choice(LAST_SALT_CHARACTERS)
    return "$%s$%02d$%s" % (variant, cost, salt)


def generate(seed: int, count: int) -> list:
    rng = random.Random(seed)
    cases = []
    for index in range(count):
        password = random_password(rng, index)
        setting = random_setting(rng, index)
        cases.append({
            "password": password.hex(),
            "setting": setting,
            "pyca": pyca_hash(password, setting),
            "crypt": crypt_r(password, setting),
            "openwall2aSafety": openwall_2a_safety(password),
        })
    return cases


def verify(cases: list) -> list:
    results = []
    for case in cases:
        password = bytes.fromhex(case["password"])
        hashed = case["hash"]
        results.append({"pyca": pyca_check(password, hashed), "crypt": crypt_r(password, hashed) == hashed})
    return results


def wraparound(salt: str) -> list:
    """For passwords of length n >= 255 made of "0123456789" repeated, OpenBSD's $2a$ keys Blowfish with
    key_len = (n + 1) % 256 bytes (0 reads key[0] only). pyca has no wraparound, so hash the 72-byte key stream
    that OpenBSD would read, with pyca, to obtain the hash an old OpenBSD would have stored."""
    digits = b"0123456789" * 60
    out = []
    for length in (255, 256, 257, 258, 259, 300, 511, 512, 513):
        key_len = (length + 1) % 256 or 1
        stream = (digits[:key_len] * 72)[:72]
        out.append({"length": length, "hash": pyca_hash(stream, salt)})
    return out


def main() -> None:
    mode = sys.argv[1]
    if mode == "generate":
        arguments = dict(zip(sys.argv[2::2], sys.argv[3::2]))
        json.dump(generate(int(arguments["--seed"]), int(arguments["--count"])), sys.stdout)
    elif mode == "verify":
        json.dump(verify(json.load(sys.stdin)), sys.stdout)
    elif mode == "wraparound":
        json.dump(wraparound(json.load(sys.stdin)["salt"]), sys.stdout)
    else:
        raise SystemExit("unknown mode %r" % mode)


if __name__ == "__main__":
    main()
