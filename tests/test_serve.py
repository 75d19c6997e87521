"""pmkb serve: metadata, evidence highlighting, and the Datasette pages, JSON and canned queries."""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kb import serve
from kb.datasette_highlight import KINDS, Span, highlight
from kb.datasette_pmkb import CACHE_KIB, insert_after_body
from kb.report.format import minutes_label

REQUIRED_QUERIES = {
    "incidents_by_category", "recurring_categories", "open_actions", "slowest_detection",
    "longest_impact", "incidents_in_range", "action_status_by_organization", "similar_incidents",
}
EVIDENCE_TABLES = {"impact_windows": "window", "timeline_events": "timeline", "causes": "cause", "corrective_actions": "action"}


class MarkChecker(HTMLParser):
    """Collects text and <mark> structure; notes tags closed out of order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[dict] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.covered: dict[str, set[int]] = {}
        self.first_ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "mark":
            ref = attrs.get("id") or attrs.get("data-ref")
            if attrs.get("id"):
                self.first_ids.append(attrs["id"])
            self.stack.append({"tag": tag, "ref": ref})
        else:
            self.stack.append({"tag": tag, "ref": None})

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1]["tag"] != tag:
            self.errors.append(f"</{tag}> does not close the innermost open element")
            return
        self.stack.pop()

    def handle_data(self, data):
        start = sum(len(t) for t in self.text)
        self.text.append(data)
        for item in self.stack:
            if item["ref"]:
                self.covered.setdefault(item["ref"], set()).update(range(start, start + len(data)))


def check_marks(fragment: str) -> MarkChecker:
    checker = MarkChecker()
    checker.feed(fragment)
    checker.close()
    return checker


# --- highlighting -----------------------------------------------------------------


def test_highlight_escapes_text_and_titles():
    text = 'a <script>alert("x")</script> & b'
    out = str(highlight(text, [Span(2, 10, "cause", 1, 'cause: "root" <b>')]))
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;" in out and "&amp;" in out
    assert 'title="cause: &#34;root&#34; &lt;b&gt;"' in out
    assert html.unescape(re.sub(r"<[^>]+>", "", out)) == text


def test_highlight_crossing_spans_are_split_and_well_formed():
    text = "0123456789"
    spans = [Span(0, 6, "window", 1), Span(3, 9, "cause", 2)]
    checker = check_marks(str(highlight(text, spans)))
    assert checker.errors == []
    assert checker.first_ids == ["ev-window-1", "ev-cause-2"]
    assert checker.covered["ev-window-1"] == set(range(0, 6))
    assert checker.covered["ev-cause-2"] == set(range(3, 9))


def test_highlight_identical_spans_nest_and_keep_every_anchor():
    out = str(highlight("same sentence", [Span(0, 4, "timeline", 7), Span(0, 4, "window", 3), Span(0, 4, "timeline", 8)]))
    checker = check_marks(out)
    assert sorted(checker.first_ids) == ["ev-timeline-7", "ev-timeline-8", "ev-window-3"]
    assert out.startswith('<mark class="ev ev-window" id="ev-window-3"')  # windows enclose the events that quote them


def test_highlight_drops_spans_outside_the_text():
    checker = check_marks(str(highlight("short", [Span(3, 99, "action", 1), Span(7, 9, "cause", 2), Span(4, 2, "cause", 3)])))
    assert checker.first_ids == ["ev-action-1"]
    assert checker.covered["ev-action-1"] == {3, 4}


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(alphabet="ab<>&\"' \n", max_size=40),
    raw=st.lists(st.tuples(st.integers(-3, 45), st.integers(-3, 45), st.sampled_from(KINDS)), max_size=8),
)
def test_highlight_always_well_formed_and_covers_each_span(text, raw):
    spans = [Span(s, e, k, i) for i, (s, e, k) in enumerate(raw)]
    checker = check_marks(str(highlight(text, spans)))
    assert checker.errors == [] and checker.stack == []
    assert "".join(checker.text) == text
    expected = {s.anchor: set(range(max(0, s.start), min(len(text), s.end))) for s in spans}
    expected = {k: v for k, v in expected.items() if v}
    assert sorted(checker.first_ids) == sorted(expected)
    assert checker.covered == expected


def test_insert_after_body():
    assert insert_after_body('<html><body class="x"><p>r</p></body>', "<form>") == '<html><body class="x"><form><p>r</p></body>'
    assert insert_after_body("<p>r</p>", "<form>") == "<form><p>r</p>"


# --- metadata -----------------------------------------------------------------------


def test_metadata_describes_every_table_and_column(seeded_db_path):
    meta = serve.metadata("seeds")
    tables = meta["databases"]["seeds"]["tables"]
    conn = sqlite3.connect(seeded_db_path)
    names = [r[0] for r in conn.execute("select name from sqlite_master where type in ('table', 'view') and name not like '%_fts%' and name not like 'sqlite_%' and name != '_sqlite_migrations'")]
    assert "incidents" in names and "incident_overview" in names
    for name in names:
        assert tables[name]["description"], name
        if name == "incident_overview":
            continue  # a view; its columns are the incidents' plus a few described ones
        columns = [r[1] for r in conn.execute(f"pragma table_info([{name}])")]
        assert set(columns) <= set(tables[name]["columns"]), name
    assert "minutes" in tables["incidents"]["columns"]["impact_minutes"]
    assert meta["source"] and meta["license"]


def test_metadata_facets_labels_and_queries():
    meta = serve.metadata("kb")
    db = meta["databases"]["kb"]
    facets = {json.dumps(f) for t in db["tables"].values() for f in t.get("facets", [])}
    for wanted in ("organization", "category", "component", "status", "kind", "year"):
        assert json.dumps(wanted) in facets, wanted
    assert db["tables"]["incidents"]["label_column"] == "title"
    assert db["tables"]["documents"]["label_column"] == "title"
    assert REQUIRED_QUERIES <= set(db["queries"])
    assert meta["plugins"]["pmkb"] == {"database": "kb"}


def test_charts_use_the_canned_query_sql_and_vanish_in_public_mode():
    private, public = serve.metadata("kb"), serve.metadata("kb", public=True)
    charts = private["plugins"]["datasette-dashboards"]["pmkb"]["charts"]
    queries = private["databases"]["kb"]["queries"]
    assert charts["incidents-per-month"]["query"] == queries["incidents_per_month"]["sql"]
    assert charts["impact-by-category"]["query"] == queries["impact_by_category"]["sql"]
    assert {c["db"] for c in charts.values()} == {"kb"}
    assert "allow_sql" not in private
    assert public["allow_sql"] is False
    assert "datasette-dashboards" not in public["plugins"]
    assert public["databases"]["kb"]["queries"] == queries


# --- Datasette ------------------------------------------------------------------------


class Client:
    """Datasette's test client driven from synchronous tests on one event loop."""

    def __init__(self, ds):
        self.ds = ds
        self.loop = asyncio.new_event_loop()

    def get(self, path: str):
        return self.loop.run_until_complete(self.ds.client.get(path))

    def json(self, path: str):
        response = self.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        return response.json()

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def close(self):
        self.loop.close()


