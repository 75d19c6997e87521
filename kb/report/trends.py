"""Per organization and quarter: incidents, median impact, median time to detect and to mitigate, each with its N."""

from __future__ import annotations

from typing import Any

from kb.report.stats import distribution

MEASURES = {"impact": "impact_minutes", "detect": "time_to_detect_minutes", "mitigate": "time_to_mitigate_minutes"}
"""Trend measure → the incident column it summarises."""


def quarter(day: str | None) -> str | None:
    """``2025-Q4`` for a date or time in October–December 2025 (None when undated)."""
    if not day or len(day) < 7 or not day[:4].isdigit() or not day[5:7].isdigit():
        return None
    return f"{day[:4]}-Q{(int(day[5:7]) - 1) // 3 + 1}"


def _median(incidents: list[dict], column: str) -> dict[str, Any]:
    d = distribution(i.get(column) for i in incidents)
    return {"median": d["median"], "n": d["n"]}


def trends(incidents: list[dict]) -> list[dict[str, Any]]:
    """One entry per organization (most incidents first), its quarters in date order; undated incidents are counted apart."""
    by_org: dict[str, dict[str | None, list[dict]]] = {}
    for i in incidents:
        by_org.setdefault(i.get("organization") or "(no organization)", {}).setdefault(quarter(i.get("date")), []).append(i)
    out = []
    for org, quarters in by_org.items():
        rows = [
            {"quarter": q, "incidents": len(items), **{name: _median(items, column) for name, column in MEASURES.items()}}
            for q, items in sorted(quarters.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
        ]
        out.append({"organization": org, "incidents": sum(r["incidents"] for r in rows), "quarters": rows})
    return sorted(out, key=lambda o: (-o["incidents"], o["organization"].lower()))
