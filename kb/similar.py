"""Similar incidents by content: BM25 over the similarity index, with the matching cause sentences as the reason.

An incident's query is its most telling terms (stems, weighted by term
frequency × inverse document frequency, the commonest left out), searched
for with FTS5's BM25 over every other incident's causes (weight 2) and
impact and timeline text (weight 1). The score is that BM25 divided by the
BM25 the incident scores against itself, so 1.0 is "says everything this
incident says" and scores compare across queries. Shared cause categories
and components only break ties between equal (two-decimal) scores. Each
match carries its evidence: the pairs of cause sentences, one on each side,
that share the most telling terms, and the shared terms themselves.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Iterable

from kb import similar_index as index
from kb.similar_terms import surface_forms, term_counts, terms

QUERY_TERMS = 24
"""Terms in an incident's query: more find more, fewer answer faster."""

MAX_DOCUMENT_SHARE = 0.4
"""A term in more than this share of incidents is left out of queries (it tells incidents apart too little)..."""

CAP_FROM = 20
"""... once the knowledge base holds this many incidents (in a tiny one every shared word is in a large share)."""

MIN_PAIR_SIMILARITY = 0.12
"""Cause sentence pairs less alike than this (idf-weighted overlap) are not shown as evidence."""

EVIDENCE_PAIRS = 3
"""Cause sentence pairs shown per match."""

SHARED_TERMS = 8
"""Shared terms shown per match."""


@dataclass
class Sentence:
    """One cause sentence: its text, its stems and, when stored, its row and evidence span."""

    text: str
    terms: frozenset[str]
    cause_id: int | None = None
    start: int | None = None
    end: int | None = None


@dataclass
class Profile:
    """What an incident is compared on: its cause sentences, its other text, organization and labels."""

    causes: list[Sentence]
    context: str
    organization: str | None = None
    labels: frozenset[str] = frozenset()
    incident_id: int | None = None
    title: str | None = None
    started: str | None = None

    def cause_text(self) -> str:
        """Every cause sentence, joined."""
        return " ".join(s.text for s in self.causes)


@dataclass
class Match:
    """One similar incident, with why."""

    incident_id: int
    title: str | None
    organization: str | None
    started: str | None
    score: float
    bm25: float
    shared_terms: list[str] = field(default_factory=list)
    shared_labels: list[str] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``pmkb similar --json``."""
        return {
            "incident_id": self.incident_id, "title": self.title, "organization": self.organization, "started": self.started,
            "score": self.score, "bm25": round(self.bm25, 3), "shared_terms": self.shared_terms,
            "shared_labels": self.shared_labels, "evidence": self.evidence,
        }


def _sentence(text: str | None, cause_id: int | None = None, start: int | None = None, end: int | None = None) -> Sentence:
    return Sentence(text or "", terms(text), cause_id, start, end)


def _labels(categories: Iterable[str], components: Iterable[str]) -> frozenset[str]:
    return frozenset([f"category:{c}" for c in categories if c != "unknown"] + [f"component:{c}" for c in components])


def stored_header(conn: sqlite3.Connection, incident_id: int) -> Profile | None:
    """A stored incident's title, organization, start and labels, without its text (None when there is no such incident)."""
    row = conn.execute("select title, organization, started, categories, components from incidents where id = ?", (incident_id,)).fetchone()
    if row is None:
        return None
    labels = _labels(json.loads(row[3] or "[]"), json.loads(row[4] or "[]"))
    return Profile([], "", row[1], labels, incident_id, row[0], row[2])


def stored_profile(conn: sqlite3.Connection, incident_id: int) -> Profile | None:
    """The profile of a stored incident, None when there is no such incident."""
    profile = stored_header(conn, incident_id)
    if profile is None:
        return None
    profile.causes = [_sentence(t, i, s, e) for i, t, s, e in conn.execute(
        "select id, text, evidence_start, evidence_end from causes where incident_id = ? order by id", (incident_id,))]
    context = conn.execute(f"select context from [{index.TABLE}] where rowid = ?", (incident_id,)).fetchone()
    profile.context = context[0] if context else ""
    return profile


def extracted_profile(incident: dict, organization: str | None = None) -> Profile:
    """The profile of an extracted (not stored) incident, as ``pmkb extract`` gives it."""
    document = incident.get("document") or {}
    causes = [_sentence(c.get("text"), None, (c.get("evidence") or {}).get("start"), (c.get("evidence") or {}).get("end")) for c in incident.get("causes", [])]
    context = " ".join(
        [document.get("title") or ""]
        + [w.get("label") or "" for w in incident.get("impact_windows", [])]
        + [e.get("text") or "" for e in incident.get("timeline", [])]
    )
    metrics = incident.get("metrics") or {}
    return Profile(
        causes, context, organization or document.get("organization"),
        _labels(incident.get("categories", []), incident.get("components", [])),
        None, document.get("title"), metrics.get("impact_start"),
    )


