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


def render_statuspage(builder: TextBuilder, incident: dict) -> Part:
    """Append one Statuspage incident (title, then its updates oldest first); return its Part."""
    problems = builder.problems
    name = clean_str(incident.get("name"), problems, "name") or "Incident"
    builder.add(f"# {name}\n\n")
    part = Part(0, 0, title=name, started_at=iso_utc(incident.get("started_at") or incident.get("created_at"), problems, "started_at"), resolved_at=iso_utc(incident.get("resolved_at"), problems, "resolved_at"))
    updates = [u for u in incident.get("incident_updates") or [] if isinstance(u, dict)]
    render_updates(builder, part, updates, ("display_at", "created_at"), "## {status}: {at}", lambda u: _body_text(clean_str(u.get("body"), problems, "update body") or ""))
    return part
