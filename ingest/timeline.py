"""Step 4b, timeline: turn resolved time mentions into events, impact windows and durations.

Every sentence, list item, table row or update that carries a date or a
clock time becomes a timeline event with a kind (onset, detection,
mitigation…). Stated periods of customer impact ("between 12:30 and 20:55
UTC", "at 11:00 for 1 hour and 45 minutes", a status page's start and
resolution) become impact windows. From both come the incident's impact
start and end, total impact, time to detect and time to mitigate, each with
the rule that produced it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from . import rules
from .plain_text import EMPHASIS_MARKS, plain_text
from .segment import text_of, result_of
from .isotime import iso, parse_iso
from .times import TimeMention
from .time_zones import zone_regex
from .units import Unit, evidence, is_impact, says_any, units_for
from .windows import is_peak, ranges, windows_for
from .metrics import metrics


@lru_cache(maxsize=1)
def _kind_patterns() -> list[tuple[str, re.Pattern]]:
    """Each kind's cue regex, for lowered text (lower-case terms, no IGNORECASE: twice as fast)."""
    data = rules.event_kinds()
    explicit = [(kind, cues) for kind, cues in data["explicit"].items() if not kind.startswith("_")]
    return [(kind, re.compile(r"\b(?:" + "|".join(cues) + r")\b")) for kind, cues in explicit + [(k, data["kinds"][k]) for k in data["order"]]]


def classify_event(text: str, status: str | None = None) -> str:
    """The kind of a timeline event: from its status-page state, unless its text reports recovery.

    A status page keeps saying "investigating" while its text already reports
    recovery, so recovery words in the text win over the state; otherwise the
    state (investigating → detection, monitoring → mitigation…) decides.
    """
    lowered = text.lower()
    text_kind = next((kind for kind, pattern in _kind_patterns() if pattern.search(lowered)), "other")
    if status:
        status_kind = rules.event_kinds()["status_kinds"].get(status.lower())
        if status_kind and text_kind not in RECOVERY_KINDS:
            return status_kind
    return text_kind


RECOVERY_KINDS = ("mitigation", "impact_end", "resolution")
"""Event kinds whose words in a status update's text override its status."""


def _clean(text: str) -> str:
    """An event's text: a table row's cell separators and Markdown marks become spaces."""
    return plain_text(text, EMPHASIS_MARKS + "|", " ")


def _is_byline(text: str) -> bool:
    """Whether a sentence is a byline or publication line ("Published on 2024-05-04")."""
    lowered = text.lower()
    return any(word in lowered for word in rules.time_cues()["publication"])


def is_date_line(body: str, offset: int, mentions: list[TimeMention]) -> bool:
    """Whether a line only states dates (and zones) for what follows ("On March 3, 2024:"), not an event."""
    rest, pos = [], 0
    for m in sorted(mentions, key=lambda m: m.start):
        rest.append(body[pos:max(m.start - offset, pos)])
        pos = max(pos, m.end - offset)
    rest.append(body[pos:])
    words = re.findall(r"[a-z]+", zone_regex().sub(" ", " ".join(rest)).lower())
    return set(words) <= set(rules.time_cues()["date_context"])


def events_for(doc: Doc, units: list[Unit]) -> list[dict]:
    """Timeline events: one per distinct resolved stamp in each unit."""
    text = text_of(doc)
    meta = doc._.pmkb_meta or {}
    publication_day = (meta.get("published_at") or "")[:10]
    events: list[dict] = []
    for unit in units:
        resolved = [m for m in unit.mentions if m.value is not None]
        if not resolved or _todo_hours(text, unit, resolved):
            continue  # a to-do's hours ("a blackout for migrations, 04:00–10:00") are no event
        body = text[unit.text_start:unit.text_end]
        if unit.status is None and says_any(("future", "announced"), text[unit.start:unit.end]):
            continue
        clocks = [m for m in resolved if m.has_clock]
        chosen = clocks
        if not clocks:
            if unit.block.kind == "heading" and unit.text_start == unit.block.start:
                continue  # a day heading sets context; it is not an event
            if unit.block.role in ("actions", "lessons") or is_date_line(body, unit.text_start, resolved):
                continue
            chosen = [m for m in resolved if m.date_explicit]
        seen: set[str] = set()
        pairs = ranges(text, unit)
        for index, m in enumerate(chosen):
            iso = m.iso()
            if iso is None or iso in seen:
                continue
            if m.precision == "day" and iso == publication_day and _is_byline(body):
                continue
            seen.add(iso)
            kind = classify_event(_clean(_clause(text, unit, chosen, index) if len(chosen) > 1 and unit.text_start == unit.start else body), unit.status)
            for a, b in pairs:
                if is_peak(text, unit, a):
                    continue  # "Peak error rate 71% (20:45–21:20)": inside the impact, neither its start nor its end
                if m is a and is_impact(body):
                    kind = "impact_start"
                elif m is b and is_impact(body):
                    kind = "impact_end"
            events.append(
                {
                    "at": iso,
                    "precision": m.precision,
                    "timezone": timezone_of(m),
                    "kind": kind,
                    "text": _clean(body),
                    "evidence": evidence(text, unit.text_start, unit.text_end),
                    "_start": m.start,
                    "_flags": list(m.flags),
                }
            )
    events.sort(key=lambda e: (e["at"].rstrip("Z"), e["_start"]))
    return _dedupe_events(events)


