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
from sqlite_utils.db import DescIndex

BUSY_TIMEOUT_MS = 30_000
"""How long a writer waits for another writer's transaction before failing."""

CACHE_KIB = 32 * 1024
"""Page cache per connection: the indexes a batch touches stay in memory (0.93 → 0.75 ms per stored document)."""

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
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
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


EVIDENCE = ("evidence_text", "evidence_start", "evidence_end")

COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("source", "sha256", "format", "title", "organization", "original_url", "published_at", "text", "extractor_version", "ingested_at"),
    "incidents": (
        "document_id", "seq", "title", "organization", "impact_start", "impact_end", "impact_minutes",
        "time_to_detect_minutes", "time_to_mitigate_minutes", "impact_rule", "detect_rule", "mitigate_rule", "windows_rule",
        "categories", "components", "year",
        "started", "actions", "open_actions", "actions_done", "actions_in_progress", "actions_planned", "quality_flags",
    ),
    "impact_windows": ("incident_id", "start", "end", "duration_minutes", "label", *EVIDENCE),
    "timeline_events": ("incident_id", "at", "precision", "timezone", "kind", "text", *EVIDENCE),
    "causes": ("incident_id", "kind", "category", "text", *EVIDENCE),
    "corrective_actions": ("incident_id", "text", "status", *EVIDENCE),
    "categories": ("incident_id", "category", "organization", "started", "impact_minutes"),
    "components": ("incident_id", "component"),
    "quality_flags": ("incident_id", "document_id", "flag", "detail"),
}
"""The columns pmkb writes, per table, in the order of the row tuples below."""


def insert_sql(table: str) -> str:
    """A prepared ``insert`` for ``table`` over its ``COLUMNS``."""
    columns = COLUMNS[table]
    return f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' * len(columns))})"


def _evidence(item: dict) -> tuple:
    evidence = item.get("evidence") or {}
    return evidence.get("text"), evidence.get("start"), evidence.get("end")


def child_rows(incident: dict, incident_id: int, document_id: int, started: str | None = None, organization: str | None = None) -> dict[str, list[tuple]]:
    """The rows of every child table for one stored incident, as tuples in ``COLUMNS`` order.

    Category rows repeat the incident's organization, ``started`` and impact
    minutes, so the per-category canned queries read one index instead of joining.
    """
    impact_minutes = (incident.get("metrics") or {}).get("impact_minutes")
    return {
        "impact_windows": [(incident_id, w["start"], w["end"], w.get("duration_minutes"), w.get("label"), *_evidence(w)) for w in incident.get("impact_windows", [])],
        "timeline_events": [(incident_id, e["at"], e.get("precision"), e.get("timezone"), e.get("kind"), e.get("text"), *_evidence(e)) for e in incident.get("timeline", [])],
        "causes": [(incident_id, c.get("kind"), c.get("category"), c.get("text"), *_evidence(c)) for c in incident.get("causes", [])],
        "corrective_actions": [(incident_id, a.get("text"), a.get("status"), *_evidence(a)) for a in incident.get("corrective_actions", [])],
        "categories": [(incident_id, c, organization, started, impact_minutes) for c in dict.fromkeys(incident.get("categories", []))],
        "components": [(incident_id, c) for c in incident.get("components", [])],
        "quality_flags": [(incident_id, document_id, f.get("flag"), f.get("detail")) for f in incident.get("quality_flags", [])],
    }


def _first_known(*values: Any) -> Any:
    """The first value that is not None (SQL ``coalesce``)."""
    return next((v for v in values if v is not None), None)


def rollups(incident: dict, published_at: str | None) -> tuple:
    """``started, actions, open_actions, actions_done, actions_in_progress, actions_planned, quality_flags`` of one incident.

    ``started`` is the impact start, else the earliest timeline time, else the
    document's publication date; an action without status counts as open.
    The same figures as migration m005 computes in SQL for older rows.
    """
    metrics = incident.get("metrics") or {}
    times = [e["at"] for e in incident.get("timeline", []) if e.get("at") is not None]
    statuses = [a.get("status") for a in incident.get("corrective_actions", [])]
    return (
        _first_known(metrics.get("impact_start"), min(times, default=None), published_at),
        len(statuses),
        sum(s != "done" for s in statuses),
        statuses.count("done"),
        statuses.count("in_progress"),
        statuses.count("planned"),
        len(incident.get("quality_flags", [])),
    )


