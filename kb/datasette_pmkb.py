"""pmkb's Datasette plugin: incident pages, the /-/report page and links back to evidence.

The hooks act only on a Datasette configured by :func:`kb.serve.make_datasette`
(metadata ``plugins.pmkb.database`` names the knowledge base); any other
Datasette in the same process is left alone.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from kb import similar_index

from .datasette_highlight import KINDS, Span, highlight
from .links import web_url

EVIDENCE_TABLES = {"impact_windows": "window", "timeline_events": "timeline", "causes": "cause", "corrective_actions": "action"}
"""Tables whose rows carry evidence spans → the kind of mark on the incident page."""

REPORT_PATH = "/-/report"
"""The report page, under Datasette's own ``/-/`` namespace so that no database name (``report.db``) can collide with it."""

DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def pmkb_database(datasette) -> str | None:
    """The name of the pmkb database this Datasette serves, or None when it is not pmkb's."""
    config = datasette.plugin_config("pmkb") or {}
    name = config.get("database")
    return name if name in datasette.databases else None


def incident_url(datasette, incident_id: Any, kind: str | None = None, row_id: Any = None) -> str:
    """The incident page of ``incident_id``, anchored at one evidence span when given."""
    url = datasette.urls.path(f"/incident/{incident_id}")
    return f"{url}#ev-{kind}-{row_id}" if kind else url


def _plain(value: Any) -> Any:
    """A cell's value, unwrapping the ``{"value": …, "label": …}`` Datasette gives expanded foreign keys."""
    if isinstance(value, dict) and "value" in value:
        return value["value"]
    return value


def _rows(conn: sqlite3.Connection, sql: str, params: list | dict) -> list[dict]:
    cursor = conn.execute(sql, params)
    keys = [d[0] for d in cursor.description]
    return [dict(zip(keys, row)) for row in cursor.fetchall()]


def _span_title(kind: str, row: dict) -> str:
    if kind == "window":
        return f"impact window: {row['start']} → {row['end']}"
    if kind == "timeline":
        return f"timeline: {row['at']} {row['kind'] or ''}".strip()
    if kind == "cause":
        return f"cause: {row['kind'] or '?'} / {row['category'] or '?'}"
    return f"action: {row['status'] or 'unknown'}"


def load_incident(conn: sqlite3.Connection, incident_id: int) -> dict | None:
    """Everything the incident page shows, with the document text already highlighted."""
    found = _rows(conn, "select * from incidents where id = ?", [incident_id])
    if not found:
        return None
    incident = found[0]
    document = _rows(conn, "select id, title, source, organization, original_url, published_at, text from documents where id = ?", [incident["document_id"]])[0]
    windows = _rows(conn, "select * from impact_windows where incident_id = ? order by start, id", [incident_id])
    timeline = _rows(conn, "select * from timeline_events where incident_id = ? order by coalesce(at, ''), evidence_start, id", [incident_id])
    causes = _rows(conn, "select * from causes where incident_id = ? order by case kind when 'root' then 0 when 'trigger' then 1 else 2 end, id", [incident_id])
    actions = _rows(conn, "select * from corrective_actions where incident_id = ? order by id", [incident_id])
    flags = _rows(conn, "select * from quality_flags where incident_id = ? order by flag, id", [incident_id])
    spans = []
    for kind, rows in (("window", windows), ("timeline", timeline), ("cause", causes), ("action", actions)):
        for row in rows:
            row["has_evidence"] = row["evidence_start"] is not None and row["evidence_end"] is not None
            if row["has_evidence"]:
                spans.append(Span(row["evidence_start"], row["evidence_end"], kind, row["id"], _span_title(kind, row)))
    text = document["text"] or ""
    return {
        "incident": incident,
        "document": document,
        "categories": json.loads(incident["categories"] or "[]"),
        "components": json.loads(incident["components"] or "[]"),
        "windows": windows,
        "timeline": timeline,
        "causes": causes,
        "actions": actions,
        "flags": flags,
        "highlighted": highlight(text, spans),
        "span_counts": {kind: sum(1 for s in spans if s.kind == kind) for kind in KINDS},
        "similar": similar_panel(conn, incident_id),
        "recurrences": _rows(conn, RECURRENCES_SQL, {"id": incident_id}) if similar_index.has_index(conn) else [],
    }


