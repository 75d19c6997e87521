"""The HTML report in a real Chromium: charts have a size, nothing overflows at 1280 px, the axis switch works."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb import report, store

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def report_file(request, tmp_path_factory) -> Path:
    """The HTML report over the seeds plus ../shared/corpus/docs, or over the seeds alone without ../shared."""
    try:
        db_path = request.getfixturevalue("corpus_db_path")
    except pytest.skip.Exception:
        db_path = request.getfixturevalue("seeded_db_path")
    db = store.open_db(db_path, migrate=False)
    html = report.render(report.build(db, report.Filters(), base_url="http://127.0.0.1:8001"), "html")
    db.close()
    path = tmp_path_factory.mktemp("report-browser") / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def page(report_file):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 900})
            requests: list[str] = []
            tab.on("request", lambda r: requests.append(r.url))
            tab.goto(report_file.as_uri())
            tab.requests = requests
            yield tab
        finally:
            browser.close()


def boxes(page, selector: str) -> list[dict]:
    return [loc.bounding_box() for loc in page.locator(selector).all()]


def test_no_horizontal_overflow_at_1280(page):
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths


def test_charts_have_size(page):
    strips = boxes(page, "svg.strip")
    assert len(strips) == 3
    assert all(b and b["width"] > 300 and b["height"] > 20 for b in strips)
    calendar = boxes(page, 'svg.gantt[data-mode="calendar"]')
    assert calendar and calendar[0]["width"] > 300 and calendar[0]["height"] > 20
    bars = boxes(page, 'svg.gantt[data-mode="calendar"] rect.bar')
    assert bars and all(b["width"] > 0 and b["height"] > 0 for b in bars)


def test_axis_switch_shows_the_aligned_chart(page, tmp_path_factory):
    aligned = page.locator('svg.gantt[data-mode="aligned"]')
    calendar = page.locator('svg.gantt[data-mode="calendar"]')
    assert not aligned.is_visible() and calendar.is_visible()
    page.click("label[for=axis-aligned]")
    assert aligned.is_visible() and not calendar.is_visible()
    box = aligned.bounding_box()
    assert box["width"] > 300 and box["height"] > 20
    page.locator("#impact").screenshot(path=str(tmp_path_factory.mktemp("shots") / "report-impact-aligned.png"))
    page.click("label[for=axis-calendar]")
    assert calendar.is_visible()


def test_report_loads_nothing_from_the_network(page, tmp_path_factory):
    assert all(url.startswith("file://") for url in page.requests), page.requests
    page.screenshot(path=str(tmp_path_factory.mktemp("shots") / "report.png"), full_page=True)
