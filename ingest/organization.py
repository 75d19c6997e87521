"""Step 4f, organization: which organization a postmortem is about, spelled as its text spells it.

In order: an organization the source declares (front matter, a status page's
name, a manifest) in the text's own spelling; else a name from the file name
(the part before its date) or the URL host that the text also uses
("chia-network-…" → "Chia Network", "nodejs-…" → "Node.js"); else the name the
text calls itself by ("LiveKit's core services", "Loom was degraded"); else
the file-name prefix as written. Pure functions over strings: no spaCy needed.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from functools import lru_cache
from urllib.parse import urlparse

from . import rules

_DATE_IN_NAME = re.compile(r"(?<!\d)(?:19|20)\d{2}(?:[-_]?[01]\d[-_]?[0-3]\d|[-_](?:[01]\d|q[1-4]|h[12]))(?![\da-z])", re.I)
"""The date in a file name that follows its organization: a day, a month ("2025-10") or a quarter ("2025-q4")."""
_MAX_WORDS = 4
_SCAN_CHARS = 30_000
"""Only the first this many characters are scanned for names (linear and bounded)."""


def normal_key(text: str) -> str:
    """A name compared without case, spaces or punctuation: 'Node.js' → 'nodejs'."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


@lru_cache(maxsize=1)
def _data() -> dict:
    data = rules.organization()
    return {
        "generic": frozenset(data["generic"]),
        "host_labels": frozenset(data["host_labels"]),
        "tlds": tuple(data["tlds"]),
        "self_patterns": [re.compile(p, re.M) for p in data["self_patterns"]],
        "team_patterns": [re.compile(p, re.M) for p in data["team_patterns"]],
        "not_names": frozenset(data["not_names"]),
        "code_hosts": frozenset(data["code_hosts"]),
        "link_hosts": frozenset(data["link_hosts"]),
    }


def slug_words(source: str | None, url: str | None = None) -> list[list[str]]:
    """Name-bearing word lists from a file name's part before its date and from a URL host."""
    out: list[list[str]] = []
    generic = _data()["generic"]
    if source:
        stem = re.split(r"[\\/]", source.rstrip("/"))[-1]
        match = _DATE_IN_NAME.search(stem)
        if match and match.start() > 0:
            words = [w for w in re.split(r"[-_. ]+", stem[: match.start()].lower()) if w]
            if words and not all(w in generic for w in words):
                out.append(words)
    if url:
        host = (urlparse(url).hostname or "").lower()
        labels = [w for w in host.split(".") if w and w not in _data()["host_labels"]]
        if labels:
            out.append(labels[-1:])
    return out


class Spellings:
    """How a text spells each name, looked up by normal key: the text's alphanumeric runs joined
    into one lower-case string, searched in C (``str.find``) and mapped back to the words."""

    def __init__(self, text: str) -> None:
        self.text = text[:_SCAN_CHARS]
        runs = list(re.finditer(r"[^\W_]+", self.text))
        self.norm = re.sub(r"[\W_]+", "", _folded(self.text))  # the runs, joined: "Kererū" is found by the key "kereru"
        self.starts: list[int] = []  # where each run starts in ``norm``
        pos = 0
        for m in runs:
            self.starts.append(pos)
            pos += len(m.group(0))
        self.runs = runs
        self._cache: dict[str, Counter] = {}

    def get(self, key: str) -> Counter:
        """Every spelling of ``key`` that starts and ends on word boundaries, with its count."""
        if key not in self._cache:
            self._cache[key] = self._find(key)
        return self._cache[key]

    def _find(self, key: str) -> Counter:
        found: Counter = Counter()
        if not key:
            return found
        at = self.norm.find(key)
        while at != -1:
            first = bisect_left(self.starts, at)
            if first < len(self.starts) and self.starts[first] == at:
                last = bisect_left(self.starts, at + len(key)) - 1
                run = self.runs[last]
                if self.starts[last] + len(run.group(0)) == at + len(key) and last - first < _MAX_WORDS:
                    spelled = self.text[self.runs[first].start():run.end()]
                    if len(spelled) <= 60 and re.fullmatch(r"[^\W_]+(?:(?: |-|\.|&)?[^\W_]+)*", spelled):
                        found[spelled] += 1
            at = self.norm.find(key, at + 1)
        return found


def _folded(text: str) -> str:
    """A text in lower case with its accents dropped, one character for one ("Kererū" → "kereru")."""
    if text.isascii():
        return text.lower()
    return text.translate({ord(c): _fold_char(c) for c in set(text)})


def _fold_char(c: str) -> str:
    """One character lower-cased and without its accent, or itself when that is not one character."""
    bare = "".join(x for x in unicodedata.normalize("NFKD", c.lower()) if not unicodedata.combining(x))
    return bare if len(bare) == 1 else c


def _looks_like_a_name(spelled: str) -> bool:
    """Capitalised, or with a digit or a dot (a lower-case 'n0' or 'mybinder.org' is a name too)."""
    return any(c.isupper() or c.isdigit() for c in spelled) or "." in spelled


