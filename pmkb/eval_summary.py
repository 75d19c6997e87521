"""Micro-averaged scores and their table (`pmkb eval`'s output)."""

from __future__ import annotations

from typing import Any

from .matching import FIELDS



def _ratio(num: int, den: int, nothing_at_all: bool) -> float:
    """num/den, or 1.0/0.0 by the zero-denominator rule."""
    if den:
        return num / den
    return 1.0 if nothing_at_all else 0.0


def _prf(tp: int, fp: int, fn: int, tp_pred: int) -> dict[str, float]:
    """Precision, recall and F1 from summed counts."""
    nothing = (tp + fn) == 0 and (tp_pred + fp) == 0
    precision = _ratio(tp_pred, tp_pred + fp, nothing)
    recall = _ratio(tp, tp + fn, nothing)
    f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1}


def aggregate(doc_scores: list[dict]) -> dict:
    """Micro-average per-document scores.

    Counts are summed over documents before computing precision, recall and
    F1 (see the module docstring for zero denominators). Returns
    ``{field: {"precision", "recall", "f1", "tp", "fp", "fn", "tp_pred"}}``,
    ``"action_status": {"accuracy", "correct", "total"}`` (accuracy ``None``
    when no required action was matched), ``"documents"`` and ``"errors"``
    (how many documents could not be scored).
    """
    summary: dict[str, Any] = {}
    for field in FIELDS:
        tp = fp = fn = tp_pred = 0
        for doc in doc_scores:
            c = doc.get(field) or {}
            tp += int(c.get("tp", 0))
            fp += int(c.get("fp", 0))
            fn += int(c.get("fn", 0))
            tp_pred += int(c.get("tp_pred", c.get("tp", 0)))
        summary[field] = {**_prf(tp, fp, fn, tp_pred), "tp": tp, "fp": fp, "fn": fn, "tp_pred": tp_pred}
    correct = sum(int((d.get("action_status") or {}).get("correct", 0)) for d in doc_scores)
    total = sum(int((d.get("action_status") or {}).get("total", 0)) for d in doc_scores)
    summary["action_status"] = {
        "accuracy": (correct / total) if total else None,
        "correct": correct,
        "total": total,
    }
    org_right = sum(int((d.get("organization") or {}).get("correct", 0)) for d in doc_scores)
    org_total = sum(int((d.get("organization") or {}).get("total", 0)) for d in doc_scores)
    summary["organization"] = {"accuracy": (org_right / org_total) if org_total else None, "correct": org_right, "total": org_total}
    summary["documents"] = len(doc_scores)
    summary["errors"] = sum(1 for d in doc_scores if d.get("error"))
    return summary


def _accuracy_line(status: dict) -> str:
    """The action status accuracy line."""
    acc = status.get("accuracy")
    shown = "n/a" if acc is None else f"{acc:.2f}"
    return f"action status accuracy: {shown} ({status.get('correct', 0)}/{status.get('total', 0)})"


def format_table(summary: dict, per_document: list[tuple[str, dict]] | None = None) -> str:
    """Render an aggregate summary as a plain-text table.

    One row per field with precision, recall, F1 and the TP/FP/FN counts
    (``pTP`` is the number of predictions counted correct, which differs from
    TP only for causes and actions), then the action status accuracy line.
    With ``per_document`` (name, per-document scores), a compact block per
    document follows: its name, any error, and per field F1 with counts.
    """
    width = max(len(f) for f in FIELDS)
    header = f"{'field':<{width}}  {'P':>5}  {'R':>5}  {'F1':>5}  {'TP':>4}  {'pTP':>4}  {'FP':>4}  {'FN':>4}"
    lines = [header, "-" * len(header)]
    for field in FIELDS:
        s = summary.get(field)
        if not s:
            continue
        lines.append(
            f"{field:<{width}}  {s['precision']:5.2f}  {s['recall']:5.2f}  {s['f1']:5.2f}"
            f"  {s['tp']:>4}  {s.get('tp_pred', s['tp']):>4}  {s['fp']:>4}  {s['fn']:>4}"
        )
    lines.append("")
    lines.append(_accuracy_line(summary.get("action_status") or {}))
    org = summary.get("organization") or {}
    if org.get("total"):
        lines.append(f"organization right: {org['accuracy']:.2f} ({org['correct']}/{org['total']})")
    docs = summary.get("documents")
    if docs is not None:
        errors = summary.get("errors") or 0
        lines.append(f"documents: {docs}" + (f" ({errors} could not be scored)" if errors else ""))

    if per_document:
        lines.append("")
        lines.append("per document:")
        for name, scores in per_document:
            lines.append(name)
            if scores.get("error"):
                lines.append(f"  error: {scores['error']}")
            single = aggregate([scores])
            for field in FIELDS:
                s = single[field]
                lines.append(
                    f"  {field:<{width}}  F1 {s['f1']:4.2f}  tp {s['tp']} fp {s['fp']} fn {s['fn']}"
                )
            status = scores.get("action_status") or {}
            if status.get("total"):
                lines.append(f"  action status {status['correct']}/{status['total']}")
    return "\n".join(lines) + "\n"
