"""Step 7, report: the cross-incident report, rendered with Jinja2 from templates/."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from pmkb import templates_dir


@dataclass
class Filters:
    """Which incidents a report covers."""

    incidents: list[int] = field(default_factory=list)
    organization: str | None = None
    category: str | None = None
    since: str | None = None
    until: str | None = None


def _where(filters: Filters) -> tuple[str, list]:
    clauses, params = [], []
    if filters.incidents:
        clauses.append(f"i.id in ({','.join('?' * len(filters.incidents))})")
        params.extend(filters.incidents)
    if filters.organization:
        clauses.append("i.organization = ?")
        params.append(filters.organization)
    if filters.category:
        clauses.append("i.id in (select incident_id from categories where category = ?)")
        params.append(filters.category)
    if filters.since:
        clauses.append("coalesce(i.impact_start, '') >= ?")
        params.append(filters.since)
    if filters.until:
        clauses.append("coalesce(i.impact_start, '') <= ?")
        params.append(filters.until + "T99")
    return (" where " + " and ".join(clauses)) if clauses else "", params


def build(db: sqlite_utils.Database, filters: Filters, group_by: str | None = None, base_url: str | None = None) -> dict[str, Any]:
    """The data behind the report: incidents with their windows, categories and actions."""
    where, params = _where(filters)
    incidents = list(db.query(f"select i.*, d.source, d.title as document_title from incidents i join documents d on d.id = i.document_id{where} order by coalesce(i.impact_start, '9999')", params))
    ids = [i["id"] for i in incidents]
    by_id = {i["id"]: i for i in incidents}
    for i in incidents:
        i["categories"] = json.loads(i["categories"] or "[]")
        i["components"] = json.loads(i["components"] or "[]")
        i["windows"], i["actions"], i["causes"] = [], [], []
    if ids:
        marks = ",".join("?" * len(ids))
        for w in db.query(f"select * from impact_windows where incident_id in ({marks}) order by start", ids):
            by_id[w["incident_id"]]["windows"].append(w)
        for a in db.query(f"select * from corrective_actions where incident_id in ({marks})", ids):
            by_id[a["incident_id"]]["actions"].append(a)
        for c in db.query(f"select * from causes where incident_id in ({marks})", ids):
            by_id[c["incident_id"]]["causes"].append(c)
    category_counts: dict[str, int] = {}
    for i in incidents:
        for c in i["categories"]:
            category_counts[c] = category_counts.get(c, 0) + 1
    open_actions = [dict(a, incident=by_id[a["incident_id"]]["title"]) for i in incidents for a in i["actions"] if a["status"] != "done"]
    return {
        "overview": {"incidents": len(incidents)},
        "incidents": incidents,
        "category_counts": dict(sorted(category_counts.items(), key=lambda kv: -kv[1])),
        "shared_categories": {c: n for c, n in category_counts.items() if n >= 2},
        "open_actions": open_actions,
        "base_url": base_url,
    }


def environment(template_dir: str | None = None) -> Environment:
    """A Jinja2 environment: the user's templates first, the packaged ones behind, autoescaped."""
    loaders = []
    if template_dir:
        loaders.append(FileSystemLoader(template_dir))
    loaders.append(FileSystemLoader(str(templates_dir())))
    return Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(["html", "htm", "j2", "md"], default=True))


def render(data: dict[str, Any], fmt: str = "html", template_dir: str | None = None) -> str:
    """Render report data as html, md or json."""
    if fmt == "json":
        return json.dumps(data, indent=2, default=str)
    name = {"html": "report.html", "md": "report.md"}[fmt]
    return environment(template_dir).get_template(name).render(**data)
