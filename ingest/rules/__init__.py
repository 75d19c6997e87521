"""Rules as data: every cue phrase, section name, zone and taxonomy term lives in a file here.

Each loader reads its file once per process (cached) and returns plain data,
so the extraction code never holds a list of words of its own.
"""

from __future__ import annotations

import itertools
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


MAX_REPEAT = 3
"""How many times a ``"OP": "*"`` or ``"+"`` token may repeat when a token pattern is spelled out as phrases."""


def phrases_of(pattern: list[dict], max_repeat: int = MAX_REPEAT) -> list[str] | None:
    """Every phrase a token pattern of LOWER words (a string or ``IN`` list; ``OP`` ``?``, ``*`` or ``+``) matches, or None for other patterns.

    A PhraseMatcher finds a few thousand phrases in a fraction of the time a
    token Matcher takes to try four patterns at every token, so cue patterns
    written in spaCy's token syntax are matched as the phrases they spell.
    """
    options: list[list[tuple[str, ...]]] = []
    for token in pattern:
        if set(token) - {"LOWER", "OP"}:
            return None
        lower = token["LOWER"]
        words = [lower] if isinstance(lower, str) else lower.get("IN") if isinstance(lower, dict) and set(lower) == {"IN"} else None
        counts = {"1": [1], "?": [0, 1], "*": range(0, max_repeat + 1), "+": range(1, max_repeat + 1)}.get(token.get("OP", "1"))
        if not words or counts is None:
            return None
        options.append([run for n in counts for run in itertools.product(words, repeat=n)])
    phrases = (" ".join(word for run in runs for word in run) for runs in itertools.product(*options))
    return [phrase for phrase in phrases if phrase]


def ruler_patterns(*names: str) -> list[dict]:
    """The SpanRuler patterns of the given JSONL files, token patterns of words spelled out as phrase patterns."""
    out = []
    for name in names:
        for entry in load_patterns(name):
            phrases = phrases_of(entry["pattern"]) if isinstance(entry["pattern"], list) else None
            if phrases is None:
                out.append(entry)
            else:
                out.extend({**entry, "pattern": phrase} for phrase in dict.fromkeys(phrases))
    return out


def sections() -> dict[str, Any]:
    """Section roles: ``order`` and ``roles`` (role → heading phrases)."""
    return load_json("sections.json")


def timezones() -> dict[str, Any]:
    """Zone names: ``fixed`` (name → minutes east of UTC) and ``named`` (name → IANA zone)."""
    return load_json("timezones.json")


def time_cues() -> dict[str, Any]:
    """Words that move a clock time's date (``next_day``) and the prose roll-over threshold."""
    return load_json("time_cues.json")


def window_cues() -> dict[str, Any]:
    """Words that open (``start``), close (``end``) or split (``phase``) a window stated in one sentence."""
    return load_json("window_cues.json")


def organization() -> dict[str, Any]:
    """How a text names its organization: generic words, host labels, self-naming patterns."""
    return load_json("organization.json")


def action_filters() -> dict[str, Any]:
    """What is never an action (``skip``, ``boilerplate``), what marks one (``preventive``)."""
    return load_json("action_filters.json")


def event_kinds() -> dict[str, Any]:
    """Timeline event kinds: ``order`` and ``kinds`` (kind → cue regexes)."""
    return load_json("event_kinds.json")


def taxonomy() -> dict[str, Any]:
    """Cause categories and components, each label with its lexicon of regexes."""
    return load_json("taxonomy.json")


def cause_terms() -> dict[str, Any]:
    """Regex lists that decide which statements are causes (problem, strong, not_cause, response)."""
    return load_json("cause_terms.json")


def has_top_level_bar(regex: str) -> bool:
    """Whether a regex is an alternation at its top level (``a|b``, not ``(?:a|b)`` or ``[|]``)."""
    depth, in_class, escaped = 0, False, False
    for ch in regex:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return True
    return False


def leading_anchor(regex: str) -> tuple[str, str]:
    """A regex's leading anchor (``\\b``, ``^`` or none) and the regex after it."""
    if not has_top_level_bar(regex):
        for anchor in ("\\b", "^"):
            if regex.startswith(anchor):
                return anchor, regex[len(anchor):]
    return "", regex


def alternation(terms: list[str], flags: int = 0) -> re.Pattern:
    """One regex that matches where any of ``terms`` matches, for yes/no searches.

    Terms that open with the same anchor (``\\b`` or ``^``) share it, so the
    engine tests the anchor once per position instead of once per term; which
    term a match comes from may differ from a plain ``"|".join``, whether one
    matches does not.
    """
    groups: dict[str, list[str]] = {"\\b": [], "^": [], "": []}
    for term in terms:
        anchor, rest = leading_anchor(term)
        groups[anchor].append(rest)
    parts = [f"{anchor}(?:{'|'.join(group)})" if anchor else "|".join(group) for anchor, group in groups.items() if group]
    return re.compile("|".join(parts), flags)


@lru_cache(maxsize=None)
def compiled_terms(name: str, key: str, flags: int = re.I | re.M) -> re.Pattern:
    """One regex, for yes/no searches, matching where a term of the list ``load_json(name)[key]``
    does; terms that begin or end with a word are word-bounded."""
    parts = []
    for term in load_json(name)[key]:
        prefix, body = (r"\b", term) if re.match(r"[A-Za-z(]", term) else leading_anchor(term)
        suffix = r"(?!\w)" if re.search(r"[A-Za-z0-9*?)]$", term) and not term.endswith("\\?") else ""
        parts.append(f"{prefix}(?:{body}){suffix}")
    return alternation(parts, flags)


def statuses() -> dict[str, Any]:
    """Action-status markers and tense cues."""
    return load_json("statuses.json")


@lru_cache(maxsize=None)
def compiled_lexicon(name: str, key: str) -> dict[str, re.Pattern]:
    """One alternation regex per label of ``load_json(name)[key]`` (word-bounded), for LOWER-CASED text.

    The terms are lower case and the text is lowered once by the caller:
    matching that way takes half the time of ``re.IGNORECASE``.
    """
    table = load_json(name)[key]
    return {
        label: re.compile(r"(?<![\w-])(?:" + "|".join(terms) + r")(?![\w])")
        for label, terms in table.items()
        if not label.startswith("_") and terms
    }
