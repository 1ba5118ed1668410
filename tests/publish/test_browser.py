"""End-to-end: a real headless Chromium drives the pages of a real ``imet-kg serve``.

Debian's ``chromium`` and ``chromium-driver`` with Selenium (no browser download). Outside CI the
test skips when Chromium is missing; in CI (CI=true) it fails instead. Screenshots go to
``.artifacts/screenshots/`` (gitignored).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait
from server_support import running_server

from imet_kg.publish import sitemap
from imet_kg.publish.views import Links, Pages

from conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOTS = ROOT / ".artifacts" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

if not (CHROMIUM and CHROMEDRIVER):
    if IN_CI:
        pytest.fail("CI needs Debian's chromium and chromium-driver", pytrace=False)
    pytest.skip("chromium and chromedriver are not installed", allow_module_level=True)

MAX_ROWS = 100  # above every saved query the tests run; the truncation test goes past it
PURPOSES = (
    "to encourage effective and mutually beneficial relations",
    "to improve the ability of participating foreign countries",
    "to increase the awareness of nationals of foreign countries",
)


def wait(browser, seconds: float) -> WebDriverWait:
    """WebDriverWait looking every 50 ms (its default, 0.5 s, ends a wait up to 0.5 s late)."""
    # A page drawing itself again replaces the elements a condition reads: look again.
    return WebDriverWait(
        browser, seconds, poll_frequency=0.05, ignored_exceptions=(StaleElementReferenceException,)
    )


@pytest.fixture(scope="module")
def server():
    with running_server(
        "--time-limit", "10", "--workers", "1", "--max-rows", str(MAX_ROWS)
    ) as live:
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
    # The query page's tests read the network log: nothing may leave for another host.
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
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


def rows_of(browser) -> list[list[str]]:
    cells = "td:not(:first-child)"  # YASGUI's first column numbers the rows
    return [
        [td.text for td in tr.find_elements(By.CSS_SELECTOR, cells)]
        for tr in browser.find_elements(By.CSS_SELECTOR, ".yasr table.dataTable tbody tr")
    ]


def headers_of(browser) -> list[str]:
    return [th.text.strip() for th in browser.find_elements(By.CSS_SELECTOR, ".yasr thead th")][1:]


def wait_for_rows(browser, count: int) -> list[list[str]]:
    wait(browser, 30).until(lambda b: len(rows_of(b)) == count)
    return rows_of(browser)


def outward_requests(browser, server) -> list[str]:
    """Requests since the last call that went anywhere but this server (or the page itself)."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    local = (server.base, "data:", "blob:", "about:", "chrome:", "file:")
    return [url for url in urls if not url.startswith(local)]


def test_query_page_runs_a_saved_query_and_shows_its_rows(server, browser):
    browser.get(server.url("/sparql"))
    outward_requests(browser, server)  # forget the requests so far
    Select(browser.find_element(By.ID, "example")).select_by_value("purposes")
    query = browser.execute_script("return window.imetQueryPage.getTab().getQuery()")
    assert "imet:purpose" in query
    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    rows = wait_for_rows(browser, 3)
    assert "purposeLabel" in headers_of(browser)
    assert any(
        "Mutually beneficial relations and understanding" in cell for row in rows for cell in row
    )
    assert "3 results" in browser.find_element(By.CSS_SELECTOR, ".yasr").text
    # IRIs of the graph are shown with the project's prefixes and link to this server's pages.
    link = browser.find_element(By.LINK_TEXT, "id:faa/section-543/1")
    assert link.get_attribute("href") == server.url("/id/faa/section-543/1")
    # ... with their labels, which query.js asks the endpoint for.
    labels = wait(browser, 10).until(
        lambda b: [e.text for e in b.find_elements(By.CSS_SELECTOR, ".yasr .iri-label")]
    )
    assert "FAA §543(1)" in labels
    # The address now names the query: a shareable link to this result.
    assert browser.current_url.startswith(server.url("/sparql?query="))
    assert outward_requests(browser, server) == []
    path = screenshot(browser, "query-page-purposes")
    assert path.stat().st_size > 10_000


