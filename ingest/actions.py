"""Step 4d, actions: find follow-up corrective actions and their status.

Items and table rows under action headings (Action items, Follow-up, Next
steps, Remediation and prevention…) are actions, one each; sentences there
are actions when they use action language. Elsewhere a sentence is an action
only when it commits to future or ongoing work ("we will", "we are adding",
"to prevent this"), found by a SpanRuler over ``rules/action_cues.jsonl``.
Steps taken during the incident stay timeline events. Status comes from
markers (``[x]``, DONE, "(done)"), then the heading, then tense and aspect.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from . import rules
from .plain_text import plain_text as _clean
from .spans import SpanIndex
from .segment import RECORD_ID, Block, block_sentences, text_of, result_of

_ANNOUNCES = re.compile(r":\s*$")
_LINK_ONLY = re.compile(r"^\W*(?:https?://\S+|#\d+|\[[^\]]*\]\([^)]*\))\W*$")
_NON_ACTION_ROLES = {"timeline", "other", "aside"}


@lru_cache(maxsize=1)
def _filters() -> dict[str, re.Pattern]:
    """The rule file's action filters, one compiled alternation each."""
    data = rules.action_filters()
    out = {key: re.compile("|".join(f"(?:{rx})" for rx in data[key]), re.I) for key in ("boilerplate", "preventive")}
    out["skip"] = re.compile("|".join(f"(?:{rx})" for rx in data["skip"]))
    out["skip_i"] = re.compile(data["skip"][0], re.I)
    out["not_followup"] = re.compile("|".join(re.escape(h) for h in data["not_followup_headings"]), re.I)
    out["cause_statement"] = re.compile("|".join(f"(?:{rx})" for rx in data["cause_statement"]), re.I)
    out["inventory_intro"] = re.compile("|".join(f"(?:{rx})" for rx in data["inventory_intro"]), re.I)
    out["not_action"] = re.compile("|".join(f"(?:{rx})" for rx in data["not_action"]), re.I)
    return out


def is_skipped(unit: str) -> bool:
    """A sign-off, apology, placeholder, bare name ("Thank you,", "Atlassian") or a sentence about
    actions ("Every action item should have an issue"): never an action (a few capitalised words
    that open with a verb are one: "Revert Tombstone Action")."""
    unit = unit.strip()
    if _filters()["not_action"].search(_plain(unit)):
        return True  # about an action, not one: "This should make sure …", a template's instructions
    return bool(_filters()["skip_i"].search(unit) or (_filters()["skip"].search(unit) and not _opens_with_a_verb(unit)))


def is_boilerplate(unit: str) -> bool:
    """A status-page promise about the incident itself ("We will continue to monitor")."""
    return bool(_filters()["boilerplate"].search(unit))


def is_preventive(unit: str) -> bool:
    """Language that makes a sentence a follow-up ("to prevent this", "going forward")."""
    return bool(_filters()["preventive"].search(unit))


@lru_cache(maxsize=1)
def _status_patterns() -> dict[str, list[tuple[str, re.Pattern]]]:
    data = rules.statuses()
    out = {"markers": [(status, re.compile(rx, re.M)) for status, rxs in data["markers"].items() for rx in rxs]}
    out["tense"] = [(status, re.compile(rx, re.I | re.M)) for status, rxs in data["tense"].items() for rx in rxs]
    out["imperative"] = [(status, re.compile(rx, re.I | re.M)) for status, rxs in data["imperative"].items() for rx in rxs]
    out["headings"] = [(status, re.compile(r"(?i)\b(?:" + "|".join(rxs) + r")\b")) for status, rxs in data["headings"].items()]
    out["before_headings"] = [(status, re.compile(rx, re.I)) for status, rxs in data["before_headings"].items() for rx in rxs]
    return out


def action_status(text: str, headings: tuple[str, ...] = (), checkbox: str | None = None) -> str:
    """The status of an action: done, in_progress, planned or unknown."""
    if checkbox == "done":
        return "done"
    patterns = _status_patterns()
    unmarked = _unmarked(text)  # "**Done:** …", "__In progress:__ …"
    for status, rx in patterns["markers"]:
        if rx.search(text) or rx.search(unmarked):
            return status
    plain = _plain(text)
    if checkbox == "open":  # an unticked box: not done, and under way when its words say so
        underway = any(st == "in_progress" and rx.search(plain) for st, rx in patterns["tense"] + patterns["before_headings"])
        return "in_progress" if underway else "planned"
    for status, rx in patterns["before_headings"]:
        if rx.search(plain):
            return status
    for heading in reversed(headings[-2:]):
        said = {status for status, rx in patterns["headings"] if rx.search(heading)}
        if len(said) == 1:
            return said.pop()
        if said:
            break  # "What we have done and what we are doing": the action's own words decide
    for family in ("tense", "imperative"):
        for status in ("in_progress", "planned", "done"):
            for st, rx in patterns[family]:
                if st == status and rx.search(plain):
                    return status
    return "unknown"


