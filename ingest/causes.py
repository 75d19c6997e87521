"""Step 4c, causes: find what caused or worsened the incident, one item per statement.

Three sources, each per unit (list item, table row or sentence):
- cause sections (Root cause, Trigger, Contributing factors, What went wrong…):
  every item, and every sentence that states a problem (``problem`` terms);
- summaries and the title: statements of a fault, not a symptom (``strong`` terms);
- causal language anywhere else ("caused by", "due to", "led to", "triggered"),
  found by the SpanRuler patterns of ``rules/cause_cues.jsonl``.
Each cause gets a kind (root, trigger, contributing) from its section or cue.
The term lists live in ``rules/cause_terms.json``.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from . import rules
from .plain_text import plain_text as _clean
from .spans import SpanIndex
from .segment import Block, block_sentences, text_of, result_of

SECTION_KINDS = {"root_cause": "root", "trigger": "trigger", "contributing": "contributing"}
"""Cause kind implied by each cause section role."""

_SKIP_ROLES = {"timeline", "actions", "lessons", "other", "detection", "aside"}


def _terms(key: str) -> re.Pattern:
    """The ``cause_terms.json`` regex for ``key``, for lowered text (lower-case terms, no IGNORECASE: twice as fast)."""
    return rules.compiled_terms("cause_terms.json", key, re.M)


def cause_kind(text: str, default: str) -> str:
    """The kind of a cause statement: trigger or contributing when it says so, else ``default``."""
    if _terms("trigger_hint").search(text.lower()) and default != "contributing":
        return "trigger"
    if _terms("contributing_hint").search(text.lower()) and default == "root" and not re.search(r"(?i)root cause", text):
        return "contributing"
    return default


def is_problem(text: str) -> bool:
    """True when a sentence states a problem (used inside cause sections)."""
    return bool(_terms("problem").search(text.lower()))


def explains(text: str) -> bool:
    """True when a sentence of six words or more reads as an explanation (a limit, a negation, a
    contrast or a consequence) and not as a description of what a system is (used inside cause sections)."""
    lowered = text.lower()
    return len(text.split()) >= 6 and bool(_terms("reasoning").search(lowered)) and not _terms("definition").search(lowered)


def is_fault(text: str) -> bool:
    """True when a sentence names a fault rather than a symptom (used in summaries and titles)."""
    return bool(_terms("strong").search(text.lower()))


def is_change_event(text: str) -> bool:
    """True when a sentence says a change was carried out (a deploy, a config change, maintenance), not a fix."""
    lowered = text.lower()
    return bool(_terms("change_event").search(lowered)) and not _terms("change_remedy").search(lowered)


def never_a_cause(text: str) -> bool:
    """True for statements that are never causes: apologies, questions, investigating the cause, effects."""
    pattern = _terms("not_cause")
    # as written (line-anchored terms such as an apology opening a line), and without Markdown marks
    # and line breaks ("**Compute Engine:** Customers may have seen …")
    return bool(pattern.search(text.strip().lower()) or pattern.search(_clean(text).lower()))


def _announces_list(text: str, block: Block, blocks: list[Block], index: int) -> bool:
    """A sentence ending in a colon whose list follows: the items are the causes, not it."""
    if not text.rstrip().endswith(":"):
        return False
    nxt = blocks[index + 1] if index + 1 < len(blocks) else None
    return nxt is not None and nxt.kind in ("item", "row", "header_row")


_ORDINAL = re.compile(r"^\W*(?:first|second|third|fourth|finally|lastly|also|on top of that)\b,?", re.I)
"""How the sentences listing factors in a paragraph open ("First, …", "Finally, …")."""

_TOKEN = re.compile(r"\S+")
_WORDLIKE = re.compile(r"^[(\"'“]*[A-Za-z][A-Za-z'’-]*[)\"'”.,;:!?]*$")


def word_share(text: str) -> float:
    """The share of a statement's tokens that are words (not figures, hashes, addresses or symbols)."""
    tokens = _TOKEN.findall(text)
    return sum(1 for t in tokens if _WORDLIKE.match(t)) / len(tokens) if tokens else 0.0


_LEADING_QUESTION = re.compile(r"\W*(?:\d+[.)]\s*)?why\b[^?\n]{3,200}\?[*_]*\s+(?=\S)", re.I)


