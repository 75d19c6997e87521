"""An incident card's short parts: its list item, short timeline, key causes and one-line summary."""

from __future__ import annotations

from typing import Any

from kb.report.format import minutes_label


KEY_EVENT_KINDS = ("trigger", "onset", "impact_start", "detection", "response", "mitigation", "resolution", "impact_end")
"""Timeline kinds a card's short timeline shows first."""

CARD_TIMELINE = 8
"""Events on a card's short timeline."""

CARD_CAUSES = 5
"""Causes quoted on a card."""


def brief(incident: dict) -> dict[str, Any]:
    """An incident as a list item: id, title, organization, date and link."""
    return {"id": incident["id"], "title": incident["title"], "organization": incident.get("organization"), "date": incident.get("date"), "url": incident.get("url")}


def short_timeline(events: list[dict], limit: int = CARD_TIMELINE) -> list[dict]:
    """Up to ``limit`` events in time order, key moments (trigger, onset, detection, mitigation…) first."""
    key = [e for e in events if e.get("kind") in KEY_EVENT_KINDS and e.get("precision") != "day"]
    rest = [e for e in events if e not in key]
    chosen = key[:limit] + rest[: max(0, limit - len(key))]
    order = {id(e): n for n, e in enumerate(events)}
    return sorted(chosen, key=lambda e: order[id(e)])


def key_causes(causes: list[dict], limit: int = CARD_CAUSES) -> list[dict]:
    """Up to ``limit`` causes: categorised root causes and triggers before contributing and uncategorised ones."""
    rank = {"trigger": 0, "root": 1, "contributing": 2}

    def score(cause: dict) -> tuple:
        return (cause.get("category") in (None, "unknown"), rank.get(cause.get("kind"), 3))

    return sorted(causes, key=score)[:limit]


def one_line_summary(incident: dict) -> str:
    """'Org, date: 5 h 30 min of impact in 2 windows; detected in …; mitigated in …; causes: a, b.'"""
    head = ", ".join(x for x in (incident.get("organization"), incident.get("date")) if x)
    parts = []
    if incident.get("impact_minutes") is not None:
        windows = incident.get("window_count", len(incident.get("windows") or []))
        parts.append(f"{minutes_label(incident['impact_minutes'])} of impact" + (f" in {windows} windows" if windows > 1 else ""))
    else:
        parts.append("impact duration not established")
    if incident.get("time_to_detect_minutes") is not None:
        parts.append(f"detected after {minutes_label(incident['time_to_detect_minutes'])}")
    if incident.get("time_to_mitigate_minutes") is not None:
        parts.append(f"mitigated after {minutes_label(incident['time_to_mitigate_minutes'])}")
    categories = [c for c in incident.get("categories") or [] if c != "unknown"]
    if categories:
        parts.append("causes: " + ", ".join(categories))
    return (head + ": " if head else "") + "; ".join(parts) + "."
