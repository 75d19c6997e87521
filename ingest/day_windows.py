"""Step 4b, windows known by their dates: a stated period of customer impact whose ends are days,
not clock times ("Starting on March 15th and going through to March 17th, users received
intermittent 404s"). Each end is made as precise as the timeline allows: an impact end (else a
resolution) stamped on the last day, an impact start stamped on the first."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from .derived_windows import MAX_STATED_DURATION
from .isotime import iso, naive, parse_iso
from .time_mentions import RANGE_OPENER, TimeMention
from .units import Unit, evidence, is_impact, is_not_impact, says

_DAY_GAP = re.compile(
    r"(?i)^[\s,]*(?:(?:and\s+)?(?:going|continuing|lasting|running)\s+)?(?:-{1,2}|–|—|to|until|till|through(?:\s+to)?|thru|into)\s*(?:the\s+)?$"
)
"""What joins the two dates of a range ("March 15 – March 17", "15 March and going through to 17 March")."""

_SKIP_ROLES = ("actions", "lessons", "timeline", "other")


def day_ranges(text: str, unit: Unit) -> list[tuple[TimeMention, TimeMention]]:
    """Pairs of date-only mentions of a unit joined as a range, the later date after the earlier."""
    days = [m for m in unit.mentions if not m.has_clock and m.value is not None and m.date_explicit]
    pairs = []
    for a, b in zip(days, days[1:]):
        gap = text[a.end:b.start]
        joined = _DAY_GAP.match(gap) or (re.fullmatch(r"\s*and\s*", gap) and RANGE_OPENER.search(text[max(unit.start, a.start - 20):a.start]))
        if joined and timedelta(0) < b.value - a.value <= MAX_STATED_DURATION:
            pairs.append((a, b))
    return pairs


def day_windows(text: str, units: list[Unit], events: list[dict]) -> list[dict]:
    """Windows stated by dates in sentences that speak of impact, their ends refined by the timeline."""
    windows = []
    for unit in units:
        if unit.block.role in _SKIP_ROLES:
            continue
        body = text[unit.start:unit.end]
        if not is_impact(body) or is_not_impact(body) or says("future", body):
            continue
        for a, b in day_ranges(text, unit):
            start = _stamp_on(events, a.value, ("impact_start",), first=True) or a.value
            end = _stamp_on(events, b.value, ("impact_end", "resolution"), first=False) or b.value
            windows.append(_day_window(start, end, start is a.value, end is b.value, evidence(text, unit.start, unit.end)))
    return windows


def _stamp_on(events: list[dict], day: datetime, kinds: tuple[str, ...], first: bool) -> datetime | None:
    """The first (or last) timed event of the first of ``kinds`` that has one on ``day``."""
    for kind in kinds:
        stamps = [at for e in events if e["kind"] == kind and e.get("precision") != "day" for at in [parse_iso(e["at"])] if at is not None and naive(at).date() == day.date()]
        if stamps:
            return min(stamps, key=naive) if first else max(stamps, key=naive)
    return None


def _day_window(start: datetime, end: datetime, start_is_day: bool, end_is_day: bool, quote: dict) -> dict:
    """A window whose ends may be whole days (written as dates) or timed stamps."""
    return {
        "start": start.date().isoformat() if start_is_day else iso(start),
        "end": end.date().isoformat() if end_is_day else iso(end),
        "duration_minutes": round(max(timedelta(0), naive(end) - naive(start)).total_seconds() / 60, 1),
        "label": "stated dates",
        "evidence": quote,
    }
