"""The store: one transaction per document, WAL and busy timeout, schema upgrades that keep data."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from ingest.document import Document
from kb import migrations, schema, store

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
    return {t: db[t].count for t in ("documents", "incidents", *schema.CHILD_TABLES)}


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
    assert counts(db) == {"documents": 1, "incidents": 2, **{t: 2 for t in schema.CHILD_TABLES}}
    assert store.integrity_problems(db) == []
    assert store.store_document(db, document(), [incident()], "1").status == "unchanged"


def test_failure_part_way_stores_nothing_of_a_new_document(db, monkeypatch):
    real = store._insert_rows

    def fail_on_causes(conn, table, rows):
        if table == "causes":
            raise sqlite3.OperationalError("disk I/O error (simulated)")
        real(conn, table, rows)

    monkeypatch.setattr(store, "_insert_rows", fail_on_causes)
    with pytest.raises(sqlite3.OperationalError):
        store.store_document(db, document(), [incident()], "1")
    assert set(counts(db).values()) == {0}
    assert not db.conn.in_transaction


def test_failed_update_keeps_the_previous_extraction(db, monkeypatch):
    store.store_document(db, document(), [incident()], "1")
    before = counts(db)
    monkeypatch.setattr(store, "child_rows", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        store.store_document(db, document(sha="b" * 64, text="# Changed\n"), [incident()], "1")
    assert counts(db) == before
    assert db["documents"].get(1)["sha256"] == "a" * 64


def test_update_replaces_children(db):
    store.store_document(db, document(), [incident(), incident()], "1")
    result = store.store_document(db, document(sha="b" * 64), [incident("Only one now")], "1")
    assert result.status == "updated" and result.document_id == 1
    assert counts(db) == {"documents": 1, "incidents": 1, **{t: 1 for t in schema.CHILD_TABLES}}
    assert db.execute("select text from causes").fetchone()[0] == "Only one now"


def test_integrity_problems_names_orphan_documents(db):
    db["documents"].insert({"source": "/x.md", "sha256": "c" * 64, "text": "x"})
    store.index_fts(db.conn, {"documents": 0})
    assert store.integrity_problems(db) == ["1 document(s) without incident rows"]


def test_integrity_problems_names_a_stale_full_text_index(db):
    store.store_document(db, document(), [incident()], "1")
    db.execute("insert into causes (incident_id, text) values (1, 'never indexed')")
    problems = store.integrity_problems(db)
    assert len(problems) == 1 and problems[0].startswith("causes_fts does not match causes")


def rows(db: sqlite_utils.Database) -> dict[str, list[dict]]:
    """Every stored row but the ingest time, per table."""
    return {t: [{k: v for k, v in r.items() if k != "ingested_at"} for r in db[t].rows] for t in counts(db)}


def search(db: sqlite_utils.Database, table: str, term: str) -> list[int]:
    """Rowids of ``table`` whose full-text index matches ``term``."""
    return [r[0] for r in db.execute(f"select rowid from [{table}_fts] where [{table}_fts] match ? order by rowid", [term])]


def batch(*texts: str, start: int = 0) -> list[tuple]:
    """One item per text: a distinct document with two incidents quoting it, no manifest row."""
    return [(document(f"/docs/{start + i}.md", f"{start + i:064d}", f"# Doc\n\n{t}\n"), [incident(t), incident("Second")], None) for i, t in enumerate(texts)]


def test_batch_stores_the_same_rows_as_one_by_one(tmp_path):
    items = batch("Disk full on db1.", "Certificate expired at 09:00.", "Bad deploy of the router.")
    items[1] = (*items[1][:2], {"organization": "Acme", "title": "From the manifest"})
    one = store.open_db(tmp_path / "one.db")
    for doc, incidents, manifest in items:
        store.store_document(one, doc, incidents, "1", manifest=manifest)
    many = store.open_db(tmp_path / "many.db")
    results = store.store_documents(many, items, "1")
    assert [(r.status, r.document_id, r.incidents) for r in results] == [("new", 1, 2), ("new", 2, 2), ("new", 3, 2)]
    assert rows(many) == rows(one)
    assert many["documents"].get(2)["organization"] == "Acme"
    for table, term in (("documents", "certificate"), ("causes", "router"), ("timeline_events", "disk"), ("corrective_actions", "canary")):
        assert search(many, table, term) == search(one, table, term) != []
    assert store.integrity_problems(many) == [] and store.integrity_problems(one) == []


def test_a_failing_document_is_rolled_back_alone(db):
    items = batch("Disk full on db1.", "This one breaks.", "Bad deploy of the router.")
    broken = items[1][0]
    broken.text = None  # documents.text is NOT NULL
    results = store.store_documents(db, items, "1")
    assert isinstance(results[1], sqlite3.IntegrityError)
    assert [(r.status, r.document_id) for r in (results[0], results[2])] == [("new", 1), ("new", 2)]
    assert sorted(r["source"] for r in db.query("select source from documents")) == ["/docs/0.md", "/docs/2.md"]
    assert counts(db) == {"documents": 2, "incidents": 4, **{t: 4 for t in schema.CHILD_TABLES}}
    assert search(db, "causes", "breaks") == [] and search(db, "causes", "router") != []
    assert store.integrity_problems(db) == [] and not db.conn.in_transaction
    assert store.store_documents(db, batch("Now it stores.", start=1), "1")[0].status == "new"


def test_a_failing_replacement_leaves_the_batch_before_it_indexed(db):
    store.store_documents(db, batch("Disk full on db1."), "1")
    replacement = batch("This one breaks.")[0]
    replacement[0].sha256, replacement[0].text = "f" * 64, None
    results = store.store_documents(db, [*batch("Bad deploy of the router.", start=1), replacement], "1")
    assert results[0].status == "new" and isinstance(results[1], sqlite3.IntegrityError)
    assert len(search(db, "causes", "router")) == 1 and len(search(db, "causes", "disk")) == 1
    assert store.integrity_problems(db) == []


def test_an_interrupt_rolls_back_the_whole_batch(db, monkeypatch):
    real = store._store_one
    calls = []

    def interrupt_second(*args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(store, "_store_one", interrupt_second)
    with pytest.raises(KeyboardInterrupt):
        store.store_documents(db, batch("First.", "Second."), "1")
    assert set(counts(db).values()) == {0} and not db.conn.in_transaction


def test_batch_unchanged_and_updated(db):
    store.store_documents(db, batch("Disk full on db1.", "Certificate expired."), "1")
    changed = batch("Disk full on db1.", "The router crashed.")
    changed[1][0].sha256 = "f" * 64
    results = store.store_documents(db, [*changed, *batch("A third one.", start=2)], "1")
    assert [(r.status, r.document_id, r.incidents) for r in results] == [("unchanged", 1, 0), ("updated", 2, 2), ("new", 3, 2)]
    assert counts(db) == {"documents": 3, "incidents": 6, **{t: 6 for t in schema.CHILD_TABLES}}
    assert search(db, "causes", "certificate") == [] and len(search(db, "causes", "router")) == 1
    assert search(db, "documents", "certificate") == [] and search(db, "documents", "router") == [2]
    reextracted = store.store_documents(db, batch("Disk full on db1."), "2", reextract=True)
    assert (reextracted[0].status, db["documents"].get(1)["extractor_version"]) == ("updated", "2")
    assert store.integrity_problems(db) == []


def test_one_source_twice_in_a_batch_is_stored_then_replaced(db):
    first, second = batch("Disk full on db1.")[0], batch("The router crashed.")[0]
    second[0].sha256 = "e" * 64
    results = store.store_documents(db, [first, first, second], "1")
    assert [r.status for r in results] == ["new", "unchanged", "updated"]
    assert counts(db) == {"documents": 1, "incidents": 2, **{t: 2 for t in schema.CHILD_TABLES}}
    assert search(db, "causes", "disk") == [] and len(search(db, "causes", "router")) == 1
    assert store.integrity_problems(db) == []


def store_as_older_pmkb(db: sqlite_utils.Database, doc: Document, incidents: list[dict]) -> None:
    """Rows as a pmkb before m005 wrote them: through sqlite-utils, no rollup columns (nor m006's copies on categories), full text by triggers."""
    document_id = db["documents"].insert(dict(zip(schema.COLUMNS["documents"], store.document_row(doc, {}, None, "0")))).last_pk
    for seq, incident in enumerate(incidents):
        row = dict(zip(schema.COLUMNS["incidents"], store.incident_row(incident, document_id, seq, None)))
        incident_id = db["incidents"].insert({k: v for k, v in row.items() if k not in schema.ROLLUP_COLUMNS}).last_pk
        for table, rows in store.child_rows(incident, incident_id, document_id).items():
            db[table].insert_all([{k: v for k, v in zip(schema.COLUMNS[table], r) if table != "categories" or k not in schema.CATEGORY_COPIES} for r in rows])


@pytest.mark.parametrize("last_applied", [FIRST_MIGRATION, "m003_incident_overview_view"])
def test_upgrade_from_an_older_schema_keeps_data(tmp_path, last_applied):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    names = [m.name for m in migrations.migrations._migrations]
    migrations.migrations.apply(old, stop_before=names[names.index(last_applied) + 1:])
    assert [m.name for m in migrations.migrations.applied(old)] == names[: names.index(last_applied) + 1]
    undated = incident("No time at all.")
    undated["metrics"], undated["timeline"] = {}, []
    undated["corrective_actions"] = [{"text": "Fix it", "status": s} for s in ("done", None, "in_progress", "planned", "done")]
    doc = document(text="# Outage\n\nThe load balancer failed at 10:00 UTC.\n")
    doc.published_at = "2024-03-01"
    store_as_older_pmkb(old, doc, [incident(), undated])
    before = {t: list(old[t].rows) for t in ("documents", "incidents", *schema.CHILD_TABLES)}
    overview = list(old["incident_overview"].rows) if "incident_overview" in old.view_names() else None
    old.close()

    db = store.open_db(path)
    assert [m.name for m in migrations.migrations.applied(db)] == names
    assert migrations.migrations.pending(db) == []
    for table, rows in before.items():
        added = schema.CATEGORY_COPIES if table == "categories" else schema.ROLLUP_COLUMNS if table == "incidents" else {}
        kept = [{k: v for k, v in r.items() if k not in added} for r in db[table].rows]
        assert kept == rows, table
    incidents_by_id = {r["id"]: r for r in db["incidents"].rows}
    copies = [{k: r[k] for k in schema.CATEGORY_COPIES} for r in db["categories"].rows]
    assert copies and copies == [{k: incidents_by_id[r["incident_id"]][k] for k in schema.CATEGORY_COPIES} for r in db["categories"].rows]
    filled = [{k: r[k] for k in schema.ROLLUP_COLUMNS} for r in db["incidents"].rows]
    assert filled == [dict(zip(schema.ROLLUP_COLUMNS, store.rollups(i, "2024-03-01"))) for i in (incident(), undated)]
    assert [f["started"] for f in filled] == ["2024-01-02T10:00:00Z", "2024-03-01"]
    assert [(f["actions"], f["open_actions"], f["actions_done"]) for f in filled] == [(1, 1, 0), (5, 3, 2)]
    if overview is not None:
        assert list(db["incident_overview"].rows) == overview
    assert ["year"] in [index.columns for index in db["incidents"].indexes]  # from the second migration
    assert [r["id"] for r in db.query("select rowid as id from documents_fts where documents_fts match 'balancer'")] == [1]
    assert store.store_document(db, document("/docs/b.md", "d" * 64), [incident()], "1").status == "new"
    assert store.integrity_problems(db) == []


def test_stored_rollups_match_the_children(db):
    mixed = incident()
    mixed["corrective_actions"] = [{"text": "a", "status": "done"}, {"text": "b"}, {"text": "c", "status": "planned"}]
    mixed["metrics"] = {}
    mixed["timeline"] = [{"at": "2024-05-02T10:00:00Z"}, {"at": None}, {"at": "2024-05-01"}]
    store.store_document(db, document(), [mixed], "1")
    row = db["incidents"].get(1)
    assert (row["started"], row["actions"], row["open_actions"], row["actions_done"], row["actions_planned"], row["quality_flags"]) == ("2024-05-01", 3, 2, 1, 1, 1)


def test_opening_again_applies_nothing(tmp_path):
    path = tmp_path / "kb.db"
    store.open_db(path).close()
    db = store.open_db(path)
    applied = [(m.name, m.applied_at) for m in migrations.migrations.applied(db)]
    migrations.apply_migrations(db)
    assert [(m.name, m.applied_at) for m in migrations.migrations.applied(db)] == applied


def test_category_rows_repeat_their_incidents_fields_once_per_category(db):
    repeated = incident()
    repeated["categories"] = ["capacity", "config", "capacity"]
    store.store_document(db, document(), [repeated], "1", organization="Acme")
    rows = list(db.query("select c.category, c.organization, c.started, c.impact_minutes, i.organization as io, i.started as istart, i.impact_minutes as imin from categories c join incidents i on i.id = c.incident_id"))
    assert [r["category"] for r in rows] == ["capacity", "config"]
    assert all((r["organization"], r["started"], r["impact_minutes"]) == (r["io"], r["istart"], r["imin"]) for r in rows)
    assert rows[0]["organization"] == "Acme" and rows[0]["started"] is not None
