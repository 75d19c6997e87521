"""pmkb serve in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import re

import pytest

from browser_support import chromium_browser, chromium_missing_reason, live_server

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or "")]


@pytest.fixture(scope="module")
def kb_db_path(request):
    """The corpus database when ../shared is present, else the seeds (both built with kb.load.ingest)."""
    from conftest import SHARED

    if (SHARED / "corpus" / "docs").is_dir():
        return request.getfixturevalue("corpus_db_path")
    return request.getfixturevalue("seeded_db_path")


@pytest.fixture(scope="module")
def base_url(kb_db_path):
    with live_server(kb_db_path) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as chromium:
        yield chromium


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_search_all_from_the_home_page(page, base_url):
    page.goto(base_url + "/")
    page.fill("#search-all-q", "database")
    page.press("#search-all-q", "Enter")
    page.wait_for_url(re.compile(r"/-/search\?q=database"))
    heading = page.locator("#search-all-results h2", has_text="causes")
    heading.wait_for()
    assert re.match(r"\d+ results? in", heading.inner_text())


def test_search_open_incident_see_evidence_follow_row_link(page, base_url, kb_db_path):
    from kb.serve import database_name

    db = database_name(kb_db_path)
    page.goto(f"{base_url}/{db}/causes")
    page.fill("#_search", "database")
    page.press("#_search", "Enter")
    page.wait_for_url(re.compile(r"_search=database"))
    evidence = page.locator("a.pmkb-evidence").first
    href = evidence.get_attribute("href")
    match = re.fullmatch(r"/incident/(\d+)#ev-cause-(\d+)", href)
    assert match, href
    incident_id, cause_id = match.groups()
    evidence.click()
    page.wait_for_url(re.compile(rf"/incident/{incident_id}#ev-cause-{cause_id}$"))

    target = page.locator(f"mark#ev-cause-{cause_id}")
    assert target.count() == 1
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == f"ev-cause-{cause_id}"
    target.scroll_into_view_if_needed()
    assert target.is_visible()
    colours = page.evaluate(
        "Object.fromEntries(['window','timeline','cause','action'].map(k => [k, getComputedStyle(document.querySelector('.pmkb-legend .ev-' + k)).backgroundColor]))"
    )
    assert len(set(colours.values())) == 4  # one colour per kind of evidence
    assert page.locator("#document mark.ev").count() >= 1
    for label in ("Time to detect", "Time to mitigate", "Total impact", "Quality flags"):
        assert page.get_by_text(label).first.is_visible()

    row_link = page.locator(f'#causes a[href="/{db}/causes/{cause_id}"]')
    row_link.click()
    page.wait_for_url(re.compile(rf"/{db}/causes/{cause_id}$"))
    back = page.locator("a.pmkb-evidence")
    assert back.get_attribute("href") == f"/incident/{incident_id}#ev-cause-{cause_id}"
