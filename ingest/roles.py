"""After step 4d, roles: a small statistical layer over the rule-extracted causes and actions.

A bag-of-words ``textcat_multilabel`` model scores every sentence unit (list
item, table row statement, or sentence) of a Doc for the roles in
:data:`LABELS`; its input is the unit's text after two feature tokens, the
role of its section and the kind of its block. The ``pmkb_roles`` component
runs after the rule components and adjusts their results: it vetoes rule
causes and actions whose unit the model confidently calls something else,
and adds confident cause and action units the rules missed. Nothing is
downloaded: the model is trained from gold annotations by ``pmkb train``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from spacy.language import Language
from spacy.tokens import Doc

from .actions import action_status
from .extensions import result_of, text_of
from .plain_text import plain_text
from .segment import Block, block_sentences

LABELS: tuple[str, ...] = ("impact", "cause", "root", "trigger", "contributing", "action", "response", "boilerplate", "none")
"""Sentence roles the model scores (several may hold at once); ``cause`` is any of the three cause kinds."""

_DIGITS = re.compile(r"\d")
_WORD = re.compile(r"[a-z]{3,}")

CAUSE_LABELS: tuple[str, ...] = ("root", "trigger", "contributing")
NOT_ITEM_LABELS: tuple[str, ...] = ("response", "boilerplate", "none")
"""Roles that say a unit is neither a cause nor a corrective action."""

PACKAGED_MODEL = Path(__file__).resolve().parent / "models" / "roles"
"""Where a model shipped with pmkb lives (absent unless it beat the rules in cross-validation)."""

MODEL_ENV = "PMKB_ROLES_MODEL"
"""Environment variable naming a model folder written by ``pmkb train``."""

DEFAULTS: dict = {
    "model": "",
    "mode": "combine",
    "veto_threshold": 0.8,
    "add_threshold": 0.8,
    "model_threshold": 0.35,
    "add_roles": ["summary", "impact", "root_cause", "trigger", "contributing", "actions", None],
    "bow_length": 32768,
    "ngram_size": 1,
}
"""The component's tunables (``default_config``). ``mode``: ``combine`` adjusts the rules'
items, ``model`` replaces them with the model's alone, ``rules`` leaves them as they are.
``add_roles``: section roles (None: no section) where confident units the rules missed are added."""


@dataclass(frozen=True)
class Unit:
    """A sentence unit of a Doc: its character span, its block and its section role."""

    start: int
    end: int
    block: Block

    @property
    def role(self) -> str | None:
        """The role that governs the unit's block."""
        return self.block.role


def units_of(doc: Doc) -> list[Unit]:
    """A Doc's sentence units in order: items whole, a row's longest cell, paragraphs by sentence."""
    units: list[Unit] = []
    for block in doc._.pmkb_blocks or []:
        if block.kind in ("code", "heading", "header_row"):
            continue
        if block.kind == "item":
            spans = [(block.start, block.end)]
        elif block.kind == "row":
            spans = [max(block.cells, key=lambda c: c[1] - c[0])] if block.cells else [(block.start, block.end)]
        else:
            spans = block_sentences(doc, block)
        units.extend(Unit(s, e, block) for s, e in spans if e > s)
    return units


def feature_text(text: str, role: str | None, kind: str, cues: Iterable[str] = (), heading: str | None = None) -> str:
    """The model's input for one unit: section role, block kind, heading-word and cue-phrase tokens,
    then its text lower-cased with digits as 0 (so that the features carry over between house styles)."""
    words = _DIGITS.sub("0", " ".join(text.split()).lower())
    heading_words = [f"heading_{w}" for w in _WORD.findall((heading or "").lower())[:8]]
    tags = " ".join(sorted(set(cues)) + heading_words)
    return f"section_{role or 'none'} block_{kind} {tags + ' ' if tags else ''}{words}"


def _unit_cues(doc: Doc, unit: Unit) -> list[str]:
    """Feature tokens of the cue phrases (``cue_ruler`` spans) inside a unit, e.g. ``cue_cause_trigger``."""
    return [
        f"cue_{span.label_.lower()}_{span.id_ or 'any'}"
        for span in doc.spans.get("cues", [])
        if span.start_char >= unit.start and span.end_char <= unit.end
    ]