def incident_row(incident: dict, document_id: int, seq: int, organization: str | None, published_at: str | None = None) -> tuple:
    """The ``incidents`` row for one extracted incident, in ``COLUMNS`` order."""
    metrics = incident.get("metrics") or {}
    rules = metrics.get("rules") or {}
    start = metrics.get("impact_start")
    if not start:
        first = next((e["at"] for e in incident.get("timeline", []) if e.get("at")), None)
        year = int(first[:4]) if first else None
    else:
        year = int(start[:4])
    return (
        document_id, seq, incident["document"].get("title"), organization, start, metrics.get("impact_end"),
        metrics.get("impact_minutes"), metrics.get("time_to_detect_minutes"), metrics.get("time_to_mitigate_minutes"),
        rules.get("impact"), rules.get("detect"), rules.get("mitigate"), rules.get("windows"),
        json.dumps(incident.get("categories", [])), json.dumps(incident.get("components", [])), year,
        *rollups(incident, published_at),
    )


def document_row(document: Any, manifest: dict, organization: str | None, extractor_version: str) -> tuple:
    """The ``documents`` row, manifest values before the document's own."""
    return (
        document.source, document.sha256, document.format, manifest.get("title") or document.title, organization,
        manifest.get("original_url") or document.original_url, manifest.get("published_at") or document.published_at,
        document.text, extractor_version, _now(),
    )


def tables_indexed_by_store(conn: sqlite3.Connection) -> list[str]:
    """The full-text indexed tables with no insert trigger (m004 onwards), whose new rows the store must index."""
    triggers = {r[0] for r in conn.execute("select name from sqlite_master where type = 'trigger'")}
    return [table for table in FTS_TABLES if f"{table}_ai" not in triggers]


def top_ids(conn: sqlite3.Connection, tables: Iterable[str]) -> dict[str, int]:
    """The highest rowid of each table (0 when empty)."""
    return {table: conn.execute(f"select coalesce(max(rowid), 0) from [{table}]").fetchone()[0] for table in tables}


def index_fts(conn: sqlite3.Connection, marks: dict[str, int]) -> None:
    """Add to each table's full-text index, in one statement, its rows above ``marks[table]``."""
    for table, mark in marks.items():
        columns = ", ".join(f"[{c}]" for c in FTS_TABLES[table])
        conn.execute(f"insert into [{table}_fts] (rowid, {columns}) select rowid, {columns} from [{table}] where rowid > ?", (mark,))


