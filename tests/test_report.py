"""Tests of `pmkb report`: the report's data and its HTML, Markdown and JSON renderings.

Numbers are checked against the database they were built from, never against
particular extracted values (the extractor keeps improving).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import statistics
from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from kb import load, report, store
from pmkb.cli import cli

BASE = "http://datasette.test:8001"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'

# ---------------------------------------------------------------- helpers


def open_ro(path: Path):
    """A read-only view of a shared session database."""
    return store.open_db(path, migrate=False)


def fake_incident(title: str, categories: list[str], components: list[str] = (), windows: list[tuple[str, str, float]] = (), actions: list[str] = (), flags: list[str] = (), text: str = "text", detect: float | None = None) -> dict:
    """An extraction result shaped like ingest.pipeline.extract's, with the given facts."""
    ev = {"text": text, "start": 0, "end": len(text)}
    return {
        "document": {"title": title},
        "metrics": {
            "impact_start": windows[0][0] if windows else None,
            "impact_end": windows[-1][1] if windows else None,
            "impact_minutes": sum(w[2] for w in windows) if windows else None,
            "time_to_detect_minutes": detect,
            "time_to_mitigate_minutes": None,
            "rules": {},
        },
        "impact_windows": [{"start": s, "end": e, "duration_minutes": m, "label": f"{text} phase", "evidence": ev} for s, e, m in windows],
        "timeline": [{"at": windows[0][0] if windows else "2025-01-09T00:00:00Z", "precision": "minute", "timezone": "UTC", "kind": "onset", "text": text, "evidence": ev}],
        "causes": [{"kind": "root", "category": c, "text": f"{text} cause", "evidence": ev} for c in categories],
        "corrective_actions": [{"text": f"{text} {a}", "status": a, "evidence": ev} for a in actions],
        "categories": list(categories),
        "components": list(components),
        "quality_flags": [{"flag": f, "detail": text} for f in flags],
    }


def add_document(db, name: str, incidents: list[dict], organization: str | None = None, published_at: str | None = None, text: str = "body") -> None:
    """Store one synthetic document with its incidents."""
    doc = SimpleNamespace(
        source=f"/synthetic/{name}", sha256=hashlib.sha256((name + text).encode()).hexdigest(), format="text",
        title=incidents[0]["document"]["title"], organization=organization, original_url=None, published_at=published_at, text=text,
    )
    store.store_document(db, doc, incidents, "test", organization=organization)


@pytest.fixture
def synthetic_db(tmp_path):
    """Three incidents at two organizations with known windows, categories, actions and flags."""
    db = store.open_db(tmp_path / "synthetic.db")
    add_document(db, "a", [fake_incident("Alpha | outage", ["remediation", "change"], ["database"], [("2024-03-01T10:00:00Z", "2024-03-01T11:00:00Z", 60), ("2024-03-01T12:00:00Z", "2024-03-01T12:30:00Z", 30)], ["done", "planned"], ["timezone-missing"], detect=5)], "Acme", "2024-03-05T00:00:00Z")
    add_document(db, "b", [fake_incident("Beta", ["remediation", "capacity"], ["database", "queue"], [("2024-06-01T00:00:00Z", "2024-06-01T06:00:00Z", 360)], ["in_progress"], ["no-impact-window"], detect=20)], "Acme")
    add_document(db, "c", [fake_incident("Gamma", ["capacity"], ["queue"], [], [], ["list-announced-but-missing", "no-impact-window"])], "Zeta Corp", "2025-01-10T00:00:00Z")
    return db


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def capped_note(section, shown: int, total: int) -> None:
    """Assert a list in ``section`` shows min(total, limit) items of ``total`` and says so when it leaves some out."""
    assert shown == min(total, report.LIST_LIMIT)
    note = section.select_one("p.more")
    if total > report.LIST_LIMIT:
        assert (int(note["data-shown"]), int(note["data-total"])) == (shown, total)
        assert f"Showing {shown:,} of {total:,}" in note.get_text()
    else:
        assert note is None


