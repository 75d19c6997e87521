"""Scores per organization (`pmkb eval --by-organization`): where the extractor generalises
and where it does not, worst organizations first."""

from __future__ import annotations

import re
from typing import Any

from .evaluate import aggregate

HEADLINE = ("impact_windows", "timeline", "causes", "corrective_actions", "categories")
"""The fields whose mean F1 ranks organizations."""


def organization_key(gold_organization: str | None, name: str) -> str:
    """The organization a scored document belongs to: the gold's name before any parenthesis,
    else the document file's prefix."""
    if gold_organization:
        return re.split(r"\s*\(", gold_organization, maxsplit=1)[0].strip() or gold_organization
    return re.split(r"-(?:19|20)\d{2}-", name.rsplit("/", 1)[-1], maxsplit=1)[0]


def by_organization(per_document: list[tuple[str, dict]]) -> list[dict[str, Any]]:
    """One summary per organization, worst first by the mean F1 of the headline fields."""
    groups: dict[str, list[dict]] = {}
    for name, scores in per_document:
        groups.setdefault(organization_key(scores.get("gold_organization"), name), []).append(scores)
    rows = []
    for org, docs in groups.items():
        summary = aggregate(docs)
        mean = sum(summary[f]["f1"] for f in HEADLINE) / len(HEADLINE)
        rows.append({"organization": org, "documents": len(docs), "mean_f1": mean, "summary": summary})
    return sorted(rows, key=lambda r: (r["mean_f1"], r["organization"]))


def format_by_organization(rows: list[dict[str, Any]]) -> str:
    """The per-organization table: F1 per headline field, action status and organization right."""
    short = {"impact_windows": "windows", "timeline": "timeline", "causes": "causes", "corrective_actions": "actions", "categories": "categ."}
    width = max([len(r["organization"]) for r in rows] + [12])
    header = f"{'organization':<{width}}  {'docs':>4}  " + "  ".join(f"{short[f]:>8}" for f in HEADLINE) + f"  {'status':>7}  {'org':>4}  {'mean':>5}"
    lines = [header, "-" * len(header)]
    for r in rows:
        s = r["summary"]
        status = s["action_status"]
        org = s.get("organization") or {}
        cells = "  ".join(f"{s[f]['f1']:8.2f}" for f in HEADLINE)
        shown_status = "n/a" if status["accuracy"] is None else f"{status['correct']}/{status['total']}"
        shown_org = "n/a" if not org.get("total") else f"{org['correct']}/{org['total']}"
        lines.append(f"{r['organization']:<{width}}  {r['documents']:>4}  {cells}  {shown_status:>7}  {shown_org:>4}  {r['mean_f1']:5.2f}")
    return "\n".join(lines) + "\n"
