# SPDX-License-Identifier: Apache-2.0
"""Headless Chromium through Selenium for the browser tests (Debian `chromium` + `chromium-driver`, no display)."""
import os
import shutil
import tempfile

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

SCRIPT_TIMEOUT = 30  # seconds for one execute_async_script


def _find(names, env):
    configured = os.environ.get(env)
    if configured:
        return configured
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def headless_chromium():
    """A WebDriver for headless Chromium, or a test failure that says what to install (never a silent skip)."""
    browser = _find(["chromium", "chromium-browser", "google-chrome"], "AUTHD_CHROMIUM")
    driver = _find(["chromedriver"], "AUTHD_CHROMEDRIVER")
    if not browser or not driver:
        pytest.fail("headless Chromium is needed: `apt-get install chromium chromium-driver` (.ci/run installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    profile = tempfile.mkdtemp(prefix="authd-chromium-")
    for argument in [
        "--headless=new",
        "--no-sandbox",  # CI runs as root in a container
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--window-size=1024,1400",
        f"--user-data-dir={profile}",
    ]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    session = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    session.set_script_timeout(SCRIPT_TIMEOUT)
    session.set_page_load_timeout(30)
    session.authd_profile = profile
    return session


def quit_browser(session):
    try:
        session.quit()
    finally:
        shutil.rmtree(getattr(session, "authd_profile", ""), ignore_errors=True)


def console_errors(session):
    """The browser console's SEVERE entries (script errors, CSP violations)."""
    return [entry for entry in session.get_log("browser") if entry.get("level") == "SEVERE"]