def test_a_result_address_opens_the_query_and_its_results(server, browser):
    browser.get(server.url("/sparql"))
    query = (
        "PREFIX imet: <https://w3id.org/imet-kg/def/>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?program ?label WHERE { ?program a imet:Program ; rdfs:label ?label } "
        "ORDER BY ?label"
    )
    browser.execute_script("window.imetQueryPage.getTab().setQuery(arguments[0])", query)
    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    first = [row[1] for row in wait_for_rows(browser, 2)]  # the labels (IRIs get a label later)
    address = browser.current_url
    assert address != server.url("/sparql")
    # YASGUI's own share button makes a link of the same form.
    shared = browser.execute_script("return window.imetQueryPage.getTab().getShareableLink()")
    assert shared.startswith(server.url("/sparql?query="))
    browser.get("about:blank")
    browser.get(address)  # as someone the link was sent to
    assert [row[1] for row in wait_for_rows(browser, 2)] == first
    shown = browser.execute_script("return window.imetQueryPage.getTab().getQuery()")
    assert shown == query


def test_sorting_a_column_of_the_results(server, browser):
    browser.get(server.url("/sparql?example=purposes"))  # a saved query, bound and run
    wait_for_rows(browser, 3)
    column = headers_of(browser).index("purposeLabel")

    def labels() -> list[str]:
        return [row[column] for row in rows_of(browser)]

    def sort() -> None:
        heads = browser.find_elements(By.CSS_SELECTOR, ".yasr thead th")
        next(th for th in heads if th.text.strip() == "purposeLabel").click()

    # The table is drawn again after each click, a moment later: wait for the order (or fail
    # at the wait's end), rather than read the rows the click has not reordered yet.
    sort()
    wait(browser, 10).until(lambda b: labels() == sorted(labels()))
    sort()
    wait(browser, 10).until(lambda b: labels() == sorted(labels(), reverse=True))
    assert labels() != sorted(labels())  # three different labels: the two orders differ


def test_a_saved_query_parameter_is_bound_by_the_server(server, browser):
    browser.get(server.url("/sparql?example=purposes"))
    wait_for_rows(browser, 3)  # IMET's three purposes, the default program

    def bind(value: str) -> None:
        field = browser.find_element(By.CSS_SELECTOR, "#example-params input[name=program]")
        field.clear()
        field.send_keys(value)
        browser.find_element(By.ID, "bind").click()

    bind("https://w3id.org/imet-kg/id/program/expanded-imet")
    wait_for_rows(browser, 4)  # the four aims of Expanded IMET
    assert "expanded-imet" in browser.current_url  # the bound query is the address
    bind("not an iri")
    wait(browser, 10).until(lambda b: "program" in b.find_element(By.ID, "status").text)
    assert "error" in browser.find_element(By.ID, "status").get_attribute("class")


def test_the_editor_completes_the_graph_s_classes_without_asking_the_web(server, browser):
    browser.get(server.url("/sparql"))
    outward_requests(browser, server)
    browser.execute_script(
        "window.imetQueryPage.getTab().setQuery(arguments[0])",
        "PREFIX imet: <https://w3id.org/imet-kg/def/>\nSELECT * WHERE { ?s a ",
    )
    editor = browser.find_element(By.CSS_SELECTOR, ".CodeMirror textarea")
    browser.execute_script(
        "var cm = window.imetQueryPage.getTab().getYasqe(); cm.focus();"
        "cm.setCursor(cm.lineCount() - 1, 1000);"
    )
    editor.send_keys("imet:Progr")
    hints = wait(browser, 10).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li")
    )
    assert any("imet:Program" in hint.text for hint in hints)
    assert outward_requests(browser, server) == []  # LOV, prefix.cc, CDNs: none


def test_a_syntax_error_is_marked_where_it_is(server, browser):
    browser.get(server.url("/sparql"))
    browser.execute_script(
        "window.imetQueryPage.getTab().setQuery(arguments[0])",
        "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER( }",
    )
    marks = wait(browser, 10).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, ".yasqe .CodeMirror-gutter-elt .parseErrorIcon")
    )
    line = marks[0].find_element(
        By.XPATH, "ancestor::div[contains(@class, 'CodeMirror-gutter-wrapper')]/.."
    )
    assert "FILTER(" in line.text  # the mark is on the third line, where the error is
    button = browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton")
    assert "query_error" in button.get_attribute("class")


def test_a_truncated_result_says_so(server, browser):
    browser.get(server.url("/sparql"))
    query = f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_ROWS + 1}"
    browser.execute_script("window.imetQueryPage.getTab().setQuery(arguments[0])", query)
    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    status = browser.find_element(By.ID, "status")
    wait(browser, 30).until(lambda b: "Truncated" in status.text)
    assert f"limit of {MAX_ROWS} rows" in status.text