def find_causes(doc: Doc, min_word_share: float = 0.0) -> list[dict]:
    """Cause items of a Doc, each with kind, text and evidence; statements with fewer than
    ``min_word_share`` words among their tokens (figures, balances, addresses) are not causes."""
    text = text_of(doc)
    cue_spans = SpanIndex((s.start_char, s.end_char, s.id_ or "root") for s in doc.spans.get("cues", []) if s.label_ == "CAUSE")
    causes: list[dict] = []
    seen: set[tuple[int, int]] = set()
    blocks = [b for b in (doc._.pmkb_blocks or []) if b.kind != "code"]
    factor_items = False  # inside the list a "Two things made it worse:" sentence introduced
    for index, block in enumerate(blocks):
        role = block.role
        factor_items = factor_items and block.kind == "item"
        if block.kind in ("header_row", "heading") or (role in _SKIP_ROLES and role not in SECTION_KINDS):
            continue
        whole = block.kind in ("item", "row")
        units = [_row_text_span(text, block) if block.kind == "row" else (block.start, block.end)] if whole else block_sentences(doc, block)
        answers_label = False  # the sentence after a "**Why the weekend didn't warn us.**" label
        ordinal_factors = False  # after "Two more things made it worse." in a paragraph: "First, …", "Second, …"
        for s, e in units:
            question = _LEADING_QUESTION.match(text, s, e)
            if question and e - question.end() > 20:
                s = question.end()  # "Why did the chain stop? All three replicas panicked …": the answer is the cause
            unit = text[s:e]
            kind = _candidate_kind(unit, role, whole, cue_spans.keys_within(s, e))
            long_enough = len(unit.split()) >= 4
            if kind is None and role in SECTION_KINDS and long_enough and ((block.label and s == block.start) or answers_label):
                kind = cause_kind(unit, SECTION_KINDS[role])  # a factor titled in bold: "**Our deploys depended on the resolver.** When …"
            listed = (factor_items and whole) or (ordinal_factors and _ORDINAL.match(unit))
            if listed and long_enough and kind in (None, "root"):
                kind = "contributing"
            answers_label = bool(role in SECTION_KINDS and block.label and s == block.start and never_a_cause(unit))
            if _terms("factor_list").search(unit.lower()):
                factor_items = factor_items or _announces_list(unit, block, blocks, index)
                ordinal_factors = not whole
            if kind is None or never_a_cause(unit) or _announces_list(unit, block, blocks, index) or word_share(unit) < min_word_share:
                continue
            _add(causes, seen, text, s, e, kind)
    return causes


def _candidate_kind(unit: str, role: str | None, whole: bool, cues: list[str]) -> str | None:
    """The kind of cause a unit would be, by its section or its cues, or None if it is not one."""
    if role in SECTION_KINDS:
        if len(unit.split()) < 4 or (not whole and role != "trigger" and not is_problem(unit) and not is_change_event(unit) and not explains(unit)):  # a trigger section's statements are its triggers
            return None
        if not cues and (_terms("actionish").search(unit.lower()) or _terms("response").search(unit.lower())):
            return None
        return cause_kind(unit, SECTION_KINDS[role])
    if len(unit.split()) < 5 or _terms("actionish").search(unit.lower()):
        return None
    if cues:
        kind = "trigger" if "trigger" in cues else ("contributing" if "contributing" in cues and "root" not in cues else "root")
        return cause_kind(unit, kind)
    if role in ("summary", "impact", None) and not whole and is_fault(unit):
        return cause_kind(unit, "root")
    if role in ("summary", "impact", None) and not whole and is_change_event(unit):
        return "trigger"
    return None


def _row_text_span(text: str, block: Block) -> tuple[int, int]:
    """The span of a table row's longest cell (its statement)."""
    if not block.cells:
        return block.start, block.end
    return max(block.cells, key=lambda c: c[1] - c[0])


def _add(causes: list[dict], seen: set, text: str, s: int, e: int, kind: str) -> None:
    if (s, e) in seen:
        return
    seen.add((s, e))
    causes.append({"kind": kind, "category": None, "text": _clean(text[s:e]), "evidence": {"text": text[s:e], "start": s, "end": e}})


@Language.factory("pmkb_causes", assigns=["doc._.pmkb_result"], requires=["doc._.pmkb_blocks", "doc.spans", "token.is_sent_start"], default_config={"min_word_share": 0.6})
def make_causes(nlp: Language, name: str, min_word_share: float) -> "CausesComponent":
    """Extract cause items into ``doc._.pmkb_result['causes']`` (needs pmkb_structure and the cue ruler)."""
    return CausesComponent(min_word_share)


class CausesComponent:
    """Adds ``causes`` to ``doc._.pmkb_result``."""

    def __init__(self, min_word_share: float = 0.6) -> None:
        self.min_word_share = min_word_share

    def __call__(self, doc: Doc) -> Doc:
        result_of(doc)["causes"] = find_causes(doc, self.min_word_share)
        return doc