class FtsBacklog:
    """Rows written in this transaction and not yet full-text indexed: those above ``marks[table]``.

    Rowids are not AUTOINCREMENT, so after deleting the highest rows SQLite
    reuses their ids; ``flush`` therefore indexes the backlog and re-reads the
    marks, and is called before and after every replacement.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.marks = top_ids(conn, tables_indexed_by_store(conn))

    def flush(self) -> None:
        """Index the backlog; every stored row is then indexed."""
        index_fts(self.conn, self.marks)
        self.marks = top_ids(self.conn, self.marks)


def store_documents(
    db: sqlite_utils.Database,
    items: Iterable[tuple[Any, list[dict], dict | None]],
    extractor_version: str,
    organization: str | None = None,
    reextract: bool = False,
) -> list[StoreResult | Exception]:
    """Store many documents in ONE transaction, each inside its own SAVEPOINT: a document that fails to store is rolled back alone (its slot holds the sqlite3.Error) and the others are kept.

    ``items`` are ``(document, incidents, manifest_row)``. Per document the
    outcome is as for ``store_document``: ``unchanged`` (same source, hash and,
    when re-extracting, extractor version), ``updated`` (older extraction
    replaced, its rows deleted) or ``new``. The batch's new rows are
    full-text indexed just before it commits. An interrupt (not an
    ``Exception``) rolls back the whole batch and propagates.
    """
    conn = db.conn
    results: list[StoreResult | Exception] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        backlog = FtsBacklog(conn)
        for document, incidents, manifest in items:
            marks = dict(backlog.marks)
            conn.execute("SAVEPOINT pmkb_document")
            try:
                results.append(_store_one(conn, backlog, document, incidents, manifest or {}, extractor_version, organization, reextract))
            except Exception as exc:
                conn.execute("ROLLBACK TO pmkb_document")
                backlog.marks = marks
                results.append(exc)
            conn.execute("RELEASE pmkb_document")
        backlog.flush()
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return results


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
    (result,) = store_documents(db, [(document, incidents, manifest)], extractor_version, organization=organization, reextract=reextract)
    if isinstance(result, Exception):
        raise result
    return result


def _store_one(
    conn: sqlite3.Connection, backlog: FtsBacklog, document: Any, incidents: list[dict], manifest: dict,
    extractor_version: str, organization: str | None, reextract: bool,
) -> StoreResult:
    """Write one document's rows on ``conn`` (the caller owns the transaction)."""
    row = conn.execute("select id, sha256, extractor_version from documents where source = ?", (document.source,)).fetchone()
    if row is not None and row[1] == document.sha256 and not (reextract and row[2] != extractor_version):
        return StoreResult("unchanged", row[0])
    found = next((i["document"].get("organization") for i in incidents if i.get("document", {}).get("organization")), None)
    org = organization or manifest.get("organization") or found or document.organization
    values = document_row(document, manifest, org, extractor_version)
    if row is not None:
        document_id = row[0]
        backlog.flush()  # the delete and update triggers need the old rows indexed
        _delete_children(conn, document_id)
        assignments = ", ".join(f"[{c}] = ?" for c in COLUMNS["documents"])
        conn.execute(f"update documents set {assignments} where id = ?", (*values, document_id))
        backlog.flush()  # deleted top ids will be reused
        status = "updated"
    else:
        document_id = conn.execute(insert_sql("documents"), values).lastrowid
        status = "new"
    published_at = values[COLUMNS["documents"].index("published_at")]
    children: dict[str, list[tuple]] = {table: [] for table in CHILD_TABLES}
    for seq, incident in enumerate(incidents):
        row = incident_row(incident, document_id, seq, org, published_at)
        incident_id = conn.execute(insert_sql("incidents"), row).lastrowid
        started = row[COLUMNS["incidents"].index("started")]
        for table, rows in child_rows(incident, incident_id, document_id, started, org).items():
            children[table].extend(rows)
    for table, rows in children.items():
        _insert_rows(conn, table, rows)
    return StoreResult(status, document_id, len(incidents))


def _insert_rows(conn: sqlite3.Connection, table: str, rows: list[tuple]) -> None:
    if rows:
        conn.executemany(insert_sql(table), rows)


def _delete_children(conn: sqlite3.Connection, document_id: int) -> None:
    incidents = "select id from incidents where document_id = ?"
    for table in CHILD_TABLES:
        conn.execute(f"delete from [{table}] where incident_id in ({incidents})", (document_id,))
    conn.execute("delete from quality_flags where document_id = ?", (document_id,))
    conn.execute("delete from incidents where document_id = ?", (document_id,))


