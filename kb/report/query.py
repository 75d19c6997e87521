"""The report's SQL: which incidents a ``Filters`` selects and their child rows, read in chunks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import sqlite_utils

from kb.incident_date import started_sql
from kb.report.cards import key_causes, one_line_summary, short_timeline
from kb.report.format import check_date, row_url


OPEN_STATUSES = ("planned", "in_progress", "unknown")
"""Action statuses counted as open (anything not done)."""

STATUSES = ("done", "in_progress", "planned", "unknown")
"""Action statuses in roll-up order."""


@dataclass
class Filters:
    """Which incidents a report covers."""

    incidents: list[int] = field(default_factory=list)
    organization: str | None = None
    category: str | None = None
    since: str | None = None
    until: str | None = None


INCIDENT_DATE_SQL = started_sql("i", "d.published_at")
"""An incident's date (``kb.incident_date``), over incident ``i`` and its document ``d``."""


def _where(filters: Filters) -> tuple[str, list]:
    clauses, params = [], []
    if filters.incidents:
        clauses.append(f"i.id in ({','.join('?' * len(filters.incidents))})")
        params.extend(int(i) for i in filters.incidents)
    if filters.organization:
        clauses.append("i.organization = ? collate nocase")
        params.append(filters.organization)
    if filters.category:
        clauses.append("i.id in (select incident_id from categories where category = ? collate nocase)")
        params.append(filters.category)
    since = check_date(filters.since, "since")
    until = check_date(filters.until, "until")
    if since:
        clauses.append(f"{INCIDENT_DATE_SQL} >= ?")
        params.append(since)
    if until:
        clauses.append(f"{INCIDENT_DATE_SQL} <= ?")
        params.append(until + "T99" if len(until) == 10 else until)
    return (" where " + " and ".join(clauses)) if clauses else "", params


def served_name(db: sqlite_utils.Database) -> str:
    """The name Datasette serves this database under (``kb.serve.database_name`` of its file; 'postmortems' in memory)."""
    from kb.serve import database_name

    for row in db.execute("PRAGMA database_list").fetchall():
        if row[1] == "main" and row[2]:
            return database_name(row[2])
    return "postmortems"


CHILD_TABLES = {"windows": ("impact_windows", "start, id"), "timeline": ("timeline_events", "at is null, at, id"), "causes": ("causes", "id"), "actions": ("corrective_actions", "id")}
"""A card's child lists: the table each comes from and its order (quality flags are loaded for every incident)."""


def chunks(ids: list[int], size: int = 500) -> Iterable[tuple[list[int], str]]:
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        yield chunk, ",".join("?" * len(chunk))


def _children(db: sqlite_utils.Database, table: str, ids: list[int], order: str, link: tuple[str | None, str]) -> dict[int, list[dict]]:
    """Every row of ``table`` per incident in ``ids`` (one query per 500 incidents), each with its Datasette ``url``."""
    rows: dict[int, list[dict]] = {i: [] for i in ids}
    for chunk, marks in chunks(ids):
        for row in db.query(f"select * from [{table}] where incident_id in ({marks}) order by {order}", chunk):
            row["url"] = row_url(link[0], link[1], table, row["id"])
            rows[row["incident_id"]].append(row)
    return rows


def _tally(db: sqlite_utils.Database, table: str, ids: list[int], by: str = "null") -> dict[int, dict[Any, int]]:
    """Rows of ``table`` per incident in ``ids``, counted by the value of column ``by`` (under None when not split)."""
    counts: dict[int, dict[Any, int]] = {}
    for chunk, marks in chunks(ids):
        for incident_id, value, n in db.execute(f"select incident_id, {by}, count(*) from [{table}] where incident_id in ({marks}) group by 1, 2", chunk):
            counts.setdefault(incident_id, {})[value] = n
    return counts


def _title(incident: dict) -> str:
    for value in (incident.get("title"), incident.get("document_title")):
        if value and value.strip().lower() not in ("summary", "postmortem", "incident"):
            return value.strip()
    source = incident.get("source") or ""
    return Path(source).stem if source else f"Incident {incident['id']}"


