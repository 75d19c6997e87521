"""Clicking a hostile "original" URL in Chromium runs nothing: only http(s) URLs become links, on the
incident page, in the HTML report file and on /-/report (issue 17)."""

from __future__ import annotations

import pytest

from browser_support import chromium_browser, chromium_missing_reason, live_server

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or "")]

SCRIPT_URL = "javascript:document.title='pwned'"
FRONT_MATTER = f"""---
title: Queue outage
url: "{SCRIPT_URL}"
---
# Queue outage

On 2024-03-05 between 10:00 and 10:40 UTC job processing stalled for all customers.
"""
MANIFEST_DOC = "# Cache outage\n\nOn 2024-04-09 between 08:00 and 08:20 UTC the cache evicted every key.\n"


@pytest.fixture(scope="module")
def hostile_links_db(tmp_path_factory):
    from kb import load, store

    folder = tmp_path_factory.mktemp("links")
    (folder / "front.md").write_text(FRONT_MATTER, encoding="utf-8")
    (folder / "manifest.md").write_text(MANIFEST_DOC, encoding="utf-8")
    (folder / "web.md").write_text(MANIFEST_DOC.replace("Cache", "Web"), encoding="utf-8")
    manifest = {"manifest.md": {"original_url": "JavaScript:document.title='pwned'"}, "web.md": {"original_url": "https://example.com/pm"}}
    path = folder / "links.db"
    db = store.open_db(path)
    summary = load.ingest(db, [str(folder / n) for n in ("front.md", "manifest.md", "web.md")], manifest=manifest)
    assert summary.new == 3, summary.errors
    ids = {row["source"].rsplit("/", 1)[-1]: row["id"] for row in db.query("select d.source, i.id from incidents i join documents d on d.id = i.document_id")}
    db.close()
    return path, ids


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as chromium:
        yield chromium


def click_every_url(browser, url: str) -> tuple[str, list[str]]:
    """Open ``url``, click every element showing a stored URL; the page title after, and every link's href."""
    page = browser.new_page()
    try:
        page.goto(url)
        title = page.title()
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        for target in page.get_by_text("document.title", exact=False).all() + page.locator("a:not([href^='http'])", has_text="original").all():
            target.click()
        page.wait_for_timeout(200)
        assert page.title() == title, "a click ran the stored javascript: URL"
        return page.title(), hrefs
    finally:
        page.close()


def test_incident_pages_link_only_http_urls(browser, hostile_links_db):
    path, ids = hostile_links_db
    with live_server(path) as base:
        for name in ("front.md", "manifest.md"):
            _, hrefs = click_every_url(browser, f"{base}/incident/{ids[name]}")
            assert not any(h.strip().lower().startswith("javascript:") for h in hrefs)
        _, hrefs = click_every_url(browser, f"{base}/incident/{ids['web.md']}")
        assert "https://example.com/pm" in hrefs


def test_the_report_file_and_the_report_page_link_only_http_urls(browser, hostile_links_db, tmp_path):
    from kb import report, store

    path, _ = hostile_links_db
    db = store.open_db(path, migrate=False)
    html = report.render(report.build(db, report.Filters(), base_url="http://127.0.0.1:8001"), "html")
    db.close()
    assert html.count("document.title") == 2  # both hostile URLs are shown, as text
    file = tmp_path / "report.html"
    file.write_text(html, encoding="utf-8")
    for url in [file.as_uri()]:
        _, hrefs = click_every_url(browser, url)
        assert not any(h.strip().lower().startswith("javascript:") for h in hrefs) and "https://example.com/pm" in hrefs
    with live_server(path) as base:
        _, hrefs = click_every_url(browser, f"{base}/-/report")
        assert not any(h.strip().lower().startswith("javascript:") for h in hrefs) and "https://example.com/pm" in hrefs
