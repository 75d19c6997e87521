"""Terms of a text for incident similarity: the words FTS5's ``porter`` tokenizer indexes, stemmed the same way.

SQLite's ``porter`` tokenizer splits on anything that is not a letter or a
digit and stems each token with Martin Porter's original algorithm; NLTK's
``PorterStemmer`` in ``ORIGINAL_ALGORITHM`` mode is that algorithm, so a stem
computed here is the term FTS5 stored. Words in
``kb/rules/similarity_stopwords.txt`` (function words and the vocabulary every
postmortem shares), tokens shorter than three characters and tokens with
two or more digits (numbers, ids, ``15min``, chat message ids) are not terms.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

STOPWORDS_FILE = Path(__file__).resolve().parent / "rules" / "similarity_stopwords.txt"
"""One stop word a line; ``#`` starts a comment line."""

TOKEN_RE = re.compile(r"[^\W_]+")
"""A run of letters and digits: a token as FTS5's unicode61 tokenizer cuts it."""

MIN_LENGTH = 3
"""Shorter tokens (``a``, ``io``, ``v2``) are not terms."""

MAX_DIGITS = 1
"""Tokens with more digits than this (``2023``, ``15min``, ``c028wu9pfbn``) are not terms; ``log4j`` and ``central1`` are."""


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The stop words of ``STOPWORDS_FILE``."""
    lines = STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer(PorterStemmer.ORIGINAL_ALGORITHM)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The porter stem of a lower-case word."""
    return _stemmer().stem(word, to_lowercase=False)


def words(text: str | None) -> list[str]:
    """The lower-case tokens of ``text`` that can be terms (no stop words, short tokens or tokens full of digits)."""
    stop = stopwords()
    return [
        w for w in TOKEN_RE.findall((text or "").lower())
        if len(w) >= MIN_LENGTH and sum(c.isdigit() for c in w) <= MAX_DIGITS and w not in stop
    ]


def term_counts(text: str | None) -> Counter:
    """How often each term (stem) occurs in ``text``."""
    return Counter(stem(w) for w in words(text))


def surface_forms(text: str | None) -> dict[str, str]:
    """Each term of ``text`` → the first word that produced it (what a reader is shown)."""
    forms: dict[str, str] = {}
    for word in words(text):
        forms.setdefault(stem(word), word)
    return forms