@pytest.fixture(scope="module")
def client(seeded_db_path):
    c = Client(serve.make_datasette(seeded_db_path))
    yield c
    c.close()


@pytest.fixture(scope="module")
def public_client(seeded_db_path):
    c = Client(serve.make_datasette(seeded_db_path, public=True))
    yield c
    c.close()


@pytest.fixture(scope="module")
def seeded(seeded_db_path):
    conn = sqlite3.connect(seeded_db_path)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def test_home_lists_database_and_has_search(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "pmkb: postmortem knowledge base" in page.text
    assert 'action="/-/search"' in page.text
    assert client.json("/.json")["seeds"]["tables_count"] >= 9


def test_tables_json_and_full_text_search(client, seeded):
    rows = client.json("/seeds/incidents.json?_shape=array")
    assert len(rows) == seeded.execute("select count(*) from incidents").fetchone()[0]
    word = "database"
    for table, column in (("documents", "text"), ("causes", "text"), ("corrective_actions", "text"), ("timeline_events", "text")):
        found = client.json(f"/seeds/{table}.json?_search={word}&_shape=array")
        expected = seeded.execute(f"select count(*) from [{table}] where [{column}] like ?", [f"%{word}%"]).fetchone()[0]
        assert len(found) == expected > 0, table
        assert all(word in (row[column] or "").lower() for row in found)


def test_documents_list_newest_stored_first(client):
    ids = [row["id"] for row in client.json("/seeds/documents.json?_search=the&_shape=array")]
    assert len(ids) >= 2 and ids == sorted(ids, reverse=True)


def test_knowledge_base_connections_get_the_larger_page_cache(client):
    db = client.ds.get_database("seeds")
    assert client.run(db.execute("select cache_size from pragma_cache_size()")).first()[0] == -CACHE_KIB


def test_search_all_page_lists_every_searchable_table(client):
    page = client.get("/-/search?q=database")
    assert page.status_code == 200
    for table in ("documents", "causes", "corrective_actions", "timeline_events"):
        assert f'"table": "{table}"' in page.text


def test_facets_and_labels(client):
    data = client.json("/seeds/causes.json?_facet=category&_labels=on")
    assert "category" in data["facet_results"]
    assert set(data["rows"][0]["incident_id"]) == {"value", "label"}  # incident_id carries the incident title
    array = client.json("/seeds/incidents.json?_facet_array=categories")
    assert array["facet_results"]["categories"]["results"]


def test_table_pages_link_evidence_back_to_the_incident_page(client, seeded):
    for table, kind in EVIDENCE_TABLES.items():
        row = seeded.execute(f"select id, incident_id from [{table}] where evidence_text is not null limit 1").fetchone()
        page = client.get(f"/seeds/{table}/{row['id']}")
        assert page.status_code == 200
        link = f'href="/incident/{row["incident_id"]}#ev-{kind}-{row["id"]}"'
        assert link in page.text, table
        assert link in client.get(f"/seeds/{table}?id={row['id']}").text, table  # table pages expand incident_id to a label
    incidents = client.get("/seeds/incidents")
    assert 'href="/incident/1"' in incidents.text


def test_incident_page_highlights_every_evidence_span(client, seeded):
    incident = seeded.execute("select * from incidents where impact_minutes is not null order by id limit 1").fetchone()
    page = client.get(f"/incident/{incident['id']}")
    assert page.status_code == 200
    body = page.text
    document = re.search(r'<pre class="pmkb-doc" id="document">(.*?)</pre>', body, re.S).group(1)
    checker = check_marks(document)
    assert checker.errors == []
    text = seeded.execute("select text from documents where id = ?", [incident["document_id"]]).fetchone()[0]
    assert "".join(checker.text) == text
    for table, kind in EVIDENCE_TABLES.items():
        for row in seeded.execute(f"select * from [{table}] where incident_id = ? and evidence_start is not null", [incident["id"]]):
            anchor = f"ev-{kind}-{row['id']}"
            assert checker.first_ids.count(anchor) == 1, anchor
            assert min(checker.covered[anchor]) == row["evidence_start"]
            assert f'href="/seeds/{table}/{row["id"]}"' in body  # beside the text, each item links to its row
            assert f'href="#{anchor}"' in body
    for label in ("Time to detect", "Time to mitigate", "Total impact"):
        assert label in body
    shown = dict(re.findall(r'<strong id="(ttd|ttm|impact)">([^<]*)</strong>', body))
    assert shown == {  # the report's wording of a duration
        "ttd": minutes_label(incident["time_to_detect_minutes"], unknown="not stated"),
        "ttm": minutes_label(incident["time_to_mitigate_minutes"], unknown="not stated"),
        "impact": minutes_label(incident["impact_minutes"], unknown="not stated"),
    }
    for flag in seeded.execute("select flag from quality_flags where incident_id = ?", [incident["id"]]):
        assert flag["flag"] in body


def test_incident_page_missing_is_404(client):
    assert client.get("/incident/999999").status_code == 404
    assert client.get("/incident/nope").status_code == 404


def test_canned_queries_all_run(client):
    for name in sorted(REQUIRED_QUERIES | {"incidents_per_month", "impact_by_category"}):
        assert client.get(f"/seeds/{name}").status_code == 200, name
        client.json(f"/seeds/{name}.json?_shape=array")


def test_open_actions_are_not_done_and_oldest_first(client, seeded):
    rows = client.json("/seeds/open_actions.json?_shape=array")
    expected = seeded.execute("select count(*) from corrective_actions where coalesce(status, 'unknown') != 'done'").fetchone()[0]
    assert len(rows) == expected
    assert all(r["status"] != "done" for r in rows)
    dated = [r["started"] for r in rows if r["started"]]
    assert dated == sorted(dated)
    page = client.get("/seeds/open_actions")
    assert f'href="/incident/{rows[0]["incident"]}"' in page.text  # the incident column links to its page


def test_similar_incidents_query_uses_the_similar_ranking(client, seeded):
    from kb import similar

    target = seeded.execute("select id from incidents order by id limit 1").fetchone()[0]
    rows = client.json(f"/seeds/similar_incidents.json?_shape=array&incident_id={target}")
    expected = similar.similar(seeded, similar.stored_profile(seeded, target), 20)
    assert [r["incident"] for r in rows] == [m.incident_id for m in expected] and rows
    assert [r["score"] for r in rows] == [m.score for m in expected]
    assert all(r["shared_terms"] for r in rows)
    assert client.json("/seeds/similar_incidents.json?_shape=array&incident_id=999999") == []


def test_incident_page_has_a_similar_incidents_panel_linking_to_the_other_highlight(client, seeded):
    from kb import similar

    (best,) = similar.similar(seeded, similar.stored_profile(seeded, 2), 1)
    body = client.get("/incident/2").text
    assert "Similar incidents (1)" in body
    assert f'href="/incident/{best.incident_id}"' in body
    for pair in best.evidence:
        assert f'href="/incident/{best.incident_id}#ev-cause-{pair["other"]["cause_id"]}"' in body
        assert f'href="#ev-cause-{pair["this"]["cause_id"]}"' in body
        assert f'id="ev-cause-{pair["this"]["cause_id"]}"' in body


def test_recurrences_table_is_described_and_faceted(client):
    page = client.json("/seeds/recurrences.json?_facet=organization")
    assert "organization" in page["facet_results"]


def test_incidents_in_range_bounds(client, seeded):
    started = [r[0] for r in seeded.execute("select started from incident_overview where started is not null order by started")]
    day = started[0][:10]
    rows = client.json(f"/seeds/incidents_in_range.json?_shape=array&since={day}&until={day}")
    assert rows and all(r["started"][:10] == day for r in rows)
    everything = client.json("/seeds/incidents_in_range.json?_shape=array")
    assert len(everything) == len(started)


def test_action_status_by_organization_adds_up(client, seeded):
    rows = client.json("/seeds/action_status_by_organization.json?_shape=array")
    assert sum(r["actions"] for r in rows) == seeded.execute("select count(*) from corrective_actions").fetchone()[0]
    for r in rows:
        assert r["done"] + r["in_progress"] + r["planned"] + r["unknown"] == r["actions"]


def test_report_page_renders_the_report_with_a_filter_form(client, seeded):
    page = client.get("/-/report")
    assert page.status_code == 200
    assert '<form class="pmkb-report-filters"' in page.text
    assert 'name="organization"' in page.text and 'name="category"' in page.text and 'name="since"' in page.text
    category = seeded.execute("select category from categories order by category limit 1").fetchone()[0]
    filtered = client.get(f"/-/report?category={category}")
    assert filtered.status_code == 200
    assert f'<option value="{category}" selected>' in filtered.text


def test_report_page_rejects_a_bad_date_with_one_message(client):
    page = client.get("/-/report?since=yesterday")
    assert page.status_code == 400
    assert "since: &#39;yesterday&#39; is not a date" in page.text


def test_a_database_named_report_keeps_its_page_and_the_report_its_own(tmp_path, seeded_db_path):
    import shutil

    path = tmp_path / "report.db"
    shutil.copy(seeded_db_path, path)
    c = Client(serve.make_datasette(path))
    try:
        database = c.get("/report")
        report = c.get("/-/report")
        incidents = c.json("/report/incidents.json?_shape=array")
    finally:
        c.close()
    assert database.status_code == 200 and 'class="pmkb-report-filters"' not in database.text
    assert report.status_code == 200 and 'class="pmkb-report-filters"' in report.text
    assert len(incidents) == sqlite3.connect(seeded_db_path).execute("select count(*) from incidents").fetchone()[0]


def test_plugin_is_registered_by_its_entry_point_not_at_run_time():
    from importlib.metadata import entry_points

    from datasette.plugins import pm

    from kb import datasette_pmkb

    (point,) = [e for e in entry_points(group="datasette") if e.name == serve.PLUGIN_NAME]
    assert point.value == "kb.datasette_pmkb"
    assert pm.get_plugin(serve.PLUGIN_NAME) is datasette_pmkb


def test_charts_dashboard_page(client):
    page = client.get("/-/dashboards/pmkb")
    assert page.status_code == 200
    assert "Incidents per month" in page.text and "Impact minutes by category" in page.text
    month = client.json("/seeds.json?sql=" + "select 1 as one&_shape=array")
    assert month == [{"one": 1}]


def test_public_mode_turns_sql_off_but_keeps_pages_and_queries(public_client):
    assert public_client.get("/seeds.json?sql=select+1").status_code == 403
    assert public_client.get("/seeds/open_actions.json").status_code == 200
    assert public_client.get("/incident/1").status_code == 200
    assert public_client.get("/-/report").status_code == 200
    assert public_client.get("/seeds/causes.json?_search=database").status_code == 200
    assert public_client.get("/-/dashboards/pmkb").status_code == 404


def test_database_is_opened_read_only(client, seeded_db_path):
    before = hashlib.sha256(Path(seeded_db_path).read_bytes()).hexdigest()
    db = client.ds.get_database("seeds")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        client.run(db.execute_write("delete from incidents"))
    client.get("/incident/1")
    client.get("/-/report")
    assert hashlib.sha256(Path(seeded_db_path).read_bytes()).hexdigest() == before


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    """A database holding one postmortem full of HTML-looking text."""
    from kb import load, store

    folder = tmp_path_factory.mktemp("hostile")
    doc = folder / "hostile.md"
    doc.write_text(
        '# Outage <script>alert("pwned")</script> & co\n\n'
        "On 2024-03-05 between 10:00 and 11:30 UTC, the API <b>returned</b> errors for all customers.\n\n"
        "## Root cause\n\nA configuration change to the <img src=x onerror=alert(1)> load balancer caused the outage.\n\n"
        "## Action items\n\n- Add validation for configuration & <tags> before deploys.\n",
        encoding="utf-8",
    )
    path = folder / "hostile.db"
    db = store.open_db(path)
    load.ingest(db, [str(doc)])
    db.close()
    return path


def test_document_text_is_rendered_escaped(hostile_db):
    c = Client(serve.make_datasette(hostile_db))
    try:
        incident = c.get("/incident/1")
        row = c.get("/hostile/documents/1")
        report = c.get("/-/report")
    finally:
        c.close()
    for page in (incident, row, report):
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "<img src=x" not in page.text
    assert "&lt;script&gt;alert(" in incident.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in incident.text


# --- command line -----------------------------------------------------------------------


def test_serve_help_documents_public_and_localhost():
    from pmkb.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "--public" in result.output and "127.0.0.1" in result.output


def test_serve_refuses_a_file_that_is_not_a_pmkb_database(tmp_path):
    from pmkb.cli import cli

    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    result = CliRunner().invoke(cli, ["serve", "--db", str(other)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "not a pmkb database" in result.output
    assert [r[0] for r in sqlite3.connect(other).execute("select name from sqlite_master")] == ["t"]  # left untouched


def test_upgrade_schema_adds_what_an_older_database_lacks(tmp_path):
    from kb import store

    path = tmp_path / "old.db"
    store.open_db(path).close()
    conn = sqlite3.connect(path)
    conn.execute("drop view incident_overview")
    conn.execute("delete from _sqlite_migrations where name = 'm003_incident_overview_view'")
    conn.commit()
    conn.close()
    assert serve.upgrade_schema(path) == ["m003_incident_overview_view"]
    assert serve.pending_migrations(path) == []
    assert serve.upgrade_schema(path) == []


# --- the corpus ---------------------------------------------------------------------------


def test_every_corpus_incident_page_renders_well_formed(corpus_db_path):
    conn = sqlite3.connect(corpus_db_path)
    ids = [r[0] for r in conn.execute("select id from incidents")]
    evidence = {
        (kind, r[0], r[1])
        for table, kind in EVIDENCE_TABLES.items()
        for r in conn.execute(f"select incident_id, id from [{table}] where evidence_start is not null")
    }
    conn.close()
    name = serve.database_name(corpus_db_path)
    c = Client(serve.make_datasette(corpus_db_path))
    try:
        for incident_id in ids:
            page = c.get(f"/incident/{incident_id}")
            assert page.status_code == 200, incident_id
            document = re.search(r'<pre class="pmkb-doc" id="document">(.*?)</pre>', page.text, re.S).group(1)
            checker = check_marks(document)
            assert checker.errors == [], incident_id
            wanted = sorted(f"ev-{k}-{row}" for k, inc, row in ((k, i, r) for k, i, r in evidence) if inc == incident_id)
            assert sorted(checker.first_ids) == wanted, incident_id
        for query in sorted(REQUIRED_QUERIES | {"incidents_per_month", "impact_by_category"}):
            c.json(f"/{name}/{query}.json?_shape=array&incident_id={ids[0]}")
        assert c.get("/-/report").status_code == 200
    finally:
        c.close()


def test_report_links_use_the_name_datasette_serves_the_database_under(tmp_path, seeded_db_path):
    import shutil

    import sqlite_utils

    from kb import report

    path = tmp_path / "team.kb v2.db"
    shutil.copy(seeded_db_path, path)
    name = serve.database_name(path)
    assert name == "team.kb v2"
    data = report.build(sqlite_utils.Database(path), report.Filters(), base_url="http://x.test")
    assert data["database"] == name
    c = Client(serve.make_datasette(path))
    try:
        assert c.get(data["incidents"][0]["url"].removeprefix("http://x.test")).status_code == 200
        assert report.served_name(sqlite_utils.Database(":memory:")) == "postmortems"
    finally:
        c.close()