def numbers_match_database(db, data: dict, html: str) -> None:
    """Assert the rendered report's structure and figures agree with the database (lists capped at report.LIST_LIMIT)."""
    page = soup(html)
    n = db.execute("select count(*) from incidents").fetchone()[0]
    assert data["overview"]["incidents"] == n
    for section in ("overview", "impact", "durations", "causes", "actions", "quality", "incidents"):
        assert page.find("section", id=section) is not None, section
    assert page.select_one('[data-field="incidents"]').get_text(strip=True) == str(n)
    cards = {int(a["data-incident"]) for a in page.select("article.card")}
    capped_note(page.find("section", id="incidents"), len(cards), n)
    assert cards <= {r[0] for r in db.execute("select id from incidents")}

    impact = [r[0] for r in db.execute("select impact_minutes from incidents where impact_minutes is not null")]
    assert data["overview"]["impact_known"] == len(impact)
    if impact:
        assert float(page.select_one('[data-field="impact-total"]')["data-value"]) == pytest.approx(sum(impact))
        assert float(page.select_one('[data-field="impact-median"]')["data-value"]) == pytest.approx(statistics.median(impact))
    for metric, column in (("impact", "impact_minutes"), ("detect", "time_to_detect_minutes"), ("mitigate", "time_to_mitigate_minutes")):
        values = [r[0] for r in db.execute(f"select {column} from incidents where {column} is not null")]
        row = page.select_one(f'tr[data-metric="{metric}"]')
        assert int(row.select_one('[data-stat="n"]')["data-value"]) == len(values)
        if values:
            assert float(row.select_one('[data-stat="median"]')["data-value"]) == pytest.approx(statistics.median(values))
            assert float(row.select_one('[data-stat="max"]')["data-value"]) == pytest.approx(max(values))

    windows = dict(db.execute("select incident_id, count(*) from impact_windows group by incident_id").fetchall())
    for mode in ("calendar", "aligned"):
        svg = page.select_one(f'svg.gantt[data-mode="{mode}"]')
        if not windows:
            assert svg is None
            continue
        drawn = {int(g["data-incident"]): len(g.select("rect.bar")) for g in svg.select("g.row")}
        assert drawn == {i: windows[i] for i in drawn}
        assert len(drawn) == min(len(windows), report.LIST_LIMIT)
    assert len(page.select("svg.strip")) == 3

    cat_org = db.execute(
        "select c.category, coalesce(i.organization, '(no organization)'), count(distinct i.id) from categories c join incidents i on i.id = c.incident_id "
        "where c.category != 'unknown' group by 1, 2"
    ).fetchall()
    cells = {}
    for tr in page.select("#category-by-organization tbody tr"):
        org = tr.find("th").get_text(strip=True)
        for td in tr.select("td"):
            if td["data-value"] != "0":
                cells[(td["data-category"], org)] = int(td["data-value"])
    assert cells == {(c, o): k for c, o, k in cat_org}

    rollup = db.execute(
        "select coalesce(i.organization, '(no organization)'), a.status, count(*) from corrective_actions a join incidents i on i.id = a.incident_id group by 1, 2"
    ).fetchall()
    shown = {}
    for tr in page.select("table.rollup tbody tr"):
        for td in tr.select("td[data-status]"):
            if td["data-status"] != "total" and td["data-value"] != "0":
                shown[(tr["data-organization"], td["data-status"])] = int(td["data-value"])
    assert shown == {(o, s if s in report.STATUSES else "unknown"): k for o, s, k in rollup}
    open_count = db.execute("select count(*) from corrective_actions where coalesce(status, '') != 'done'").fetchone()[0]
    assert page.find("h3", string=re.compile("^Open actions")).get_text() == f"Open actions ({open_count})"
    open_rows = page.select("table.open-actions tbody tr")
    assert len(open_rows) == min(open_count, report.LIST_LIMIT)
    if open_count > report.LIST_LIMIT:
        assert page.select_one("#actions p.more")["data-total"] == str(open_count)
    ages = [int(tr.td["data-value"]) for tr in open_rows if tr.td["data-value"] not in ("", "None")]
    assert ages == sorted(ages, reverse=True)
    without = {r[0] for r in db.execute("select id from incidents where id not in (select incident_id from corrective_actions)")}
    listed = {int(li["data-incident"]) for li in page.select("ul.no-actions li")}
    assert listed <= without and len(listed) == min(len(without), report.LIST_LIMIT)

    flags = dict(db.execute("select flag, count(distinct incident_id) from quality_flags group by flag").fetchall())
    shown_flags = {dt["data-flag"]: int(dt["data-count"]) for dt in page.select("dt[data-flag]")}
    for flag, count in flags.items():
        assert shown_flags[flag] == count
    for flag in report.FLAG_ORDER:
        assert flag in shown_flags


