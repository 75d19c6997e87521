"""The report's sections as plain data: overview, durations, causes, actions, data quality, impact and groups."""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from kb.report.cards import brief
from kb.report.format import check_choice, parse_time, table_url
from kb.report.query import OPEN_STATUSES, STATUSES
from kb.report.stats import distribution
from kb.report.wording import FLAG_ORDER, FLAG_TEXT, NARROW_HINT, category_noun, category_phrase


GROUP_BY = ("organization", "category", "year")
"""What ``--group-by`` accepts."""

LIST_LIMIT = 100
"""Incident cards, impact-chart rows and listed incidents or actions a report shows at most (figures cover every incident)."""

MAX_COMPONENT_PATTERNS = 6
"""Components named among the recurring patterns (the most shared first)."""

MAX_PAIR_PATTERNS = 4
"""Category-and-component pairs named among the recurring patterns."""


def most_recent(incidents: list[dict], limit: int | None) -> list[dict]:
    """Up to ``limit`` of ``incidents`` with the latest dates (undated ones last), in their given order; all when ``limit`` is None."""
    if limit is None or len(incidents) <= limit:
        return list(incidents)
    rank = sorted(range(len(incidents)), key=lambda n: (incidents[n]["date"] is not None, incidents[n]["date"] or "", incidents[n]["id"]), reverse=True)
    return [incidents[n] for n in sorted(rank[:limit])]


def more(total: int, shown: int, noun: str, url: str | None = None, hint: bool = False) -> dict[str, Any]:
    """How much of a list the report shows: ``shown`` of ``total`` and, when some are left out,
    a note saying so (with ``NARROW_HINT`` when ``hint``) and the Datasette page (``url``) with them all."""
    if shown >= total:
        return {"shown": shown, "total": total, "note": None, "url": None}
    note = f"Showing {shown:,} of {total:,} {noun}." + (f" {NARROW_HINT}" if hint else "")
    return {"shown": shown, "total": total, "note": note, "url": url}


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
            phrase = category_phrase(cat)
            patterns.append({"kind": "category", "category": cat, "component": None, "count": len(ids), "of": total, "incidents": ids, "sentence": f"{phrase[0].upper()}{phrase[1:]} in {len(ids)} of {total} incidents."})
    for comp in components[:MAX_COMPONENT_PATTERNS]:
        ids = comp_incidents[comp]
        if len(ids) >= 2:
            patterns.append({"kind": "component", "category": None, "component": comp, "count": len(ids), "of": total, "incidents": ids, "sentence": f"The {comp} component was involved in {len(ids)} of {total} incidents."})
    pairs = [(key, ids) for key, ids in sorted(pair_incidents.items(), key=lambda kv: (-len(kv[1]), kv[0])) if len(ids) >= 2]
    for (cat, comp), ids in pairs[:MAX_PAIR_PATTERNS]:
        patterns.append({"kind": "pair", "category": cat, "component": comp, "count": len(ids), "of": total, "incidents": ids, "sentence": f"{category_noun(cat)} involving the {comp} component in {len(ids)} of {total} incidents."})
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
    check_choice(group_by, GROUP_BY, "group_by")
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


def chart_row(incident: dict) -> dict[str, Any]:
    """An incident as the impact chart needs it: a list item with its impact minutes and windows."""
    return dict(brief(incident), impact_minutes=incident.get("impact_minutes"), windows=incident["windows"])
