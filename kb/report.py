"""Step 7, report: the cross-incident report, rendered with Jinja2 from templates/.

``build()`` reads the incidents a ``Filters`` selects and returns plain data
(the JSON format prints it as is); ``render()`` turns that data into HTML or
Markdown through templates that a user may override. Chart geometry is
computed by the pure layout functions below, which the templates call, so
the data stays free of presentation.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote

import sqlite_utils
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from pmkb import templates_dir

GROUP_BY = ("organization", "category", "year")
"""What ``--group-by`` accepts."""

FORMATS = {"html": "report.html", "md": "report.md", "json": None}
"""Report formats and the template each renders."""

KEY_EVENT_KINDS = ("trigger", "onset", "impact_start", "detection", "response", "mitigation", "resolution", "impact_end")
"""Timeline kinds a card's short timeline shows first."""

CARD_TIMELINE = 8
"""Events on a card's short timeline."""

CARD_CAUSES = 5
"""Causes quoted on a card."""

OPEN_STATUSES = ("planned", "in_progress", "unknown")
"""Action statuses counted as open (anything not done)."""

STATUSES = ("done", "in_progress", "planned", "unknown")
"""Action statuses in roll-up order."""

MAX_COMPONENT_PATTERNS = 6
"""Components named among the recurring patterns (the most shared first)."""

MAX_PAIR_PATTERNS = 4
"""Category-and-component pairs named among the recurring patterns."""

CATEGORY_PHRASES = {
    "change": "a change (deploy, configuration or migration) caused or triggered the incident",
    "software-bug": "a software bug was among the causes",
    "capacity": "capacity or resource exhaustion was among the causes",
    "hardware": "a hardware failure was among the causes",
    "network": "networking was among the causes",
    "dependency": "an upstream dependency or provider failed",
    "human-operation": "a manual operation or human step contributed",
    "security": "a security issue was involved",
    "time": "time handling (clocks, expiry, dates) was among the causes",
    "remediation": "the response itself extended impact",
}
"""Recurring cause categories, in words: '<phrase> in N of M incidents'."""

CATEGORY_NOUNS = {
    "change": "Changes", "software-bug": "Software bugs", "capacity": "Capacity problems", "hardware": "Hardware failures",
    "network": "Network problems", "dependency": "Dependency failures", "human-operation": "Manual operations",
    "security": "Security issues", "time": "Time-handling faults", "remediation": "Responses that extended impact",
}
"""Cause categories as plural nouns, for sentences about category-and-component pairs."""

FLAG_TEXT = {
    "timezone-missing": ("No time zone", "Times are given without a time zone, so they are stored as local times and may be hours off."),
    "list-announced-but-missing": ("Announced list missing", "The text announces a list (of actions, causes or events) whose items are not in the document."),
    "no-impact-window": ("No impact window", "No period of customer impact could be established, so impact duration is unknown."),
    "timezone-conflict": ("Conflicting time zones", "The document labels its times with time zones that contradict each other."),
    "ambiguous-12h-clock": ("Ambiguous 12-hour clock", "Some times use a 12-hour clock without AM/PM, or disagree with one."),
    "no-times": ("No times", "The document states no times at all, so no timeline could be built."),
    "markdown-flattened": ("Structure flattened", "Headings and lists were flattened into running text and had to be recovered."),
    "no-cause-category": ("No cause category", "No cause could be assigned a category."),
}
"""Quality flags: short label and what it means for the reader."""

FLAG_ORDER = ("timezone-missing", "list-announced-but-missing", "no-impact-window")
"""Flags the data-quality section lists first."""

LIST_LIMIT = 100
"""Incident cards, impact-chart rows and listed incidents or actions a report shows at most (figures cover every incident)."""


@dataclass
class Filters:
    """Which incidents a report covers."""

    incidents: list[int] = field(default_factory=list)
    organization: str | None = None
    category: str | None = None
    since: str | None = None
    until: str | None = None