def idf(df: int, n: int) -> float:
    """Inverse document frequency as BM25 computes it (never below a small positive floor)."""
    return max(math.log((n - df + 0.5) / (df + 0.5) + 1.0), 1e-6)


def query_terms(text: str, df: dict[str, int], n: int, limit: int = QUERY_TERMS, organization: str | None = None, own: int = 0) -> dict[str, str]:
    """The query of ``text``: its ``limit`` most telling terms → the word to send FTS5 (which stems it back).

    Only terms some other incident has count (``own`` is 1 when the incident
    itself is indexed). Words of the organization's own name are left out:
    they make an organization's incidents alike whatever happened in them.
    """
    counts = term_counts(text)
    forms = surface_forms(text)
    own_name = set(term_counts(organization))
    cap = MAX_DOCUMENT_SHARE * n if n >= CAP_FROM else n
    keep = [t for t in counts if own < df.get(t, 0) <= cap and t not in own_name]
    keep.sort(key=lambda t: (-(1 + math.log(counts[t])) * idf(df.get(t, 0), n), t))
    return {t: forms[t] for t in keep[:limit]}


def match_expression(words_to_send: Iterable[str], causes_only: bool = False, organization: str | None = None) -> str | None:
    """The FTS5 MATCH expression for a query (None when it has no terms)."""
    quoted = [f'"{w}"' for w in words_to_send]
    if not quoted:
        return None
    expression = " OR ".join(quoted)
    if causes_only:
        expression = "{causes} : (" + expression + ")"
    token = index.org_token(organization) if organization is not None else None
    if token:
        expression = f'org : "{token}" AND ({expression})'
    return expression


def _self_score(conn: sqlite3.Connection, profile: Profile, expression: str) -> float:
    """The BM25 an incident scores against its own query (a new incident is indexed for the moment, then taken out)."""
    if profile.incident_id is not None:
        row = conn.execute(f"select -{index.BM25} from [{index.TABLE}] where [{index.TABLE}] match ? and rowid = ?", (expression, profile.incident_id)).fetchone()
        return row[0] if row else 0.0
    conn.execute("savepoint pmkb_self_score")
    try:
        conn.execute(f"insert into [{index.TABLE}] (rowid, causes, context, org) values (-1, ?, ?, ?)",
                     (profile.cause_text(), profile.context, index.org_token(profile.organization) or ""))
        row = conn.execute(f"select -{index.BM25} from [{index.TABLE}] where [{index.TABLE}] match ? and rowid = -1", (expression,)).fetchone()
    finally:
        conn.execute("rollback to pmkb_self_score")
        conn.execute("release pmkb_self_score")
    return row[0] if row else 0.0


def pair_similarity(a: frozenset[str], b: frozenset[str], weight: dict[str, float]) -> float:
    """How alike two sentences' term sets are: cosine of their idf-weighted binary vectors."""
    shared = a & b
    if not shared:
        return 0.0
    norm = math.sqrt(sum(weight.get(t, 1.0) ** 2 for t in a) * sum(weight.get(t, 1.0) ** 2 for t in b))
    return sum(weight.get(t, 1.0) ** 2 for t in shared) / norm if norm else 0.0


def _side(sentence: Sentence, incident_id: int | None) -> dict[str, Any]:
    return {"incident_id": incident_id, "cause_id": sentence.cause_id, "text": sentence.text, "start": sentence.start, "end": sentence.end}


def sentence_pairs(this: Profile, other: Profile, weight: dict[str, float], limit: int = EVIDENCE_PAIRS, floor: float = MIN_PAIR_SIMILARITY) -> list[dict]:
    """The best-matching cause sentence pairs (each sentence used once), most alike first."""
    forms = surface_forms(this.cause_text() + " " + other.cause_text())
    scored = sorted(
        ((pair_similarity(a.terms, b.terms, weight), i, j) for i, a in enumerate(this.causes) for j, b in enumerate(other.causes)),
        key=lambda x: (-x[0], x[1], x[2]),
    )
    used_a, used_b, pairs = set(), set(), []
    for similarity, i, j in scored:
        if similarity < floor or len(pairs) >= limit:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        a, b = this.causes[i], other.causes[j]
        shared = sorted(a.terms & b.terms, key=lambda t: (-weight.get(t, 1.0), t))
        pairs.append({"similarity": round(similarity, 3), "terms": [forms.get(t, t) for t in shared],
                      "this": _side(a, this.incident_id), "other": _side(b, other.incident_id)})
    return pairs


