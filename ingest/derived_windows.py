"""Step 4b, derived windows: when no period of impact is stated, the window a timeline implies,
from its impact start (else trigger or detection) to its first recovery, or one window per episode
when impact stops and starts again. Also the window dict every window rule builds, and the
longest period any of them reads as one window."""

from __future__ import annotations

from datetime import datetime, timedelta

from .isotime import iso, naive, parse_iso


MAX_STATED_DURATION = timedelta(days=14)
"""A start plus a stated duration, or two stated dates, further apart than this are not read as a window."""


def one_clock(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """A window's two ends on one clock: in UTC when both zones are known, else both zone-less."""
    if (start.tzinfo is None) != (end.tzinfo is None):
        return naive(start), naive(end)
    return start, end


def bare_window(start: datetime, end: datetime, label: str, evidence: dict | None = None) -> dict:
    """A window dict from two instants (on one clock), with its label and evidence."""
    start, end = one_clock(start, end)
    return {
        "start": iso(start),
        "end": iso(end),
        "duration_minutes": round((naive(end) - naive(start)).total_seconds() / 60, 1),
        "label": label,
        "evidence": evidence,
    }


DERIVED_MAX_SPAN = timedelta(hours=24)
"""A window derived from a trigger or detection event spans at most this long."""


def impact_cycles(events: list[dict]) -> list[dict]:
    """Windows of a timeline whose impact stops and starts again: each first impact start after a
    recovery, to the next recovery ("launches fail … succeed again … fail again … back to 100%")."""
    timed = sorted(((naive(at), e, at) for e in events if e.get("precision") != "day" for at in [parse_iso(e["at"])] if at is not None), key=lambda t: t[0])
    windows, opened = [], None
    for when, event, at in timed:
        if event["kind"] == "impact_start" and opened is None:
            opened = (when, at)
        elif event["kind"] == "impact_end" and opened is not None and when > opened[0]:
            windows.append(bare_window(opened[1], at, "derived from the timeline", event.get("evidence")))
            opened = None
    return windows


def derive_window(events: list[dict], source_start: datetime | None = None, max_span: timedelta = DERIVED_MAX_SPAN) -> dict | None:
    """A window from the timeline: last impact start (else first trigger) before the first "back to normal" event."""
    timed = [(e, parse_iso(e["at"])) for e in events if e.get("precision") != "day"]
    timed = [(e, at) for e, at in timed if at is not None]
    if not timed:
        return None
    starts = [at for e, at in timed if e["kind"] == "impact_start"]
    candidates = [naive(at) for at in starts] or [naive(at) for e, at in timed if e["kind"] == "trigger"]
    if source_start is not None:
        candidates = candidates or [naive(source_start)]
    candidates = candidates or [naive(at) for e, at in timed if e["kind"] == "detection"]
    if not candidates:
        return None
    earliest = min(candidates)
    end_kinds = ["impact_end"] + (["resolution", "mitigation"] if starts else [])  # a resolution or, failing that, a mitigation ends only a stated impact
    for kind in end_kinds:
        ends = sorted(((naive(at), e, at) for e, at in timed if e["kind"] == kind and naive(at) > earliest), key=lambda t: t[0])
        if not ends:
            continue
        end_naive, end_event, end_at = ends[0]
        before = [c for c in candidates if c < end_naive]
        near = [c for c in before if end_naive - c <= max_span]
        if not starts:
            before = near  # a trigger or detection days earlier is lead-up, not impact
        if not before:
            return None
        begin = min(near) if near else max(before)  # the first impact within a day of the end
        begin_at = next((at for e, at in timed if naive(at) == begin), None)
        if begin_at is None:
            begin_at = source_start
        if begin_at is None:
            return None
        return bare_window(begin_at, end_at, "derived from the timeline", end_event.get("evidence"))
    return None
