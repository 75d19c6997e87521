"""Step 4a, clock days: which day, and which half of it, a clock the text leaves open is on (the
year nearest the story, pm after a pm time or inside a stated afternoon, the next day when a clock
runs far behind the one before it, and the day the same clock is given elsewhere)."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from . import rules
from .time_hints import unit_of
from .time_mentions import TimeMention

if TYPE_CHECKING:
    from .times import TimeContext


def nearest_year(day: date, near: date) -> date:
    """A month and day without a year, in the year that puts it nearest to ``near``."""
    options = []
    for year in (near.year - 1, near.year, near.year + 1):
        try:
            options.append(day.replace(year=year))
        except ValueError:  # 29 February
            continue
    return min(options, key=lambda d: abs((d - near).days)) if options else day


@lru_cache(maxsize=1)
def intended() -> re.Pattern:
    """Words before a dated clock that say what was meant to happen, not what did."""
    words = sorted(rules.time_cues()["intended"], key=len, reverse=True)
    return re.compile(r"(?i)\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"[*_]*\s+[*_]*") for w in words) + r")\b")  # "*meant* to run"


def said_as_intended(text: str | None, m: TimeMention) -> bool:
    """Whether a dated clock is what was meant to happen ("The migration was meant to run on Sunday 8 June at 05:30")."""
    return text is not None and bool(intended().search(text, max(0, m.start - 60), m.start))


@lru_cache(maxsize=1)
def next_day_cue() -> re.Pattern:
    """Words before a clock time that put it on the next day ("the next morning")."""
    words = sorted(rules.time_cues()["next_day"], key=len, reverse=True)
    return re.compile(r"(?i)\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + r")\b")


def rolls_over(m: TimeMention, prev_minutes: int, minutes: int, units: list[tuple[int, int]], text: str | None) -> bool:
    """Whether a dateless clock time in prose is on the day after the previous one: it runs
    far behind it, or its sentence says "the next morning"."""
    if prev_minutes - minutes > rules.time_cues()["prose_rollover_hours"] * 60:
        return True
    if text is None or minutes >= prev_minutes:
        return False
    u = unit_of(units, m.start)
    start = units[u][0] if u >= 0 else max(0, m.start - 80)
    end = units[u][1] if u >= 0 else m.end + 40
    return bool(next_day_cue().search(text, start, end))


def clock_anchors(mentions: list[TimeMention], text: str | None = None) -> dict[tuple[int | None, int | None], date]:
    """Clock times stated with a full date somewhere in the text: (hour, minute) → that date.

    A bare timeline entry with the same clock time is the same moment, so it
    takes that date instead of the one carried from the entry above it.
    """
    anchors: dict[tuple[int | None, int | None], date] = {}
    for m in mentions:
        if m.has_clock and m.date is not None and (m.year_explicit or m.date_explicit) and not m.ampm and not said_as_intended(text, m):
            anchors.setdefault((m.hour, m.minute), m.date)  # "02:14 UTC on Saturday, June 14": the year is the entry's
    return anchors


def hour24(m: TimeMention, ctx: "TimeContext", prev: tuple[date, int] | None, in_timeline: bool = True, pm_span: tuple[int, int] | None = None) -> int:
    """The 24-hour hour of a mention, guessing am/pm from the previous time where unstated: in a
    timeline, the reading that does not run backwards; in prose, which may look back, pm only
    after a pm time, from three hours before it to six after ("8:07pm … 8:15 … 8:55"), or inside
    the afternoon the prose has stated for that day ("from twenty past two in the afternoon until a
    quarter past six that evening … at about twenty to three")."""
    h = m.hour or 0
    if m.ampm == "pm" and h < 12:
        return h + 12
    if m.ampm == "am" and h == 12:
        return 0
    if m.ampm or h == 0 or h > 12 or not ctx.uses_12h or m.padded:
        return h
    m.flags.append("ambiguous-12h-clock")
    if prev is not None and prev[0] == m.date:
        as_am = (h % 12) * 60 + (m.minute or 0)
        if in_timeline and as_am < prev[1] <= as_am + 12 * 60:
            return h % 12 + 12
        if not in_timeline and prev[1] >= 12 * 60 and prev[1] - 180 <= as_am + 12 * 60 <= prev[1] + 360:
            return h % 12 + 12
    if not in_timeline and pm_span is not None and pm_span[0] <= (h % 12 + 12) * 60 + (m.minute or 0) <= pm_span[1]:
        return h % 12 + 12
    return h


_SECOND_PASS = re.compile(r"(?i)[^.\n]{0,50}?\b(?:standard time|second (?:time round|time around|pass|occurrence))\b")


def second_pass(text: str, end: int) -> bool:
    """Whether the words right after a clock place it in the second pass of an hour that happens
    twice when the clocks go back ("two o'clock on Sunday morning (standard time, the second time round)")."""
    return bool(_SECOND_PASS.match(text, end))
