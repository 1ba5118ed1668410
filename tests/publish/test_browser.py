"""End-to-end: a real headless Chromium drives the pages of a real ``imet-kg serve``.

Debian's ``chromium`` and ``chromium-driver`` with Selenium (no browser download). Outside CI the
test skips when Chromium is missing; in CI (CI=true) it fails instead. Screenshots go to
``.artifacts/screenshots/`` (gitignored).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait
from server_support import running_server

from conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOTS = ROOT / ".artifacts" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

if not (CHROMIUM and CHROMEDRIVER):
    if IN_CI:
        pytest.fail("CI needs Debian's chromium and chromium-driver", pytrace=False)
    pytest.skip("chromium and chromedriver are not installed", allow_module_level=True)

PURPOSES = (
    "to encourage effective and mutually beneficial relations",
    "to improve the ability of participating foreign countries",
    "to increase the awareness of nationals of foreign countries",
)


@pytest.fixture(scope="module")
def server():
    with running_server("--time-limit", "10", "--workers", "1") as live:
        yield live


@pytest.fixture(scope="module")
def browser():
    profile = tempfile.mkdtemp(prefix="imet-kg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1400",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not download anything
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def screenshot(driver, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def test_query_page_runs_a_saved_query_and_shows_its_rows(server, browser):
    browser.get(server.url("/sparql"))
    Select(browser.find_element(By.ID, "example")).select_by_value("purposes")
    editor = browser.find_element(By.ID, "query")
    assert "imet:purpose" in editor.get_attribute("value")
    browser.find_element(By.ID, "run").click()
    wait = WebDriverWait(browser, 30)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#results table tbody tr")))
    rows = browser.find_elements(By.CSS_SELECTOR, "#results table tbody tr")
    assert len(rows) == 3
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#results thead th")]
    assert "purposeLabel" in headers
    text = browser.find_element(By.ID, "results").text
    assert "Mutually beneficial relations and understanding" in text
    assert "3 rows" in browser.find_element(By.ID, "status").text
    # IRIs of the graph link to this server's pages.
    link = browser.find_element(By.LINK_TEXT, "https://w3id.org/imet-kg/id/faa/section-543/1")
    assert link.get_attribute("href") == server.url("/id/faa/section-543/1")
    path = screenshot(browser, "query-page-purposes")
    assert path.stat().st_size > 10_000


def test_statute_page_shows_the_three_purposes(server, browser):
    browser.get(server.url("/id/faa/section-543"))
    heading = browser.find_element(By.CSS_SELECTOR, ".legal-document h2").text
    assert "543" in heading and "Congressional declaration of purpose" in heading
    document = browser.find_element(By.CSS_SELECTOR, ".legal-document")
    paragraphs = document.find_elements(By.CSS_SELECTOR, "section.paragraph")
    assert len(paragraphs) == 3
    for paragraph, words in zip(paragraphs, PURPOSES, strict=True):
        assert paragraph.is_displayed()
        assert words in paragraph.text
    screenshot(browser, "section-543")


def test_browse_from_the_program_to_the_statute_and_the_chart(server, browser):
    browser.get(server.url("/"))
    browser.find_element(By.LINK_TEXT, "International Military Education and Training").click()
    WebDriverWait(browser, 10).until(ec.title_contains("International Military Education"))
    chart = browser.find_element(By.CSS_SELECTOR, "figure.chart svg")
    assert chart.is_displayed()
    legend = browser.find_element(By.CSS_SELECTOR, "figure.chart svg").text
    assert "authorization" in legend
    screenshot(browser, "program-page")
    browser.find_element(By.LINK_TEXT, "FAA §543(1)").click()
    WebDriverWait(browser, 10).until(ec.title_contains("§543(1)"))
    browser.find_element(By.LINK_TEXT, "FAA §543").click()
    WebDriverWait(browser, 10).until(ec.title_contains("FAA §543 "))
    assert PURPOSES[2] in browser.find_element(By.CSS_SELECTOR, ".legal-document").text
