"""One incident-date rule: the store's rollup, the migrations' SQL and the report all give an incident the same date."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest

from kb import migrations, report, store
from kb.incident_date import incident_started, started_sql


@pytest.mark.parametrize(
    "impact_start,times,published,expected",
    [
        ("2024-03-01T10:00:00Z", ["2024-02-28T09:00:00Z"], "2024-03-05", "2024-03-01T10:00:00Z"),
        (None, ["2024-03-01T12:00:00Z", None, "2024-03-01T09:30:00Z"], "2024-03-05", "2024-03-01T09:30:00Z"),
        (None, [None], "2024-03-05", "2024-03-05"),
        (None, [], None, None),
    ],
)
def test_incident_started(impact_start, times, published, expected):
    assert incident_started(impact_start, times, published) == expected


def incident(title: str, impact_start: str | None, times: list[str | None]) -> dict:
    """An extraction result with only what the date rule reads."""
    return {
        "document": {"title": title},
        "metrics": {"impact_start": impact_start, "impact_end": None, "impact_minutes": None, "rules": {}},
        "impact_windows": [], "causes": [], "corrective_actions": [], "categories": [], "components": [], "quality_flags": [],
        "timeline": [{"at": at, "precision": "minute", "kind": "other", "text": title} for at in times],
    }


@pytest.fixture
def dated_db(tmp_path):
    """Incidents dated by their impact start, by their earliest timeline time, by publication, and not at all."""
    db = store.open_db(tmp_path / "dated.db")
    cases = [
        ("impact", incident("impact", "2024-03-01T10:00:00Z", ["2024-02-28T09:00:00Z"]), "2024-04-01"),
        ("timeline", incident("timeline", None, ["2024-05-02T12:00:00Z", None, "2024-05-01T23:30:00Z"]), "2024-06-01"),
        ("published", incident("published", None, [None]), "2024-07-15T08:00:00Z"),
        ("undated", incident("undated", None, []), None),
    ]
    for name, item, published in cases:
        doc = SimpleNamespace(source=f"/dated/{name}", sha256=hashlib.sha256(name.encode()).hexdigest(), format="text", title=name, organization=None, original_url=None, published_at=published, text=name)
        store.store_document(db, doc, [item], "test")
    db.execute("update incidents set year = 2020 where title = 'undated'")  # a year alone does not date an incident
    return db


def stored_started(db) -> dict[str, str | None]:
    return dict(db.execute("select title, started from incidents").fetchall())


def test_store_migrations_and_report_agree_on_every_incident_date(dated_db):
    stored = stored_started(dated_db)
    assert stored == {"impact": "2024-03-01T10:00:00Z", "timeline": "2024-05-01T23:30:00Z", "published": "2024-07-15T08:00:00Z", "undated": None}
    in_sql = dict(dated_db.execute(f"select i.title, {started_sql('i', 'd.published_at')} from incidents i join documents d on d.id = i.document_id").fetchall())
    assert in_sql == stored
    view = dict(dated_db.execute("select title, started from incident_overview").fetchall())
    assert view == stored
    dated_db.execute("update incidents set started = null")
    migrations.m005_incident_rollups(dated_db)  # what an older database's rows are filled in with
    assert stored_started(dated_db) == stored
    dates = {i["title"]: i["date"] for i in report.select_incidents(dated_db, report.Filters())}
    assert dates == {title: value[:10] if value else None for title, value in stored.items()}


def test_report_date_filters_use_the_same_rule(dated_db):
    since = [i["title"] for i in report.select_incidents(dated_db, report.Filters(since="2024-05-01"))]
    until = [i["title"] for i in report.select_incidents(dated_db, report.Filters(until="2024-05-01"))]
    assert since == ["timeline", "published"]
    assert until == ["impact", "timeline"]