def timezone_of(m) -> str | None:
    """The contract's ``timezone`` of a resolved mention: its zone label when its time is in UTC
    (``…Z``), "assumed" when the zone was carried from elsewhere, None when the time has no zone."""
    if m.precision == "day" or m.value is None or m.value.tzinfo is None:
        return None
    return m.tz_label or "assumed"


def _dedupe_events(events: list[dict]) -> list[dict]:
    """Drop repeats: the same stamp with the same text (status updates often restate a time)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for event in events:
        key = (event["at"][:16], event["text"].lower())
        if key in seen:
            continue
        seen.add(key)
        out.append(event)
    return out


_CLAUSE_BREAK = re.compile(r"(?i);|,?\s+(?:and|while|but|before|after|then)\s+|,\s+")


def _clause(text: str, unit: Unit, mentions: list[TimeMention], index: int) -> str:
    """The clause of a unit that holds one of its several times ("A at T1 and B at T2")."""
    pos = mentions[index].start
    start, end = unit.start, unit.end
    for brk in _CLAUSE_BREAK.finditer(text, unit.start, unit.end):
        if brk.end() <= pos:
            start = brk.end()
        elif brk.start() >= mentions[index].end:
            end = brk.start()
            break
    return text[start:end]


def source_events(meta: dict, events: list[dict]) -> list[dict]:
    """Events for the start and resolution times a source states outside its text (JSON, front matter)."""
    have = {e["at"][:16] for e in events}
    out = []
    for key, kind, text in (("started_at", "impact_start", "Incident start (from the source's metadata)"), ("resolved_at", "resolution", "Incident resolved (from the source's metadata)")):
        at = parse_iso(meta.get(key) or "")
        if at is None or "T" not in (meta.get(key) or ""):
            continue
        stamp = iso(at)
        if stamp[:16] in have:
            continue
        have.add(stamp[:16])
        out.append({"at": stamp, "precision": "minute", "timezone": "UTC" if at.tzinfo else None, "kind": kind, "text": text, "evidence": None, "_start": -1, "_flags": []})
    return out


def window_events(windows: list[dict], events: list[dict]) -> list[dict]:
    """Events for window boundaries that the timeline does not already hold."""
    have = {e["at"][:16] for e in events}
    extra = []
    for w in windows:
        if w.get("evidence") is None:
            continue
        for key, kind in (("start", "impact_start"), ("end", "impact_end")):
            at = w[key]
            if at[:16] in have:
                continue
            have.add(at[:16])
            extra.append({"at": at, "precision": "minute", "timezone": "UTC" if at.endswith("Z") else None, "kind": kind, "text": _clean(w["evidence"]["text"]), "evidence": w["evidence"], "_start": w["evidence"]["start"], "_flags": []})
    return extra


@Language.factory("pmkb_timeline", assigns=["doc._.pmkb_result"], requires=["doc._.pmkb_blocks", "doc._.pmkb_times", "token.is_sent_start"], default_config={"derived_max_hours": 24.0})
def make_timeline(nlp: Language, name: str, derived_max_hours: float) -> "TimelineComponent":
    """Build timeline events, impact windows and durations (``doc._.pmkb_result``); a window
    derived from a trigger or detection event spans at most ``derived_max_hours``."""
    return TimelineComponent(derived_max_hours)


class TimelineComponent:
    """Adds ``timeline``, ``impact_windows`` and ``metrics`` to ``doc._.pmkb_result``."""

    def __init__(self, derived_max_hours: float = 24.0) -> None:
        self.derived_max_span = timedelta(hours=derived_max_hours)

    def __call__(self, doc: Doc) -> Doc:
        meta = doc._.pmkb_meta or {}
        result = result_of(doc)
        units = units_for(doc)
        events = events_for(doc, units)
        events = events + source_events(meta, events)
        windows, rule = windows_for(doc, units, meta.get("started_at"), meta.get("resolved_at"), events, self.derived_max_span)
        events = sorted(events + window_events(windows, events), key=lambda e: (e["at"].rstrip("Z"), e["_start"]))
        result["units"] = units
        result["timeline"] = events
        result["impact_windows"] = windows
        m = metrics(windows, events, text_of(doc))
        m["rules"]["windows"] = rule
        result["metrics"] = m
        return doc


def _todo_hours(text: str, unit, resolved: list) -> bool:
    """Whether a unit is a to-do (a checklist item or action-table row) whose only times are the
    hours it proposes ("Propose a weekday blackout for migrations, 04:00–10:00"), not an event."""
    block = unit.block
    if block.role != "actions" or not (block.checkbox is not None or block.kind == "row"):
        return False
    return bool(ranges(text, unit)) and not any(m.date_explicit for m in resolved)