# ---------------------------------------------------------------- pure functions


def test_quantile_interpolates_between_order_statistics():
    assert report.quantile([4, 1, 3, 2], 0.5) == 2.5
    assert report.quantile(list(range(11)), 0.9) == pytest.approx(9)
    assert report.quantile([7], 0.9) == 7
    assert report.quantile([], 0.5) is None


def test_distribution_ignores_unknown_values():
    d = report.distribution([None, 10, 1000, None, 20])
    assert (d["n"], d["median"], d["max"], d["total"]) == (3, 20, 1000, 1030)
    assert report.distribution([None])["median"] is None


@pytest.mark.parametrize(
    "minutes,label",
    [(None, "–"), (0, "0 min"), (0.5, "<1 min"), (45, "45 min"), (59.6, "1 h"), (60, "1 h"), (65, "1 h 5 min"), (304, "5 h 4 min"), (1500, "1 d 1 h"), (3250, "2 d 6 h")],
)
def test_minutes_label(minutes, label):
    assert report.minutes_label(minutes) == label


def test_minutes_label_names_an_unknown_duration_as_asked():
    assert report.minutes_label(None, unknown="not stated") == "not stated"


def test_parse_time_reads_naive_times_as_utc_and_rejects_garbage():
    assert report.parse_time("2025-05-12T20:15:00").isoformat() == "2025-05-12T20:15:00+00:00"
    assert report.parse_time("2025-05-12T20:15:00+02:00").hour == 18
    assert report.parse_time("not a time") is None
    assert report.time_label("2025-05-12T20:15:00") == "2025-05-12 20:15 (no zone)"
    assert report.time_label("2025-05-12T20:15:00Z") == "2025-05-12 20:15 UTC"


@pytest.mark.parametrize("value", ["2021-13-01", "yesterday", "2021-01-01; drop table incidents"])
def test_bad_dates_are_refused_naming_the_argument_not_a_flag(value):
    with pytest.raises(report.InvalidArgument, match="^since: ") as refused:
        report.check_date(value, "since")
    assert refused.value.field == "since" and "--" not in str(refused.value)


def test_md_escape_leaves_no_markup():
    escaped = report.md_escape('a | b\n<script>x</script> [link](javascript:alert(1)) & `code`')
    assert "<" not in escaped and ">" not in escaped and "\n" not in escaped
    assert "\\|" in escaped and "\\[link\\]" in escaped and "&amp;" in escaped and "\\`" in escaped


def test_gantt_layout_places_phases_on_both_axes(synthetic_db):
    incidents = report.load_incidents(synthetic_db, report.Filters())
    calendar = report.gantt(incidents, "calendar")
    aligned = report.gantt(incidents, "aligned")
    assert [len(r["bars"]) for r in calendar["rows"]] == [2, 1]
    for layout in (calendar, aligned):
        for row in layout["rows"]:
            for bar in row["bars"]:
                assert 0 <= bar["x"] <= 1 and 0 <= bar["x"] + bar["w"] <= 1 + 1e-9
    assert all(row["bars"][0]["x"] == 0 for row in aligned["rows"])
    assert calendar["rows"][1]["bars"][0]["x"] > calendar["rows"][0]["bars"][1]["x"]
    first, second = calendar["rows"][0]["bars"]
    assert second["x"] > first["x"] + first["w"]


# ---------------------------------------------------------------- data and filters


