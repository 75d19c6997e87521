"""Step 5, store: keep documents and their extractions in SQLite through sqlite-utils.

The schema is built by migrations (``sqlite_utils.Migrations``), so a database
made by an older pmkb is upgraded in place without losing rows. Each
document's rows are written in one transaction: a document is stored with
all its incidents, windows, events, causes, actions and flags, or not at all.
The database runs in WAL mode with a busy timeout, so ``pmkb serve`` can read
while an ingest writes, and two ingests can share one file.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import sqlite_utils
from sqlite_utils import Migrations

BUSY_TIMEOUT_MS = 30_000
"""How long a writer waits for another writer's transaction before failing."""

CHILD_TABLES = ("impact_windows", "timeline_events", "causes", "corrective_actions", "components", "categories", "quality_flags")
"""Tables whose rows belong to an incident."""

FTS_TABLES = {
    "documents": ["title", "text"],
    "causes": ["text"],
    "corrective_actions": ["text"],
    "timeline_events": ["text"],
}
"""Full-text search: table → indexed columns."""

migrations = Migrations("pmkb")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    """The first schema: documents, incidents and the tables of extracted facts."""
    db["documents"].create(
        {
            "id": int, "source": str, "sha256": str, "format": str, "title": str, "organization": str,
            "original_url": str, "published_at": str, "text": str, "extractor_version": str, "ingested_at": str,
        },
        pk="id",
        not_null={"source", "sha256", "text"},
    )
    db["documents"].create_index(["source"], unique=True)
    db["documents"].create_index(["sha256"])
    db["documents"].create_index(["organization"])
    db["incidents"].create(
        {
            "id": int, "document_id": int, "seq": int, "title": str, "organization": str,
            "impact_start": str, "impact_end": str, "impact_minutes": float,
            "time_to_detect_minutes": float, "time_to_mitigate_minutes": float,
            "impact_rule": str, "detect_rule": str, "mitigate_rule": str, "windows_rule": str,
            "categories": str, "components": str, "year": int,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["incidents"].create_index(["document_id"])
    db["incidents"].create_index(["impact_start"])
    db["incidents"].create_index(["organization"])
    evidence = {"evidence_text": str, "evidence_start": int, "evidence_end": int}
    db["impact_windows"].create(
        {"id": int, "incident_id": int, "start": str, "end": str, "duration_minutes": float, "label": str, **evidence},
        pk="id", foreign_keys=[("incident_id", "incidents", "id")],
    )
    db["timeline_events"].create(
        {"id": int, "incident_id": int, "at": str, "precision": str, "timezone": str, "kind": str, "text": str, **evidence},
        pk="id", foreign_keys=[("incident_id", "incidents", "id")],
    )
    db["causes"].create(
        {"id": int, "incident_id": int, "kind": str, "category": str, "text": str, **evidence},
        pk="id", foreign_keys=[("incident_id", "incidents", "id")],
    )
    db["corrective_actions"].create(
        {"id": int, "incident_id": int, "text": str, "status": str, **evidence},
        pk="id", foreign_keys=[("incident_id", "incidents", "id")],
    )
    db["components"].create({"id": int, "incident_id": int, "component": str}, pk="id", foreign_keys=[("incident_id", "incidents", "id")])
    db["categories"].create({"id": int, "incident_id": int, "category": str}, pk="id", foreign_keys=[("incident_id", "incidents", "id")])
    db["quality_flags"].create(
        {"id": int, "incident_id": int, "document_id": int, "flag": str, "detail": str},
        pk="id", foreign_keys=[("incident_id", "incidents", "id"), ("document_id", "documents", "id")],
    )
    for table in CHILD_TABLES:
        db[table].create_index(["incident_id"])
    db["quality_flags"].create_index(["document_id"])
    db["timeline_events"].create_index(["kind"])
    db["corrective_actions"].create_index(["status"])
    db["categories"].create_index(["category"])
    db["components"].create_index(["component"])
    db["quality_flags"].create_index(["flag"])
    for table, columns in FTS_TABLES.items():
        db[table].enable_fts(columns, create_triggers=True, tokenize="porter")


@migrations()
def m002_reporting_indexes(db: sqlite_utils.Database) -> None:
    """Indexes the canned queries and the report filter on."""
    db["incidents"].create_index(["year"], if_not_exists=True)
    db["documents"].create_index(["published_at"], if_not_exists=True)
    db["corrective_actions"].create_index(["incident_id", "status"], if_not_exists=True)
    db["timeline_events"].create_index(["incident_id", "at"], if_not_exists=True)


def open_db(path: str | Path, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) a pmkb database in WAL mode and bring its schema up to date."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    db = sqlite_utils.Database(conn)
    if str(path) != ":memory:":
        try:
            db.enable_wal()
        except sqlite3.OperationalError:
            pass
    conn.execute("PRAGMA synchronous = NORMAL")
    if migrate:
        apply_migrations(db)
    return db


def apply_migrations(db: sqlite_utils.Database, attempts: int = 5) -> None:
    """Apply pending migrations, one process at a time: the others wait, then find nothing to do.

    All pending (transactional) migrations run under one write lock taken
    before they are listed, so two ingests opening a new database at once
    cannot both create the same tables.
    """
    for attempt in range(attempts):
        try:
            if migrations.applied(db) and not migrations.pending(db):
                return
            if any(not m.transactional for m in migrations.pending(db)):
                migrations.apply(db)
                return
            db.conn.execute("BEGIN IMMEDIATE")
            try:
                migrations.apply(db)
                db.conn.execute("COMMIT")
            except BaseException:
                if db.conn.in_transaction:
                    db.conn.execute("ROLLBACK")
                raise
            return
        except (sqlite3.OperationalError, sqlite3.IntegrityError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


@dataclass
class StoreResult:
    """What happened to one document: new, updated, unchanged."""

    status: str
    document_id: int
    incidents: int = 0


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def existing(db: sqlite_utils.Database, source: str) -> dict | None:
    """The stored row (id, sha256, extractor_version) for a source, if any."""
    rows = list(db.query("select id, sha256, extractor_version from documents where source = ?", [source]))
    return rows[0] if rows else None


def store_document(
    db: sqlite_utils.Database,
    document: Any,
    incidents: list[dict],
    extractor_version: str,
    manifest: dict | None = None,
    organization: str | None = None,
    reextract: bool = False,
) -> StoreResult:
    """Store one document and its incidents in a single transaction, replacing an older extraction."""
    manifest = manifest or {}
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = existing(db, document.source)
        if row is not None and row["sha256"] == document.sha256 and not (reextract and row["extractor_version"] != extractor_version):
            conn.execute("ROLLBACK")
            return StoreResult("unchanged", row["id"])
        org = organization or manifest.get("organization") or document.organization
        record = {
            "source": document.source,
            "sha256": document.sha256,
            "format": document.format,
            "title": manifest.get("title") or document.title,
            "organization": org,
            "original_url": manifest.get("original_url") or document.original_url,
            "published_at": manifest.get("published_at") or document.published_at,
            "text": document.text,
            "extractor_version": extractor_version,
            "ingested_at": _now(),
        }
        if row is not None:
            document_id = row["id"]
            _delete_children(db, document_id)
            db["documents"].update(document_id, record)
            status = "updated"
        else:
            document_id = db["documents"].insert(record).last_pk
            status = "new"
        for seq, incident in enumerate(incidents):
            _insert_incident(db, document_id, seq, incident, org)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return StoreResult(status, document_id, len(incidents))


def _delete_children(db: sqlite_utils.Database, document_id: int) -> None:
    ids = [r["id"] for r in db.query("select id from incidents where document_id = ?", [document_id])]
    if ids:
        marks = ",".join("?" * len(ids))
        for table in CHILD_TABLES:
            db.execute(f"delete from [{table}] where incident_id in ({marks})", ids)
    db.execute("delete from quality_flags where document_id = ?", [document_id])
    db.execute("delete from incidents where document_id = ?", [document_id])


def _ev(item: dict) -> dict:
    evidence = item.get("evidence") or {}
    return {"evidence_text": evidence.get("text"), "evidence_start": evidence.get("start"), "evidence_end": evidence.get("end")}


def _insert_incident(db: sqlite_utils.Database, document_id: int, seq: int, incident: dict, organization: str | None) -> int:
    metrics = incident.get("metrics") or {}
    rules = metrics.get("rules") or {}
    start = metrics.get("impact_start")
    if not start:
        first = next((e["at"] for e in incident.get("timeline", []) if e.get("at")), None)
        year = int(first[:4]) if first else None
    else:
        year = int(start[:4])
    incident_id = db["incidents"].insert(
        {
            "document_id": document_id,
            "seq": seq,
            "title": incident["document"].get("title"),
            "organization": organization,
            "impact_start": start,
            "impact_end": metrics.get("impact_end"),
            "impact_minutes": metrics.get("impact_minutes"),
            "time_to_detect_minutes": metrics.get("time_to_detect_minutes"),
            "time_to_mitigate_minutes": metrics.get("time_to_mitigate_minutes"),
            "impact_rule": rules.get("impact"),
            "detect_rule": rules.get("detect"),
            "mitigate_rule": rules.get("mitigate"),
            "windows_rule": rules.get("windows"),
            "categories": json.dumps(incident.get("categories", [])),
            "components": json.dumps(incident.get("components", [])),
            "year": year,
        }
    ).last_pk
    _insert_all(db, "impact_windows", ({"incident_id": incident_id, "start": w["start"], "end": w["end"], "duration_minutes": w.get("duration_minutes"), "label": w.get("label"), **_ev(w)} for w in incident.get("impact_windows", [])))
    _insert_all(db, "timeline_events", ({"incident_id": incident_id, "at": e["at"], "precision": e.get("precision"), "timezone": e.get("timezone"), "kind": e.get("kind"), "text": e.get("text"), **_ev(e)} for e in incident.get("timeline", [])))
    _insert_all(db, "causes", ({"incident_id": incident_id, "kind": c.get("kind"), "category": c.get("category"), "text": c.get("text"), **_ev(c)} for c in incident.get("causes", [])))
    _insert_all(db, "corrective_actions", ({"incident_id": incident_id, "text": a.get("text"), "status": a.get("status"), **_ev(a)} for a in incident.get("corrective_actions", [])))
    _insert_all(db, "categories", ({"incident_id": incident_id, "category": c} for c in incident.get("categories", [])))
    _insert_all(db, "components", ({"incident_id": incident_id, "component": c} for c in incident.get("components", [])))
    _insert_all(db, "quality_flags", ({"incident_id": incident_id, "document_id": document_id, "flag": f.get("flag"), "detail": f.get("detail")} for f in incident.get("quality_flags", [])))
    return incident_id


def _insert_all(db: sqlite_utils.Database, table: str, rows: Iterable[dict]) -> None:
    rows = list(rows)
    if rows:
        db[table].insert_all(rows, batch_size=500)


def integrity_problems(db: sqlite_utils.Database) -> list[str]:
    """Integrity-check failures and documents stored without incidents (empty when healthy)."""
    problems = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall() if r[0] != "ok"]
    orphans = db.execute("select count(*) from documents where id not in (select document_id from incidents)").fetchone()[0]
    if orphans:
        problems.append(f"{orphans} document(s) without incident rows")
    return problems


@migrations()
def m003_incident_overview_view(db: sqlite_utils.Database) -> None:
    """A view with one row per incident, its best-known start and action counts, for pmkb serve."""
    db.create_view(
        "incident_overview",
        """
        select
          i.id, i.title, i.organization,
          coalesce(i.impact_start, (select min(t.at) from timeline_events t where t.incident_id = i.id), d.published_at) as started,
          i.year, i.impact_start, i.impact_end, i.impact_minutes,
          i.time_to_detect_minutes, i.time_to_mitigate_minutes, i.categories, i.components,
          (select count(*) from corrective_actions a where a.incident_id = i.id) as actions,
          (select count(*) from corrective_actions a where a.incident_id = i.id and coalesce(a.status, 'unknown') != 'done') as open_actions,
          (select count(*) from quality_flags q where q.incident_id = i.id) as quality_flags,
          i.document_id, d.title as document_title, d.original_url
        from incidents i join documents d on d.id = i.document_id
        """,
        replace=True,
    )
