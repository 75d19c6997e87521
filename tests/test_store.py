"""The store: one transaction per document, WAL and busy timeout, schema upgrades that keep data."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from ingest.normalise import Document
from kb import store

FIRST_MIGRATION = "m001_initial"


def document(source: str = "/docs/a.md", sha: str = "a" * 64, text: str = "# Outage\n\nThe API failed at 10:00 UTC.\n") -> Document:
    return Document(source=source, format="markdown", text=text, sha256=sha, title="Outage")


def incident(text: str = "The API failed at 10:00 UTC.") -> dict:
    """A small incident in the extraction contract's shape."""
    evidence = {"text": text, "start": 10, "end": 10 + len(text)}
    return {
        "document": {"title": "Outage"},
        "impact_windows": [{"start": "2024-01-02T10:00:00Z", "end": "2024-01-02T11:00:00Z", "duration_minutes": 60.0, "label": None, "evidence": evidence}],
        "timeline": [{"at": "2024-01-02T10:00:00Z", "precision": "minute", "timezone": "UTC", "kind": "start", "text": text, "evidence": evidence}],
        "causes": [{"kind": "root", "category": "deploy", "text": text, "evidence": evidence}],
        "corrective_actions": [{"text": "Add a canary", "status": "planned", "evidence": evidence}],
        "categories": ["deploy"],
        "components": ["api"],
        "quality_flags": [{"flag": "test", "detail": "made by hand"}],
        "metrics": {"impact_start": "2024-01-02T10:00:00Z", "impact_end": "2024-01-02T11:00:00Z", "impact_minutes": 60.0},
    }


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    return {t: db[t].count for t in ("documents", "incidents", *store.CHILD_TABLES)}


@pytest.fixture
def db(tmp_path):
    database = store.open_db(tmp_path / "kb.db")
    yield database
    database.close()


def test_wal_busy_timeout_and_foreign_keys(db):
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == store.BUSY_TIMEOUT_MS
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_document_stored_with_all_its_rows(db):
    result = store.store_document(db, document(), [incident(), incident("Second")], "1")
    assert result.status == "new" and result.incidents == 2
    assert counts(db) == {"documents": 1, "incidents": 2, **{t: 2 for t in store.CHILD_TABLES}}
    assert store.integrity_problems(db) == []
    assert store.store_document(db, document(), [incident()], "1").status == "unchanged"


def test_failure_part_way_stores_nothing_of_a_new_document(db, monkeypatch):
    real = store._insert_all

    def fail_on_causes(database, table, rows):
        if table == "causes":
            raise sqlite3.OperationalError("disk I/O error (simulated)")
        real(database, table, rows)

    monkeypatch.setattr(store, "_insert_all", fail_on_causes)
    with pytest.raises(sqlite3.OperationalError):
        store.store_document(db, document(), [incident()], "1")
    assert set(counts(db).values()) == {0}
    assert not db.conn.in_transaction


def test_failed_update_keeps_the_previous_extraction(db, monkeypatch):
    store.store_document(db, document(), [incident()], "1")
    before = counts(db)
    monkeypatch.setattr(store, "_insert_incident", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        store.store_document(db, document(sha="b" * 64, text="# Changed\n"), [incident()], "1")
    assert counts(db) == before
    assert db["documents"].get(1)["sha256"] == "a" * 64


def test_update_replaces_children(db):
    store.store_document(db, document(), [incident(), incident()], "1")
    result = store.store_document(db, document(sha="b" * 64), [incident("Only one now")], "1")
    assert result.status == "updated" and result.document_id == 1
    assert counts(db) == {"documents": 1, "incidents": 1, **{t: 1 for t in store.CHILD_TABLES}}
    assert db.execute("select text from causes").fetchone()[0] == "Only one now"


def test_integrity_problems_names_orphan_documents(db):
    db["documents"].insert({"source": "/x.md", "sha256": "c" * 64, "text": "x"})
    assert store.integrity_problems(db) == ["1 document(s) without incident rows"]


def test_upgrade_from_the_first_schema_keeps_data(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    store.migrations.apply(old, stop_before=[m.name for m in store.migrations._migrations if m.name != FIRST_MIGRATION])
    assert [m.name for m in store.migrations.applied(old)] == [FIRST_MIGRATION]
    store.store_document(old, document(text="# Outage\n\nThe load balancer failed at 10:00 UTC.\n"), [incident(), incident("Second")], "0")
    before = {t: list(old[t].rows) for t in ("documents", "incidents", *store.CHILD_TABLES)}
    old.close()

    db = store.open_db(path)
    assert [m.name for m in store.migrations.applied(db)] == [m.name for m in store.migrations._migrations]
    assert store.migrations.pending(db) == []
    for table, rows in before.items():
        assert list(db[table].rows) == rows, table
    assert ["year"] in [index.columns for index in db["incidents"].indexes]  # from the second migration
    assert [r["id"] for r in db.query("select rowid as id from documents_fts where documents_fts match 'balancer'")] == [1]
    assert store.store_document(db, document("/docs/b.md", "d" * 64), [incident()], "1").status == "new"
    assert store.integrity_problems(db) == []


def test_opening_again_applies_nothing(tmp_path):
    path = tmp_path / "kb.db"
    store.open_db(path).close()
    db = store.open_db(path)
    applied = [(m.name, m.applied_at) for m in store.migrations.applied(db)]
    store.apply_migrations(db)
    assert [(m.name, m.applied_at) for m in store.migrations.applied(db)] == applied
