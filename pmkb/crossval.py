"""``pmkb eval --cv-by-organization``: leave-one-organization-out scores of the sentence-role model.

For each organization in the gold, a model is trained on the gold of every
other organization (``pmkb/train.py``) and that organization's documents are
scored three ways with the gold matching rules (``pmkb/evaluate.py``): the
rules alone, the model alone, and the rules adjusted by the model (the
``pmkb_roles`` combination). The rule extraction is run once per document;
only the model changes from fold to fold.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable

from spacy.language import Language

from ingest import roles
from ingest.pipeline import build_nlp, contracts
from ingest.extensions import text_of

from .evaluate import aggregate, score_document
from .train import DEFAULT_EPOCHS, GoldDocument, load_gold_documents, rule_steps, training_pairs, train_model

VARIANTS: tuple[str, ...] = ("rules", "model", "combined")
CV_FIELDS: tuple[str, ...] = ("causes", "corrective_actions")


def _variant_items(variant: str, text: str, units: list, scores: list, result: dict, config: dict) -> tuple[list, list]:
    """The causes and actions one variant extracts from a part whose rules gave ``result``."""
    causes, actions = result.get("causes", []), result.get("corrective_actions", [])
    if variant == "rules":
        return causes, actions
    if variant == "model":
        return roles.model_items(text, units, scores, config["model_threshold"])
    return roles.combine(text, units, scores, causes, actions, config)


def score_variants(gd: GoldDocument, model: Language, after: list, config: dict) -> dict[str, dict]:
    """One document's scores (``score_document``) for each variant."""
    predicted: dict[str, list] = {v: [] for v in VARIANTS}
    for part, doc in gd.parts:
        units = roles.units_of(doc)
        scores = roles.score_units(model, roles.unit_features(doc, units)) if units else []
        snapshot = doc.user_data.setdefault("pmkb_rules_result", copy.deepcopy(doc._.pmkb_result or {}))
        for variant in VARIANTS:
            result = copy.deepcopy(snapshot)
            result["causes"], result["corrective_actions"] = _variant_items(variant, text_of(doc), units, scores, result, config)
            doc._.pmkb_result = result
            for proc in after:
                doc = proc(doc)
            predicted[variant].extend(contracts(gd.document, part, doc))
    return {v: score_document(predicted[v], gd.gold) for v in VARIANTS}


def organization_folds(organizations: list[str], folds: int | None) -> list[list[str]]:
    """The organizations grouped into held-out folds: one each, or ``folds`` groups dealt round-robin in sorted order."""
    names = sorted(organizations)
    if not folds or folds >= len(names):
        return [[name] for name in names]
    return [names[k::folds] for k in range(folds)]


def cross_validate(
    gold_dir: Path, root: Path | None = None, epochs: int = DEFAULT_EPOCHS, seed: int = 0, config: dict | None = None,
    warn: Callable[[str], None] | None = None, progress: Callable[[str], None] | None = None, folds: int | None = None,
) -> dict[str, Any]:
    """Leave-one-organization-out scores: per organization and micro-averaged, per variant.

    With ``folds``, organizations are held out in that many groups instead of one by one
    (each organization is still scored only by a model that never saw it). Returns ``{"organizations": {org: {variant: summary}}, "overall": {variant: summary},
    "documents", "skipped"}``, each summary as :func:`evaluate.aggregate` gives it.
    """
    config = {**roles.DEFAULTS, **(config or {})}
    nlp = build_nlp()
    _, after = rule_steps(nlp)
    documents, skipped = load_gold_documents(Path(gold_dir), root, nlp, warn)
    pairs = {id(gd): training_pairs([gd]) for gd in documents}
    per_org: dict[str, dict] = {}
    all_scores: dict[str, list] = {v: [] for v in VARIANTS}
    for held_out in organization_folds(list({gd.organization for gd in documents}), folds):
        if progress:
            progress(", ".join(held_out) if len(held_out) <= 3 else f"{held_out[0]} and {len(held_out) - 1} more")
        train = [p for gd in documents if gd.organization not in held_out for p in pairs[id(gd)]]
        model = train_model(train, epochs=epochs, seed=seed, config=config)
        for org in held_out:
            scored = [score_variants(gd, model, after, config) for gd in documents if gd.organization == org]
            per_org[org] = {v: aggregate([s[v] for s in scored]) for v in VARIANTS}
            for v in VARIANTS:
                all_scores[v].extend(s[v] for s in scored)
    per_org = dict(sorted(per_org.items()))
    overall = {v: aggregate(all_scores[v]) for v in VARIANTS}
    return {"organizations": per_org, "overall": overall, "documents": len(documents), "skipped": skipped}


def _cell(summary: dict, field: str) -> str:
    if field == "action_status":
        acc = summary["action_status"]["accuracy"]
        return "  n/a" if acc is None else f"{acc:5.2f}"
    return f"{summary[field]['f1']:5.2f}"


def format_cv(result: dict[str, Any]) -> str:
    """The cross-validation as a table: per field, rules / model / combined, per organization and overall."""
    fields = (*CV_FIELDS, "action_status")
    names = {"causes": "causes F1", "corrective_actions": "actions F1", "action_status": "status acc"}
    width = max([len(o) for o in result["organizations"]] + [len("micro-average")])
    groups = "  ".join(f"{names[f]:^23}" for f in fields)
    sub = "  ".join(" ".join(f"{v[:5]:>7}" for v in ("rules", "model", "comb")) for _ in fields)
    lines = [f"{'':<{width}}  {groups}", f"{'organization':<{width}}  {sub}", "-" * (width + 2 + len(sub))]

    def row(name: str, by_variant: dict) -> str:
        cells = "  ".join(" ".join(f"{_cell(by_variant[v], f):>7}" for v in VARIANTS) for f in fields)
        return f"{name:<{width}}  {cells}"

    for org, by_variant in result["organizations"].items():
        lines.append(row(org, by_variant))
    lines.append("-" * (width + 2 + len(sub)))
    lines.append(row("micro-average", result["overall"]))
    lines.append("")
    for v in VARIANTS:
        s = result["overall"][v]
        lines.append(
            f"{v:<9} causes P {s['causes']['precision']:.2f} R {s['causes']['recall']:.2f}"
            f"  actions P {s['corrective_actions']['precision']:.2f} R {s['corrective_actions']['recall']:.2f}"
            f"  status {s['action_status']['correct']}/{s['action_status']['total']}"
        )
    lines.append(f"documents: {result['documents']}" + (f" ({result['skipped']} skipped)" if result["skipped"] else ""))
    return "\n".join(lines) + "\n"


def beats_rules(overall: dict[str, dict]) -> bool:
    """The ship rule: the combination's causes and actions micro-F1 above the rules', status accuracy not below."""
    rules_, combined = overall["rules"], overall["combined"]
    better = all(combined[f]["f1"] > rules_[f]["f1"] for f in CV_FIELDS)
    status_r, status_c = rules_["action_status"]["accuracy"] or 0.0, combined["action_status"]["accuracy"] or 0.0
    return better and status_c >= status_r