def _unmarked(text: str) -> str:
    """A text without its emphasis and code marks."""
    return re.sub(r"[*_`]+", "", text).strip()


def _plain(text: str) -> str:
    """An action's words without markup, leading symbols or a "Label:" lead-in."""
    plain = _unmarked(text.replace("{", "").replace("}", ""))
    plain = re.sub(r"^[^A-Za-z]*", "", plain)
    return re.sub(r"^[A-Z][\w/ -]{0,60}?:\s+(?=[A-Z])", "", plain)  # "Label: Implementing …"


def find_actions(doc: Doc) -> list[dict]:
    """Corrective actions of a Doc, each with text, status and evidence."""
    text = text_of(doc)
    cue_spans = SpanIndex((s.start_char, s.end_char, s.id_) for s in doc.spans.get("cues", []) if s.label_ == "ACTION")
    actions: list[dict] = []
    inventory = False  # inside a list introduced as what was looked at ("We monitored:")
    for block in doc._.pmkb_blocks or []:
        if block.kind in ("code", "header_row", "heading"):
            inventory = inventory and block.kind != "heading"
            continue
        if block.kind not in ("item", "row"):
            inventory = bool(_filters()["inventory_intro"].search(text[block.start:block.end]))
        role = block.role
        if inventory and block.kind in ("item", "row"):
            continue
        if role == "actions":
            record = _record_label(block)
            if record == "fields":
                _record_field(actions, text, block)  # "Owner: Network Team", "Status: Completed 12/03/2025"
                continue
            if block.kind in ("item", "row") or record == "text":
                s, e = _item_span(text, block)
                unit = text[s:e]
                if is_skipped(unit) or len(unit.split()) < 2 or _LINK_ONLY.match(unit) or is_boilerplate(unit) or is_cause_statement(unit) or (block.kind == "item" and (is_label_item(unit) or _ANNOUNCES.search(unit))):
                    continue
                _add(actions, text, s, e, block)
                continue
            for s, e in block_sentences(doc, block):
                unit = text[s:e]
                if _ANNOUNCES.search(unit) or is_skipped(unit) or len(unit.split()) < 4 or is_boilerplate(unit) or is_cause_statement(unit):
                    continue
                cues = cue_spans.keys_within(s, e)
                bare = RECORD_ID.sub("", re.sub(r"^\W+", "", unit))  # "PRB0012345 - Replace the module - Owner: Network - Open"
                if cues or re.match(r"(?i)^\W*(?:[A-Z][a-z]+(?:ing)?\b)", bare) and _imperative(bare):
                    _add(actions, text, s, e, block)
            continue
        if role == "timeline":
            _add_promises(actions, doc, text, block, cue_spans)  # "Update: … To reduce the chance of this, we plan to …"
            continue
        if role in _NON_ACTION_ROLES or (role == "lessons" and _filters()["not_followup"].search(" ".join(block.headings[-2:]))):
            continue
        units = [(block.start, block.end)] if block.kind in ("item", "row") else block_sentences(doc, block)
        for s, e in units:
            cues = cue_spans.keys_within(s, e)
            if not cues:
                continue
            unit = text[s:e]
            if _ANNOUNCES.search(unit) or is_skipped(unit) or len(unit.split()) < 5 or is_cause_statement(unit):
                continue
            if "planned" in cues or "in_progress" in cues:
                if is_boilerplate(unit):
                    continue
                if role in ("resolution",) and "planned" not in cues:
                    continue
                if not is_preventive(unit) and "planned" not in cues:
                    continue
                _add(actions, text, s, e, block)
            elif "done" in cues and is_preventive(unit) and role not in ("resolution",) and not is_boilerplate(unit):
                _add(actions, text, s, e, block)
    return actions


def _add_promises(actions: list[dict], doc: Doc, text: str, block: Block, cue_spans: SpanIndex) -> None:
    """Follow-ups promised inside a timeline entry or status update: a planned-work sentence that
    says what it prevents ("To reduce the chance of this, we plan to move builds to Copr")."""
    for s, e in block_sentences(doc, block):
        unit = text[s:e]
        if "planned" in cue_spans.keys_within(s, e) and action_status(unit) == "planned" and is_preventive(unit) and not is_boilerplate(unit) and not is_skipped(unit) and len(unit.split()) >= 5:
            _add(actions, text, s, e, block)


