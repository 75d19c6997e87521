"""Status-page JSON: find the incidents in a payload and render each by its kind."""

from __future__ import annotations

import json
import re
from typing import Any

from ..document import Document, Part
from ..read import Source
from .chat_export import is_chat_export, normalise_chat_export
from .common import NormaliseError, TextBuilder, bad_metadata, clean_characters, clean_str
from .gcp import render_gcp
from .json_export import MIN_PROSE_WORDS, incident_object, prose_words, render_export
from .statuspage import UPDATE_BODY_KEYS, render_statuspage, status_updates


def normalise_json(source: Source) -> Document:
    """Normalise incident JSON: Atlassian Statuspage (or incident.io-style) incidents, Google Cloud
    incidents, or another tool's export of one incident (its fields read as sections)."""
    try:
        data = json.loads(clean_characters(source.text), strict=False)  # a raw tab or newline inside a string is no reason to refuse
    except json.JSONDecodeError as exc:
        raise NormaliseError(source.name, f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise NormaliseError(source.name, "JSON nested too deeply to read") from None
    if is_chat_export(data):
        return normalise_chat_export(source, data)
    incidents, kind, page = _json_incidents(data)
    if not incidents:
        return _normalise_export(source, data)
    builder = TextBuilder()
    parts: list[Part] = []
    for incident in incidents:
        start = builder.length
        if kind == "statuspage":
            part = render_statuspage(builder, incident)
        else:
            part = render_gcp(builder, incident)
        part.start, part.end = start, builder.length
        parts.append(part)
        builder.add("\n")
    text = builder.text()
    org = None
    if isinstance(page, dict):
        org = clean_str(page.get("name"), builder.problems, "page name")
        org = re.sub(r"(?i)\s+status(?:\s+page)?$", "", org) if org else org  # "Parrotline Status" is Parrotline's page
    elif kind == "gcp":
        org = "Google Cloud"
    fmt = "statuspage" if kind == "statuspage" else "gcp"
    title = parts[0].title if len(parts) == 1 else f"{len(parts)} incidents"
    zone = clean_str(page.get("time_zone") or page.get("display_timezone") or page.get("timezone"), builder.problems, "page time_zone") if isinstance(page, dict) else None
    flags = [bad_metadata(builder.problems)] if builder.problems else []
    return Document(source=source.name, format=fmt, text=text, sha256=source.sha256, title=title, organization=org, parts=parts, flags=flags, meta={"json_kind": kind, "default_zone": zone})


def _normalise_export(source: Source, data: Any) -> Document:
    """Another tool's incident export, read field by field, or refused when it holds no incident prose."""
    incident = incident_object(data)
    if incident is None or prose_words(incident) < MIN_PROSE_WORDS:
        raise NormaliseError(source.name, "JSON of an unknown shape: expected a status-page incident (incident_updates, or updates with a body or message), a Google Cloud incident (begin/end/updates) or an incident object with text fields")
    builder = TextBuilder()
    title = render_export(builder, incident)
    flags = [bad_metadata(builder.problems)] if builder.problems else []
    return Document(source=source.name, format="json", text=builder.text(), sha256=source.sha256, title=title, flags=flags, meta={"json_kind": "export"})


def _json_incidents(data: Any) -> tuple[list[dict], str, Any]:
    """Find incident objects in a JSON payload; return (incidents, kind, page)."""
    page = None
    if isinstance(data, dict):
        page = data.get("page")
        if isinstance(data.get("incident"), dict):
            data = [data["incident"]]
        elif isinstance(data.get("incidents"), list):
            data = data["incidents"]
        else:
            data = [data]
    if not isinstance(data, list):
        return [], "", page
    statuspage = [d for d in data if isinstance(d, dict) and isinstance(d.get("incident_updates"), list)]
    if statuspage:
        return statuspage, "statuspage", page
    gcp = [d for d in data if isinstance(d, dict) and "begin" in d and ("updates" in d or "most_recent_update" in d)]
    if gcp:
        return gcp, "gcp", page
    others = [d for d in data if isinstance(d, dict) and any(any(u.get(k) for k in UPDATE_BODY_KEYS) for u in status_updates(d))]
    if others:  # another status page's export (incident.io: "updates" with a "message")
        if page is None and isinstance(others[0].get("status_page"), dict):
            page = others[0]["status_page"]
        return others, "statuspage", page
    return [], "", page