# ---------------------------------------------------------------- times and numbers

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$")


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 date or time as an aware UTC datetime (naive times read as UTC), or None."""
    if not value:
        return None
    text = str(value).strip().replace(" ", "T")
    if len(text) == 4 and text.isdigit():
        text += "-01-01"
    elif len(text) == 7:
        text += "-01"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def check_date(value: str | None, option: str) -> str | None:
    """``value`` when it is an ISO 8601 date or time; ValueError naming ``option`` otherwise."""
    if value is None or value == "":
        return None
    if not _DATE.match(value.strip()) or parse_time(value) is None:
        raise ValueError(f"{option}: {value!r} is not a date (use YYYY-MM-DD)")
    return value.strip()


def quantile(values: list[float], q: float) -> float | None:
    """The q-quantile of ``values`` by linear interpolation between order statistics (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def distribution(values: Iterable[float | None]) -> dict[str, Any]:
    """N, median, p90, max (and quartiles, min, total) of the known values."""
    known = sorted(float(v) for v in values if v is not None)
    return {
        "n": len(known),
        "min": known[0] if known else None,
        "p25": quantile(known, 0.25),
        "median": quantile(known, 0.5),
        "p75": quantile(known, 0.75),
        "p90": quantile(known, 0.9),
        "max": known[-1] if known else None,
        "total": sum(known) if known else None,
        "values": known,
    }


def minutes_label(minutes: float | None) -> str:
    """A duration in minutes as a short human label: '45 min', '5 h 4 min', '3 d 2 h'."""
    if minutes is None:
        return "–"
    minutes = float(minutes)
    if minutes < 1:
        return "<1 min" if minutes > 0 else "0 min"
    if minutes < 60:
        return f"{minutes:.0f} min"
    total = int(round(minutes))
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    return f"{hours} h {mins} min" if mins else f"{hours} h"


def time_label(value: str | None) -> str:
    """An ISO time as 'YYYY-MM-DD HH:MM UTC' (or as given when it is a bare date or unparseable)."""
    if not value:
        return ""
    if len(value) <= 10:
        return value
    parsed = parse_time(value)
    if parsed is None:
        return value
    zoned = value.endswith("Z") or bool(re.search(r"[+-]\d{2}:?\d{2}$", value))
    return parsed.strftime("%Y-%m-%d %H:%M") + (" UTC" if zoned else " (no zone)")


# ---------------------------------------------------------------- selecting incidents

INCIDENT_DATE_SQL = (
    "coalesce(i.impact_start, (select min(t.at) from timeline_events t where t.incident_id = i.id and t.at is not null), "
    "d.published_at, case when i.year is not null then i.year || '-01-01' end)"
)
"""An incident's date: impact start, else its first timeline event, else publication, else its year."""


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
    since = check_date(filters.since, "--since")
    until = check_date(filters.until, "--until")
    if since:
        clauses.append(f"{INCIDENT_DATE_SQL} >= ?")
        params.append(since)
    if until:
        clauses.append(f"{INCIDENT_DATE_SQL} <= ?")
        params.append(until + "T99" if len(until) == 10 else until)
    return (" where " + " and ".join(clauses)) if clauses else "", params


def database_name(db: sqlite_utils.Database) -> str:
    """The name Datasette gives this database: its file's stem."""
    for row in db.execute("PRAGMA database_list").fetchall():
        if row[1] == "main" and row[2]:
            return Path(row[2]).stem
    return "postmortems"


def _url_part(value: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_-]+", value):
        return value
    from datasette.utils import tilde_encode

    return tilde_encode(value)


def row_url(base_url: str | None, database: str, table: str, pk: int) -> str | None:
    """The Datasette page of one row, or None without a base URL."""
    if not base_url:
        return None
    return f"{base_url.rstrip('/')}/{_url_part(database)}/{table}/{quote(str(pk))}"


CHILD_TABLES = {"windows": ("impact_windows", "start, id"), "timeline": ("timeline_events", "at is null, at, id"), "causes": ("causes", "id"), "actions": ("corrective_actions", "id")}
"""A card's child lists: the table each comes from and its order (quality flags are loaded for every incident)."""


def _chunks(ids: list[int], size: int = 500) -> Iterable[tuple[list[int], str]]:
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        yield chunk, ",".join("?" * len(chunk))


def _children(db: sqlite_utils.Database, table: str, ids: list[int], order: str, link: tuple[str | None, str]) -> dict[int, list[dict]]:
    """Every row of ``table`` per incident in ``ids`` (one query per 500 incidents), each with its Datasette ``url``."""
    rows: dict[int, list[dict]] = {i: [] for i in ids}
    for chunk, marks in _chunks(ids):
        for row in db.query(f"select * from [{table}] where incident_id in ({marks}) order by {order}", chunk):
            row["url"] = row_url(link[0], link[1], table, row["id"])
            rows[row["incident_id"]].append(row)
    return rows


def _tally(db: sqlite_utils.Database, table: str, ids: list[int], by: str = "null") -> dict[int, dict[Any, int]]:
    """Rows of ``table`` per incident in ``ids``, counted by the value of column ``by`` (under None when not split)."""
    counts: dict[int, dict[Any, int]] = {}
    for chunk, marks in _chunks(ids):
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
    database = database or database_name(db)
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
    link = (base_url, database or database_name(db))
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
    database = database or database_name(db)
    return attach_children(db, select_incidents(db, filters, base_url, database), base_url, database)


def most_recent(incidents: list[dict], limit: int | None) -> list[dict]:
    """Up to ``limit`` of ``incidents`` with the latest dates (undated ones last), in their given order; all when ``limit`` is None."""
    if limit is None or len(incidents) <= limit:
        return list(incidents)
    rank = sorted(range(len(incidents)), key=lambda n: (incidents[n]["date"] is not None, incidents[n]["date"] or "", incidents[n]["id"]), reverse=True)
    return [incidents[n] for n in sorted(rank[:limit])]


NARROW_HINT = "Narrow the report by organization, category or date (--organization, --category, --since, --until) to see others."
"""What a note on a capped list tells the reader to do."""


def more(total: int, shown: int, noun: str, url: str | None = None, hint: bool = False) -> dict[str, Any]:
    """How much of a list the report shows: ``shown`` of ``total`` and, when some are left out,
    a note saying so (with ``NARROW_HINT`` when ``hint``) and the Datasette page (``url``) with them all."""
    if shown >= total:
        return {"shown": shown, "total": total, "note": None, "url": None}
    note = f"Showing {shown:,} of {total:,} {noun}." + (f" {NARROW_HINT}" if hint else "")
    return {"shown": shown, "total": total, "note": note, "url": url}


def table_url(database_url: str | None, path: str, **params: str) -> str | None:
    """A Datasette table or canned-query page with query parameters, or None without a Datasette root."""
    if not database_url:
        return None
    query = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items() if v)
    return f"{database_url}/{path}" + (f"?{query}" if query else "")


