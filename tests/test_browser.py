"""The reader in a real browser: `pipeline serve` in a subprocess, driven by headless Chromium.

Chromium is Debian's (`make test` installs it), or the one the CHROMIUM variable names; Playwright
only drives it, it downloads nothing. Without either, the module is skipped (and fails when CI is set).
Screenshots land in tmp_path (pytest prints where with -rA; `--basetemp DIR` keeps them in DIR).
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from .conftest import unavailable
from .indexes import HOSTILE_SOURCE, build_index

CHROMIUM = Path(os.environ.get("CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SEED_ARTICLE = "interventional-radiologist"
SEED_SECTION = "what-does-an-interventional-radiologist-do"
# The seed section's heading as each locale shows it.
SEED_HEADING = {"en": "What does an Interventional Radiologist do?", "ar": "ماذا يفعل اختصاصي الأشعة التداخلية؟"}

pytestmark = pytest.mark.slow

if not CHROMIUM.exists():
    unavailable(f"Chromium is not at {CHROMIUM} (`make test` installs Debian's chromium; "
                "or set CHROMIUM to a Chromium binary)")
try:
    from playwright.sync_api import sync_playwright
except ImportError:
    unavailable("playwright is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`pipeline serve` on a free loopback port, over the bundled sources plus a hostile article."""
    root = tmp_path_factory.mktemp("reader")
    index = build_index(root, {"hostile.txt": HOSTILE_SOURCE}, translated=True)
    pipeline = Path(sys.executable).with_name("pipeline")
    process = subprocess.Popen([str(pipeline), "serve", "--index", str(index), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        first = lines.get(timeout=30)
    except queue.Empty:
        process.kill()
        pytest.fail(f"pipeline serve printed nothing: {process.stderr.read()}")
    assert first.startswith("Serving the reader at http://127.0.0.1:"), first
    yield first.split(" at ", 1)[1].split()[0].rstrip("/")
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page that fails the test on any console error (a CSP violation is one) or dialog."""
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield page
    context.close()
    assert problems == []


def assert_seed_section(page, locale: str) -> None:
    """The seed section is on screen in the locale's words, or marked as not translated yet."""
    section = page.locator(f"section#{SEED_SECTION}")
    heading = section.locator("h2")
    assert heading.is_visible()
    if locale in SEED_HEADING:
        assert heading.inner_text().startswith(SEED_HEADING[locale])
        assert section.get_attribute("lang") == locale
    else:
        assert heading.inner_text().startswith(SEED_HEADING["en"])
        assert section.get_attribute("lang") == "en"
        assert "untranslated" in section.get_attribute("class")


def test_search_open_the_seed_section_and_read_it_in_arabic(server, page, tmp_path):
    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=tmp_path / "home-en.png", full_page=True)

    page.get_by_role("searchbox").fill("kidney stones")
    page.get_by_role("searchbox").press("Enter")
    page.wait_for_url("**/?q=kidney+stones*")
    seed_hit = page.locator(".hit-title a", has_text=SEED_HEADING["en"])
    assert seed_hit.count() == 1
    assert page.locator(".hit mark").first.is_visible()
    page.screenshot(path=tmp_path / "search-en.png", full_page=True)

    seed_hit.click()
    page.wait_for_url(f"**/articles/{SEED_ARTICLE}?lang=en#{SEED_SECTION}")
    assert_seed_section(page, "en")
    assert page.locator("html").get_attribute("dir") == "ltr"
    page.screenshot(path=tmp_path / "article-en.png", full_page=True)

    page.locator(".versions").get_by_role("link", name="العربية").click()
    page.wait_for_url(f"**/articles/{SEED_ARTICLE}?lang=ar")
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    assert page.locator(".brand").inner_text().endswith("المرجع الطبي")
    assert_seed_section(page, "ar")
    assert page.locator(".progress").is_visible()
    page.screenshot(path=tmp_path / "article-ar.png", full_page=True)

    page.get_by_role("searchbox").fill("kidney stones")
    page.get_by_role("button", name="ابحث").click()
    page.wait_for_url("**/?q=kidney+stones&lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.screenshot(path=tmp_path / "search-ar.png", full_page=True)


def test_a_hostile_article_runs_no_script(server, page, tmp_path):
    page.goto(server + "/?q=hostile+kidney")
    hit = page.locator(".hit-title a", has_text="Hostile kidney page").first
    assert "<img" in hit.inner_text()  # shown as text
    hit.click()
    page.wait_for_load_state()
    assert "<script>alert(document.cookie)</script>" in page.locator("article").inner_text()
    assert page.locator("article script, article img, article svg, article iframe").count() == 0
    page.screenshot(path=tmp_path / "hostile.png", full_page=True)


def test_the_page_works_on_a_phone(server, browser, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  locale="ar")
    page = context.new_page()
    page.goto(server + "/?q=kidney+stones")
    assert page.locator("html").get_attribute("dir") == "rtl"  # negotiated from Accept-Language
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    page.screenshot(path=tmp_path / "search-ar-phone.png", full_page=True)
    context.close()