def test_patterns_name_shared_categories_and_components(synthetic_db):
    data = report.build(synthetic_db, report.Filters())
    sentences = [p["sentence"] for p in data["causes"]["patterns"]]
    assert "The response itself extended impact in 2 of 3 incidents." in sentences
    assert "Capacity or resource exhaustion was among the causes in 2 of 3 incidents." in sentences
    assert "The database component was involved in 2 of 3 incidents." in sentences
    assert not any("change" in p["category"] for p in data["causes"]["patterns"] if p["kind"] == "category")


def test_open_actions_are_aged_from_publication(synthetic_db):
    data = report.build(synthetic_db, report.Filters(), as_of="2024-03-15")
    open_actions = data["actions"]["open"]
    assert {a["status"] for a in open_actions} == {"planned", "in_progress"}
    alpha = next(a for a in open_actions if a["incident"] == "Alpha | outage")
    assert (alpha["since"], alpha["age_days"]) == ("2024-03-05", 10)
    assert [i["title"] for i in data["actions"]["incidents_without_actions"]] == ["Gamma"]


@pytest.mark.parametrize(
    "filters,titles",
    [
        (report.Filters(organization="acme"), ["Alpha | outage", "Beta"]),
        (report.Filters(category="capacity"), ["Beta", "Gamma"]),
        (report.Filters(since="2024-06-01"), ["Beta", "Gamma"]),
        (report.Filters(until="2024-06-01"), ["Alpha | outage", "Beta"]),
        (report.Filters(since="2024-04-01", until="2024-12-31"), ["Beta"]),
        (report.Filters(organization="nobody"), []),
    ],
)
def test_filters_select_incidents(synthetic_db, filters, titles):
    data = report.build(synthetic_db, filters)
    assert [i["title"] for i in data["incidents"]] == titles
    assert data["overview"]["incidents"] == len(titles)


def test_incident_filter_and_injection_safe_parameters(synthetic_db):
    ids = [r[0] for r in synthetic_db.execute("select id from incidents order by id")]
    data = report.build(synthetic_db, report.Filters(incidents=[ids[1]]))
    assert [i["id"] for i in data["incidents"]] == [ids[1]]
    data = report.build(synthetic_db, report.Filters(organization="x' or '1'='1"))
    assert data["incidents"] == []


@pytest.mark.parametrize("group_by", report.GROUP_BY)
def test_groups_cover_every_incident(synthetic_db, group_by):
    data = report.build(synthetic_db, report.Filters(), group_by=group_by)
    members = {i for g in data["groups"] for i in g["incident_ids"]}
    assert members == {i["id"] for i in data["incidents"]}
    if group_by != "category":
        assert sum(g["incidents"] for g in data["groups"]) == len(data["incidents"])
    html = report.render(data, "html")
    assert len(soup(html).select("table.groups tbody tr")) == len(data["groups"])
    assert len(soup(html).select("svg.strip")[0].select("g.lane-group")) == len(data["groups"])


def test_unknown_group_by_is_refused(synthetic_db):
    with pytest.raises(report.InvalidArgument, match="^group_by: 'weekday' is not one of organization, category, year$"):
        report.build(synthetic_db, report.Filters(), group_by="weekday")


# ---------------------------------------------------------------- caps on long lists


def test_thin_points_draws_at_most_a_few_dots_per_slot():
    assert report.thin_points([0.5] * 10_000) == [0.5, 0.5, 0.5]
    spread = [n / 100 for n in range(101)]
    assert report.thin_points(spread) == spread
    assert len(report.thin_points([n / 10_000 for n in range(10_001)], resolution=500, depth=1)) == 501


def test_most_recent_keeps_report_order_and_puts_undated_last():
    rows = [{"id": 1, "date": "2024-01-01"}, {"id": 2, "date": None}, {"id": 3, "date": "2025-01-01"}, {"id": 4, "date": "2023-01-01"}]
    assert [r["id"] for r in report.most_recent(rows, 2)] == [1, 3]
    assert [r["id"] for r in report.most_recent(rows, 3)] == [1, 3, 4]
    assert report.most_recent(rows, None) == rows