def _best_spelling(key: str, spellings: Spellings) -> str | None:
    """The text's most frequent name-like spelling of a key, also as a domain ('matrix.org')."""
    for keys in ((key,), tuple(key + tld for tld in _data()["tlds"])):  # the bare name before its domain
        counts: Counter = Counter()
        for k in keys:
            for spelled, n in spellings.get(k).items():
                if _looks_like_a_name(spelled) and spelled not in _data()["not_names"]:
                    counts[spelled] += n
        if counts:
            return max(counts, key=lambda s: (counts[s], s[0].isupper(), -len(s)))
    return None


def from_slug(words: list[str], spellings: Spellings) -> str | None:
    """The longest run of slug words that the text also spells as a name; a run the text spells
    only as a domain ("spindlewort.coop") gives way to a shorter one it spells as a word
    ("SPINDLEWORT HOSTING CO-OP" → "Spindlewort")."""
    generic = _data()["generic"]
    domain: str | None = None
    for n in range(len(words), 0, -1):
        for i in range(len(words) - n + 1):
            run = words[i:i + n]
            if all(w in generic for w in run):
                continue
            spelled = _best_spelling("".join(run), spellings)
            if spelled and domain is not None and "." not in spelled:
                return _uncapped(spelled)
            if spelled and "." in spelled and n > 1:
                domain = domain or spelled
                continue
            if spelled:
                return domain or _uncapped(spelled)
    return domain


def _uncapped(name: str) -> str:
    """A name the text writes in capitals only ("SPINDLEWORT") in title case; an acronym stays."""
    return name.title() if name.isupper() and len(name) > 5 else name


def self_named(text: str, patterns: str = "self_patterns") -> str | None:
    """The name a text most often calls itself by ("LiveKit's core services"), or with
    ``team_patterns`` the team it names most often ("the Acme team")."""
    counts: Counter = Counter()
    head = text[:_SCAN_CHARS]
    for pattern in _data()[patterns]:
        for match in pattern.finditer(head):
            name = match.group("NAME").strip(" .-")
            first = name.split(" ")[0]
            if name and first not in _data()["not_names"] and normal_key(name):
                counts[name] += 1
    if not counts:
        return None
    return max(counts, key=lambda s: (counts[s], -len(s)))


_LINK = re.compile(r"https?://(?:www\.)?([A-Za-z0-9.-]+)(/[A-Za-z0-9_.-]+)?")


def link_owners(text: str) -> list[list[str]]:
    """Slug words from the links a text makes most often: owners on code hosts
    (github.com/<owner>/…) and the sites linked to, most frequent first (at least twice)."""
    data = _data()
    counts: Counter = Counter()
    for match in _LINK.finditer(text[:_SCAN_CHARS]):
        host = match.group(1).lower().rstrip(".")
        if host in data["code_hosts"]:
            owner = (match.group(2) or "").strip("/").lower()
            if owner:
                counts[owner] += 1
            continue
        labels = [w for w in host.split(".") if w and w not in data["host_labels"]]
        if labels and labels[-1] not in data["link_hosts"]:
            counts[labels[-1]] += 1
    return [re.split(r"[-_.]+", owner) for owner, n in counts.most_common(3) if n >= 2 and owner not in data["link_hosts"]]


_STATUS_HOST = re.compile(r"(?<![\w.-])status\.([a-z0-9-]+)\.[a-z]{2,}(?![\w-])", re.I)


def status_hosts(text: str) -> list[list[str]]:
    """Slug words of the status-page hosts a text names ("status.quantly.io" → quantly): its own page."""
    seen: list[str] = []
    for match in _STATUS_HOST.finditer(text[:_SCAN_CHARS]):
        label = match.group(1).lower()
        if label not in seen and label not in _data()["link_hosts"]:
            seen.append(label)
    return [re.split(r"[-_]+", label) for label in seen[:1]]


def find_organization(text: str, source: str | None = None, declared: str | None = None, url: str | None = None) -> str | None:
    """The organization a postmortem is about, in the text's spelling where the text names it."""
    spellings = Spellings(text)
    if declared:
        return _best_spelling(normal_key(declared), spellings) or declared
    slugs = slug_words(source, url)
    for words in slugs:
        spelled = from_slug(words, spellings)
        if spelled:
            return spelled
    named = self_named(text) or (None if slugs else self_named(text, "team_patterns"))
    if named:
        return named
    hosts = status_hosts(text)
    for words in link_owners(text) + hosts:
        spelled = from_slug(words, spellings)
        if spelled:
            return spelled
    if hosts:
        return " ".join(w.capitalize() for w in hosts[0])
    if slugs:
        return " ".join(w.capitalize() if not any(c.isdigit() for c in w) else w for w in slugs[0])
    return None


def respell_title(title: str | None, organization: str | None) -> str | None:
    """A title made from a file name, with the organization spelled as the text spells it
    ('Livekit 2026-04-15' → 'LiveKit 2026-04-15')."""
    if not title or not organization:
        return title
    key = normal_key(organization)
    words = title.split(" ")
    for n in range(min(len(words), _MAX_WORDS), 0, -1):
        for i in range(len(words) - n + 1):
            if normal_key("".join(words[i:i + n])) == key:
                return " ".join(words[:i] + [organization] + words[i + n:])
    return title
