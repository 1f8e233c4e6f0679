# SPDX-License-Identifier: Apache-2.0
"""Brute force against `authd serve`: 1,000 wrong passwords against one account from one address (127.0.0.1), then
1,000 more spread across 50 source addresses (127.0.0.2 … 127.0.0.51, the client socket bound to each).

Always: nothing answers 5xx (only 401 invalid_credentials, or 429 once limits exist), and the real user still logs in
from their own address (127.0.0.200) afterwards. Once rate limits land (#17), the attacker must see 429 with a
Retry-After. The attack runs once (module fixture), 8 threads, bounded in time; bcrypt cost 4.
"""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from requests.adapters import HTTPAdapter

from test_http_api import PASSWORD, Server

GUESSES = 1000
ADDRESSES = [f"127.0.0.{i}" for i in range(2, 52)]  # 50 attacker addresses
VICTIM_ADDRESS = "127.0.0.200"
THREADS = 8
PHASE_SECONDS = 25  # each phase stops by itself after this long (then the test fails: it did not send them all)


class SourceAddressAdapter(HTTPAdapter):
    """Binds every connection of a requests.Session to one local address."""

    def __init__(self, address: str, **kwargs):
        self.address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(address: str) -> requests.Session:
    session = requests.Session()
    adapter = SourceAddressAdapter(address)
    session.mount("http://", adapter)
    return session


class Phase:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: dict[int, int] = {}
        self.errors: list[str] = []  # 5xx bodies, unexpected codes, transport errors
        self.retry_after: list[str] = []  # Retry-After values of 429 answers
        self.sent = 0


def attack(url: str, username: str, addresses: list[str]) -> Phase:
    """GUESSES wrong-password logins, guess i from addresses[i % len(addresses)], THREADS at a time."""
    phase = Phase()
    sessions = {address: session_from(address) for address in addresses}
    locks = {address: threading.Lock() for address in addresses}  # a requests.Session per address, one user at a time
    deadline = time.monotonic() + PHASE_SECONDS

    def guess(i):
        if time.monotonic() > deadline:
            return
        address = addresses[i % len(addresses)]
        try:
            with locks[address]:
                response = sessions[address].post(url + "/api/login", json={"username": username, "password": f"wrong-{i}"}, timeout=30)
        except requests.RequestException as error:
            with phase.lock:
                phase.errors.append(f"guess {i} from {address}: {error!r}")
            return
        with phase.lock:
            phase.sent += 1
            phase.statuses[response.status_code] = phase.statuses.get(response.status_code, 0) + 1
            if response.status_code == 429:
                phase.retry_after.append(response.headers.get("Retry-After", ""))
            elif response.status_code != 401:
                phase.errors.append(f"guess {i} from {address}: {response.status_code} {response.text[:200]}")
            elif response.json().get("error") != "invalid_credentials":
                phase.errors.append(f"guess {i} from {address}: 401 {response.text[:200]}")

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(guess, range(GUESSES)))
    for session in sessions.values():
        session.close()
    return phase


class Outcome:
    one_address: Phase
    many_addresses: Phase
    victim_login: tuple[int, str]


@pytest.fixture(scope="module")
def brute_force(authd_bin, tmp_path_factory):
    server = Server(authd_bin, tmp_path_factory.mktemp("brute") / "data")
    server.start()
    try:
        victim = {"username": "victim", "password": PASSWORD}
        assert session_from(VICTIM_ADDRESS).post(server.url + "/api/register", json=victim, timeout=30).status_code == 201
        # The binding is real: a connection of an attacker's session comes from that address.
        probe = session_from(ADDRESSES[-1]).get(server.url + "/readyz", stream=True, timeout=30)
        assert probe.raw.connection.sock.getsockname()[0] == ADDRESSES[-1]
        probe.close()
        outcome = Outcome()
        outcome.one_address = attack(server.url, "victim", ["127.0.0.1"])
        outcome.many_addresses = attack(server.url, "victim", ADDRESSES)
        response = session_from(VICTIM_ADDRESS).post(server.url + "/api/login", json=victim, timeout=30)
        outcome.victim_login = (response.status_code, response.text[:300])
        assert server.process.poll() is None, server.logs()[-3000:]
        yield outcome
    finally:
        server.kill()


def test_every_guess_is_answered_without_5xx(brute_force):
    for name in ("one_address", "many_addresses"):
        phase = getattr(brute_force, name)
        assert phase.sent == GUESSES, f"{name}: only {phase.sent} of {GUESSES} guesses within {PHASE_SECONDS} s ({phase.statuses})"
        assert not phase.errors, f"{name}: {phase.errors[:10]}"
        assert set(phase.statuses) <= {401, 429}, f"{name}: {phase.statuses}"


def test_the_real_user_still_logs_in_from_their_own_address(brute_force):
    status, body = brute_force.victim_login
    assert status == 200, body


def _limited(phase: Phase):
    assert phase.statuses.get(429, 0) > 0, f"no 429 among {phase.statuses}"
    assert phase.retry_after and all(value.isdigit() and int(value) >= 1 for value in phase.retry_after), phase.retry_after[:10]


def test_guesses_from_one_address_meet_429_with_retry_after(brute_force):
    _limited(brute_force.one_address)


def test_guesses_spread_over_50_addresses_meet_429_with_retry_after(brute_force):
    _limited(brute_force.many_addresses)