def test_a_limit_caps_lists_but_not_figures(synthetic_db):
    full = report.build(synthetic_db, report.Filters(), as_of="2025-06-01", group_by="organization", limit=None)
    capped = report.build(synthetic_db, report.Filters(), as_of="2025-06-01", group_by="organization", limit=1, base_url=BASE)
    for key in ("overview", "durations", "causes", "groups"):
        assert capped[key] == full[key], key
    assert capped["actions"]["totals"] == full["actions"]["totals"]
    assert capped["actions"]["by_organization"] == full["actions"]["by_organization"]
    assert [f["count"] for f in capped["quality"]["flags"]] == [f["count"] for f in full["quality"]["flags"]]

    assert [i["title"] for i in capped["incidents"]] == ["Gamma"]
    assert capped["incidents_more"]["shown"] == 1 and capped["incidents_more"]["total"] == 3
    assert "Showing 1 of 3 incidents (the most recent)" in capped["incidents_more"]["note"]
    assert capped["incidents_more"]["url"] == f"{BASE}/synthetic/incidents?_sort_desc=impact_start"
    assert [i["title"] for i in capped["impact"]["incidents"]] == ["Beta"]
    assert capped["impact"]["more"]["total"] == 2
    oldest = full["actions"]["open"][0]
    assert [a["id"] for a in capped["actions"]["open"]] == [oldest["id"]]
    assert capped["actions"]["open"][0]["text"] == oldest["text"]
    assert capped["actions"]["open_more"]["total"] == len(full["actions"]["open"]) == 2
    no_window = next(f for f in capped["quality"]["flags"] if f["flag"] == "no-impact-window")
    assert len(no_window["incidents"]) == 1 and no_window["more"]["total"] == 2
    assert no_window["more"]["url"] == f"{BASE}/synthetic/quality_flags?flag=no-impact-window"
    assert all(m["note"] is None for m in (full["incidents_more"], full["impact"]["more"], full["actions"]["open_more"]))


def test_capped_lists_say_so_in_every_format(synthetic_db):
    data = report.build(synthetic_db, report.Filters(), limit=1, base_url=BASE)
    page = soup(report.render(data, "html"))
    assert len(page.select("article.card")) == 1
    note = page.select_one("#incidents p.more")
    assert (note["data-shown"], note["data-total"]) == ("1", "3")
    assert report.NARROW_HINT in note.get_text() and note.a["href"] == data["incidents_more"]["url"]
    assert len(page.select('svg.gantt[data-mode="calendar"] g.row')) == 1
    assert page.select_one("#impact p.more")["data-total"] == "2"
    assert len(page.select("table.open-actions tbody tr")) == 1
    assert page.find("h3", string=re.compile("^Open actions")).get_text() == "Open actions (2)"
    assert page.select_one("#actions p.more")["data-total"] == "2"
    md = report.render(data, "md")
    assert "Showing 1 of 3 incidents (the most recent)." in md and "Showing 1 of 2 open actions" in md
    assert f"[All of them in Datasette]({BASE}/synthetic/open_actions)" in md
    assert md.count("\n### [") == 1
    parsed = json.loads(report.render(data, "json"))
    assert len(parsed["incidents"]) == 1 and parsed["incidents_more"]["total"] == 3


def test_uncapped_report_has_no_notes(synthetic_db):
    data = report.build(synthetic_db, report.Filters(), base_url=BASE)
    assert soup(report.render(data, "html")).select("p.more") == []
    assert "Showing " not in report.render(data, "md")


# ---------------------------------------------------------------- rendering


def test_html_numbers_match_synthetic_database(synthetic_db):
    data = report.build(synthetic_db, report.Filters())
    numbers_match_database(synthetic_db, data, report.render(data, "html"))


def test_html_is_self_contained(synthetic_db):
    page = soup(report.render(report.build(synthetic_db, report.Filters(), base_url=BASE), "html"))
    assert page.find("script") is None
    assert page.find("link", rel="stylesheet") is None
    assert all(not img.get("src", "").startswith("http") for img in page.find_all("img"))
    assert "@page" in page.find("style").string and "@media print" in page.find("style").string