def _status(value: str | None) -> str:
    return value if value in STATUSES else "unknown"


def select_incidents(db: sqlite_utils.Database, filters: Filters, base_url: str | None = None, database: str | None = None) -> list[dict]:
    """The selected incidents in date order, with what every section needs but not their child rows.

    Each has its title, categories, components, date and link, ``window_count``,
    ``action_counts`` (actions per status) and its quality ``flags`` (rows);
    ``attach_children`` adds the rest for the incidents a report shows in full.
    """
    where, params = _where(filters)
    sql = (
        f"select i.*, d.source, d.title as document_title, d.original_url, d.published_at, d.format, {INCIDENT_DATE_SQL} as date "
        f"from incidents i join documents d on d.id = i.document_id{where} order by date is null, date, i.id"
    )
    incidents = list(db.query(sql, params))
    ids = [i["id"] for i in incidents]
    database = database or served_name(db)
    windows = _tally(db, "impact_windows", ids)
    statuses = _tally(db, "corrective_actions", ids, "status")
    flags = _children(db, "quality_flags", ids, "id", (base_url, database))
    for incident in incidents:
        iid = incident["id"]
        incident["title"] = _title(incident)
        incident["categories"] = json.loads(incident["categories"] or "[]")
        incident["components"] = json.loads(incident["components"] or "[]")
        incident["date"] = (incident["date"] or "")[:10] or None
        incident["url"] = row_url(base_url, database, "incidents", iid)
        incident["window_count"] = sum(windows.get(iid, {}).values())
        counts = {s: 0 for s in STATUSES}
        for status, n in statuses.get(iid, {}).items():
            counts[_status(status)] += n
        incident["action_counts"] = counts
        incident["flags"] = flags[iid]
    return incidents


def attach_children(db: sqlite_utils.Database, incidents: list[dict], base_url: str | None = None, database: str | None = None) -> list[dict]:
    """Give each of ``incidents`` (from ``select_incidents``) its windows, timeline, causes and actions, a short timeline, key causes and a summary."""
    ids = [i["id"] for i in incidents]
    link = (base_url, database or served_name(db))
    children = {key: _children(db, table, ids, order, link) for key, (table, order) in CHILD_TABLES.items()}
    for incident in incidents:
        for key in CHILD_TABLES:
            incident[key] = children[key][incident["id"]]
        incident["short_timeline"] = short_timeline(incident["timeline"])
        incident["key_causes"] = key_causes(incident["causes"])
        incident["summary"] = one_line_summary(incident)
    return incidents


def load_incidents(db: sqlite_utils.Database, filters: Filters, base_url: str | None = None, database: str | None = None) -> list[dict]:
    """The selected incidents, each with its windows, timeline, causes, actions and flags, in date order."""
    database = database or served_name(db)
    return attach_children(db, select_incidents(db, filters, base_url, database), base_url, database)


def open_action_rows(db: sqlite_utils.Database, ids: list[int]) -> list[tuple[int, int, str | None]]:
    """(id, incident_id, status) of every action not marked done among the incidents in ``ids``: what ordering them needs, no text."""
    rows: list[tuple[int, int, str | None]] = []
    for chunk, marks in chunks(ids):
        rows.extend(db.execute(f"select id, incident_id, status from corrective_actions where incident_id in ({marks}) and coalesce(status, '') != 'done'", chunk).fetchall())
    return rows


def fill_texts(db: sqlite_utils.Database, rows: list[dict], table: str, base_url: str | None, database: str) -> None:
    """Set ``text`` and ``url`` of ``rows`` (each with the ``id`` of a row of ``table``) from the database."""
    ids = [r["id"] for r in rows]
    texts: dict[int, str] = {}
    for chunk, marks in chunks(ids):
        texts.update(db.execute(f"select id, text from [{table}] where id in ({marks})", chunk).fetchall())
    for r in rows:
        r["text"] = texts.get(r["id"])
        r["url"] = row_url(base_url, database, table, r["id"])
