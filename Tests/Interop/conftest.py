# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures for interop tests that drive the real `authd` executable."""
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _authd_binary() -> Path:
    configured = os.environ.get("AUTHD_BIN")
    if configured:
        return Path(configured)
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, check=True, capture_output=True, text=True)
    return Path(out.stdout.strip()) / "authd"


@pytest.fixture(scope="session")
def authd_bin() -> Path:
    path = _authd_binary()
    if not path.exists():
        pytest.fail(f"authd is not built at {path}: run `make test` (or `swift build --product authd`)")
    return path


@pytest.fixture
def authd(authd_bin):
    """Runs `authd ARGS…` with `stdin`, returning the CompletedProcess (never raises on a non-zero exit)."""

    def run(*args: str, stdin: bytes | str = b"", timeout: float = 60):
        data = stdin.encode() if isinstance(stdin, str) else stdin
        return subprocess.run([str(authd_bin), *args], input=data, capture_output=True, timeout=timeout)

    return run
