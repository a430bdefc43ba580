"""Playwright for Python driving Debian's Chromium (no downloaded browsers here).

Screenshots of every step land in test-results/screens/ so a failure can be
looked at, and a reviewer can see what each role sees.
"""

import re
import shutil
from pathlib import Path

import pytest

from ..conftest import need

SCREENS = Path(__file__).resolve().parent.parent.parent / "test-results" / "screens"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium")
    need(chromium is not None, "needs Debian's chromium (apt-get install chromium fonts-wqy-microhei)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


def _new_page(browser, request, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)  # generous: CI runs the browser beside other test workers
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    counter = {"n": 0}

    def shot(step):
        counter["n"] += 1
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"{name}-{counter['n']:02d}-{step}.png"), full_page=True)

    page.shot = shot
    return context, page


@pytest.fixture
def phone_page(browser, request):
    context, page = _new_page(browser, request, PHONE)
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser, request):
    context, page = _new_page(browser, request, {"width": 1366, "height": 900})
    yield page
    context.close()


@pytest.fixture
def login(live_server):
    def do(page, username, password="pass-word-123"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label(re.compile("用户名")).fill(username)
        page.get_by_label(re.compile("密码")).fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state("networkidle")
        return page

    return do


def assert_fits(page):
    """The page does not scroll sideways; if it does, name the elements that stick out."""
    extra = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if extra > 1:
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(-12).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
        raise AssertionError(f"{page.url} is {extra}px too wide: {wide}")