def test_base_url_links_every_incident_and_row(synthetic_db):
    data = report.build(synthetic_db, report.Filters(), base_url=BASE + "/")
    page = soup(report.render(data, "html"))
    prefix = f"{BASE}/synthetic/"
    for card in page.select("article.card"):
        assert card.select_one("h3 a")["href"] == f"{prefix}incidents/{card['data-incident']}"
    hrefs = {a["href"] for a in page.find_all("a", href=True)}
    for table in ("impact_windows", "causes", "corrective_actions", "timeline_events"):
        ids = {r[0] for r in synthetic_db.execute(f"select id from {table}")}
        assert {f"{prefix}{table}/{i}" for i in ids} <= hrefs, table
    md = report.render(data, "md")
    assert f"]({prefix}incidents/" in md


def test_without_base_url_there_are_no_datasette_links(synthetic_db):
    page = soup(report.render(report.build(synthetic_db, report.Filters()), "html"))
    assert not [a["href"] for a in page.find_all("a", href=True) if not a["href"].startswith("#")]


def test_markdown_has_tables_and_escapes_pipes(synthetic_db):
    md = report.render(report.build(synthetic_db, report.Filters()), "md")
    for heading in ("## Overview", "## Impact windows", "## Durations", "## Causes", "## Corrective actions", "## Data quality", "## Incidents"):
        assert heading in md
    assert "| Measure | N | Median | p90 | Max |" in md
    assert "Alpha \\| outage" in md
    assert "Alpha | outage" not in md
    unescaped = re.compile(r"(?<!\\)\|")
    header = "| Incident | Organization | Windows (UTC) | Total impact |"
    alpha_row = next(line for line in md.splitlines() if line.startswith("| [Alpha") or line.startswith("| Alpha"))
    assert len(unescaped.findall(alpha_row)) == len(unescaped.findall(header))


def test_json_is_the_data_behind_the_report(synthetic_db):
    data = report.build(synthetic_db, report.Filters(), group_by="organization")
    parsed = json.loads(report.render(data, "json"))
    assert parsed["overview"]["incidents"] == 3
    assert {"overview", "durations", "causes", "actions", "quality", "groups", "incidents"} <= set(parsed)
    assert parsed["durations"]["impact"]["values"] == [90.0, 360.0]
    assert "<svg" not in json.dumps(parsed)


def test_template_dir_overrides_one_template_and_keeps_the_rest(synthetic_db, tmp_path):
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "style.css").write_text("body{color:#123456}")
    (tmp_path / "report.md").write_text("Custom: {{ overview.incidents }} incidents, {{ incidents[0].title }}\n")
    data = report.build(synthetic_db, report.Filters())
    html = report.render(data, "html", template_dir=str(tmp_path))
    assert "#123456" in html and ":root{" not in html
    assert soup(html).find("section", id="causes") is not None
    assert report.render(data, "md", template_dir=str(tmp_path)).strip() == "Custom: 3 incidents, Alpha \\| outage"


def test_hostile_text_renders_inert(tmp_path):
    db = store.open_db(tmp_path / "xss.db")
    add_document(db, "x", [fake_incident(XSS, ["change"], ["api"], [("2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z", 60)], ["planned"], ["timezone-missing"], text=XSS)], XSS)
    postmortem = tmp_path / "hostile.md"
    postmortem.write_text(
        f"# Outage {XSS}\n\n## Summary\n\nFrom 10:00 to 11:00 UTC on 2024-02-01 the API failed. {XSS}\n\n"
        f"## Root cause\n\nA bad deploy <script>alert(2)</script> broke the API.\n\n## Action items\n\n- [ ] Add a canary <img src=x onerror=alert(3)>\n"
    )
    load.ingest(db, [str(postmortem)])
    data = report.build(db, report.Filters(), base_url=BASE)
    page = soup(report.render(data, "html"))
    assert page.find("script") is None and page.find("img") is None
    for tag in page.find_all(True):
        assert not [a for a in tag.attrs if a.lower().startswith("on")], tag.name
    assert 'alert("x")' in page.get_text()
    md = report.render(data, "md")
    assert "<script" not in md and "<img" not in md and "&lt;script&gt;" in md