def unit_features(doc: Doc, units: Iterable[Unit]) -> list[str]:
    """The model input of every unit."""
    text = text_of(doc)
    return [feature_text(text[u.start:u.end], u.role, u.block.kind, _unit_cues(doc, u), u.block.heading) for u in units]


def configured_model() -> Path | None:
    """The sentence-role model folder the default pipeline uses: ``$PMKB_ROLES_MODEL`` when set
    (empty: none), else the packaged model when pmkb ships one, else None."""
    import os

    chosen = os.environ.get(MODEL_ENV)
    if chosen is not None:
        return Path(chosen) if chosen.strip() else None
    return PACKAGED_MODEL if (PACKAGED_MODEL / "config.cfg").is_file() else None


def model_fingerprint(path: Path) -> str:
    """A sha256 of a model folder's files (empty folder or none: of nothing), for the extractor version."""
    import hashlib

    digest = hashlib.sha256()
    for file in sorted(p for p in Path(path).rglob("*") if p.is_file()):
        digest.update(file.relative_to(path).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def blank_model(bow_length: int = DEFAULTS["bow_length"], ngram_size: int = DEFAULTS["ngram_size"]) -> Language:
    """An untrained sentence-role model: a blank English pipeline with one bag-of-words textcat_multilabel."""
    import spacy

    nlp = spacy.blank("en")
    architecture = {
        "@architectures": "spacy.TextCatBOW.v3",
        "exclusive_classes": False,
        "ngram_size": ngram_size,
        "no_output_layer": False,
        "length": bow_length,
    }
    textcat = nlp.add_pipe("textcat_multilabel", config={"model": architecture})
    for label in LABELS:
        textcat.add_label(label)
    return nlp


def load_model(path: str | Path) -> Language | None:
    """A trained sentence-role model from a folder written by ``pmkb train``, or None if there is none."""
    import spacy

    path = Path(path)
    if not (path / "config.cfg").is_file():
        return None
    return spacy.load(path)


def score_units(model: Language, features: list[str], batch_size: int = 256) -> list[dict[str, float]]:
    """The model's score for every label, per unit input."""
    return [dict(doc.cats) for doc in model.pipe(features, batch_size=batch_size)]


def cause_score(scores: dict[str, float]) -> tuple[float, str]:
    """The unit's score as a cause, and its most likely kind."""
    return scores.get("cause", 0.0), max((scores.get(k, 0.0), k) for k in CAUSE_LABELS)[1]


def _not_item(scores: dict[str, float]) -> float:
    return max(scores.get(k, 0.0) for k in NOT_ITEM_LABELS)


def _unit_at(units: list[Unit], start: int) -> int | None:
    """Index of the unit whose span holds character ``start``."""
    for index, unit in enumerate(units):
        if unit.start <= start < unit.end:
            return index
    return None


def _cause(text: str, unit: Unit, kind: str) -> dict:
    s, e = unit.start, unit.end
    return {"kind": kind, "category": None, "text": plain_text(text[s:e]), "evidence": {"text": text[s:e], "start": s, "end": e}}


def _action(text: str, unit: Unit) -> dict:
    s, e = unit.start, unit.end
    status = action_status(text[s:e], unit.block.headings, unit.block.checkbox)
    return {"text": plain_text(text[s:e]), "status": status, "evidence": {"text": text[s:e], "start": s, "end": e}}


def model_items(text: str, units: list[Unit], scores: list[dict[str, float]], threshold: float) -> tuple[list[dict], list[dict]]:
    """Causes and actions by the model alone: every unit it scores at or above ``threshold``."""
    causes, actions = [], []
    for unit, score in zip(units, scores):
        best, kind = cause_score(score)
        if best >= threshold:
            causes.append(_cause(text, unit, kind))
        if score.get("action", 0.0) >= threshold:
            actions.append(_action(text, unit))
    return causes, actions


def could_be_cause(text: str) -> bool:
    """True unless the rules say a statement is never a cause: a response step, a follow-up,
    an apology, a consequence (``rules/cause_terms.json``), or fewer than four words."""
    from .causes import never_a_cause, _terms

    lowered = text.lower()
    if len(text.split()) < 4 or never_a_cause(text):
        return False
    return not (_terms("actionish").search(lowered) or _terms("response").search(lowered))


def combine(
    text: str, units: list[Unit], scores: list[dict[str, float]], causes: list[dict], actions: list[dict], config: dict
) -> tuple[list[dict], list[dict]]:
    """The rules' causes and actions adjusted by the model's unit scores.

    A rule item is dropped when its unit scores at least ``veto_threshold`` on a
    not-an-item role and below ``1 - veto_threshold`` on the item's own role; a
    unit in an ``add_roles`` section that no rule item of that type covers is
    added when it scores at least ``add_threshold`` (a cause only when
    :func:`could_be_cause`).
    """
    veto, add, roles = config["veto_threshold"], config["add_threshold"], set(config["add_roles"])

    def own(item: dict) -> int | None:
        return _unit_at(units, (item.get("evidence") or {}).get("start", -1))

    def keep(item: dict, field: str) -> bool:
        at = own(item)
        if at is None:
            return True
        score = scores[at]
        mine = cause_score(score)[0] if field == "causes" else score.get("action", 0.0)
        return not (_not_item(score) >= veto and mine < 1 - veto)

    kept_causes = [c for c in causes if keep(c, "causes")]
    kept_actions = [a for a in actions if keep(a, "actions")]
    covered_c = {own(c) for c in causes}
    covered_a = {own(a) for a in actions}
    for index, (unit, score) in enumerate(zip(units, scores)):
        if unit.role not in roles:
            continue
        best, kind = cause_score(score)
        if best >= add and index not in covered_c and could_be_cause(text[unit.start:unit.end]):
            kept_causes.append(_cause(text, unit, kind))
        if score.get("action", 0.0) >= add and index not in covered_a:
            kept_actions.append(_action(text, unit))
    kept_causes.sort(key=lambda c: (c.get("evidence") or {}).get("start", 0))
    kept_actions.sort(key=lambda a: (a.get("evidence") or {}).get("start", 0))
    return kept_causes, kept_actions


def apply_roles(doc: Doc, model: Language, config: dict) -> Doc:
    """Score a Doc's units and replace its causes and actions as ``config['mode']`` says."""
    if config["mode"] == "rules":
        return doc
    units = units_of(doc)
    scores = score_units(model, unit_features(doc, units)) if units else []
    result = result_of(doc)
    text = text_of(doc)
    if config["mode"] == "model":
        result["causes"], result["corrective_actions"] = model_items(text, units, scores, config["model_threshold"])
    else:
        result["causes"], result["corrective_actions"] = combine(
            text, units, scores, result.get("causes", []), result.get("corrective_actions", []), config
        )
    return doc


@Language.factory("pmkb_roles", assigns=["doc._.pmkb_result"], requires=["doc._.pmkb_blocks"], default_config=DEFAULTS)
def make_roles(
    nlp: Language, name: str, model: str, mode: str, veto_threshold: float, add_threshold: float,
    model_threshold: float, add_roles: list, bow_length: int, ngram_size: int,
) -> "RolesComponent":
    """Adjust ``doc._.pmkb_result``'s causes and corrective actions with a trained sentence-role model
    (``model``: its folder; empty for the packaged one). Without a model it changes nothing."""
    if mode not in ("combine", "model", "rules"):
        raise ValueError(f"pmkb_roles: mode must be combine, model or rules, not {mode!r}")
    config = {
        "mode": mode, "veto_threshold": veto_threshold, "add_threshold": add_threshold,
        "model_threshold": model_threshold, "add_roles": list(add_roles),
    }
    return RolesComponent(model or PACKAGED_MODEL, config)


class RolesComponent:
    """Runs after ``pmkb_actions``: adjusts ``causes`` and ``corrective_actions`` in ``doc._.pmkb_result``."""

    def __init__(self, path: str | Path, config: dict) -> None:
        self.path = Path(path)
        self.config = config
        self._model: Language | None = None
        self._loaded = False

    @property
    def model(self) -> Language | None:
        """The sentence-role model, loaded on first use (None when its folder holds none)."""
        if not self._loaded:
            self._model = load_model(self.path)
            self._loaded = True
            if self._model is None:
                print(f"{self.path}: no sentence-role model there (pmkb train writes one); causes and actions come from the rules alone", file=sys.stderr)
        return self._model

    def __call__(self, doc: Doc) -> Doc:
        model = self.model
        return doc if model is None else apply_roles(doc, model, self.config)