def _weights(conn: sqlite3.Connection, profiles: Iterable[Profile], n: int) -> dict[str, float]:
    vocabulary = set()
    for p in profiles:
        for s in p.causes:
            vocabulary |= s.terms
    df = index.document_frequencies(conn, vocabulary)
    return {t: idf(df.get(t, 0), n) for t in vocabulary}


@dataclass
class Query:
    """An incident's search: the terms sent (stem → word), their document frequencies, and its BM25 against itself."""

    expression: str
    sent: dict[str, str]
    df: dict[str, int]
    n: int
    own: float


def build_query(conn: sqlite3.Connection, profile: Profile, causes_only: bool = False, organization: str | None = None) -> Query | None:
    """The search for incidents like ``profile`` (None when it has no term another incident shares)."""
    n = index.indexed_count(conn) + (profile.incident_id is None)
    text = profile.cause_text() if causes_only else profile.cause_text() + " " + profile.context
    df = index.document_frequencies(conn, term_counts(text))
    sent = query_terms(text, df, n, organization=profile.organization, own=int(profile.incident_id is not None))
    expression = match_expression(sent.values(), causes_only, organization)
    if expression is None:
        return None
    return Query(expression, sent, df, n, _self_score(conn, profile, expression))


def score_against(conn: sqlite3.Connection, profile: Profile, other_id: int, causes_only: bool = False) -> float:
    """The score ``similar`` gives stored incident ``other_id`` for ``profile`` (0.0 when it does not match)."""
    query = build_query(conn, profile, causes_only)
    if query is None or query.own <= 0:
        return 0.0
    row = conn.execute(f"select -{index.BM25} from [{index.TABLE}] where [{index.TABLE}] match ? and rowid = ?", (query.expression, other_id)).fetchone()
    return round(min(row[0] / query.own, 1.0), 2) if row else 0.0


def similar(
    conn: sqlite3.Connection, profile: Profile, limit: int = 10, causes_only: bool = False,
    organization: str | None = None, evidence: bool = True,
) -> list[Match]:
    """The incidents most like ``profile``, best first (never the incident itself).

    ``causes_only`` compares cause text alone (recurrences use it);
    ``organization`` keeps to one organization's incidents.
    """
    query = build_query(conn, profile, causes_only, organization)
    if query is None:
        return []
    sent, df, n, own = query.sent, query.df, query.n, query.own
    rows = conn.execute(
        f"select rowid, -{index.BM25} from [{index.TABLE}] where [{index.TABLE}] match ? and rowid != ? order by rank limit ?",
        (query.expression, profile.incident_id if profile.incident_id is not None else -1, limit + 10),
    ).fetchall()
    matches = []
    for incident_id, bm25 in rows:
        other = stored_header(conn, incident_id)  # the text (causes, context) only of the matches kept, for their evidence
        if other is None:
            continue
        score = round(min(bm25 / own, 1.0), 2) if own > 0 else 0.0
        shared_labels = sorted(label.split(":", 1)[1] for label in profile.labels & other.labels)
        matches.append(Match(incident_id, other.title, other.organization, other.started, score, bm25, shared_labels=shared_labels))
    matches.sort(key=lambda m: (-m.score, -len(m.shared_labels), -m.bm25, m.incident_id))
    matches = matches[:limit]
    if evidence and matches:
        others = {m.incident_id: stored_profile(conn, m.incident_id) for m in matches}
        weight = _weights(conn, [profile, *others.values()], n)
        for m in matches:
            other = others[m.incident_id]
            other_terms = term_counts(other.cause_text() + " " + other.context)
            shared = sorted((t for t in sent if t in other_terms), key=lambda t: (-idf(df.get(t, 0), n), t))
            m.shared_terms = [sent[t] for t in shared[:SHARED_TERMS]]
            m.evidence = sentence_pairs(profile, other, weight)
    return matches


def similar_json(conn: sqlite3.Connection, incident_id: Any, limit: Any = 10) -> str:
    """``similar`` for a stored incident as a JSON list (the SQL function ``pmkb_similar`` of the canned query); ``[]`` for anything that is not a stored incident's id."""
    try:
        number, limit = int(incident_id), max(1, min(int(limit), 100))
    except (TypeError, ValueError):
        return "[]"
    profile = stored_profile(conn, number) if index.has_index(conn) else None
    if profile is None:
        return "[]"
    return json.dumps([m.as_dict() for m in similar(conn, profile, limit)])
