"""Step 3b, asides: the sections of a larger document that are not about the incident.

A newsletter, a meeting's notes or a monthly digest may carry an incident review as one section
among others ("## 3. Incident review: INC-0611" between "Welcomes & housekeeping" and "Hack
day"). When sibling headings split such a text, one or more of them name the incident and the
rest name no postmortem section, those other sections (and the text before the first of them)
are asides: their dates, times and to-dos are the document's, not the incident's. Their blocks
get the section role ``aside``, which the extractors skip.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import rules
from .headings import section_role
from .time_mentions import scan

ASIDE = "aside"
"""The section role of a block outside the incident's sections."""

MIN_ASIDES = 2
"""Sibling sections that must name no incident before any section is read as an aside."""


@lru_cache(maxsize=1)
def _incident_heading() -> re.Pattern:
    """The rules' ``incident_section_words``: a heading that names an incident or its review."""
    words = rules.sections()["incident_section_words"]
    return re.compile(r"(?i)(?<![\w-])(?:" + "|".join(words) + r")(?![\w-])")


def names_incident(heading: str) -> bool:
    """Whether a section heading names an incident or its review ("Incident review: INC-0611",
    "What went wrong with SMS Banking on 21 August")."""
    return bool(_incident_heading().search(heading))


def mark_asides(text: str, blocks: list) -> list:
    """Give every block outside the incident's sections the role ``aside``, when the text is a
    larger document with an incident section among others; return the blocks."""
    headings = [b for b in blocks if b.kind == "heading"]
    for level in sorted({h.level for h in headings}):
        siblings = [h for h in headings if h.level == level]
        if len(siblings) < MIN_ASIDES + 1:
            continue
        about = [h for h in siblings if names_incident(text[h.start:h.end])]
        if not about:
            return blocks
        others = [h for h in siblings if h not in about and not _dated(text[h.start:h.end])]  # a dated section may be another incident, or a status update
        if len(others) < MIN_ASIDES or any(section_role(text[h.start:h.end]) not in (None, "other") for h in others):
            return blocks  # a postmortem's own sections, or no incident section among them
        _mark(blocks, siblings, set(id(h) for h in others), level)
        return blocks
    return blocks


_MAY_DATE = re.compile(r"(?i)\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun|yesterday|last night|the \w+ of)")


def _dated(heading: str) -> bool:
    """Whether a heading names a day or time (scanned only when it may)."""
    return bool(_MAY_DATE.search(heading)) and bool(scan(heading))


def _mark(blocks: list, siblings: list, asides: set[int], level: int) -> None:
    """Set the aside role on the blocks of the aside sections and before the first sibling
    (the title heading and anything above a shallower heading keep theirs)."""
    first = siblings[0].start
    current_aside = True
    for block in blocks:
        if block.kind == "heading" and block.level <= level:
            current_aside = id(block) in asides if block.level == level else block.start < first
            if block.level < level:
                continue
        if block.start < first and block.kind == "heading":
            continue
        if current_aside:
            block.section = ASIDE
            block.label_role = None