SIMILAR_PANEL = 5
"""Similar incidents on an incident page."""

RECURRENCES_SQL = """
select r.*, case when r.earlier_incident_id = :id then 'recurred in' else 'recurrence of' end as relation,
  case when r.earlier_incident_id = :id then r.later_incident_id else r.earlier_incident_id end as other_incident_id,
  case when r.earlier_incident_id = :id then r.later_cause_id else r.earlier_cause_id end as other_cause_id
from recurrences r where :id in (r.earlier_incident_id, r.later_incident_id) order by r.score desc
"""
"""The recurrences an incident is either side of, with the other incident."""


def similar_panel(conn: sqlite3.Connection, incident_id: int) -> list[dict]:
    """The incident page's similar incidents (``pmkb similar``'s ranking), empty for a database without the similarity index."""
    from kb import similar

    if not similar_index.has_index(conn):
        return []
    profile = similar.stored_profile(conn, incident_id)
    return [m.as_dict() for m in similar.similar(conn, profile, SIMILAR_PANEL)] if profile else []


def page_minutes(value: float | None) -> str:
    """A duration as the incident page shows it: the report's wording, ``not stated`` when unknown."""
    from kb.report.format import minutes_label

    return minutes_label(value, unknown="not stated")


CACHE_KIB = 64 * 1024
"""Page cache of each Datasette connection to the knowledge base. A search for a common word at
50,000 incidents touches ~46 MB of document pages and the incidents table is ~25 MB; with SQLite's
2 MB default (or 32 MB) every repeat misses. mmap would be faster still but counts the whole
touched file in RSS (1.8 GB in bench/run.py)."""


@hookimpl(trylast=True)  # after Datasette's own, so that its escape_fts is replaced
def prepare_connection(conn, database, datasette):
    """A larger page cache on connections to the pmkb database, and a search escaping that
    never yields an invalid full-text query."""
    if database == pmkb_database(datasette):
        from kb.similar import similar_json

        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        conn.create_function("escape_fts", 1, escape_search)
        conn.create_function("pmkb_similar", 2, lambda incident_id, limit: similar_json(conn, incident_id, limit))


def escape_search(query: str) -> str:
    """Datasette's escaping of a search, except that a query of nothing but quotes and spaces (a lone
    ``"``) becomes the empty phrase, which matches nothing, instead of an empty string, which is an
    FTS5 syntax error (and broke the search-all page with a JavaScript error)."""
    from datasette.utils import escape_fts

    return escape_fts(query or "") or '""'


@hookimpl
def prepare_jinja2_environment(env, datasette):
    """The ``web_url`` filter: a URL that may be a link (http or https), else None."""
    env.filters["web_url"] = web_url


@hookimpl
def extra_template_vars(datasette):
    """``pmkb_incident(id)`` and ``pmkb_minutes(value)`` for the project's page templates."""
    name = pmkb_database(datasette)
    if name is None:
        return {}

    async def pmkb_incident(incident_id: Any) -> dict | None:
        try:
            number = int(incident_id)
        except (TypeError, ValueError):
            return None
        data = await datasette.get_database(name).execute_fn(lambda conn: load_incident(conn, number))
        if data is not None:
            data["database"] = name
        return data

    return {"pmkb_incident": pmkb_incident, "pmkb_minutes": page_minutes, "pmkb_kinds": KINDS}


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Link evidence cells, incident titles and query ``incident`` columns to the incident page."""
    if value is None or database != pmkb_database(datasette):
        return None
    try:
        if table in EVIDENCE_TABLES and column == "evidence_text":
            href = incident_url(datasette, _plain(row["incident_id"]), EVIDENCE_TABLES[table], _plain(row["id"]))
            return Markup('<a class="pmkb-evidence" href="{}" title="Show on the incident page">{}</a>').format(href, value)
        if table == "incidents" and column == "title":
            return Markup('<a href="{}" title="Incident page">{}</a>').format(incident_url(datasette, row["id"]), value)
        if (table == "incident_overview" and column == "id") or (table is None and column == "incident"):
            return Markup('<a href="{}">incident {}</a>').format(incident_url(datasette, value), value)
    except (IndexError, KeyError):  # the row was selected without the columns the link needs
        return None
    return None


@hookimpl
def menu_links(datasette, actor):
    """Report and charts in Datasette's menu."""
    if pmkb_database(datasette) is None:
        return []
    return [{"href": datasette.urls.path(REPORT_PATH), "label": "Cross-incident report"}]


