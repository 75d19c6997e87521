"""``build()``: the whole report's data for the incidents a ``Filters`` selects."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timezone
from typing import Any

import sqlite_utils

from kb.links import web_url
from kb.report.format import InvalidArgument, check_choice, check_date, parse_time, table_url, url_part
from kb.report.query import Filters, attach_children, fill_texts, open_action_rows, select_incidents, served_name
from kb.report.recurring import recurred_actions, recurrence_rows, recurring
from kb.report.sections import GROUP_BY, LIST_LIMIT, actions, causes, chart_row, durations, impact, more, most_recent, overview, quality, groups
from kb.report.trends import trends


def build(
    db: sqlite_utils.Database,
    filters: Filters,
    group_by: str | None = None,
    base_url: str | None = None,
    database: str | None = None,
    as_of: str | date | None = None,
    limit: int | None = LIST_LIMIT,
) -> dict[str, Any]:
    """The data behind the report: overview, durations, causes, actions, recurring causes, trends, data quality and incident cards.

    ``base_url`` is the Datasette root; rows link to ``{base_url}/{database}/{table}/{id}``,
    where ``database`` defaults to the database file's stem. ``as_of`` (default today, UTC)
    is the date open actions are aged against. ``limit`` caps the incident cards, impact-chart
    rows and every list of incidents or actions (None: no cap); each capped list has a
    ``more`` entry saying how many it leaves out. Figures always cover every selected
    incident. Raises InvalidArgument (a ValueError) for a bad filter, ``group_by`` or ``as_of``.
    """
    if base_url and not web_url(base_url):
        raise InvalidArgument("base_url", f"{base_url!r} is not an http or https URL")
    if group_by is not None:
        check_choice(group_by, GROUP_BY, "group_by")
    if isinstance(as_of, str):
        parsed = parse_time(check_date(as_of, "as_of"))
        as_of = parsed.date() if parsed else None
    as_of = as_of or datetime.now(timezone.utc).date()
    database = database or served_name(db)
    database_url = f"{base_url.rstrip('/')}/{url_part(database)}" if base_url else None
    incidents = select_incidents(db, filters, base_url=base_url, database=database)
    cards = most_recent(incidents, limit)
    chart = impact(incidents, limit, database_url)
    attach_children(db, list({i["id"]: i for i in cards + chart["incidents"]}.values()), base_url, database)
    chart["incidents"] = [chart_row(i) for i in chart["incidents"]]
    action_data = actions(incidents, as_of, open_action_rows(db, [i["id"] for i in incidents]), limit, database_url)
    fill_texts(db, action_data["open"], "corrective_actions", base_url, database)
    recurrences = recurrence_rows(db, [i["id"] for i in incidents])
    recurred = recurred_actions(recurrences)
    for action in action_data["open"]:
        action["recurred_in"] = recurred.get(action["id"], [])
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
        "recurring": recurring(recurrences, incidents, limit),
        "trends": trends(incidents),
        "quality": quality(incidents, limit, database_url),
        "groups": groups(incidents, group_by) if group_by else None,
        "incidents": cards,
        "incidents_more": more(len(incidents), len(cards), "incidents (the most recent)", table_url(database_url, "incidents", _sort_desc="impact_start", organization=filters.organization), hint=True),
    }
