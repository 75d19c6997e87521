"""Whether an extracted organization names the gold one (`pmkb eval`'s organization score).

Gold organizations are written for people: "Node.js project (OpenJS Foundation;
nodejs.org website/Build WG)". The head and each part in parentheses (split at
commas, semicolons and slashes) is an acceptable name. A prediction matches one
when, ignoring case, punctuation, domain endings and generic words (project,
foundation, team, …), the two are the same name or the words of one are all
among the words of the other ("Rust" ~ "Rust Project", "Cloud Platform" ~
"UK Ministry of Justice (Cloud Platform)").
"""

from __future__ import annotations

import re

GENERIC = frozenset({"project", "foundation", "inc", "the", "team", "ltd", "llc", "org", "com", "io", "dev", "net", "of", "co", "and", "open", "source", "led"})


def _words(name: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in GENERIC)


def _key(name: str) -> str:
    words = re.findall(r"[a-z0-9]+", name.lower())
    while words and words[-1] in GENERIC:
        words.pop()
    return "".join(words)


def gold_names(gold: str) -> list[str]:
    """Every acceptable name in a gold organization string."""
    parts = re.split(r"[(),;/]|\boperated by\b|\bled by\b", gold)
    return [p.strip() for p in parts if _words(p.strip())]


def organization_matches(predicted: str | None, gold: str | None) -> bool:
    """Whether a predicted organization names the gold one (see the module docstring)."""
    if not predicted or not gold or not _words(predicted):
        return False
    pw, pk = _words(predicted), _key(predicted)
    for name in gold_names(gold):
        gw = _words(name)
        if pk == _key(name) or pw <= gw or gw <= pw:
            return True
    return False
