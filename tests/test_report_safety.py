"""Report and serve failure modes from issue 17: only http(s) URLs become links in the Markdown report,
a bad --db or --base-url is one line, /-/report?since=2024-13 shows the form's message, and a manifest
published_at that is not a date is stored as unknown and flagged."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from click.testing import CliRunner

from kb import load, report, serve, store
from kb.links import web_url
from pmkb.cli import cli

DOC = "# Queue outage\n\nOn 2024-03-05 between 10:00 and 10:40 UTC job processing stalled for all customers.\n"


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize("url, ok", [
    ("https://example.com/pm", True), ("HTTP://example.com", True), ("javascript:alert(1)", False),
    (" JavaScript:alert(1)", False), ("java\tscript:alert(1)", False), ("data:text/html,<b>x</b>", False),
    ("vbscript:x", False), ("//evil.example/x", False), ("https:///nohost", False), ("http://[::1", False), (None, False),
])
def test_only_absolute_http_urls_may_be_links(url, ok):
    assert (web_url(url) is not None) is ok


def test_markdown_links_only_http_urls():
    assert report.md_link("row", "javascript:alert(1)") == "row"
    assert report.md_link("row", "https://example.com/a b") == "[row](https://example.com/a%20b)"


@pytest.fixture(scope="module")
def hostile_manifest_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("manifest")
    for name in ("a.md", "b.md", "c.md"):
        (folder / name).write_text(DOC.replace("Queue", name[0].upper()), encoding="utf-8")
    manifest = {
        "a.md": {"original_url": "javascript:alert(1)", "published_at": "2024-13-45"},
        "b.md": {"published_at": "0001-01-01T00:00:00+14:00"},
        "c.md": {"published_at": "2024-03-06"},
    }
    path = folder / "kb.db"
    db = store.open_db(path)
    summary = load.ingest(db, [str(folder / n) for n in ("a.md", "b.md", "c.md")], manifest=manifest)
    assert summary.new == 3, summary.errors
    db.close()
    return path


def test_a_manifest_date_that_is_not_a_date_is_stored_as_unknown_and_flagged(hostile_manifest_db):
    conn = sqlite3.connect(hostile_manifest_db)
    rows = dict(conn.execute("select substr(source, -4), published_at from documents"))
    flags = conn.execute("select d.source, f.detail from quality_flags f join documents d on d.id = f.document_id where f.flag = 'bad-metadata'").fetchall()
    conn.close()
    assert rows == {"a.md": None, "b.md": None, "c.md": "2024-03-06"}
    assert sorted(s[-4:] for s, _ in flags) == ["a.md", "b.md"]
    assert any(detail == "manifest published_at: '2024-13-45' is not a date; dropped" for _, detail in flags)


def test_the_markdown_and_html_reports_never_link_a_script_url(hostile_manifest_db):
    for fmt in ("md", "html"):
        result = invoke("report", "--db", hostile_manifest_db, "--format", fmt, "--base-url", "http://127.0.0.1:8001")
        assert result.exit_code == 0, result.output
        assert "](javascript" not in result.stdout and 'href="javascript' not in result.stdout.lower()
    assert "Bad metadata" in invoke("report", "--db", hostile_manifest_db, "--format", "md").stdout


def test_a_script_base_url_is_refused_in_one_line(hostile_manifest_db):
    result = invoke("report", "--db", hostile_manifest_db, "--base-url", "javascript:alert(1)")
    assert result.exit_code == 1 and result.stderr == "Error: --base-url: 'javascript:alert(1)' is not an http or https URL\n"


@pytest.mark.parametrize("content, reason", [(b"hello, not a database at all" * 40, "not a SQLite database"), (None, "not a pmkb database")])
def test_report_on_a_file_that_is_not_a_pmkb_database_is_one_line(tmp_path, content, reason):
    path = tmp_path / "other.db"
    if content is None:
        conn = sqlite3.connect(path)
        conn.execute("create table t (x)")
        conn.commit()
        conn.close()
    else:
        path.write_bytes(content)
    result = invoke("report", "--db", path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: {reason}") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("since", ["2024-13", "2024-02-30", "0000-01-01"])
def test_report_page_with_an_impossible_date_shows_the_form_message(hostile_manifest_db, since):
    ds = serve.make_datasette(hostile_manifest_db)
    page = asyncio.run(ds.client.get(f"/-/report?since={since}"))
    assert page.status_code == 400
    assert f"since: &#39;{since}&#39; is not a date" in page.text and '<form class="pmkb-report-filters"' in page.text