def _imperative(sentence: str) -> bool:
    """Whether a sentence opens with an imperative verb ("Add", "Pin", "Review")."""
    first = re.sub(r"^[^A-Za-z]*", "", sentence).split(" ", 1)[0].lower()
    return any(status == "planned" and rx.match(first) for status, rx in _status_patterns()["imperative"])


def _opens_with_a_verb(item: str) -> bool:
    """Whether an item opens with a verb of any tense ("Pin …", "Pinned …", "Pinning …")."""
    first = _plain(item).split(" ", 1)[0].lower()
    return any(rx.match(first) for _, rx in _status_patterns()["imperative"]) or any(rx.match(first) for _, rx in _status_patterns()["before_headings"])


def is_cause_statement(unit: str) -> bool:
    """A sentence about what caused the incident ("The first part of this incident was caused by…")."""
    return bool(_filters()["cause_statement"].search(_plain(unit)))


def is_label_item(item: str) -> bool:
    """A short noun phrase in a list ("Disk latency"): a label or a thing looked at, not an action."""
    words = _plain(item).rstrip(".").split()
    return len(words) <= rules.action_filters()["short_noun_phrase_words"] and not _opens_with_a_verb(item)


def _item_span(text: str, block: Block) -> tuple[int, int]:
    if block.kind == "row" and block.cells:
        return max(block.cells, key=lambda c: c[1] - c[0])
    return block.start, block.end


def _add(actions: list[dict], text: str, s: int, e: int, block: Block) -> None:
    unit = text[s:e]
    status_text = unit
    if block.kind == "row" and block.cells:
        status_text = text[block.start:block.end]
    elif block.label_start is not None and s == block.start:
        status_text = text[block.label_start:e]  # "TODO: …" keeps its marker
    status = _cell_status(text, block) or action_status(status_text, block.headings, block.checkbox)
    if status == "unknown" and block.role == "actions":
        status = rules.statuses()["section_default"]
    actions.append({"text": _clean(unit), "status": status, "evidence": {"text": unit, "start": s, "end": e}})


def _cell_status(text: str, block: Block) -> str | None:
    """A table row's Status cell ("Done", "In progress", "Planned"), if it has one."""
    return next((status for status in (status_word(text[s:e]) for s, e in block.cells) if status), None)


def status_word(cell: str) -> str | None:
    """The status a cell or field value names ("Done", "Done (26-01-2023)", "In progress, target
    March 2023", "Planned for Q3 2023"), or None."""
    cell = re.sub(r"[*_`~\s]+", " ", cell).strip().lower()
    for status, names in rules.statuses()["cell_words"].items():
        if cell in names or (len(cell.split()) <= 10 and any(cell.startswith(n) and _STATUS_AFTER.match(cell, len(n)) for n in names)):
            return status
    return None


def _record_label(block: Block) -> str | None:
    """Which part of an action record a block's label names: its ``text`` ("Description:") or one
    of its other ``fields`` ("Owner:", "Status:"), per the rules' ``action_record_fields``."""
    label = (block.label or "").lower()
    fields = rules.sections()["action_record_fields"]
    return next((part for part in ("text", "fields") if label in fields[part]), None)


_RECORD_REACH = 400
"""How far (in characters) a record's Status field may stand after the action it describes."""


def _record_field(actions: list[dict], text: str, block: Block) -> None:
    """A labelled field of an action record: a Status field sets the status of the action just before it."""
    if block.label.lower() != "status" or not actions:
        return
    last = actions[-1]
    if 0 <= block.start - last["evidence"]["end"] <= _RECORD_REACH:
        status = status_word(re.sub(r"^[^:]*:\s*", "", text[block.start:block.end]))
        if status:
            last["status"] = status


_STATUS_AFTER = re.compile(r"\s+\d|\s*[(,;:]|\s+[—–-]\s|\s+(?:for|in|on|since|by|until|as of|from)\b|\s*$")
"""What may follow a status word that opens a cell: a date, a detail, a target."""


@Language.factory("pmkb_actions", assigns=["doc._.pmkb_result"], requires=["doc._.pmkb_blocks", "doc.spans", "token.is_sent_start"])
def make_actions(nlp: Language, name: str) -> "ActionsComponent":
    """Extract corrective actions into ``doc._.pmkb_result['corrective_actions']``."""
    return ActionsComponent()


class ActionsComponent:
    """Adds ``corrective_actions`` to ``doc._.pmkb_result``."""

    def __call__(self, doc: Doc) -> Doc:
        result_of(doc)["corrective_actions"] = find_actions(doc)
        return doc
