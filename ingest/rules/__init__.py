"""Rules as data: every cue phrase, section name, zone and taxonomy term lives in a file here.

Each loader reads its file once per process (cached) and returns plain data,
so the extraction code never holds a list of words of its own.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any


def _read(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def load_json(name: str) -> Any:
    """A JSON rule file by name, parsed."""
    return json.loads(_read(name))


@lru_cache(maxsize=None)
def load_patterns(name: str) -> list[dict]:
    """A JSONL file of spaCy SpanRuler/Matcher patterns, one per line (``//`` lines are comments)."""
    patterns = []
    for line in _read(name).splitlines():
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        patterns.append(json.loads(line))
    return patterns


def sections() -> dict[str, Any]:
    """Section roles: ``order`` and ``roles`` (role → heading phrases)."""
    return load_json("sections.json")


def timezones() -> dict[str, Any]:
    """Zone names: ``fixed`` (name → minutes east of UTC) and ``named`` (name → IANA zone)."""
    return load_json("timezones.json")


def event_kinds() -> dict[str, Any]:
    """Timeline event kinds: ``order`` and ``kinds`` (kind → cue regexes)."""
    return load_json("event_kinds.json")


def taxonomy() -> dict[str, Any]:
    """Cause categories and components, each label with its lexicon of regexes."""
    return load_json("taxonomy.json")


def cause_terms() -> dict[str, Any]:
    """Regex lists that decide which statements are causes (problem, strong, not_cause, response)."""
    return load_json("cause_terms.json")


@lru_cache(maxsize=None)
def compiled_terms(name: str, key: str, flags: int = re.I | re.M) -> re.Pattern:
    """One alternation regex for the list ``load_json(name)[key]``; terms that begin or end with a word are word-bounded."""
    parts = []
    for term in load_json(name)[key]:
        prefix = r"\b" if re.match(r"[A-Za-z(]", term) else ""
        suffix = r"(?!\w)" if re.search(r"[A-Za-z0-9*?)]$", term) and not term.endswith("\\?") else ""
        parts.append(f"{prefix}(?:{term}){suffix}")
    return re.compile("|".join(parts), flags)


def statuses() -> dict[str, Any]:
    """Action-status markers and tense cues."""
    return load_json("statuses.json")


@lru_cache(maxsize=None)
def compiled_lexicon(name: str, key: str) -> dict[str, re.Pattern]:
    """One alternation regex per label of ``load_json(name)[key]`` (case-insensitive, word-bounded)."""
    table = load_json(name)[key]
    return {
        label: re.compile(r"(?<![\w-])(?:" + "|".join(terms) + r")(?![\w])", re.I)
        for label, terms in table.items()
        if not label.startswith("_") and terms
    }