# ---------------------------------------------------------------- seeds, corpus and the CLI


@pytest.mark.parametrize("db_fixture", ["seeded_db_path", "corpus_db_path"])
def test_report_numbers_match_database(request, db_fixture):
    db = open_ro(request.getfixturevalue(db_fixture))
    data = report.build(db, report.Filters(), base_url=BASE)
    numbers_match_database(db, data, report.render(data, "html"))
    md = report.render(data, "md")
    assert md.count("\n### ") >= data["overview"]["incidents"]
    assert json.loads(report.render(data, "json"))["overview"] == json.loads(json.dumps(data["overview"]))


def test_seeds_patterns_count_shared_categories(seeded_db_path):
    db = open_ro(seeded_db_path)
    data = report.build(db, report.Filters())
    shared = db.execute("select category, count(distinct incident_id) n from categories where category != 'unknown' group by category having n >= 2").fetchall()
    named = {p["category"]: p["count"] for p in data["causes"]["patterns"] if p["kind"] == "category"}
    assert named == dict(shared)
    for p in data["causes"]["patterns"]:
        assert f"in {p['count']} of 2 incidents." in p["sentence"]


def test_cli_report_writes_each_format(seeded_db_path, tmp_path):
    runner = CliRunner()
    for fmt in ("html", "md", "json"):
        out = tmp_path / f"report.{fmt}"
        result = runner.invoke(cli, ["report", "--db", str(seeded_db_path), "--format", fmt, "-o", str(out), "--base-url", BASE, "--group-by", "organization"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    assert json.loads((tmp_path / "report.json").read_text())["group_by"] == "organization"


def one_line_error(result) -> str:
    """The single 'Error: …' line a refused command printed (exit status 1)."""
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def test_cli_report_refuses_bad_input_with_one_line(seeded_db_path, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["report", "--db", str(seeded_db_path), "--since", "last week"], catch_exceptions=False)
    assert one_line_error(result) == "Error: --since: 'last week' is not a date (use YYYY-MM-DD)"
    result = runner.invoke(cli, ["report", "--db", str(seeded_db_path), "--as-of", "soon"], catch_exceptions=False)
    assert one_line_error(result).startswith("Error: --as-of: 'soon'")
    result = runner.invoke(cli, ["report", "--db", str(tmp_path / "missing.db")], catch_exceptions=False)
    assert "missing.db" in one_line_error(result)
    assert not (tmp_path / "missing.db").exists()


def test_cli_report_names_a_file_that_is_not_a_pmkb_database(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    assert "other.db: not a pmkb database" in one_line_error(CliRunner().invoke(cli, ["report", "--db", str(other)], catch_exceptions=False))
    text = tmp_path / "notes.db"
    text.write_text("just some notes\n" * 100, encoding="utf-8")
    assert "notes.db" in one_line_error(CliRunner().invoke(cli, ["report", "--db", str(text)], catch_exceptions=False))


def test_cli_report_names_a_broken_template_and_an_unwritable_output(seeded_db_path, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.html").write_text("{% if %}", encoding="utf-8")
    line = one_line_error(CliRunner().invoke(cli, ["report", "--db", str(seeded_db_path), "--template-dir", str(templates)], catch_exceptions=False))
    assert "report.html:1" in line
    line = one_line_error(CliRunner().invoke(cli, ["report", "--db", str(seeded_db_path), "-o", str(tmp_path / "no" / "such" / "r.html")], catch_exceptions=False))
    assert "r.html" in line


def test_cli_report_json_flag_is_the_json_format(seeded_db_path):
    runner = CliRunner()
    flag = runner.invoke(cli, ["report", "--db", str(seeded_db_path), "--json", "--as-of", "2026-01-01"], catch_exceptions=False)
    fmt = runner.invoke(cli, ["report", "--db", str(seeded_db_path), "--format", "json", "--as-of", "2026-01-01"], catch_exceptions=False)
    assert flag.exit_code == 0 and flag.stdout == fmt.stdout
    assert json.loads(flag.stdout)["overview"]["incidents"] == 2
