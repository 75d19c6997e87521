"""Step 4c, causes: find what caused or worsened the incident, one item per statement.

Two sources, both per unit (list item, table row or sentence):
- cause sections (Root cause, Trigger, Contributing factors, What went wrong…):
  every item, and every sentence that states a problem or a causal link;
- causal language anywhere else ("caused by", "due to", "led to", "triggered"),
  found by a SpanRuler whose patterns live in ``rules/cause_cues.jsonl``.
Each cause gets a kind (root, trigger, contributing) from its section or cue.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from .segment import block_sentences

SECTION_KINDS = {"root_cause": "root", "trigger": "trigger", "contributing": "contributing"}
"""Cause kind implied by each cause section role."""

_PROBLEM = re.compile(
    r"(?i)\b(?:fail\w*|dropp?ed|stall\w*|misconfigur\w*|bugs?|exhaust\w*|overload\w*|contention|leak\w*|broke\w*|crash\w*|unexpected\w*|inadvertent\w*|incorrect\w*|wrong|missing|expired?|spike\w*|outage|errors?|time[ds]? ?out|full|oversized|accumulat\w*|larger than|did not|didn't|could not|couldn't|unable|lack(?:ed|ing)? of|insufficient|overlooked|not (?:keeping|able|configured|set)|was applied|raised|produced|slow(?:ed|ing)? down|hit (?:the|a|its)|ran out|run out|too (?:many|much|small|large|low|high)|limit\w*|reduced|deleted|removed|invalid|malformed|regression|vulnerab\w*|attack\w*|compromis\w*|caus\w*|due to|because|led to|result\w*|trigger\w*|contribut\w*)\b"
)
_TRIGGER_HINT = re.compile(r"(?i)\b(?:trigger\w*|kicked off|set off|was applied|were applied|was deployed|were deployed|rolled out|was updated|were updated|was started|was merged)\b")
_CONTRIB_HINT = re.compile(r"(?i)\b(?:contribut\w*|exacerbat\w*|compounded|combined with|made (?:it |things )?worse|worsened|prolong\w*|delay\w*|also)\b")
_NOT_A_CAUSE = re.compile(r"(?i)^(?:thank|we apologi[sz]e|we are sorry|sorry)|\?$|^(?:n/?a|none|tbd|unknown)\.?$")
_ACTIONISH = re.compile(r"(?i)\b(?:we will|we'll|we plan|we are (?:adding|working|implementing|improving|building|going to)|going forward|in the future|action items?|to prevent (?:this|recurrence|a recurrence))\b")
_SKIP_ROLES = {"timeline", "actions", "lessons", "other", "detection"}


@lru_cache(maxsize=1)
def _ruler_labels() -> tuple[str, ...]:
    return ("CAUSE",)


def cause_kind(text: str, default: str) -> str:
    """The kind of a cause statement: trigger or contributing when it says so, else ``default``."""
    if _TRIGGER_HINT.search(text) and default != "contributing":
        return "trigger"
    if _CONTRIB_HINT.search(text) and default == "root" and not re.search(r"(?i)root cause", text):
        return "contributing"
    return default


def _clean(text: str) -> str:
    text = re.sub(r"[*_`]+", "", text)
    return re.sub(r"\s+", " ", text).strip()


def find_causes(doc: Doc) -> list[dict]:
    """Cause items of a Doc, each with kind, text and evidence."""
    text = doc.text
    cue_spans = [(s.start_char, s.end_char, s.id_ or "root") for s in doc.spans.get("cues", []) if s.label_ == "CAUSE"]
    causes: list[dict] = []
    seen: set[tuple[int, int]] = set()
    for block in doc._.blocks or []:
        if block.kind in ("code", "header_row", "heading"):
            continue
        role = block.role
        if role in SECTION_KINDS:
            if block.kind in ("item", "row"):
                span = _row_text_span(text, block) if block.kind == "row" else (block.start, block.end)
                units = [span]
                whole = True
            else:
                units = block_sentences(doc, block)
                whole = False
            for s, e in units:
                unit = text[s:e]
                if _NOT_A_CAUSE.search(unit.strip()) or len(unit.split()) < 4:
                    continue
                if not whole and not _PROBLEM.search(unit):
                    continue
                if _ACTIONISH.search(unit) and not any(cs >= s and ce <= e for cs, ce, _ in cue_spans):
                    continue
                kind = cause_kind(unit, SECTION_KINDS[role])
                _add(causes, seen, text, s, e, kind)
            continue
        if role in _SKIP_ROLES:
            continue
        if block.kind in ("item", "row"):
            units = [(block.start, block.end)]
        else:
            units = block_sentences(doc, block)
        for s, e in units:
            cues = [k for cs, ce, k in cue_spans if cs >= s and ce <= e]
            if not cues:
                continue
            unit = text[s:e]
            if _NOT_A_CAUSE.search(unit.strip()) or _ACTIONISH.search(unit) or len(unit.split()) < 5:
                continue
            kind = "trigger" if "trigger" in cues else ("contributing" if "contributing" in cues and "root" not in cues else "root")
            _add(causes, seen, text, s, e, cause_kind(unit, kind))
    return causes


def _row_text_span(text: str, block) -> tuple[int, int]:
    """The span of a table row's longest cell (its statement)."""
    if not block.cells:
        return block.start, block.end
    return max(block.cells, key=lambda c: c[1] - c[0])


def _add(causes: list[dict], seen: set, text: str, s: int, e: int, kind: str) -> None:
    if (s, e) in seen:
        return
    seen.add((s, e))
    causes.append({"kind": kind, "category": None, "text": _clean(text[s:e]), "evidence": {"text": text[s:e], "start": s, "end": e}})


@Language.factory("pmkb_causes")
def make_causes(nlp: Language, name: str) -> "CausesComponent":
    """Extract cause items into ``doc._.pmkb['causes']`` (needs pmkb_structure and the cue ruler)."""
    return CausesComponent()


class CausesComponent:
    """Adds ``causes`` to ``doc._.pmkb``."""

    def __call__(self, doc: Doc) -> Doc:
        result = doc._.pmkb if doc._.pmkb is not None else {}
        result["causes"] = find_causes(doc)
        doc._.pmkb = result
        return doc
