"""Recurrences (kb/recurrence.py): found on ingest against stored incidents, with the promises made before them."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from ingest.document import Document
from kb import recurrence, similar_index, similar_quality, store

from test_similar import PAIRS

MIN_PRECISION = 0.75
"""Same-organization annotated pairs: measured 1.00 (3 of 3 recorded recurrences judged same-problem; was 4 of 5)."""

MIN_RECALL = 0.4
"""Measured 0.43 (3 of 7 same-problem same-organization pairs recorded). It was 4 of 7 before this round's
extraction changes moved the corpus's term weights: PostHog's 2025-09-29 outage against the 2025-10-21
document's third incident now scores just under ``recurrence.THRESHOLD``, and the label-only Google Cloud
pair just under it too. The threshold was not re-tuned to one pair."""


def document(name: str, text: str) -> Document:
    return Document(source=f"/docs/{name}", format="markdown", text=text, sha256=name * 8, title=name, organization="Acme")


def incident(start: str, causes: list[str], actions: list[tuple[str, str]] = ()) -> dict:
    return {
        "document": {"title": f"Outage {start}"},
        "impact_windows": [],
        "timeline": [{"at": start, "kind": "impact_start", "text": "Errors began."}],
        "causes": [{"kind": "root", "category": "capacity", "text": t, "evidence": {"text": t, "start": 0, "end": len(t)}} for t in causes],
        "corrective_actions": [{"text": t, "status": s} for t, s in actions],
        "categories": ["capacity"],
        "components": [],
        "quality_flags": [],
        "metrics": {"impact_start": start},
    }


DISK = "The build server's disk filled up with stale artifact caches and the artifact uploader crashed."
DISK_AGAIN = "Stale artifact caches filled the disk of the build server again, crashing the uploader."
UNRELATED = ["A misrouted VLAN isolated the office printers."]
FILLER = [
    ("b.md", "2023-02-01T00:00:00Z", ["An expired TLS certificate on the payments gateway rejected every card."]),
    ("c.md", "2023-03-01T00:00:00Z", ["A DNS record for the status page was deleted by a Terraform plan."]),
    ("d.md", "2023-04-01T00:00:00Z", ["A kernel upgrade rebooted every database replica at once."]),
]


@pytest.fixture
def db(tmp_path):
    database = store.open_db(tmp_path / "kb.db")
    yield database
    database.close()


def _store(db, name: str, start: str, causes: list[str], actions=()) -> None:
    store.store_document(db, document(name, "\n".join(causes)), [incident(start, causes, list(actions))], "test")


def _ids(db) -> dict[str, int]:
    return {row[0].rsplit("/", 1)[1]: row[1] for row in db.execute("select d.source, i.id from incidents i join documents d on d.id = i.document_id")}


def test_a_new_incident_is_compared_with_the_stored_ones_and_finds_its_earlier_cause(db):
    _store(db, "a.md", "2023-01-01T00:00:00Z", [DISK], [("Purge stale artifact caches nightly", "planned"), ("Hire a designer", "done")])
    for name, start, causes in FILLER:
        _store(db, name, start, causes)
    assert db["recurrences"].count == 0
    _store(db, "e.md", "2023-08-01T00:00:00Z", [DISK_AGAIN])
    ids = _ids(db)
    (row,) = db["recurrences"].rows
    assert (row["earlier_incident_id"], row["later_incident_id"]) == (ids["a.md"], ids["e.md"])
    assert row["earlier_cause"] == DISK and row["later_cause"] == DISK_AGAIN
    assert row["score"] >= recurrence.THRESHOLD and row["days_apart"] == 212.0
    assert "artifact" in row["shared_terms"] and row["organization"] == "Acme"
    promises = json.loads(row["promises"])
    assert [(p["text"], p["status"]) for p in promises] == [("Purge stale artifact caches nightly", "planned")]
    assert (row["promised_actions"], row["promised_not_done"]) == (1, 1)


def test_ingest_compares_only_the_new_incident_and_keeps_the_stored_recurrences(db, monkeypatch):
    from kb import similar

    _store(db, "a.md", "2023-01-01T00:00:00Z", [DISK])
    for name, start, causes in FILLER:
        _store(db, name, start, causes)
    _store(db, "e.md", "2023-08-01T00:00:00Z", [DISK_AGAIN])
    (before,) = db["recurrences"].rows
    searched, rescored = [], []
    real_similar, real_score = similar.similar, similar.score_against
    monkeypatch.setattr(similar, "similar", lambda conn, profile, *a, **k: searched.append(profile.incident_id) or real_similar(conn, profile, *a, **k))
    monkeypatch.setattr(similar, "score_against", lambda conn, profile, other, *a, **k: rescored.append((profile.incident_id, other)) or real_score(conn, profile, other, *a, **k))
    _store(db, "f.md", "2023-09-01T00:00:00Z", ["Stale artifact caches filled the build server disk a third time."])
    new = _ids(db)["f.md"]
    assert searched == [new]  # one search, for the new incident: no stored incident is searched for again
    assert all(other == new for _, other in rescored)  # a stored incident is only scored against the new one
    rows = {(r["earlier_incident_id"], r["later_incident_id"]): r for r in db["recurrences"].rows}
    assert rows[(before["earlier_incident_id"], before["later_incident_id"])] == before  # the stored recurrence is left as it was
    assert {later for _, later in rows} == {before["later_incident_id"], new}


def test_an_older_incident_ingested_later_is_the_earlier_side(db):
    _store(db, "e.md", "2023-08-01T00:00:00Z", [DISK_AGAIN])
    for name, start, causes in FILLER:
        _store(db, name, start, causes)
    _store(db, "a.md", "2023-01-01T00:00:00Z", [DISK])
    ids = _ids(db)
    (row,) = db["recurrences"].rows
    assert (row["earlier_incident_id"], row["later_incident_id"]) == (ids["a.md"], ids["e.md"])


def test_other_organizations_never_recur(db):
    _store(db, "a.md", "2023-01-01T00:00:00Z", [DISK])
    for name, start, causes in FILLER:
        _store(db, name, start, causes)
    other = Document(source="/docs/z.md", format="markdown", text=DISK_AGAIN, sha256="z" * 64, title="z", organization="Other")
    store.store_document(db, other, [incident("2023-08-01T00:00:00Z", [DISK_AGAIN])], "test")
    assert db["recurrences"].count == 0


def test_replacing_a_document_replaces_its_recurrences(db):
    _store(db, "a.md", "2023-01-01T00:00:00Z", [DISK])
    for name, start, causes in FILLER:
        _store(db, name, start, causes)
    _store(db, "e.md", "2023-08-01T00:00:00Z", [DISK_AGAIN])
    assert db["recurrences"].count == 1
    changed = document("e.md", "changed")
    changed.sha256 = "f" * 64
    store.store_document(db, changed, [incident("2023-08-01T00:00:00Z", UNRELATED)], "test")
    assert db["recurrences"].count == 0
    assert db.execute(f"select count(*) from {similar_index.TABLE}").fetchone()[0] == db["incidents"].count


def test_recurrences_on_the_corpus_are_mostly_the_same_problem(corpus_db_path, tmp_path):
    copy = tmp_path / "corpus.db"
    shutil.copy(corpus_db_path, copy)
    conn = sqlite3.connect(copy)
    names = similar_quality.incident_ids(conn)
    recorded = {frozenset(r) for r in conn.execute("select earlier_incident_id, later_incident_id from recurrences")}
    organization = dict(conn.execute("select id, organization from incidents"))
    judged = {}
    for pair in similar_quality.read_pairs(PAIRS):
        a, b = names[pair["a"]], names[pair["b"]]
        if organization[a] == organization[b]:
            judged[frozenset((a, b))] = pair["kind"]
    found = [kind for pair, kind in judged.items() if pair in recorded]
    same = sum(kind == "same" for kind in judged.values())
    assert found, "no annotated pair was recorded as a recurrence"
    assert found.count("same") / len(found) >= MIN_PRECISION
    assert found.count("same") / same >= MIN_RECALL
    for row in conn.execute("select earlier_cause_id, later_cause_id, e.started, l.started from recurrences r "
                            "join incidents e on e.id = r.earlier_incident_id join incidents l on l.id = r.later_incident_id"):
        assert row[0] is not None and row[1] is not None
        assert (row[2] or "") <= (row[3] or "")