def brief(incident: dict) -> dict[str, Any]:
    """An incident as a list item: id, title, organization, date and link."""
    return {"id": incident["id"], "title": incident["title"], "organization": incident.get("organization"), "date": incident.get("date"), "url": incident.get("url")}


def short_timeline(events: list[dict], limit: int = CARD_TIMELINE) -> list[dict]:
    """Up to ``limit`` events in time order, key moments (trigger, onset, detection, mitigation…) first."""
    key = [e for e in events if e.get("kind") in KEY_EVENT_KINDS and e.get("precision") != "day"]
    rest = [e for e in events if e not in key]
    chosen = key[:limit] + rest[: max(0, limit - len(key))]
    order = {id(e): n for n, e in enumerate(events)}
    return sorted(chosen, key=lambda e: order[id(e)])


def key_causes(causes: list[dict], limit: int = CARD_CAUSES) -> list[dict]:
    """Up to ``limit`` causes: categorised root causes and triggers before contributing and uncategorised ones."""
    rank = {"trigger": 0, "root": 1, "contributing": 2}

    def score(cause: dict) -> tuple:
        return (cause.get("category") in (None, "unknown"), rank.get(cause.get("kind"), 3))

    return sorted(causes, key=score)[:limit]


def one_line_summary(incident: dict) -> str:
    """'Org, date: 5 h 30 min of impact in 2 windows; detected in …; mitigated in …; causes: a, b.'"""
    head = ", ".join(x for x in (incident.get("organization"), incident.get("date")) if x)
    parts = []
    if incident.get("impact_minutes") is not None:
        windows = incident.get("window_count", len(incident.get("windows") or []))
        parts.append(f"{minutes_label(incident['impact_minutes'])} of impact" + (f" in {windows} windows" if windows > 1 else ""))
    else:
        parts.append("impact duration not established")
    if incident.get("time_to_detect_minutes") is not None:
        parts.append(f"detected after {minutes_label(incident['time_to_detect_minutes'])}")
    if incident.get("time_to_mitigate_minutes") is not None:
        parts.append(f"mitigated after {minutes_label(incident['time_to_mitigate_minutes'])}")
    categories = [c for c in incident.get("categories") or [] if c != "unknown"]
    if categories:
        parts.append("causes: " + ", ".join(categories))
    return (head + ": " if head else "") + "; ".join(parts) + "."


# ---------------------------------------------------------------- sections


def overview(incidents: list[dict]) -> dict[str, Any]:
    """Incident count, date range, organizations and total and median impact."""
    dates = sorted(i["date"] for i in incidents if i["date"])
    orgs: dict[str, int] = {}
    for i in incidents:
        name = i.get("organization") or "(no organization)"
        orgs[name] = orgs.get(name, 0) + 1
    impact = distribution(i.get("impact_minutes") for i in incidents)
    return {
        "incidents": len(incidents),
        "documents": len({i["document_id"] for i in incidents}),
        "first": dates[0] if dates else None,
        "last": dates[-1] if dates else None,
        "organizations": [{"name": k, "incidents": v} for k, v in sorted(orgs.items(), key=lambda kv: (-kv[1], kv[0].lower()))],
        "impact_total_minutes": impact["total"],
        "impact_median_minutes": impact["median"],
        "impact_known": impact["n"],
        "windows": sum(i["window_count"] for i in incidents),
        "actions": sum(sum(i["action_counts"].values()) for i in incidents),
    }


