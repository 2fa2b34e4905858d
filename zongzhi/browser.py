"""Playwright driving Debian's Chromium, for the browser tests (`@pytest.mark.browser`).

No browser is downloaded: the tests use /usr/bin/chromium, which `make test` installs
with apt when it is missing. Screenshots go to test-artifacts/ so that people can look.
"""

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("ZONGZHI_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PHONE_WIDTH, PHONE_HEIGHT = 390, 844
# Flags for a headless, offline, root-run Chromium: no sandbox (root), and none of the
# background connections that this machine's closed network would refuse.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One Chromium for all the browser tests of a test process, reached over CDP: each
    test gets a fresh context (no cookies, storage or cache shared between tests) without
    paying for a browser's start. Stopped when the process's tests are done."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    process = subprocess.Popen(  # noqa: S603
        [
            CHROMIUM,
            "--headless",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            # The browser's own words (a file input's button) in Chinese, as on the phones
            # the pages are made for; each context still sets its locale.
            "--lang=zh-CN",
            *CHROMIUM_ARGS,
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stderr is not None
        endpoint = ""
        for line in process.stderr:  # "DevTools listening on ws://127.0.0.1:PORT/devtools/…"
            if line.startswith("DevTools listening on "):
                endpoint = line.split(" on ", 1)[1].strip()
                break
        if not endpoint:
            raise RuntimeError(f"{CHROMIUM} did not start: exit status {process.wait()}")
        # Keep reading what it says, so that a full pipe never stops it.
        threading.Thread(target=process.stderr.read, daemon=True).start()
        yield endpoint
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def phone_page(live_server: object, chromium_endpoint: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls that tests
    # make between browser steps are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.connect_over_cdp(chromium_endpoint)
        context = browser.new_context(
            viewport={"width": PHONE_WIDTH, "height": PHONE_HEIGHT},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            for opened in browser.contexts:
                if opened is not browser.contexts[0]:  # the browser's own default context
                    opened.close()
            browser.close()  # over CDP: disconnects, the browser stays up for the next test
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def sign_in(page: Any, base: str, username: str, password: str) -> None:
    """Sign in through the login form, as a person would (any earlier session dropped)."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def fits_the_phone(page: Any) -> bool:
    """Nothing wider than the phone's screen: no sideways scrolling."""
    return bool(page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH)
