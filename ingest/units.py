"""Step 4b, timeline units: the pieces of text that can carry an event (a sentence, a list item,
a table row, a status update), each with the time mentions it holds, and whether their words
speak of customer impact."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc

from . import rules
from .segment import Block, block_sentences, text_of
from .times import TimeMention


_TIME_ONLY_HEADING = re.compile(r"(?i)^[\W\d_]*(?:(?:am|pm|a\.m\.|p\.m\.|utc|gmt|[a-z]{2,5}t|z)\b[\W\d_]*)*$")


@lru_cache(maxsize=8)
def impact_words(key: str) -> re.Pattern:
    """The ``impact_words.json`` list ``key`` as one whole-word yes/no regex for LOWER-CASED text
    (the terms are lower case: twice as fast as ``re.IGNORECASE``)."""
    return rules.alternation([rf"\b(?:{term})\b" for term in rules.load_json("impact_words.json")[key]])


def says(key: str, text: str) -> bool:
    """Whether ``text`` holds a word of the ``impact_words.json`` list ``key``."""
    return bool(impact_words(key).search(text.lower()))


def says_any(keys: tuple[str, ...], text: str) -> bool:
    """Whether ``text`` holds a word of any of the ``impact_words.json`` lists ``keys``."""
    lowered = text.lower()
    return any(impact_words(key).search(lowered) for key in keys)


def is_impact(text: str) -> bool:
    """Whether a sentence speaks of customer impact (a range in it is an impact window)."""
    return says("impact", text)


def is_not_impact(text: str) -> bool:
    """Whether a sentence's times are never impact: business hours, schedules, the team's meetings,
    downtime announced to come, changes merged or deployed (unless the sentence also speaks of impact)."""
    if says_any(("not_impact", "team_activity", "announced"), text):
        return True
    return says("change_work", text) and not is_impact(text)


@dataclass
class Unit:
    """A piece of text that can carry an event: a sentence, an item, a row or an update."""

    start: int
    end: int
    block: Block
    text_start: int
    text_end: int
    mentions: list[TimeMention] = field(default_factory=list)
    status: str | None = None


def units_for(doc: Doc) -> list[Unit]:
    """The event-carrying units of a Doc, with the mentions each holds."""
    text = text_of(doc)
    blocks: list[Block] = [b for b in (doc._.pmkb_blocks or []) if b.kind not in ("code", "header_row")]
    by_start = sorted(doc._.pmkb_times or [], key=lambda m: m.start)
    starts = [m.start for m in by_start]
    units: list[Unit] = []
    for index, block in enumerate(blocks):
        if block.kind == "row":
            cells = block.cells or [(block.start, block.end)]
            text_cells = [c for c in cells if not _is_time_cell(text[c[0]:c[1]])] or cells[-1:]
            units.append(Unit(block.start, block.end, block, text_cells[0][0], text_cells[-1][1]))
        elif block.kind == "heading":
            title = text[block.start:block.end]
            if _TIME_ONLY_HEADING.match(title) or _status_heading(title) or _only_times(title, block.start, by_start[bisect_left(starts, block.start):bisect_left(starts, block.end)]):
                nxt = next((b for b in blocks[index + 1:index + 2] if b.kind != "heading"), None)
                status = _status_heading(title)
                if nxt is not None:
                    units.append(Unit(block.start, block.end, block, nxt.start, nxt.end, status=status))
                else:
                    units.append(Unit(block.start, block.end, block, block.start, block.end, status=status))
            else:
                units.append(Unit(block.start, block.end, block, block.start, block.end))
        elif block.kind == "item":
            units.append(Unit(block.start, block.end, block, block.start, block.end))
        else:
            for s, e in block_sentences(doc, block):
                units.append(Unit(s, e, block, s, e))
    mentions = list(doc._.pmkb_times or [])
    k = 0
    units.sort(key=lambda u: u.start)
    for unit in units:
        while k < len(mentions) and mentions[k].start < unit.start:
            k += 1
        j = k
        while j < len(mentions) and mentions[j].start < unit.end:
            unit.mentions.append(mentions[j])
            j += 1
    return units


def _only_times(title: str, offset: int, inside: list[TimeMention]) -> bool:
    """True when a heading holds times and nothing else of substance ("**2021-04-19T21:12:00-00:00**");
    ``inside`` are the time mentions that start in it."""
    if not any(m.has_clock for m in inside):
        return False
    rest = title
    for m in sorted(inside, key=lambda m: -m.start):
        rest = rest[: m.start - offset] + " " + rest[m.end - offset:]
    return not re.search(r"[A-Za-z]{3,}", rest)


def _is_time_cell(cell: str) -> bool:
    return bool(cell) and len(cell) <= 40 and bool(re.fullmatch(r"[\d\s:/.,\-–T+()A-Za-z]*", cell)) and bool(re.search(r"\d", cell)) and len(re.findall(r"[A-Za-z]{4,}", cell)) <= 2


@lru_cache(maxsize=1)
def _status_words() -> re.Pattern:
    words = [w for w in rules.event_kinds()["status_kinds"] if not w.startswith("_")]
    return re.compile(r"(?i)^(?:update \()?(" + "|".join(re.escape(w) for w in words) + r")\)?:")


def _status_heading(title: str) -> str | None:
    """The status-page state a heading names ("Resolved: 2023-…", "Update (Available): …")."""
    match = _status_words().match(title.strip())
    if match:
        return match.group(1).lower()
    match = re.match(r"^(?:update \()?([A-Za-z][A-Za-z ]{1,30}?)\)?:\s*\d{4}-\d{2}-\d{2}T", title.strip(), re.I)
    return match.group(1).lower() if match else None


def evidence(text: str, start: int, end: int) -> dict:
    return {"text": text[start:end], "start": start, "end": end}
