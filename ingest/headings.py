"""Which section a heading names: a heading reduced to words and matched against the section
phrases of ``rules/sections.json`` (Root cause, Action items, Timeline…), and which table headers
name a list of actions."""

from __future__ import annotations

import re
from functools import lru_cache

from . import rules
from .time_mentions import scan


_PLURAL = {"i am": "we are", "i'm": "we're", "i've": "we've", "i'll": "we'll", "i'd": "we'd", "i": "we", "my": "our", "me": "us"}
_SINGULAR = re.compile(r"(?<![\w'/])(?:i am|i'm|i've|i'll|i'd|i|my|me)(?![\w'/])")


def normalise_heading(text: str) -> str:
    """A heading reduced to lower-case words for matching against section phrases."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_`#\\]", "", text).strip().lower().replace("\u2019", "'")
    text = _SINGULAR.sub(lambda m: _PLURAL[m.group(0)], text)  # a solo author's "What I'm changing"
    text = re.sub(r"^(?:\d+(?:\.\d+)*[.)]?|[ivx]+\.)\s+", "", text)
    text = re.sub(r"[:.?\s]+$", "", text)
    text = re.sub(r"\s*\([^)]*\)\s*$", "", text)
    text = re.sub(r"\b(?:\d+|a few|few|a couple of|two|three|four|six)\s+(?=(?:days|weeks|months)\b)", "", text)  # "the following 2 weeks"
    return re.sub(r"\s+", " ", text)


@lru_cache(maxsize=4096)
def section_role(heading: str, strict: bool = False, contained: bool = True) -> str | None:
    """The role a heading names (exact phrase, then prefix, then contained words), or None.

    ``strict`` (for inline labels such as ``**Fix the retry loop.**``) accepts only an exact phrase;
    without ``contained``, a phrase found among other words does not count.
    """
    norm = normalise_heading(heading)
    if not norm or len(norm) > 80 or re.search(r"\d{4}-\d{2}-\d{2}t\d", norm):
        return None
    data = rules.sections()
    order = data["order"]
    phrases = data["roles"]
    for role in order:
        if norm in phrases[role]:
            return role
    if strict:
        return None
    for role in order:
        for phrase in phrases[role]:
            if norm.startswith(phrase + " ") or norm.startswith(phrase + "&") or norm.startswith(phrase + ","):
                return role
    for role, pattern in _heading_patterns():
        if pattern.search(norm):
            return role
    words = norm.split()
    longest = data["question_heading_words"] if words[0] in data["question_words"] else 9
    if contained and len(words) <= longest:
        for role, pattern in _contained_phrases():
            if pattern.search(norm):
                return role
    if words[0] in data["questions"] and (len(words) == 1 or (len(words) >= 3 and words[1] not in data["question_not_before"])):
        return data["questions"][words[0]]  # "Why it got this bad"
    return None


def is_document_type(heading: str) -> bool:
    """Whether a heading names the kind of document ("Root Cause Analysis", "RCA report"), which
    is a report's title when no heading comes before it, not a section."""
    return normalise_heading(heading) in rules.sections()["document_types"]


@lru_cache(maxsize=256)
def names_action_table(header_cells: tuple[str, ...]) -> bool:
    """Whether a table's header names a list of actions (an "Action item" column, or one named like
    an actions section, and no time column)."""
    data = rules.sections()
    names = {normalise_heading(cell) for cell in header_cells}
    if names & set(data["time_columns"]):
        return False
    return bool(names & set(data["action_columns"])) or any(section_role(cell, strict=True) == "actions" for cell in header_cells)  # "| What we're changing | Where it stands |"


@lru_cache(maxsize=1)
def _heading_patterns() -> list[tuple[str, re.Pattern]]:
    """The rules' ``heading_patterns``, compiled, in role order."""
    data = rules.sections()
    patterns = data.get("heading_patterns", {})
    return [(role, re.compile(p)) for role in data["order"] for p in patterns.get(role, [])]


@lru_cache(maxsize=1)
def _contained_phrases() -> list[tuple[str, re.Pattern]]:
    """Per role, in order, one regex for its phrases longer than four characters, as whole words."""
    data = rules.sections()
    out = []
    for role in data["order"]:
        longer = [re.escape(p) for p in data["roles"][role] if len(p) > 4]
        if longer:
            out.append((role, re.compile(r"(?<!\w)(?:" + "|".join(longer) + r")(?!\w)")))
    return out


_INCIDENT_TITLE = re.compile(r"(?i)^(?:incident|outage|event|disruption)\s*(?:#|no\.?\s*)?\d+\b|^(?:first|second|third|fourth|fifth)\s+(?:incident|outage)\b")


def is_incident_heading(title: str) -> bool:
    """A heading naming one dated incident: a date plus words, or 'Incident 2'."""
    if _INCIDENT_TITLE.match(title.strip()):
        return True
    if re.search(r"\d{4}-\d{2}-\d{2}T\d", title):
        return False  # a status-page update heading, not an incident
    mentions = [m for m in scan(title) if m.date is not None]
    if not mentions:
        return False
    rest = title[: mentions[0].start] + " " + title[mentions[0].end:]
    return len(re.findall(r"[A-Za-z]{3,}", rest)) >= 2
