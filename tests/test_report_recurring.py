"""The report's recurring causes (with the promises made before them), open actions whose cause recurred, and trends per organization and quarter."""

from __future__ import annotations

import pytest

from kb import report, store
from kb.report.recurring import _later
from kb.report.trends import quarter, trends

from test_recurrence import DISK, DISK_AGAIN, FILLER, _ids, _store


@pytest.fixture
def db(tmp_path):
    database = store.open_db(tmp_path / "kb.db")
    _store(database, "a.md", "2023-01-01T00:00:00Z", [DISK], [("Purge stale artifact caches nightly", "planned"), ("Hire a designer", "planned")])
    for name, start, causes in FILLER:
        _store(database, name, start, causes)
    _store(database, "e.md", "2023-08-01T00:00:00Z", [DISK_AGAIN])
    yield database
    database.close()


def test_recurring_section_names_the_promise_and_how_much_later_it_recurred(db):
    ids = _ids(db)
    data = report.build(db, report.Filters(), as_of="2024-01-01")
    section = data["recurring"]
    assert (section["total"], section["with_promises"], section["promises_not_done"]) == (1, 1, 1)
    (item,) = section["recurrences"]
    assert (item["earlier"]["id"], item["later"]["id"]) == (ids["a.md"], ids["e.md"])
    (promise,) = item["promises"]
    assert promise["text"] == "Purge stale artifact caches nightly"
    assert promise["sentence"] == f"promised in incident {ids['a.md']} (planned), recurred in incident {ids['e.md']} 7 months later"


def test_open_actions_mark_those_whose_cause_recurred(db):
    ids = _ids(db)
    data = report.build(db, report.Filters(), as_of="2024-01-01")
    marks = {a["text"]: a["recurred_in"] for a in data["actions"]["open"]}
    assert marks == {"Purge stale artifact caches nightly": [ids["e.md"]], "Hire a designer": []}
    for fmt in ("html", "md"):
        rendered = report.render(data, fmt)
        assert "Recurring causes and the actions promised before them" in rendered
        assert f"cause recurred in incident {ids['e.md']}" in rendered
        assert "Trends by organization and quarter" in rendered


def test_a_filter_that_leaves_out_the_earlier_incident_leaves_out_the_recurrence(db):
    data = report.build(db, report.Filters(since="2023-06-01"), as_of="2024-01-01")
    assert data["recurring"]["total"] == 0


@pytest.mark.parametrize("day, expected", [("2025-01-31", "2025-Q1"), ("2025-04-01T00:00:00Z", "2025-Q2"), ("2025-12", "2025-Q4"), (None, None), ("2025", None)])
def test_quarter(day, expected):
    assert quarter(day) == expected


def test_trends_give_medians_with_their_n_per_organization_and_quarter():
    incidents = [
        {"organization": "A", "date": "2025-01-05", "impact_minutes": 10, "time_to_detect_minutes": None, "time_to_mitigate_minutes": 4},
        {"organization": "A", "date": "2025-02-05", "impact_minutes": 30, "time_to_detect_minutes": 6, "time_to_mitigate_minutes": None},
        {"organization": "A", "date": "2025-03-05", "impact_minutes": None, "time_to_detect_minutes": 2, "time_to_mitigate_minutes": None},
        {"organization": "A", "date": "2025-07-01", "impact_minutes": 5, "time_to_detect_minutes": None, "time_to_mitigate_minutes": None},
        {"organization": "B", "date": None, "impact_minutes": 7, "time_to_detect_minutes": None, "time_to_mitigate_minutes": None},
    ]
    a, b = trends(incidents)
    assert a["organization"] == "A" and [q["quarter"] for q in a["quarters"]] == ["2025-Q1", "2025-Q3"]
    q1 = a["quarters"][0]
    assert q1["incidents"] == 3
    assert q1["impact"] == {"median": 20.0, "n": 2} and q1["detect"] == {"median": 4.0, "n": 2} and q1["mitigate"] == {"median": 4.0, "n": 1}
    assert b["quarters"] == [{"quarter": None, "incidents": 1, "impact": {"median": 7.0, "n": 1}, "detect": {"median": None, "n": 0}, "mitigate": {"median": None, "n": 0}}]


@pytest.mark.parametrize("days, expected", [(None, "later"), (1.2, "1 day later"), (20, "20 days later"), (212, "7 months later"), (1656.4, "4.5 years later")])
def test_how_much_later_reads_naturally(days, expected):
    assert _later(days) == expected
