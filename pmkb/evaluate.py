"""Scoring of extractions against the hand-made gold annotations (`pmkb eval`).

The matching rules are the ones in ``shared/gold/README.md``; this module is
their executable form. Everything here is pure except :func:`load_gold` and
:func:`run_eval`, which read the gold files and the documents.

Counts per field
----------------
Each field is scored with three counts: ``tp`` (gold items found), ``fp``
(predicted items that match nothing) and ``fn`` (required gold items not
found), plus ``tp_pred`` (predicted items that count as correct). For the
one-to-one and set-valued fields ``tp_pred == tp``; for causes and corrective
actions several predicted items may hit the same gold item, so precision uses
``tp_pred`` and recall uses ``tp``.

Zero denominators
-----------------
When a precision or recall denominator is 0, the score is 1.0 if there was
nothing to find and nothing was predicted, else 0.0. F1 is 0.0 when precision
and recall are both 0. Action status accuracy with no matched required action
is ``None`` (shown as ``n/a``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from .org_match import organization_matches

from .eval_summary import aggregate, format_table  # noqa: F401  (re-exported: the public scoring API)
from .matching import FIELDS, content_words, texts_match, _words_match  # noqa: F401  (re-exported)
from .matching import _flag_names, _gather, _incidents, _norm, _predicted_texts, _quotes, _score_items, _score_set, _score_timeline, _score_windows, _statuses


def score_document(predicted: list[dict], gold: dict) -> dict:
    """Score the incidents extracted from one document against its gold annotation.

    ``predicted`` is the list of incident dicts the extractor returned for the
    document; their items are pooled (exact duplicates counted once) and scored
    against the document's single gold. Returns ``{field: {"tp", "fp", "fn",
    "tp_pred"}}`` for every field in :data:`FIELDS`, ``"action_status":
    {"correct", "total"}``, and ``"details"``: per field the unmatched gold
    items (``missed``) and unmatched predictions (``spurious``; for causes and
    actions also ``ignored``, those matching only optional gold), and for
    ``action_status`` the matched actions whose status is not acceptable.
    """
    incidents = _incidents(predicted)
    result: dict[str, Any] = {}
    details: dict[str, Any] = {}

    result["impact_windows"], details["impact_windows"] = _score_windows(
        _gather(incidents, "impact_windows"), gold.get("impact_windows") or []
    )
    result["timeline"], details["timeline"] = _score_timeline(_gather(incidents, "timeline"), gold)

    causes = _score_items(_gather(incidents, "causes"), gold.get("causes") or [])
    result["causes"], details["causes"] = causes.counts, causes.details

    pred_actions = [a for a in _gather(incidents, "corrective_actions") if isinstance(a, dict)]
    gold_actions = [a for a in (gold.get("corrective_actions") or []) if isinstance(a, dict)]
    actions = _score_items(pred_actions, gold_actions)
    result["corrective_actions"], details["corrective_actions"] = actions.counts, actions.details

    kept = actions.kept
    correct = 0
    wrong: list[dict] = []
    for gi, pi in actions.best.items():
        acceptable = _statuses(gold_actions[gi].get("status"))
        status = _norm(kept[pi].get("status") or "")
        if status in acceptable:
            correct += 1
        else:
            wrong.append(
                {
                    "gold": (_quotes(gold_actions[gi].get("evidence")) or [""])[0],
                    "predicted": (_predicted_texts(kept[pi]) or [""])[0],
                    "status": status,
                    "acceptable": sorted(acceptable),
                }
            )
    result["action_status"] = {"correct": correct, "total": len(actions.best)}
    details["action_status"] = wrong

    result["categories"], details["categories"] = _score_set(
        _gather(incidents, "categories"), gold.get("categories") or []
    )
    result["components"], details["components"] = _score_set(
        _gather(incidents, "components"), gold.get("components") or []
    )
    result["quality_flags"], details["quality_flags"] = _score_set(
        _flag_names(_gather(incidents, "quality_flags")), gold.get("quality_flags") or []
    )
    if gold.get("organization"):
        predicted_org = next((i["document"].get("organization") for i in incidents if isinstance(i.get("document"), dict) and i["document"].get("organization")), None)
        right = organization_matches(predicted_org, gold["organization"])
        result["organization"] = {"correct": int(right), "total": 1}
        details["organization"] = [] if right else [{"gold": gold["organization"], "predicted": predicted_org}]
    result["details"] = details
    return result


# --------------------------------------------------------------------------
# gold files and the evaluation run


def load_gold(gold_dir: Path) -> list[dict]:
    """Read every gold annotation (``*.json``) in ``gold_dir``, sorted by file name.

    Each returned dict carries the file it came from under ``_path``.
    """
    out: list[dict] = []
    for path in sorted(Path(gold_dir).glob("*.json"), key=lambda p: p.name):
        out.extend(load_gold_file(path))
    return out


def load_gold_file(path: Path) -> list[dict]:
    """One gold annotation file as a one-item list (empty for a README); ValueError when it is not one."""
    if path.stem.upper() == "README":
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a gold annotation must be a JSON object")
    data["_path"] = path
    return [data]


def resolve_document(gold: dict, gold_dir: Path, root: Path | None) -> Path:
    """The document a gold annotation describes.

    Its ``document`` path is taken relative to ``root`` when given, else to
    the folder that contains ``gold_dir`` (the gold's ``shared/``).
    """
    base = Path(root) if root is not None else Path(gold_dir).resolve().parent
    return base / str(gold.get("document", ""))


def _document_name(gold: dict) -> str:
    """Name shown for a gold's document."""
    if gold.get("document"):
        return str(gold["document"])
    path = gold.get("_path")
    return Path(path).stem if path else "?"


def run_eval(
    gold_dir: Path,
    extract: Callable[[Path], list[dict]],
    root: Path | None = None,
) -> tuple[dict, list[tuple[str, dict]]]:
    """Extract every gold-annotated document and score it.

    Returns the micro-averaged summary (see :func:`aggregate`) and a list of
    (document name, per-document scores). A document that is missing, or
    whose extraction raises, is scored as if nothing were extracted (all its
    required gold items are false negatives) and its scores carry an
    ``"error"`` message.
    """
    per_document: list[tuple[str, dict]] = []
    for gold in load_gold(Path(gold_dir)):
        path = resolve_document(gold, Path(gold_dir), root)
        error: str | None = None
        predicted: Any = []
        if not gold.get("document") or not path.is_file():
            error = f"document not found: {path}"
        else:
            try:
                predicted = extract(path)
            except Exception as exc:  # noqa: BLE001 - one bad document must not stop the run
                error = f"extraction failed: {type(exc).__name__}: {exc}"
                predicted = []
        scores = score_document([] if error else _incidents(predicted), gold)
        if error:
            scores["error"] = error
        scores["gold_organization"] = gold.get("organization")
        per_document.append((_document_name(gold), scores))
    return aggregate([s for _, s in per_document]), per_document