def durations(incidents: list[dict]) -> dict[str, dict]:
    """Impact, time to detect and time to mitigate as distributions (minutes)."""
    return {
        "impact": distribution(i.get("impact_minutes") for i in incidents),
        "detect": distribution(i.get("time_to_detect_minutes") for i in incidents),
        "mitigate": distribution(i.get("time_to_mitigate_minutes") for i in incidents),
    }


def _count(pairs: Iterable[tuple[str, str]]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for row, column in pairs:
        table.setdefault(row, {})
        table[row][column] = table[row].get(column, 0) + 1
    return table


def _by_count(counts: dict[str, int]) -> list[str]:
    return [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def causes(incidents: list[dict]) -> dict[str, Any]:
    """Category × organization and component × category matrices (incident counts) and recurring patterns."""
    total = len(incidents)
    cat_incidents: dict[str, list[int]] = {}
    comp_incidents: dict[str, list[int]] = {}
    pair_incidents: dict[tuple[str, str], list[int]] = {}
    for i in incidents:
        cats = [c for c in dict.fromkeys(i["categories"]) if c != "unknown"]
        comps = list(dict.fromkeys(i["components"]))
        for c in cats:
            cat_incidents.setdefault(c, []).append(i["id"])
        for c in comps:
            comp_incidents.setdefault(c, []).append(i["id"])
        for comp in comps:
            for cat in cats:
                pair_incidents.setdefault((cat, comp), []).append(i["id"])
    categories = _by_count({k: len(v) for k, v in cat_incidents.items()})
    components = _by_count({k: len(v) for k, v in comp_incidents.items()})
    org_counts: dict[str, int] = {}
    for i in incidents:
        org = i.get("organization") or "(no organization)"
        org_counts[org] = org_counts.get(org, 0) + 1
    organizations = _by_count(org_counts)
    by_org = _count((c, i.get("organization") or "(no organization)") for i in incidents for c in dict.fromkeys(i["categories"]) if c != "unknown")
    by_comp = _count((comp, cat) for (cat, comp), ids in pair_incidents.items() for _ in ids)
    patterns = []
    for cat in categories:
        ids = cat_incidents[cat]
        if len(ids) >= 2:
            phrase = CATEGORY_PHRASES.get(cat, f"{cat} was among the causes")
            patterns.append({"kind": "category", "category": cat, "component": None, "count": len(ids), "of": total, "incidents": ids, "sentence": f"{phrase[0].upper()}{phrase[1:]} in {len(ids)} of {total} incidents."})
    for comp in components[:MAX_COMPONENT_PATTERNS]:
        ids = comp_incidents[comp]
        if len(ids) >= 2:
            patterns.append({"kind": "component", "category": None, "component": comp, "count": len(ids), "of": total, "incidents": ids, "sentence": f"The {comp} component was involved in {len(ids)} of {total} incidents."})
    pairs = [(key, ids) for key, ids in sorted(pair_incidents.items(), key=lambda kv: (-len(kv[1]), kv[0])) if len(ids) >= 2]
    for (cat, comp), ids in pairs[:MAX_PAIR_PATTERNS]:
        patterns.append({"kind": "pair", "category": cat, "component": comp, "count": len(ids), "of": total, "incidents": ids, "sentence": f"{CATEGORY_NOUNS.get(cat, cat)} involving the {comp} component in {len(ids)} of {total} incidents."})
    return {
        "categories": categories,
        "components": components,
        "organizations": organizations,
        "category_by_organization": by_org,
        "component_by_category": by_comp,
        "category_by_organization_max": max((n for row in by_org.values() for n in row.values()), default=0),
        "component_by_category_max": max((n for row in by_comp.values() for n in row.values()), default=0),
        "category_incidents": {c: cat_incidents[c] for c in categories},
        "component_incidents": {c: comp_incidents[c] for c in components},
        "patterns": patterns,
        "uncategorised": [i["id"] for i in incidents if not [c for c in i["categories"] if c != "unknown"]],
    }


def _reference_date(incident: dict) -> date | None:
    for value in (incident.get("published_at"), incident.get("impact_end"), incident.get("date")):
        parsed = parse_time(value)
        if parsed:
            return parsed.date()
    return None


def rollup(incidents: list[dict]) -> dict[str, int]:
    """Action counts by status, with the total and the number open."""
    counts = {s: 0 for s in STATUSES}
    for i in incidents:
        for status, n in i["action_counts"].items():
            counts[status] += n
    counts["total"] = sum(counts[s] for s in STATUSES)
    counts["open"] = sum(counts[s] for s in OPEN_STATUSES)
    return counts


def open_action_rows(db: sqlite_utils.Database, ids: list[int]) -> list[tuple[int, int, str | None]]:
    """(id, incident_id, status) of every action not marked done among the incidents in ``ids``: what ordering them needs, no text."""
    rows: list[tuple[int, int, str | None]] = []
    for chunk, marks in _chunks(ids):
        rows.extend(db.execute(f"select id, incident_id, status from corrective_actions where incident_id in ({marks}) and coalesce(status, '') != 'done'", chunk).fetchall())
    return rows


def actions(incidents: list[dict], as_of: date, open_rows: list[tuple[int, int, str | None]], limit: int | None = None, database_url: str | None = None) -> dict[str, Any]:
    """Status roll-up per organization, the oldest ``limit`` open actions with their age, and up to ``limit`` incidents with no action.

    ``open_rows`` come from ``open_action_rows``; the open actions returned have no
    ``text`` or ``url`` yet (``build`` fills them in for the ones shown).
    """
    by_org: dict[str, list[dict]] = {}
    for i in incidents:
        by_org.setdefault(i.get("organization") or "(no organization)", []).append(i)
    per_org = [{"organization": org, **rollup(items)} for org, items in sorted(by_org.items(), key=lambda kv: kv[0].lower())]
    by_id = {i["id"]: i for i in incidents}
    since = {i["id"]: _reference_date(i) for i in incidents}
    ordered = sorted(open_rows, key=lambda r: (since[r[1]] is None, since[r[1]] or date.max, r[0]))  # oldest first, undated last
    shown = ordered if limit is None else ordered[:limit]
    open_actions = []
    for action_id, incident_id, status in shown:
        i, start = by_id[incident_id], since[incident_id]
        open_actions.append(
            {
                "id": action_id, "text": None, "status": status or "unknown", "url": None,
                "incident_id": incident_id, "incident": i["title"], "incident_url": i.get("url"), "organization": i.get("organization"),
                "since": start.isoformat() if start else None, "age_days": (as_of - start).days if start else None,
            }
        )
    without = [brief(i) for i in incidents if not any(i["action_counts"].values())]
    return {
        "as_of": as_of.isoformat(),
        "by_organization": per_org,
        "totals": rollup(incidents),
        "open": open_actions,
        "open_more": more(len(ordered), len(open_actions), "open actions (the oldest first)", table_url(database_url, "open_actions"), hint=True),
        "incidents_without_actions": without[:limit],
        "incidents_without_actions_more": more(len(without), len(without[:limit]), "incidents with no corrective action"),
    }


def quality(incidents: list[dict], limit: int | None = None, database_url: str | None = None) -> dict[str, Any]:
    """What the extractor could not establish: one entry per flag with its incident count and up to ``limit`` of the incidents."""
    flagged: dict[str, list[dict]] = {}
    for i in incidents:
        seen = set()
        for f in i["flags"]:
            if f["flag"] in seen:
                continue
            seen.add(f["flag"])
            flagged.setdefault(f["flag"], []).append(dict(brief(i), detail=f.get("detail")))
        if not [c for c in i["categories"] if c != "unknown"]:
            flagged.setdefault("no-cause-category", []).append(dict(brief(i), detail=None))
    order = list(FLAG_ORDER) + sorted(f for f in flagged if f not in FLAG_ORDER)
    flags = []
    for flag in order:
        label, description = FLAG_TEXT.get(flag, (flag.replace("-", " ").capitalize(), ""))
        items = flagged.get(flag, [])
        shown = items[:limit]
        url = table_url(database_url, "quality_flags", flag=flag) if flag != "no-cause-category" else None
        flags.append({"flag": flag, "label": label, "description": description, "count": len(items), "incidents": shown, "more": more(len(items), len(shown), "incidents with this flag", url)})
    return {"flags": flags, "clean": [i["id"] for i in incidents if not i["flags"]]}


def impact(incidents: list[dict], limit: int | None = None, database_url: str | None = None) -> dict[str, Any]:
    """The incidents the impact chart draws (the ``limit`` most recent with an impact window) and up to ``limit`` of those it cannot.

    Charted incidents need their ``windows`` (``attach_children``) before ``gantt()`` lays them out.
    """
    windowed = [i for i in incidents if i["window_count"]]
    unwindowed = [brief(i) for i in incidents if not i["window_count"]]
    charted = most_recent(windowed, limit)
    url = table_url(database_url, "incidents", _sort_desc="impact_start", impact_start__notblank="1")
    return {
        "incidents": charted,
        "more": more(len(windowed), len(charted), "incidents with an impact window (the most recent)", url, hint=True),
        "unwindowed": unwindowed[:limit],
        "unwindowed_more": more(len(unwindowed), len(unwindowed[:limit]), "incidents with no impact window"),
    }


def _group_keys(incident: dict, group_by: str) -> list[str]:
    if group_by == "organization":
        return [incident.get("organization") or "(no organization)"]
    if group_by == "year":
        year = incident.get("year") or (incident["date"][:4] if incident.get("date") else None)
        return [str(year) if year else "(no year)"]
    cats = [c for c in dict.fromkeys(incident["categories"]) if c != "unknown"]
    return cats or ["(uncategorised)"]


def groups(incidents: list[dict], group_by: str) -> list[dict]:
    """Incidents grouped by organization, category or year, each group with its durations and action roll-up."""
    if group_by not in GROUP_BY:
        raise ValueError(f"--group-by: {group_by!r} is not one of {', '.join(GROUP_BY)}")
    members: dict[str, list[dict]] = {}
    for i in incidents:
        for key in _group_keys(i, group_by):
            members.setdefault(key, []).append(i)
    if group_by == "year":
        keys = sorted(members, reverse=True)
    else:
        keys = sorted(members, key=lambda k: (-len(members[k]), k.lower()))
    result = []
    for key in keys:
        items = members[key]
        cat_counts: dict[str, int] = {}
        for i in items:
            for c in dict.fromkeys(i["categories"]):
                if c != "unknown":
                    cat_counts[c] = cat_counts.get(c, 0) + 1
        result.append(
            {
                "key": key,
                "incidents": len(items),
                "incident_ids": [i["id"] for i in items],
                "durations": durations(items),
                "actions": rollup(items),
                "top_categories": [{"category": c, "incidents": cat_counts[c]} for c in _by_count(cat_counts)[:3]],
            }
        )
    return result


def build(
    db: sqlite_utils.Database,
    filters: Filters,
    group_by: str | None = None,
    base_url: str | None = None,
    database: str | None = None,
    as_of: str | date | None = None,
    limit: int | None = LIST_LIMIT,
) -> dict[str, Any]:
    """The data behind the report: overview, durations, causes, actions, data quality and incident cards.

    ``base_url`` is the Datasette root; rows link to ``{base_url}/{database}/{table}/{id}``,
    where ``database`` defaults to the database file's stem. ``as_of`` (default today, UTC)
    is the date open actions are aged against. ``limit`` caps the incident cards, impact-chart
    rows and every list of incidents or actions (None: no cap); each capped list has a
    ``more`` entry saying how many it leaves out. Figures always cover every selected
    incident. Raises ValueError for a bad filter.
    """
    if group_by is not None and group_by not in GROUP_BY:
        raise ValueError(f"--group-by: {group_by!r} is not one of {', '.join(GROUP_BY)}")
    if isinstance(as_of, str):
        parsed = parse_time(check_date(as_of, "--as-of"))
        as_of = parsed.date() if parsed else None
    as_of = as_of or datetime.now(timezone.utc).date()
    database = database or database_name(db)
    database_url = f"{base_url.rstrip('/')}/{_url_part(database)}" if base_url else None
    incidents = select_incidents(db, filters, base_url=base_url, database=database)
    cards = most_recent(incidents, limit)
    chart = impact(incidents, limit, database_url)
    attach_children(db, list({i["id"]: i for i in cards + chart["incidents"]}.values()), base_url, database)
    chart["incidents"] = [chart_row(i) for i in chart["incidents"]]
    action_data = actions(incidents, as_of, open_action_rows(db, [i["id"] for i in incidents]), limit, database_url)
    _fill_texts(db, action_data["open"], "corrective_actions", base_url, database)
    return {
        "title": "Cross-incident reliability report",
        "generated": as_of.isoformat(),
        "filters": asdict(filters),
        "group_by": group_by,
        "base_url": base_url.rstrip("/") if base_url else None,
        "database": database,
        "database_url": database_url,
        "overview": overview(incidents),
        "impact": chart,
        "durations": durations(incidents),
        "causes": causes(incidents),
        "actions": action_data,
        "quality": quality(incidents, limit, database_url),
        "groups": groups(incidents, group_by) if group_by else None,
        "incidents": cards,
        "incidents_more": more(len(incidents), len(cards), "incidents (the most recent)", table_url(database_url, "incidents", _sort_desc="impact_start", organization=filters.organization), hint=True),
    }


def chart_row(incident: dict) -> dict[str, Any]:
    """An incident as the impact chart needs it: a list item with its impact minutes and windows."""
    return dict(brief(incident), impact_minutes=incident.get("impact_minutes"), windows=incident["windows"])


def _fill_texts(db: sqlite_utils.Database, rows: list[dict], table: str, base_url: str | None, database: str) -> None:
    """Set ``text`` and ``url`` of ``rows`` (each with the ``id`` of a row of ``table``) from the database."""
    ids = [r["id"] for r in rows]
    texts: dict[int, str] = {}
    for chunk, marks in _chunks(ids):
        texts.update(db.execute(f"select id, text from [{table}] where id in ({marks})", chunk).fetchall())
    for r in rows:
        r["text"] = texts.get(r["id"])
        r["url"] = row_url(base_url, database, table, r["id"])


# ---------------------------------------------------------------- chart layout (called by templates)

_STEPS_MIN = [5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 4320, 10080, 20160, 43200]


def _nice_step(span_minutes: float, target: int = 6) -> int:
    for step in _STEPS_MIN:
        if span_minutes / step <= target:
            return step
    return _STEPS_MIN[-1]


def _offset_label(minutes: int) -> str:
    if minutes == 0:
        return "0"
    if minutes % 1440 == 0:
        return f"+{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"+{minutes // 60}h"
    return f"+{minutes}m"


def _calendar_ticks(start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    span_days = (end - start).total_seconds() / 86400
    ticks: list[tuple[datetime, str]] = []
    if span_days > 3 * 365:
        step = max(1, math.ceil(span_days / 365 / 8))
        year = start.year + 1
        while year <= end.year:
            if year % step == 0:
                ticks.append((datetime(year, 1, 1, tzinfo=timezone.utc), str(year)))
            year += 1
    elif span_days > 60:
        step = next(s for s in (1, 2, 3, 6, 12) if span_days / 30 / s <= 8)
        month = start.month % 12 + 1
        year = start.year + (1 if start.month == 12 else 0)
        while datetime(year, month, 1, tzinfo=timezone.utc) <= end:
            if (month - 1) % step == 0:
                ticks.append((datetime(year, month, 1, tzinfo=timezone.utc), f"{year}-{month:02d}"))
            month, year = (1, year + 1) if month == 12 else (month + 1, year)
    else:
        step = _nice_step(span_days * 1440)
        first = start.replace(minute=0, second=0, microsecond=0)
        if step >= 1440:
            first = first.replace(hour=0)
        tick = first
        while tick <= end:
            if tick >= start:
                label = tick.strftime("%m-%d") if step >= 1440 else tick.strftime("%m-%d %H:%M")
                ticks.append((tick, label))
            tick += timedelta(minutes=step)
    return ticks


def gantt(incidents: list[dict], mode: str = "calendar") -> dict[str, Any]:
    """Rows of impact-window bars with x and width as fractions of the axis, plus axis ticks.

    ``mode`` 'calendar' shares one time axis; 'aligned' puts each incident's first
    window at 0 and measures the others from it.
    """
    rows = []
    for i in incidents:
        spans = [(parse_time(w["start"]), parse_time(w["end"]), w) for w in i["windows"]]
        spans = [(s, e if e and e >= s else s, w) for s, e, w in spans if s]
        if spans:
            rows.append((i, spans))
    if not rows:
        return {"mode": mode, "rows": [], "ticks": [], "unit": None}
    if mode == "aligned":
        span = max((e - spans[0][0]).total_seconds() for _, spans in rows for _, e, _ in spans) / 60 or 60.0
        step = _nice_step(span)
        ticks = [{"x": m / span, "label": _offset_label(m)} for m in range(0, int(span) + 1, step)]
    else:
        t0 = min(s for _, spans in rows for s, _, _ in spans)
        t1 = max(e for _, spans in rows for _, e, _ in spans)
        if t1 == t0:
            t1 = t0 + timedelta(hours=1)
        span = (t1 - t0).total_seconds() / 60
        ticks = [{"x": (t - t0).total_seconds() / 60 / span, "label": label} for t, label in _calendar_ticks(t0, t1)]
    out = []
    for i, spans in rows:
        origin = spans[0][0] if mode == "aligned" else t0
        bars = []
        for n, (s, e, w) in enumerate(spans):
            bars.append(
                {
                    "x": (s - origin).total_seconds() / 60 / span,
                    "w": (e - s).total_seconds() / 60 / span,
                    "phase": n + 1,
                    "label": w.get("label") or f"window {n + 1}",
                    "start": w["start"],
                    "end": w["end"],
                    "minutes": w.get("duration_minutes"),
                    "url": w.get("url"),
                }
            )
        out.append({"id": i["id"], "title": i["title"], "organization": i.get("organization"), "url": i.get("url"), "minutes": i.get("impact_minutes"), "bars": bars})
    return {"mode": mode, "rows": out, "ticks": ticks, "span_minutes": span}


STRIP_RESOLUTION = 500
"""Slots per strip-chart axis: points in one slot overlap, so only the first few of them are drawn."""


def thin_points(points: list[float], resolution: int = STRIP_RESOLUTION, depth: int = 3) -> list[float]:
    """``points`` (fractions of an axis) keeping at most ``depth`` per 1/``resolution`` of the axis, in their order.

    A strip chart of 10,000 incidents draws no more than ``resolution * depth`` dots;
    the box, median and p90 are computed from every value, not from these.
    """
    kept, used = [], {}
    for p in points:
        slot = round(p * resolution)
        if used.get(slot, 0) < depth:
            used[slot] = used.get(slot, 0) + 1
            kept.append(p)
    return kept


_LOG_TICKS = [(1, "1m"), (10, "10m"), (60, "1h"), (360, "6h"), (1440, "1d"), (10080, "1w"), (43200, "30d"), (525600, "1y")]


def strip(lanes: list[tuple[str, dict]], top: float | None = None) -> dict[str, Any]:
    """Log-scale strip-and-box layout for distributions: one lane per (label, distribution).

    Positions are fractions of the axis, which runs from 1 minute (values below sit
    at 0) to the first tick at or above the largest value (or ``top``).
    """
    largest = max([d["max"] or 0 for _, d in lanes] + [top or 0, 60])
    upper = next((m for m, _ in _LOG_TICKS if m >= largest), largest)
    scale = math.log10(upper)

    def x(value: float | None) -> float | None:
        if value is None:
            return None
        return min(1.0, math.log10(max(value, 1.0)) / scale)

    out = []
    for label, d in lanes:
        out.append(
            {
                "label": label,
                "n": d["n"],
                "points": thin_points([x(v) for v in d["values"]]),
                "p25": x(d["p25"]), "median": x(d["median"]), "p75": x(d["p75"]), "p90": x(d["p90"]), "max": x(d["max"]),
            }
        )
    return {"lanes": out, "ticks": [{"x": x(m), "label": t} for m, t in _LOG_TICKS if m <= upper]}


def group_lanes(group_rows: list[dict], key: str) -> list[tuple[str, dict]]:
    """(group, distribution of ``key``) lanes for ``strip()``."""
    return [(g["key"], g["durations"][key]) for g in group_rows]


# ---------------------------------------------------------------- rendering

_MD_SPECIAL = re.compile(r"([\\`\[\]|])")


def md_escape(value: Any) -> str:
    """Text made inert for Markdown tables: HTML metacharacters as entities, pipes and brackets backslashed, one line."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return str(value)
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"\s+", " ", text)


def md_url(url: str | None) -> Markup:
    """A URL safe inside a Markdown link destination (spaces, brackets, pipes and angle brackets percent-encoded)."""
    return Markup(quote(str(url or ""), safe=":/?#@!$&'*+,;=%~-._"))


def md_link(text: Any, url: str | None = None) -> Markup:
    """``[text](url)`` with the text escaped, or just the escaped text without a URL."""
    label = md_escape(text)
    return Markup(f"[{label}]({md_url(url)})" if url else label)


def _html_finalize(value: Any) -> Any:
    return "" if value is None else value


def heat(value: int, top: int, levels: int = 4) -> str:
    """A CSS class shading a matrix cell by its share of the largest cell."""
    if not value or not top:
        return "zero"
    return f"heat-{max(1, math.ceil(levels * value / top))}"


def _number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}" if digits else f"{round(value):,}"


def environment(template_dir: str | None = None, fmt: str = "html") -> Environment:
    """A Jinja2 environment: the user's templates first, the packaged ones behind.

    HTML is autoescaped; Markdown passes every printed value through ``md_escape``.
    """
    loaders = []
    if template_dir:
        loaders.append(FileSystemLoader(str(template_dir)))
    loaders.append(FileSystemLoader(str(templates_dir())))
    if fmt == "md":
        env = Environment(loader=ChoiceLoader(loaders), autoescape=False, finalize=md_escape, trim_blocks=True, lstrip_blocks=True)
    else:
        env = Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(default=True, default_for_string=True), finalize=_html_finalize, trim_blocks=True, lstrip_blocks=True)
    env.filters.update({"minutes": minutes_label, "when": time_label, "number": _number, "md": md_escape, "heat": heat, "mdurl": md_url})
    env.globals.update({"mdlink": md_link, "gantt": gantt, "strip": strip, "group_lanes": group_lanes, "flag_text": FLAG_TEXT})
    return env


def render(data: dict[str, Any], fmt: str = "html", template_dir: str | None = None) -> str:
    """Render report data as html, md or json."""
    if fmt not in FORMATS:
        raise ValueError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    if fmt == "json":
        return json.dumps(data, indent=2, default=str, ensure_ascii=False)
    return environment(template_dir, fmt).get_template(FORMATS[fmt]).render(**data)
