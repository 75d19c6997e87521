"""Security: hostile document text stays inert on every page, user input reaches SQL only as parameters,
``pmkb serve`` binds 127.0.0.1 by default, and only http(s) URLs are fetched."""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import urllib.parse

import pytest
from click.testing import CliRunner

from kb import serve, store
from pmkb.cli import cli

PAYLOADS = ('<script>alert("pmkb")</script>', "<img src=x onerror=alert(1)>", "<iframe src=javascript:alert(2)>")
HOSTILE = f"""# Outage {PAYLOADS[0]} of the API

On 2024-03-05 between 10:00 and 11:30 UTC the API {PAYLOADS[1]} returned errors for all customers.

## Timeline

- 10:00 UTC: alerts fired {PAYLOADS[2]}
- 11:30 UTC: service restored {PAYLOADS[0]}

## Root cause

A configuration change {PAYLOADS[1]} to the load balancer caused the outage.

## Action items

- [ ] Validate configuration {PAYLOADS[0]} before deploys.
"""
INJECTIONS = ("' OR '1'='1", "x'; DROP TABLE documents; --", '" OR 1=1 --', "1 UNION SELECT text FROM documents")


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("security")
    (folder / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    path = folder / "hostile.db"
    result = CliRunner().invoke(cli, ["ingest", "--db", str(path), "--organization", INJECTIONS[1], str(folder / "hostile.md")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def fetch(hostile_db):
    ds = serve.make_datasette(hostile_db)
    loop = asyncio.new_event_loop()
    yield lambda path: loop.run_until_complete(ds.client.get(path))
    loop.close()


def assert_inert(html: str) -> None:
    """No payload's opening tag survives unescaped (escaped text such as ``&lt;img ...`` is fine)."""
    for payload in PAYLOADS:
        assert payload[:14] not in html, payload


def test_hostile_text_is_stored_verbatim(hostile_db):
    db = store.open_db(hostile_db, migrate=False)
    text = db.execute("select text from documents").fetchone()[0]
    assert all(p in text for p in PAYLOADS)  # kept as data, escaped only when rendered
    assert db.execute("select organization from documents").fetchone()[0] == INJECTIONS[1]


def test_every_datasette_page_escapes_document_text(hostile_db, fetch):
    name = serve.database_name(hostile_db)
    tables = ["documents", "incidents", "impact_windows", "timeline_events", "causes", "corrective_actions"]
    pages = ["/", f"/{name}", "/incident/1", "/-/report", f"/-/search?q=outage"]
    pages += [f"/{name}/{t}" for t in tables] + [f"/{name}/{t}/1" for t in tables]
    pages += [f"/{name}/documents?_search=configuration", f"/{name}/causes?_search=load"]
    rendered = 0
    for page in pages:
        response = fetch(page)
        assert response.status_code in (200, 404), page
        if response.status_code == 200:
            assert_inert(response.text)
            rendered += 1
    assert rendered >= len(tables) * 2
    assert "&lt;script&gt;" in fetch(f"/{name}/documents/1").text


def canned_queries(db_name: str) -> dict[str, list[str]]:
    """Each canned query's name and the :parameters its SQL takes."""
    queries = serve.metadata(db_name)["databases"][db_name].get("queries", {})
    return {q: sorted(set(re.findall(r"(?<!:):([a-z_]+)", spec["sql"]))) for q, spec in queries.items()}


def test_canned_queries_take_hostile_parameters_as_values(hostile_db, fetch):
    name = serve.database_name(hostile_db)
    queries = {q: params for q, params in canned_queries(name).items() if params}
    assert queries, "no canned query takes parameters"
    for query, params in queries.items():
        baseline = fetch(f"/{name}/{query}.json?_shape=array&" + urllib.parse.urlencode({p: "no-such-value" for p in params}))
        assert baseline.status_code == 200, query
        for injection in INJECTIONS:
            response = fetch(f"/{name}/{query}.json?_shape=array&" + urllib.parse.urlencode({p: injection for p in params}))
            assert response.status_code == 200, (query, injection)
            assert response.json() == baseline.json(), (query, injection)  # a value, never SQL
            assert_inert(fetch(f"/{name}/{query}?" + urllib.parse.urlencode({p: injection for p in params})).text)
    assert store.open_db(hostile_db, migrate=False)["documents"].count == 1


@pytest.mark.parametrize("option", ["--organization", "--category"])
def test_report_cli_filters_are_parameters(hostile_db, option):
    for injection in INJECTIONS:
        result = CliRunner().invoke(cli, ["report", "--db", str(hostile_db), "--format", "json", option, injection], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        matches = option == "--organization" and injection == INJECTIONS[1]  # stored literally, so it matches itself
        assert json.loads(result.stdout)["overview"]["incidents"] == (1 if matches else 0), injection
    assert store.open_db(hostile_db, migrate=False)["documents"].count == 1


@pytest.mark.parametrize("option", ["--since", "--until"])
def test_report_cli_dates_are_validated(hostile_db, option):
    for injection in INJECTIONS:
        result = CliRunner().invoke(cli, ["report", "--db", str(hostile_db), option, injection], catch_exceptions=False)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert "is not a date" in result.output


def test_markdown_report_passes_no_raw_html(hostile_db):
    result = CliRunner().invoke(cli, ["report", "--db", str(hostile_db), "--format", "md"], catch_exceptions=False)
    assert result.exit_code == 0
    assert_inert(result.stdout)
    assert not re.search(r"<(?!https?://)[a-z/!]", result.stdout, re.I)  # no tag of any kind


def test_serve_binds_localhost_by_default():
    for command in ("serve", "demo"):
        [host] = [p for p in cli.commands[command].params if p.name == "host"]
        assert host.default == "127.0.0.1", command
    assert inspect.signature(serve.serve).parameters["host"].default == "127.0.0.1"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/secret.txt", "gopher://127.0.0.1/x"])
def test_ingest_refuses_other_url_schemes(tmp_path, url):
    db_path = tmp_path / "kb.db"
    result = CliRunner().invoke(cli, ["ingest", "--db", str(db_path), url], catch_exceptions=False)
    assert result.exit_code == 1
    assert f"Error: {url}: only http and https URLs are fetched" in result.stderr
    assert store.open_db(db_path)["documents"].count == 0
