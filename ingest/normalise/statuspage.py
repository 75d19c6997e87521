"""Atlassian Statuspage incidents (``incident_updates``) rendered as Markdown-shaped text."""

from __future__ import annotations

import re

from ..document import Part
from .common import TextBuilder, clean_str, iso_utc, render_updates
from .html import html_to_markdown


def _body_text(body: str) -> str:
    """An update body as Markdown-shaped text (bodies may hold HTML)."""
    body = body or ""
    if re.search(r"<(?:ul|ol|li|p|br|div|h[1-6])\b", body, re.I):
        body, _ = html_to_markdown(body)
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    return body.strip()


UPDATE_TIME_KEYS = ("display_at", "created_at", "published_at", "updated_at", "timestamp")
"""Where an update's time may be: Statuspage's ``display_at``/``created_at``, incident.io's ``published_at``…"""
UPDATE_BODY_KEYS = ("body", "message", "text", "description")
"""Where an update's text may be: Statuspage's ``body``, incident.io's ``message``…"""


def status_updates(incident: dict) -> list[dict]:
    """An incident's updates (``incident_updates``, else ``updates``) that are objects."""
    updates = incident.get("incident_updates")
    if not isinstance(updates, list):
        updates = incident.get("updates")
    return [u for u in updates if isinstance(u, dict)] if isinstance(updates, list) else []


def _update_body(update: dict, problems: list[str]) -> str:
    key = next((k for k in UPDATE_BODY_KEYS if update.get(k)), "body")
    return _body_text(clean_str(update.get(key), problems, "update body") or "")


POSTMORTEM_BODY_KEYS = ("body", "body_html", "body_markdown", "text", "content", "html", "markdown")
"""Where a postmortem object's write-up may be (``{"postmortem": {"body_html": …}}``)."""


def _postmortem(incident: dict, problems: list[str]) -> str | None:
    """The incident's postmortem write-up: Statuspage's ``postmortem_body``, or a ``postmortem`` string or object."""
    found = incident.get("postmortem_body") or incident.get("postmortem")
    if isinstance(found, dict):
        found = next((found[k] for k in POSTMORTEM_BODY_KEYS if isinstance(found.get(k), str) and found[k].strip()), None)
    return clean_str(found, problems, "postmortem") if found else None


def render_statuspage(builder: TextBuilder, incident: dict) -> Part:
    """Append one status-page incident (title, its updates oldest first, then its postmortem); return its Part."""
    problems = builder.problems
    name = clean_str(incident.get("name") or incident.get("title"), problems, "name") or "Incident"
    builder.add(f"# {name}\n\n")
    part = Part(0, 0, title=name, started_at=iso_utc(incident.get("started_at") or incident.get("created_at"), problems, "started_at"), resolved_at=iso_utc(incident.get("resolved_at"), problems, "resolved_at"))
    updates = status_updates(incident)
    keys = [k for k in UPDATE_TIME_KEYS if any(k in u for u in updates)] or ["created_at"]
    render_updates(builder, part, updates, (keys[0], keys[1] if len(keys) > 1 else keys[0]), "## {status}: {at}", lambda u: _update_body(u, problems))
    postmortem = _postmortem(incident, problems)
    if postmortem:
        builder.add(f"## Postmortem\n\n{_body_text(postmortem)}\n\n")  # Statuspage's own field for the write-up
    return part