def test_a_numeric_result_can_be_drawn_as_a_chart(server, browser):
    browser.get(server.url("/sparql?example=funding-by-fiscal-year"))
    wait(browser, 30).until(lambda b: rows_of(b))
    buttons = browser.find_elements(By.CSS_SELECTOR, ".yasr_btnGroup button")
    next(b for b in buttons if "Chart" in b.text).click()
    bars = browser.find_elements(By.CSS_SELECTOR, "svg.imet-chart rect")
    assert len(bars) == min(len(rows_of_results(browser)), 60)


def rows_of_results(browser) -> list:
    return browser.execute_script(
        "return window.imetQueryPage.getTab().getYasr().results.getBindings()"
    )


def test_the_query_page_fits_a_phone(server, browser):
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )
    try:
        browser.get(server.url("/sparql?example=purposes"))
        wait_for_rows(browser, 3)
        assert browser.execute_script("return window.innerWidth") == 390
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
        screenshot(browser, "query-page-390px")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_the_static_site_query_page_shows_the_saved_answers(
    browser, publication, queries, tmp_path
):
    """The static site has no endpoint: choosing a saved query shows the answer built with it."""
    content = sitemap.Content(Pages(publication, [q for q in queries if q.name == "purposes"]))
    for document in (sitemap.QUERY_PAGE, *sitemap.ASSETS.values()):
        path = tmp_path / document.file
        path.parent.mkdir(parents=True, exist_ok=True)
        links = Links(publication, static=True, page=document.file)
        path.write_bytes(document.make(content, links))
    browser.get((tmp_path / sitemap.QUERY_PAGE.file).as_uri())
    assert "no live SPARQL endpoint" in browser.find_element(By.ID, "static-note").text
    Select(browser.find_element(By.ID, "example")).select_by_value("purposes")
    wait_for_rows(browser, 3)
    link = browser.find_element(By.LINK_TEXT, "id:faa/section-543/1")
    assert link.get_attribute("href") == (tmp_path / "id/faa/section-543/1.html").as_uri()
    button = browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton")
    assert "no live SPARQL endpoint" in button.get_attribute("title")


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
    wait(browser, 10).until(ec.title_contains("International Military Education"))
    chart = browser.find_element(By.CSS_SELECTOR, "figure.chart svg")
    assert chart.is_displayed()
    legend = browser.find_element(By.CSS_SELECTOR, "figure.chart svg").text
    assert "authorization" in legend
    screenshot(browser, "program-page")
    browser.find_element(By.LINK_TEXT, "FAA §543(1)").click()
    wait(browser, 10).until(ec.title_contains("§543(1)"))
    browser.find_element(By.LINK_TEXT, "FAA §543").click()
    wait(browser, 10).until(ec.title_contains("FAA §543 "))
    assert PURPOSES[2] in browser.find_element(By.CSS_SELECTOR, ".legal-document").text


def test_search_from_the_home_page_finds_a_citation(server, browser):
    browser.get(server.url("/"))
    box = browser.find_element(By.ID, "search-q")
    box.send_keys("22 U.S.C. 2347b")
    box.submit()
    wait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#results li a"))
    first = browser.find_element(By.CSS_SELECTOR, "#results li a")
    assert "543" in first.text
    first.click()
    wait(browser, 10).until(ec.title_contains("§543"))
    assert "22 U.S.C. § 2347b" in browser.find_element(By.TAG_NAME, "body").text


def test_search_facets_narrow_the_results(server, browser):
    browser.get(server.url("/search?q=section"))
    wait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#results li"))
    before = int(browser.find_element(By.ID, "result-count").text)
    facet = browser.find_element(By.CSS_SELECTOR, "aside a[href*='type=']")
    facet.click()
    wait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".chosen a.tag"))
    after = int(browser.find_element(By.ID, "result-count").text)
    assert 0 < after < before


# Every kind of page the site has, on a phone: nothing may be wider than the screen (tables
# scroll inside their own box).
PHONE_PAGES = (
    "/",
    "/resources",
    "/search?q=541(a)",
    "/chart/",
    "/id/faa/section-541",
    "/id/faa/part-II/chapter-5",
    "/id/program/imet",
    "/id/country/colombia",
    "/def/",
    "/def/shapes/",
)


def test_every_kind_of_page_fits_a_phone(server, browser):
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )
    try:
        too_wide = {}
        for path in PHONE_PAGES:
            browser.get(server.url(path))
            assert browser.execute_script("return window.innerWidth") == 390
            width = browser.execute_script("return document.documentElement.scrollWidth")
            if width > 390:
                too_wide[path] = width
        assert too_wide == {}
        screenshot(browser, "shapes-page-390px")  # the last one
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
