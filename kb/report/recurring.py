"""Recurring causes and the actions promised before them: the report's view of the ``recurrences`` table."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from kb.report.query import chunks

DAYS_PER_MONTH = 30.44
"""Average month length, for "recurred 7 months later"."""


def recurrence_rows(db: sqlite_utils.Database, ids: list[int]) -> list[dict]:
    """The recurrences whose later incident is among ``ids`` and whose earlier one is too (none when the database has no recurrences table)."""
    if "recurrences" not in db.table_names():
        return []
    wanted = set(ids)
    rows = []
    for chunk, marks in chunks(ids):
        rows += [r for r in db.query(f"select * from recurrences where later_incident_id in ({marks})", chunk) if r["earlier_incident_id"] in wanted]
    return rows


def _later(days: float | None) -> str:
    if days is None:
        return "later"
    if days < 45:
        return f"{round(days)} day{'' if round(days) == 1 else 's'} later"
    months = round(days / DAYS_PER_MONTH)
    return f"{months} months later" if months < 24 else f"{days / 365.25:.1f} years later"


def _side(incident: dict) -> dict[str, Any]:
    return {"id": incident["id"], "title": incident["title"], "date": incident.get("date"), "url": incident.get("url")}


def recurring(rows: list[dict], incidents: list[dict], limit: int | None = None) -> dict[str, Any]:
    """Each recurrence (latest first) with the promises made in the earlier incident, and how many were kept.

    A promise reads ``promised in incident A (planned), recurred in incident B 7 months later``.
    """
    by_id = {i["id"]: i for i in incidents}
    items = []
    for r in rows:
        earlier, later = by_id[r["earlier_incident_id"]], by_id[r["later_incident_id"]]
        when = _later(r["days_apart"])
        promises = [
            dict(p, sentence=f"promised in incident {earlier['id']} ({p['status']}), recurred in incident {later['id']} {when}")
            for p in json.loads(r["promises"] or "[]")
        ]
        items.append({
            "id": r["id"], "organization": r["organization"], "score": r["score"], "days_apart": r["days_apart"], "when": when,
            "earlier": _side(earlier), "later": _side(later), "earlier_cause": r["earlier_cause"], "later_cause": r["later_cause"],
            "shared_terms": r["shared_terms"], "promises": promises,
            "promised_actions": r["promised_actions"], "promised_not_done": r["promised_not_done"],
        })
    items.sort(key=lambda x: (x["later"]["date"] or "", x["score"]), reverse=True)
    shown = items if limit is None else items[:limit]
    return {
        "total": len(items),
        "with_promises": sum(1 for x in items if x["promised_actions"]),
        "promises_not_done": sum(x["promised_not_done"] or 0 for x in items),
        "recurrences": shown,
        "more": len(items) - len(shown),
    }


def recurred_actions(rows: list[dict]) -> dict[int, list[int]]:
    """Action id → the later incidents in which the cause it addressed recurred."""
    found: dict[int, list[int]] = {}
    for r in rows:
        for p in json.loads(r["promises"] or "[]"):
            found.setdefault(p["action_id"], []).append(r["later_incident_id"])
    return {k: sorted(set(v)) for k, v in found.items()}
