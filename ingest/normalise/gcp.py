"""Google Cloud status incidents (``begin``/``end``/``updates``) rendered as Markdown-shaped text."""

from __future__ import annotations

import re

from ..document import Part
from .common import TextBuilder, as_list, clean_str, iso_utc, render_updates


def render_gcp(builder: TextBuilder, incident: dict) -> Part:
    """Append one Google Cloud incident (title, then its updates oldest first); return its Part."""
    problems = builder.problems
    name = clean_str(incident.get("external_desc"), problems, "external_desc") or "Incident"
    builder.add(f"# {name}\n\n")
    part = Part(0, 0, title=name, started_at=iso_utc(incident.get("begin"), problems, "begin"), resolved_at=iso_utc(incident.get("end"), problems, "end"))
    updates = [u for u in as_list(incident.get("updates")) if isinstance(u, dict)]
    if not updates and isinstance(incident.get("most_recent_update"), dict):
        updates = [incident["most_recent_update"]]
    render_updates(builder, part, updates, ("when", "created"), "## Update ({status}): {at}", lambda u: _gcp_update_text(u, problems))
    return part


def _gcp_update_text(update: dict, problems: list[str]) -> str:
    """A Google Cloud update's text, its own headings one level below the update heading."""
    text = clean_str(update.get("text"), problems, "update text") or ""
    return re.sub(r"(?m)^(#{1,5}) ", r"#\1 ", text).strip()
