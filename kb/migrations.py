"""The schema's history as sqlite-utils migrations: a database made by an older pmkb is upgraded in place without losing rows.

Each ``mNNN_`` function is one migration, applied once and in order;
``apply_migrations`` applies the pending ones under one write lock.
"""

from __future__ import annotations

import sqlite3
import time

import sqlite_utils
from sqlite_utils import Migrations
from sqlite_utils.db import DescIndex

from kb import recurrence, similar_index
from kb.incident_date import started_sql
from kb.schema import CATEGORY_COPIES, CHILD_TABLES, FTS_TABLES, ROLLUP_COLUMNS

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


@migrations()
def m003_incident_overview_view(db: sqlite_utils.Database) -> None:
    """A view with one row per incident, its best-known start and action counts, for pmkb serve."""
    db.create_view(
        "incident_overview",
        f"""
        select
          i.id, i.title, i.organization,
          {started_sql("i", "d.published_at")} as started,
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
        f"""
        update incidents set
          started = {started_sql("incidents", "(select d.published_at from documents d where d.id = incidents.document_id)")},
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


@migrations()
def m007_similarity_index_and_recurrences(db: sqlite_utils.Database) -> None:
    """The similarity index (``incident_text_fts``, one FTS5 row per incident) and the ``recurrences`` table, filled from the stored incidents."""
    similar_index.create(db.conn)
    recurrence.create(db)