def integrity_problems(db: sqlite_utils.Database) -> list[str]:
    """Integrity-check failures, full-text indexes that differ from their tables, and documents stored without incidents (empty when healthy)."""
    problems = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall() if r[0] != "ok"]
    for table in FTS_TABLES:
        try:
            db.execute(f"insert into [{table}_fts] ([{table}_fts], rank) values ('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            problems.append(f"{table}_fts does not match {table} ({exc})")
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


@migrations()
def m004_fts_indexed_by_store(db: sqlite_utils.Database) -> None:
    """Drop the full-text insert triggers: the store indexes each batch's new rows in one statement per table.

    FTS5 flushes its pending terms at every statement and savepoint, so a
    trigger per inserted row wrote one index segment per row (about 1 ms of a
    document's 2 ms). The delete and update triggers stay: they remove or
    refresh the entries of rows already indexed.
    """
    for table in FTS_TABLES:
        db.conn.execute(f"drop trigger if exists [{table}_ai]")


def _add_missing_columns(table: sqlite_utils.db.Table, columns: dict[str, type]) -> None:
    """Add each of ``columns`` (name → type) that ``table`` lacks."""
    have = table.columns_dict
    for column, kind in columns.items():
        if column not in have:
            table.add_column(column, kind)


ROLLUP_COLUMNS = {
    "started": str, "actions": int, "open_actions": int, "actions_done": int,
    "actions_in_progress": int, "actions_planned": int, "quality_flags": int,
}
"""Per-incident figures stored with the incident (see ``rollups``) so pages and canned queries need no per-row subqueries."""


@migrations()
def m005_incident_rollups(db: sqlite_utils.Database) -> None:
    """Store each incident's start and action/flag counts on its row, index what the canned queries sort on, and serve the overview view from them.

    The m003 view computed these with correlated subqueries per row: 341 ms
    p95 for the canned queries at 50,000 incidents. Existing rows are filled
    in here with the same rules as ``rollups``.
    """
    incidents = db["incidents"]
    _add_missing_columns(incidents, ROLLUP_COLUMNS)
    db.execute(
        """
        update incidents set
          started = coalesce(impact_start, (select min(t.at) from timeline_events t where t.incident_id = incidents.id),
                             (select d.published_at from documents d where d.id = incidents.document_id)),
          actions = (select count(*) from corrective_actions a where a.incident_id = incidents.id),
          open_actions = (select count(*) from corrective_actions a where a.incident_id = incidents.id and coalesce(a.status, 'unknown') != 'done'),
          actions_done = (select count(*) from corrective_actions a where a.incident_id = incidents.id and a.status = 'done'),
          actions_in_progress = (select count(*) from corrective_actions a where a.incident_id = incidents.id and a.status = 'in_progress'),
          actions_planned = (select count(*) from corrective_actions a where a.incident_id = incidents.id and a.status = 'planned'),
          quality_flags = (select count(*) from quality_flags q where q.incident_id = incidents.id)
        """
    )
    for columns in (["started"], ["impact_minutes"], ["time_to_detect_minutes"], ["organization", "actions", "actions_done", "actions_in_progress", "actions_planned"]):
        incidents.create_index(columns, if_not_exists=True)
    db["categories"].create_index(["incident_id", "category"], if_not_exists=True)
    db.execute("create index if not exists idx_incidents_open_by_start on incidents (coalesce(started, '9999')) where open_actions > 0")
    db.create_view(
        "incident_overview",
        """
        select
          i.id, i.title, i.organization, i.started, i.year, i.impact_start, i.impact_end, i.impact_minutes,
          i.time_to_detect_minutes, i.time_to_mitigate_minutes, i.categories, i.components,
          i.actions, i.open_actions, i.quality_flags,
          i.document_id, d.title as document_title, d.original_url
        from incidents i left join documents d on d.id = i.document_id
        """,
        replace=True,
    )


CATEGORY_COPIES = {"organization": str, "started": str, "impact_minutes": float}
"""Incident columns repeated on its category rows (see ``child_rows``)."""


@migrations()
def m006_category_rows_carry_incident_fields(db: sqlite_utils.Database) -> None:
    """Copy each incident's organization, ``started`` and ``impact_minutes`` onto its category rows, indexed by category.

    ``incidents_by_category`` then reads categories in date order from an
    index (it sorted every incident of a category: 49 ms at 50,000),
    ``impact_by_category`` sums one covering index (45 ms of joins before) and
    ``recurring_categories`` groups one covering index (22–110 ms of joins).
    """
    categories = db["categories"]
    _add_missing_columns(categories, CATEGORY_COPIES)
    db.execute(
        """
        update categories set
          organization = (select i.organization from incidents i where i.id = categories.incident_id),
          started = (select i.started from incidents i where i.id = categories.incident_id),
          impact_minutes = (select i.impact_minutes from incidents i where i.id = categories.incident_id)
        """
    )
    categories.create_index(["category", DescIndex("started")], if_not_exists=True)  # newest first within a category
    categories.create_index(["category", "impact_minutes"], if_not_exists=True)
    categories.create_index(["organization", "category", "started"], if_not_exists=True)
