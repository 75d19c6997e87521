"""The database's tables: which belong to an incident, which are full-text indexed, and the columns pmkb writes."""

from __future__ import annotations

CHILD_TABLES = ("impact_windows", "timeline_events", "causes", "corrective_actions", "components", "categories", "quality_flags")
"""Tables whose rows belong to an incident."""

FTS_TABLES = {
    "documents": ["title", "text"],
    "causes": ["text"],
    "corrective_actions": ["text"],
    "timeline_events": ["text"],
}
"""Full-text search: table → indexed columns."""

EVIDENCE = ("evidence_text", "evidence_start", "evidence_end")

COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("source", "sha256", "format", "title", "organization", "original_url", "published_at", "text", "extractor_version", "ingested_at"),
    "incidents": (
        "document_id", "seq", "title", "organization", "impact_start", "impact_end", "impact_minutes",
        "time_to_detect_minutes", "time_to_mitigate_minutes", "impact_rule", "detect_rule", "mitigate_rule", "windows_rule",
        "categories", "components", "year",
        "started", "actions", "open_actions", "actions_done", "actions_in_progress", "actions_planned", "quality_flags",
    ),
    "impact_windows": ("incident_id", "start", "end", "duration_minutes", "label", *EVIDENCE),
    "timeline_events": ("incident_id", "at", "precision", "timezone", "kind", "text", *EVIDENCE),
    "causes": ("incident_id", "kind", "category", "text", *EVIDENCE),
    "corrective_actions": ("incident_id", "text", "status", *EVIDENCE),
    "categories": ("incident_id", "category", "organization", "started", "impact_minutes"),
    "components": ("incident_id", "component"),
    "quality_flags": ("incident_id", "document_id", "flag", "detail"),
}
"""The columns pmkb writes, per table, in the order of the row tuples ``kb.store`` builds."""

ROLLUP_COLUMNS = {
    "started": str, "actions": int, "open_actions": int, "actions_done": int,
    "actions_in_progress": int, "actions_planned": int, "quality_flags": int,
}
"""Per-incident figures stored with the incident (see ``rollups``) so pages and canned queries need no per-row subqueries."""

CATEGORY_COPIES = {"organization": str, "started": str, "impact_minutes": float}
"""Incident columns repeated on its category rows (see ``child_rows``)."""
