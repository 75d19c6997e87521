"""Step 5, store: keep documents and their extractions in SQLite through sqlite-utils.

The schema is built by migrations (``kb.migrations``) from the definitions
in ``kb.schema``; this module is the write path. Each
document's rows are written in one transaction: a document is stored with
all its incidents, windows, events, causes, actions and flags, or not at all.
The database runs in WAL mode with a busy timeout, so ``pmkb serve`` can read
while an ingest writes, and two ingests can share one file.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import sqlite_utils

from kb import recurrence, similar_index
from kb.connection import BUSY_TIMEOUT_MS, CACHE_KIB, connect  # noqa: F401  (BUSY_TIMEOUT_MS, CACHE_KIB: kb.store's names too)
from kb.incident_date import incident_started
from kb.migrations import apply_migrations
from kb.schema import CHILD_TABLES, COLUMNS, FTS_TABLES

from ingest.isotime import iso

def open_db(path: str | Path, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) a pmkb database in WAL mode and bring its schema up to date."""
    conn = connect(path)
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


@dataclass
class StoreResult:
    """What happened to one document: new, updated, unchanged."""

    status: str
    document_id: int
    incidents: int = 0


def _now() -> str:
    return iso(datetime.now(timezone.utc))


def existing(db: sqlite_utils.Database, source: str) -> dict | None:
    """The stored row (id, sha256, extractor_version) for a source, if any."""
    rows = list(db.query("select id, sha256, extractor_version from documents where source = ?", [source]))
    return rows[0] if rows else None


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


def rollups(incident: dict, published_at: str | None) -> tuple:
    """``started, actions, open_actions, actions_done, actions_in_progress, actions_planned, quality_flags`` of one incident.

    ``started`` is ``kb.incident_date.incident_started``; an action without
    status counts as open. The same figures as migration m005 computes in SQL
    for older rows.
    """
    metrics = incident.get("metrics") or {}
    times = [e.get("at") for e in incident.get("timeline", [])]
    statuses = [a.get("status") for a in incident.get("corrective_actions", [])]
    return (
        incident_started(metrics.get("impact_start"), times, published_at),
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
        self.incident_mark = top_ids(conn, ["incidents"])["incidents"] if similar_index.has_index(conn) else None
        """Incidents above this id are not yet in the similarity index (None: the database has none)."""

    def state(self) -> tuple[dict[str, int], int | None]:
        """The marks, to put back with ``restore`` when a savepoint is rolled back."""
        return dict(self.marks), self.incident_mark

    def restore(self, state: tuple[dict[str, int], int | None]) -> None:
        """Put back marks saved by ``state``."""
        self.marks, self.incident_mark = dict(state[0]), state[1]

    def flush(self) -> None:
        """Index the backlog; every stored row is then indexed."""
        index_fts(self.conn, self.marks)
        self.marks = top_ids(self.conn, self.marks)
        if self.incident_mark is not None:
            similar_index.index_above(self.conn, self.incident_mark)
            self.incident_mark = top_ids(self.conn, ["incidents"])["incidents"]


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
            marks = backlog.state()
            conn.execute("SAVEPOINT pmkb_document")
            try:
                results.append(_store_one(conn, backlog, document, incidents, manifest or {}, extractor_version, organization, reextract))
            except Exception as exc:
                if not conn.in_transaction:  # SQLite rolled the whole transaction back (a full disk): say why
                    raise exc
                conn.execute("ROLLBACK TO pmkb_document")
                backlog.restore(marks)
                results.append(exc)
            conn.execute("RELEASE pmkb_document")
        backlog.flush()
        if backlog.incident_mark is not None:
            recurrence.record(conn, _stored_incidents(conn, results))
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


def _stored_incidents(conn: sqlite3.Connection, results: list[StoreResult | Exception]) -> list[int]:
    """The ids of the incidents of the documents ``results`` says were stored (new or updated)."""
    ids = [r.document_id for r in results if isinstance(r, StoreResult) and r.status != "unchanged"]
    found: list[int] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found += [r[0] for r in conn.execute(f"select id from incidents where document_id in ({', '.join('?' * len(chunk))}) order by id", chunk)]
    return found


def _delete_children(conn: sqlite3.Connection, document_id: int) -> None:
    incidents = "select id from incidents where document_id = ?"
    if similar_index.has_index(conn):
        recurrence.forget_document(conn, document_id)
        similar_index.unindex_document(conn, document_id)
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

