"""Recurrences: a later incident of an organization whose cause matches an earlier one's, and what was promised in between.

A new incident's causes are searched for among the stored incidents of its
organization (``kb.similar`` with ``causes_only``); a match scoring at least
``THRESHOLD`` (either way round: the new incident's query against the
stored one, or the stored one's against the new) is a recurrence of the
earlier incident in the later one. The ``recurrences`` row keeps the score,
the best-matching cause sentence on each side, the shared terms, and the
earlier incident's corrective actions that address the recurring cause
(their text shares telling terms with the two cause sentences), with the
status they had as written.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Iterable

from kb import similar
from kb.similar_terms import terms

TABLE = "recurrences"

THRESHOLD = 0.2
"""The least cause-to-cause score (``kb.similar``) that makes a recurrence."""

RECHECK_FROM = 0.1
"""A match scoring this much one way round is scored the other way round too."""

MAX_PER_INCIDENT = 5
"""Earlier (or later) incidents recorded per new incident, best first."""

MAX_PROMISES = 5
"""Actions kept per recurrence, most alike first (``promised_actions`` counts them all)."""

ACTION_MIN_SIMILARITY = 0.15
"""How alike (``kb.similar.pair_similarity``) an action and the recurring cause sentences must be for the action to address them."""

COLUMNS = {
    "id": int, "organization": str, "earlier_incident_id": int, "later_incident_id": int, "score": float,
    "days_apart": float, "earlier_cause_id": int, "earlier_cause": str, "later_cause_id": int, "later_cause": str,
    "shared_terms": str, "promised_actions": int, "promised_not_done": int, "promises": str,
}
"""The ``recurrences`` table; ``promises`` is a JSON list of ``{action_id, status, text, similarity}``."""


def create(db) -> None:
    """Create the ``recurrences`` table (``db`` is a sqlite_utils Database) and find the recurrences among stored incidents."""
    table = db[TABLE]
    table.create(COLUMNS, pk="id", not_null={"earlier_incident_id", "later_incident_id"},
                 foreign_keys=[("earlier_incident_id", "incidents", "id"), ("later_incident_id", "incidents", "id")], if_not_exists=True)
    table.create_index(["earlier_incident_id", "later_incident_id"], unique=True, if_not_exists=True)
    table.create_index(["later_incident_id"], if_not_exists=True)
    table.create_index(["organization", "score"], if_not_exists=True)
    record(db.conn, [r[0] for r in db.conn.execute("select id from incidents where organization is not null order by id")])


def forget_document(conn: sqlite3.Connection, document_id: int) -> None:
    """Delete the recurrences either side of which is an incident of ``document_id`` (before its incidents are deleted)."""
    mine = "select id from incidents where document_id = ?"
    conn.execute(f"delete from [{TABLE}] where earlier_incident_id in ({mine}) or later_incident_id in ({mine})", (document_id, document_id))


def _days_apart(earlier: str | None, later: str | None) -> float | None:
    from kb.report.format import parse_time

    a, b = parse_time(earlier), parse_time(later)
    return round((b - a).total_seconds() / 86400, 1) if a and b else None


def promises(conn: sqlite3.Connection, incident_id: int, cause_sentences: Iterable[str], weight: dict[str, float]) -> list[dict]:
    """The corrective actions of ``incident_id`` that address the given cause sentences, most alike first."""
    cause_terms = frozenset().union(*(terms(t) for t in cause_sentences))
    found = []
    for action_id, status, text in conn.execute("select id, status, text from corrective_actions where incident_id = ? order by id", (incident_id,)):
        score = similar.pair_similarity(terms(text), cause_terms, weight)
        if score >= ACTION_MIN_SIMILARITY:
            found.append({"action_id": action_id, "status": status or "unknown", "text": text, "similarity": round(score, 3)})
    return sorted(found, key=lambda a: (-a["similarity"], a["action_id"]))


def _candidates(conn: sqlite3.Connection, profile: similar.Profile) -> list[tuple[similar.Match, float]]:
    """Stored incidents of the same organization whose causes match ``profile``'s, with the better of the two scores."""
    found = []
    for match in similar.similar(conn, profile, MAX_PER_INCIDENT, causes_only=True, organization=profile.organization):
        score = match.score
        if score < THRESHOLD and score >= RECHECK_FROM:
            other = similar.stored_profile(conn, match.incident_id)
            score = max(score, similar.score_against(conn, other, profile.incident_id, causes_only=True))
        if score >= THRESHOLD and match.evidence:
            found.append((match, score))
    return found


def record(conn: sqlite3.Connection, incident_ids: Iterable[int]) -> int:
    """Find and store the recurrences of each incident in ``incident_ids`` against the stored incidents; return how many were stored."""
    stored = 0
    for incident_id in incident_ids:
        profile = similar.stored_profile(conn, incident_id)
        if profile is None or not profile.organization or not profile.causes:
            continue
        for match, score in _candidates(conn, profile):
            stored += _store(conn, profile, match, score)
    return stored


def _store(conn: sqlite3.Connection, profile: similar.Profile, match: similar.Match, score: float) -> int:
    pair = match.evidence[0]
    mine, theirs = pair["this"], pair["other"]
    new_is_later = (profile.started or "", profile.incident_id) > (match.started or "", match.incident_id)
    earlier, later = (theirs, mine) if new_is_later else (mine, theirs)
    earlier_started, later_started = (match.started, profile.started) if new_is_later else (profile.started, match.started)
    weight = {t: 1.0 for t in terms(earlier["text"]) | terms(later["text"])}
    weight.update(_idf_of(conn, weight))
    found = promises(conn, earlier["incident_id"], [earlier["text"], later["text"]], weight)
    kept = found[:MAX_PROMISES]
    conn.execute(
        f"insert or replace into [{TABLE}] (organization, earlier_incident_id, later_incident_id, score, days_apart, earlier_cause_id, "
        "earlier_cause, later_cause_id, later_cause, shared_terms, promised_actions, promised_not_done, promises) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            profile.organization, earlier["incident_id"], later["incident_id"], score, _days_apart(earlier_started, later_started),
            earlier["cause_id"], earlier["text"], later["cause_id"], later["text"], ", ".join(pair["terms"]),
            len(found), sum(a["status"] != "done" for a in found), json.dumps(kept, ensure_ascii=False),
        ),
    )
    return 1


def _idf_of(conn: sqlite3.Connection, terms: Iterable[str]) -> dict[str, float]:
    from kb import similar_index

    terms = list(terms)
    n = similar_index.indexed_count(conn)
    df = similar_index.document_frequencies(conn, terms)
    return {t: similar.idf(df.get(t, 0), n) for t in terms}