@hookimpl
def register_routes(datasette):
    """``/-/report``: the cross-incident report with a filter form."""
    return [(rf"^{re.escape(REPORT_PATH)}$", report_page)]


def _report_choices(conn: sqlite3.Connection) -> dict[str, list[str]]:
    organizations = [r[0] for r in conn.execute("select distinct organization from incidents where organization is not null order by 1")]
    categories = [r[0] for r in conn.execute("select distinct category from categories order by 1")]
    return {"organizations": organizations, "categories": categories}


def filter_form(values: dict[str, str], choices: dict[str, list[str]], action: str, error: str | None = None) -> Markup:
    """The report's filter form (organization, category, since), values escaped."""

    def select(name: str, label: str, options: list[str]) -> str:
        opts = [Markup('<option value="">any</option>')]
        for option in options:
            selected = " selected" if option == values.get(name) else ""
            opts.append(Markup('<option value="{}"{}>{}</option>').format(option, Markup(selected), option))
        return Markup('<label>{} <select name="{}">{}</select></label> ').format(label, name, Markup("").join(opts))

    parts = [
        Markup('<form class="pmkb-report-filters" method="get" action="{}" style="font-family:system-ui,sans-serif;margin:0 0 1rem;padding:.6rem;background:#f4f4f4;border:1px solid #ddd">').format(action),
        Markup('<a href="/">pmkb</a> · '),
        select("organization", "Organization", choices["organizations"]),
        select("category", "Category", choices["categories"]),
        Markup('<label>Since <input type="date" name="since" value="{}"></label> ').format(values.get("since", "")),
        Markup('<button type="submit">Filter</button>'),
    ]
    if error:
        parts.append(Markup('<p class="pmkb-error" style="color:#b00">{}</p>').format(error))
    parts.append(Markup("</form>"))
    return Markup("").join(parts)


def insert_after_body(page: str, fragment: str) -> str:
    """``fragment`` placed just inside ``<body>`` (or at the top when there is none)."""
    match = re.search(r"<body[^>]*>", page, flags=re.IGNORECASE)
    if not match:
        return fragment + page
    return page[: match.end()] + fragment + page[match.end():]


async def report_page(datasette, request) -> Response:
    """The report template rendered for the filters in the query string."""
    from kb import report as kb_report

    name = pmkb_database(datasette)
    if name is None:
        raise NotFound("No pmkb database is served here")
    values = {key: (request.args.get(key) or "").strip() for key in ("organization", "category", "since")}
    error = None
    if values["since"] and not (DATE_RE.match(values["since"]) and kb_report.parse_time(values["since"])):
        error = f"since: {values['since']!r} is not a date (YYYY-MM-DD)"  # 2024-13 has the shape but no month 13
        values["since"] = ""
    filters = kb_report.Filters(organization=values["organization"] or None, category=values["category"] or None, since=values["since"] or None)
    base_url = datasette.absolute_url(request, datasette.urls.path("")).rstrip("/")

    def work(conn: sqlite3.Connection):
        import sqlite_utils

        data = kb_report.build(sqlite_utils.Database(conn), filters, base_url=base_url)
        return kb_report.render(data, "html"), _report_choices(conn)

    html, choices = await datasette.get_database(name).execute_fn(work)
    form = filter_form(values, choices, datasette.urls.path(REPORT_PATH), error)
    return Response.html(insert_after_body(html, str(form)), status=400 if error else 200)
