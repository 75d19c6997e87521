"""Terms of a text for incident similarity: the words FTS5's ``porter`` tokenizer indexes, stemmed the same way.

SQLite's ``porter`` tokenizer splits on anything that is not a letter or a
digit and stems each token with Martin Porter's original algorithm. Stems are
computed by that same tokenizer (each word indexed in an in-memory FTS5 table
and read back from its vocabulary), so a stem computed here is the term FTS5
stored, whatever SQLite's stemmer does with ``technology`` or ``andré``,
and no stemming library is imported (NLTK's took 0.2-0.3 s of every
``pmkb similar`` and ``pmkb ingest``). Words in
``kb/rules/similarity_stopwords.txt`` (function words and the vocabulary every
postmortem shares), tokens shorter than three characters and tokens with
two or more digits (numbers, ids, ``15min``, chat message ids) are not terms.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
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


STEM_CACHE = 65536
"""Words whose stem is remembered (the cache starts again when full)."""

_stems: dict[str, str] = {}
_local = threading.local()


def _stemmer() -> sqlite3.Connection:
    """This thread's (and process's) in-memory FTS5 table with the ``porter`` tokenizer, and its vocabulary of token instances."""
    conn = getattr(_local, "conn", None)
    if conn is None or _local.pid != os.getpid():
        conn = sqlite3.connect(":memory:", isolation_level=None)
        conn.execute("create virtual table words using fts5(word, tokenize = 'porter')")
        conn.execute("create virtual table stems using fts5vocab(words, 'instance')")
        _local.conn, _local.pid = conn, os.getpid()
    return conn


def stems(ws: list[str]) -> list[str]:
    """The porter stem of each lower-case word, as FTS5 stores it (a word FTS5 makes no token of is its own stem)."""
    known = {w: _stems.get(w) for w in ws}
    missing = [w for w, found in known.items() if found is None]
    if missing:
        conn = _stemmer()
        conn.execute("begin")
        try:
            conn.executemany("insert into words (rowid, word) values (?, ?)", enumerate(missing))
            found = dict(conn.execute("select doc, term from stems where offset = 0"))
        finally:
            conn.execute("rollback")
        if len(_stems) + len(missing) > STEM_CACHE:
            _stems.clear()
        for i, word in enumerate(missing):
            known[word] = _stems[word] = found.get(i, word)
    return [known[w] for w in ws]


def stem(word: str) -> str:
    """The porter stem of a lower-case word."""
    return stems([word])[0]


def words(text: str | None) -> list[str]:
    """The lower-case tokens of ``text`` that can be terms (no stop words, short tokens or tokens full of digits)."""
    stop = stopwords()
    return [
        w for w in TOKEN_RE.findall((text or "").lower())
        if len(w) >= MIN_LENGTH and sum(c.isdigit() for c in w) <= MAX_DIGITS and w not in stop
    ]


def terms(text: str | None) -> frozenset[str]:
    """The terms (stems) of ``text``."""
    return frozenset(stems(words(text)))


def term_counts(text: str | None) -> Counter:
    """How often each term (stem) occurs in ``text``."""
    return Counter(stems(words(text)))


def surface_forms(text: str | None) -> dict[str, str]:
    """Each term of ``text`` → the first word that produced it (what a reader is shown)."""
    ws = words(text)
    forms: dict[str, str] = {}
    for word, term in zip(ws, stems(ws)):
        forms.setdefault(term, word)
    return forms
