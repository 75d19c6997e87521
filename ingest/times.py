"""Step 4a, times: find every date and clock time in a text and resolve it to UTC.

A strict regular-expression fast path finds candidate expressions and parses
the common shapes itself (ISO dates, ``MM/DD/YYYY``, "October 27, 2025",
"27 Oct", ``12:30``, ``4:49 PM``, ``15.26``, zone names). dateparser is only
asked about the odd candidate the fast path cannot read, with explicit
settings. Resolution then walks the mentions in order, carrying the date and
the zone forward, converting stated zones to UTC and flagging what it had to
guess (no zone, an am/pm-less 12-hour clock, a mistyped year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Iterable
from zoneinfo import ZoneInfo

from spacy.language import Language
from spacy.tokens import Doc

from . import rules

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+(?:the\s+)?)"
_ORD = r"(?:st|nd|rd|th)?"


@lru_cache(maxsize=1)
def zone_pattern() -> str:
    """A regex alternation of every zone name in the rules (abbreviations case-sensitive)."""
    data = rules.timezones()
    names = sorted(set(data["fixed"]) | set(data["named"]), key=len, reverse=True)
    long_names = [re.escape(n).replace(r"\ ", r"\s+") for n in names if len(n) > 4 or "/" in n]
    short = [re.escape(n) for n in names if not (len(n) > 4 or "/" in n) and n != "Z"]
    # a bare ±HH:MM offset only right after seconds: "17:39-18:12" is a range
    offset = r"(?:UTC|GMT)\s?[+\-−]\s?\d{1,2}(?::?\d{2})?|(?:(?<=\d:\d\d:\d\d)|(?<=\.\d\d\d)|(?<=\.\d{6}))[+-]\d{2}:?\d{2}(?!\d)"
    return r"(?:" + offset + r"|(?i:" + "|".join(long_names) + r")|" + "|".join(short) + r"|(?<=\d)Z)(?![A-Za-z0-9/])"


@lru_cache(maxsize=1)
def scanner() -> re.Pattern:
    """The one compiled pattern that finds date and time candidates, left to right."""
    zone = zone_pattern()
    date_alts = [
        r"(?P<iso>(?P<iy>(?:19|20)\d{2,3})-(?P<im>[01]?\d)-(?P<id>[0-3]?\d))(?![\d])",
        r"(?P<isl>(?P<sy>(?:19|20)\d{2})/(?P<sm>[01]?\d)/(?P<sd>[0-3]?\d))(?![\d/])",
        r"(?P<us>(?P<um>[0-3]?\d)(?P<usep>[/-])(?P<ud>[0-3]?\d)(?P=usep)(?P<uy>(?:19|20)?\d{2}))(?![\d/-])",
        r"(?P<mdy>" + _WEEKDAY + r"?(?P<mm>" + _MONTH + r")\s+(?P<md>[0-3]?\d)" + _ORD + r"(?![\d:])(?:,?\s+(?P<my>(?:19|20)\d{2})(?!\d))?)",
        r"(?P<dmy>" + _WEEKDAY + r"?(?P<dd>[0-3]?\d)" + _ORD + r"\s+(?:of\s+)?(?P<dm>" + _MONTH + r")(?![a-z])(?:,?\s+(?P<dy>(?:19|20)\d{2})(?!\d))?)",
        r"(?P<ord>\bthe\s+(?P<od>[0-3]?\d)(?:st|nd|rd|th)\b)",
        # "03-26 17:40": month-day before a clock time, the year from context
        r"(?P<mdn>(?P<nm>[01]?\d)-(?P<nd>[0-3]\d))(?=[ T][0-2]?\d:[0-5]\d)",
    ]
    time_alts = [
        r"(?P<hm>(?P<h>[0-2]?\d):(?P<mi>[0-5]\d)(?::(?P<s>[0-5]\d))?(?:\.\d{1,6})?(?:\s?(?P<ap>[aApP]\.?[mM]\.?)(?![a-zA-Z]))?)",
        r"(?P<hap>(?P<h2>[01]?\d)\s?(?P<ap2>[aApP]\.?[mM]\.?)(?![a-zA-Z]))",
        r"(?P<dot>(?P<h3>[0-2]?\d)\.(?P<mi3>[0-5]\d)(?![\d.])(?:\s?(?P<ap3>[aApP]\.?[mM]\.?)(?![a-zA-Z]))?)",
    ]
    time_part = r"(?:" + "|".join(time_alts) + r")(?:\s?\(?(?P<zone>" + zone + r")\)?)?"
    return re.compile(
        r"(?:(?<![\w:/.-])|(?<=\dT)|(?<=\d[-–—]))(?:(?P<date>" + "|".join(date_alts) + r")|(?P<time>" + time_part + r"))",
        re.I,
    )


@lru_cache(maxsize=1)
def header_zone_pattern() -> re.Pattern:
    """Statements that set a zone for the whole text: "All times in UTC", "Time (CET)"."""
    zone = zone_pattern()
    return re.compile(
        r"(?i:(?:all\s+)?(?:times?|timestamps?|dates?(?:\s+and\s+times?)?|hours)\s+(?:are\s+|is\s+|listed\s+|shown\s+|given\s+|below\s+|here\s+)*(?:in\s+|as\s+)?(?:the\s+)?)\(?(?P<zone>" + zone + r")\)?"
    )


@dataclass
class TimeMention:
    """A date and/or clock time found in the text, resolved as far as the text allows."""

    start: int
    end: int
    text: str
    date: date | None = None
    date_explicit: bool = False
    year_explicit: bool = False
    hour: int | None = None
    minute: int | None = None
    second: int | None = None
    zone: str | None = None
    zone_explicit: bool = False
    ampm: str | None = None
    padded: bool = False
    """True for a zero-padded hour (``03:14``): a 24-hour clock, never an am/pm guess."""
    flags: list[str] = field(default_factory=list)
    value: datetime | None = None
    precision: str = "day"
    tz_label: str | None = None

    @property
    def has_clock(self) -> bool:
        """True when the mention states a clock time."""
        return self.hour is not None

    def iso(self) -> str | None:
        """ISO 8601: ``…Z`` in UTC when the zone is known, no offset when it is not."""
        if self.value is None:
            return None
        if self.precision == "day":
            return self.value.date().isoformat()
        fmt = "%Y-%m-%dT%H:%M:%S"
        if self.value.tzinfo is not None:
            return self.value.astimezone(timezone.utc).strftime(fmt) + "Z"
        return self.value.strftime(fmt)


# --------------------------------------------------------------------------- scanning


def scan(text: str) -> list[TimeMention]:
    """Find date and time candidates, merging a date directly followed by its time."""
    mentions: list[TimeMention] = []
    for match in _candidates(text):
        mention = _parse_match(match, text)
        if mention is None:
            continue
        prev = mentions[-1] if mentions else None
        if prev and prev.date is not None and prev.hour is None and mention.hour is not None and mention.date is None:
            gap = text[prev.end:mention.start]
            if re.fullmatch(r"(?:[T ,]|[ \t]+at[ \t]+|[ \t]*/[ \t]*|[ \t]*,[ \t]*|[ \t]+-[ \t]+|[ \t]+@[ \t]+|[ \t]*/[ \t]*|[ \t]+from[ \t]+|[ \t]+starting[ \t]+at[ \t]+|[ \t]+around[ \t]+|[ \t]+approximately[ \t]+|[ \t]+\(?)?", gap, re.I):
                prev.end = mention.end
                prev.text = text[prev.start:prev.end]
                prev.hour, prev.minute, prev.second = mention.hour, mention.minute, mention.second
                prev.ampm, prev.zone, prev.zone_explicit = mention.ampm, mention.zone, mention.zone_explicit
                prev.precision = mention.precision
                prev.padded = mention.padded
                prev.flags.extend(mention.flags)
                continue
        if prev and prev.has_clock and prev.date is None and mention.date is not None and mention.hour is None:
            gap = text[prev.end:mention.start]
            if re.fullmatch(r"[ \t]*,?[ \t]*(?:on[ \t]+)?", gap, re.I):
                prev.end = mention.end
                prev.text = text[prev.start:prev.end]
                prev.date, prev.year_explicit = mention.date, mention.year_explicit
                prev.date_explicit = mention.date_explicit
                prev.flags.extend(mention.flags)
                continue
        mentions.append(mention)
    return mentions


_DIGITS = re.compile(r"\d+(?:[^\S\n]*[-:./,]?[^\S\n]*\d+)*")
_LOOKBACK = 40
"""Characters before a digit that a date may start at ("Wednesday, September 27")."""


def _candidates(text: str):
    """Scanner matches, searched only near digits (every date and time has one): the scanner's
    many alternatives are slow to try at every letter of a long text."""
    pattern = scanner()
    windows: list[list[int]] = []
    for run in _DIGITS.finditer(text):
        start, end = max(0, run.start() - _LOOKBACK), min(len(text), run.end() + 30)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    for start, end in windows:
        yield from pattern.finditer(text, start, end)


def _parse_match(match: re.Match, text: str) -> TimeMention | None:
    g = match.groupdict()
    mention = TimeMention(match.start(), match.end(), match.group(0))
    if g["date"]:
        parsed = _parse_date(g, mention)
        if parsed is None:
            return None
        return parsed
    if g["hm"]:
        h, mi, s = int(g["h"]), int(g["mi"]), int(g["s"]) if g["s"] else None
        ap = g["ap"]
        mention.padded = len(g["h"]) == 2 and g["h"][0] == "0"
    elif g["hap"]:
        h, mi, s, ap = int(g["h2"]), 0, None, g["ap2"]
    else:
        h, mi, s, ap = int(g["h3"]), int(g["mi3"]), None, g["ap3"]
        if not ap and not _dotted_time_ok(match, text):
            return None
    if h > 24:
        return None
    if ap and h > 12:
        ap = None  # "19:40pm": a 24-hour clock with a stray am/pm
    if h == 24:
        h = 0
    mention.hour, mention.minute, mention.second = h, mi, s
    if ap:
        mention.ampm = ap.lower().replace(".", "")[0] + "m"
    if g["zone"]:
        mention.zone = re.sub(r"\s+", " ", g["zone"]).upper()
        mention.zone_explicit = True
    mention.precision = "second" if s is not None else "minute"
    return mention


def _dotted_time_ok(match: re.Match, text: str) -> bool:
    """``15.26`` is a time only at the start of a line or cell, or when a zone follows."""
    if match.group("zone"):
        return True
    line_start = text.rfind("\n", 0, match.start()) + 1
    before = text[line_start:match.start()]
    return bool(re.fullmatch(r"[\s|*_>#-]*(?:\d{4}-\d{2}-\d{2}\s*)?", before))


def _parse_date(g: dict, mention: TimeMention) -> TimeMention | None:
    try:
        if g["iso"]:
            year_text = g["iy"]
            year = int(year_text)
            if len(year_text) == 5:
                year = int(year_text[:4])
                mention.flags.append("date-typo")
            mention.date = date(year, int(g["im"]), int(g["id"]))
            mention.year_explicit = True
        elif g["isl"]:
            mention.date = date(int(g["sy"]), int(g["sm"]), int(g["sd"]))
            mention.year_explicit = True
        elif g["us"]:
            month, day = int(g["um"]), int(g["ud"])
            if month > 12 and day <= 12:
                month, day = day, month
            year = int(g["uy"])
            mention.date = date(year + 2000 if year < 100 else year, month, day)
            mention.year_explicit = True
        elif g["mdy"]:
            month = _month(g["mm"])
            if month is None:
                return _odd_date(mention)
            mention.date = _partial_date(g["my"], month, int(g["md"]), mention)
        elif g["dmy"]:
            month = _month(g["dm"])
            if month is None:
                return _odd_date(mention)
            mention.date = _partial_date(g["dy"], month, int(g["dd"]), mention)
        elif g["ord"]:
            mention.date = None
            mention.flags.append("day-only:" + g["od"])
        elif g["mdn"]:
            mention.date = _partial_date(None, int(g["nm"]), int(g["nd"]), mention)
    except ValueError:
        return _odd_date(mention)
    if g["mdy"] and g["mm"].lower().rstrip(".") == "may" and not g["my"] and not re.match(r"(?i)may\s+[0-3]?\d" + _ORD + r"\b", g["mdy"]):
        return None
    mention.date_explicit = True
    mention.precision = "day"
    return mention


def _month(token: str) -> int | None:
    return MONTHS.get(token.lower().rstrip("."))


def _partial_date(year: str | None, month: int, day: int, mention: TimeMention) -> date:
    """A date with its year when given; year 1 is a placeholder for 'year from context'."""
    if year:
        mention.year_explicit = True
        return date(int(year), month, day)
    date(2000, month, day)  # validates day/month (leap-safe)
    return date(1, month, day) if not (month == 2 and day == 29) else date(4, month, day)


def _odd_date(mention: TimeMention) -> TimeMention | None:
    """Ask dateparser about a candidate the fast path could not read."""
    parsed = dateparse(mention.text)
    if parsed is None:
        return None
    mention.date = parsed.date()
    mention.year_explicit = bool(re.search(r"\d{4}", mention.text))
    mention.date_explicit = True
    return mention


@lru_cache(maxsize=4096)
def dateparse(expression: str, base: str = "2000-01-01T00:00:00") -> datetime | None:
    """Normalise one odd time expression with dateparser (English, explicit base and zone)."""
    import dateparser

    settings = {
        "RELATIVE_BASE": datetime.fromisoformat(base),
        "TIMEZONE": "UTC",
        "TO_TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DAY_OF_MONTH": "first",
        "STRICT_PARSING": False,
    }
    try:
        return dateparser.parse(expression, languages=["en"], settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input; treat as unreadable
        return None


# --------------------------------------------------------------------------- resolving


def zone_offset(name: str, on: datetime) -> timedelta | None:
    """The UTC offset of a zone name on a given local date-time, or None if unknown."""
    name = re.sub(r"\s+", " ", name.strip().upper().replace("−", "-"))
    data = rules.timezones()
    if name in data["fixed"]:
        return timedelta(minutes=data["fixed"][name])
    if name in data["named"]:
        return ZoneInfo(data["named"][name]).utcoffset(on)
    if "/" in name:
        try:
            return ZoneInfo(_iana_case(name)).utcoffset(on)
        except (KeyError, ValueError, OSError):
            return None
    match = re.fullmatch(r"(?:UTC|GMT)?\s?([+-])\s?(\d{1,2})(?::?(\d{2}))?", name)
    if match:
        minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
        return timedelta(minutes=minutes if match.group(1) == "+" else -minutes)
    return None


def _iana_case(name: str) -> str:
    """'AMERICA/NEW_YORK' → 'America/New_York' (IANA names are case-sensitive)."""
    return "/".join("_".join(w.capitalize() if w.upper() not in ("UTC", "GMT", "UCT") else w.upper() for w in part.split("_")) for part in name.split("/"))


def zone_label(name: str | None) -> str | None:
    """How a zone is shown on a timeline event: ``UTC`` or ``PST→UTC``."""
    if name is None:
        return None
    upper = name.upper()
    if upper in ("UTC", "GMT", "Z", "UCT", "ZULU", "+00:00", "+0000", "UTC+0", "GMT+0"):
        return "UTC"
    return f"{name}→UTC"


def find_header_zone(text: str) -> tuple[str | None, int]:
    """The zone a text declares for all its times, and where it says so (or None, -1)."""
    match = header_zone_pattern().search(text)
    if match:
        return re.sub(r"\s+", " ", match.group("zone")).upper(), match.start()
    return None, -1


@dataclass
class TimeContext:
    """What resolution knows before reading the mentions: base dates and zones."""

    base_date: date | None = None
    """Fallback date (publication or incident start) for times that carry none."""
    header_zone: str | None = None
    default_zone: str | None = None
    uses_12h: bool = False


def build_context(text: str, mentions: list[TimeMention], base_date: date | None) -> TimeContext:
    """Work out the header zone, the dominant stated zone and the clock style of a text."""
    header, _ = find_header_zone(text)
    zones = [m.zone for m in mentions if m.zone_explicit]
    default = header
    if default is None and zones:
        counts: dict[str, int] = {}
        for z in zones:
            counts[z] = counts.get(z, 0) + 1
        default = max(counts, key=counts.get)
    uses_12h = any(m.ampm for m in mentions)
    first_dated = next((m.date for m in mentions if m.date and m.year_explicit), None)
    return TimeContext(base_date=first_dated or base_date, header_zone=header, default_zone=default, uses_12h=uses_12h)


def resolve(
    mentions: list[TimeMention],
    ctx: TimeContext,
    units: list[tuple[int, int]] | None = None,
    timeline_starts: Iterable[int] = (),
    text: str | None = None,
) -> list[TimeMention]:
    """Resolve mentions in order: fill dates and zones from context, convert to UTC, flag guesses.

    ``units`` are sentence spans: a zone-less time takes the zone stated by
    another time in the same unit before the document default. ``timeline_starts``
    are offsets of timeline entries, where a clock that runs backwards rolls
    the carried date to the next day.
    """
    units = sorted(units or [])
    unit_zone: dict[int, str] = {}
    for m in mentions:
        if m.zone_explicit:
            u = _unit_of(units, m.start)
            unit_zone.setdefault(u, m.zone)  # first stated zone of the unit
    starts = set(timeline_starts)
    correct_year_typos([m for m in mentions if m.start in starts])
    anchors = _clock_anchors(mentions)
    cur_date: date | None = None
    cur_year: int | None = ctx.base_date.year if ctx.base_date else None
    prev_clock: tuple[date, int] | None = None
    prev_prose: tuple[date, int] | None = None
    for m in mentions:
        if m.date is not None:
            if m.year_explicit:
                cur_year = m.date.year
            elif cur_year is not None:
                try:
                    m.date = m.date.replace(year=cur_year)
                except ValueError:
                    m.date = None
            else:
                m.date = None
            if m.date is not None:
                if cur_date is not None and not m.year_explicit and m.date < cur_date - timedelta(days=300):
                    m.date = m.date.replace(year=m.date.year + 1)  # December → January
                cur_date = m.date
                m.date_explicit = True
        else:
            day_flag = next((f for f in m.flags if f.startswith("day-only:")), None)
            if day_flag:
                m.flags.remove(day_flag)
                base = cur_date or ctx.base_date
                if base is None:
                    continue
                try:
                    m.date = base.replace(day=int(day_flag.split(":")[1]))
                except ValueError:
                    continue
                cur_date = m.date
                m.date_explicit = True
            elif m.has_clock:
                m.date = cur_date or ctx.base_date
        if m.date is None:
            continue
        if not m.has_clock:
            m.value = datetime.combine(m.date, time())
            m.precision = "day"
            continue
        in_timeline = m.start in starts
        anchored = anchors.get((m.hour, m.minute)) if in_timeline and not m.date_explicit and not m.ampm else None
        if anchored is not None and anchored != m.date:
            m.date = cur_date = anchored
        hour = _hour24(m, ctx, prev_clock if in_timeline else None)
        minutes = hour * 60 + (m.minute or 0)
        if (
            in_timeline
            and prev_clock is not None
            and not m.date_explicit
            and prev_clock[0] == m.date
            and prev_clock[1] - minutes > 8 * 60
        ):
            m.date = m.date + timedelta(days=1)
            cur_date = m.date
        if in_timeline:
            prev_clock = (m.date, minutes)
        elif not m.date_explicit and prev_prose is not None and prev_prose[0] == m.date and _rolls_over(m, prev_prose[1], minutes, units, text):
            m.date = m.date + timedelta(days=1)
            cur_date = m.date
        prev_prose = (m.date, minutes)
        local = datetime.combine(m.date, time(hour, m.minute or 0, m.second or 0))
        zone = m.zone if m.zone_explicit else unit_zone.get(_unit_of(units, m.start)) or ctx.header_zone or ctx.default_zone
        if zone is not None and not m.zone_explicit:
            m.zone = zone
        offset = zone_offset(zone, local) if zone else None
        if offset is None:
            m.value = local
            m.tz_label = None
            m.flags.append("timezone-missing")
        else:
            m.value = (local - offset).replace(tzinfo=timezone.utc)
            m.tz_label = zone_label(zone) if (m.zone_explicit or zone == ctx.header_zone or zone == unit_zone.get(_unit_of(units, m.start))) else "assumed"
        if ctx.header_zone and m.zone_explicit and zone_label(m.zone) != "UTC" and zone_offset(m.zone, local) != zone_offset(ctx.header_zone, local):
            m.flags.append("timezone-conflict")
    return mentions


@lru_cache(maxsize=1)
def _next_day_cue() -> re.Pattern:
    """Words before a clock time that put it on the next day ("the next morning")."""
    words = sorted(rules.time_cues()["next_day"], key=len, reverse=True)
    return re.compile(r"(?i)\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + r")\b")


def _rolls_over(m: TimeMention, prev_minutes: int, minutes: int, units: list[tuple[int, int]], text: str | None) -> bool:
    """Whether a dateless clock time in prose is on the day after the previous one: it runs
    far behind it, or its sentence says "the next morning"."""
    if prev_minutes - minutes > rules.time_cues()["prose_rollover_hours"] * 60:
        return True
    if text is None or minutes >= prev_minutes:
        return False
    u = _unit_of(units, m.start)
    start = units[u][0] if u >= 0 else max(0, m.start - 80)
    end = units[u][1] if u >= 0 else m.end + 40
    return bool(_next_day_cue().search(text, start, end))


def correct_year_typos(entries: list[TimeMention]) -> None:
    """A timeline entry dated a year off from the entries on both sides of it is a typo: fix and flag it."""
    dated = [m for m in entries if m.date is not None and m.year_explicit]
    for prev, m, nxt in zip(dated, dated[1:], dated[2:]):
        year = prev.date.year
        if nxt.date.year == year and abs(m.date.year - year) == 1:
            try:
                m.date = m.date.replace(year=year)
            except ValueError:
                continue
            m.flags.append("date-typo")


def _clock_anchors(mentions: list[TimeMention]) -> dict[tuple[int | None, int | None], date]:
    """Clock times stated with a full date somewhere in the text: (hour, minute) → that date.

    A bare timeline entry with the same clock time is the same moment, so it
    takes that date instead of the one carried from the entry above it.
    """
    anchors: dict[tuple[int | None, int | None], date] = {}
    for m in mentions:
        if m.has_clock and m.date is not None and m.year_explicit and not m.ampm:
            anchors.setdefault((m.hour, m.minute), m.date)
    return anchors


def _hour24(m: TimeMention, ctx: TimeContext, prev: tuple[date, int] | None) -> int:
    """The 24-hour hour of a mention, guessing am/pm from the previous time where unstated."""
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
        if as_am < prev[1] <= as_am + 12 * 60:
            return h % 12 + 12
    return h


def _unit_of(units: list[tuple[int, int]], pos: int) -> int:
    """Index of the unit holding ``pos`` (-1 when none does)."""
    lo, hi = 0, len(units) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        s, e = units[mid]
        if pos < s:
            hi = mid - 1
        elif pos >= e:
            lo = mid + 1
        else:
            return mid
    return -1


# --------------------------------------------------------------------------- spaCy component


@Language.factory("pmkb_times", assigns=["doc._.pmkb_times"], requires=["doc._.pmkb_blocks", "token.is_sent_start"])
def make_times(nlp: Language, name: str) -> "TimesComponent":
    """Find and resolve every date and clock time in a Doc (``doc._.pmkb_times``)."""
    return TimesComponent()


class TimesComponent:
    """Sets ``doc._.pmkb_times``: resolved :class:`TimeMention` objects in text order."""

    def __call__(self, doc: Doc) -> Doc:
        from .segment import ensure_extensions, sentence_spans, text_of

        ensure_extensions()
        meta = doc._.pmkb_meta or {}
        mentions = scan(text_of(doc))
        publication = meta.get("published_at")
        skip = list(meta.get("skip_spans") or []) + not_prose_spans(text_of(doc))
        mentions = [m for m in mentions if not any(s <= m.start < e for s, e in skip)]
        correct_title_date(mentions, meta.get("title"), _date_of(meta.get("filename_date")))
        base = _date_of(meta.get("started_at")) or _date_of(meta.get("filename_date")) or _date_of(publication)
        ctx = build_context(text_of(doc), mentions, base)
        if ctx.header_zone is None and meta.get("default_zone"):
            ctx.header_zone = meta["default_zone"].upper()  # e.g. a status page's own time zone
        units = sentence_spans(doc) if doc.has_annotation("SENT_START") else []
        blocks = doc._.pmkb_blocks or []
        resolve(mentions, ctx, units, entry_starts(text_of(doc), blocks, mentions), text_of(doc))
        doc._.pmkb_times = mentions
        meta["time_context"] = ctx
        doc._.pmkb_meta = meta
        return doc


def correct_title_date(mentions: list[TimeMention], title: str | None, file_date: date | None) -> None:
    """When the title's date contradicts the file name's date in the same year, read it as a typo.

    Postmortem files are named by incident date; a title dated otherwise
    (2020-08-28 in a file named 2020-10-28) is corrected everywhere that date
    appears, and flagged ``date-typo``.
    """
    if not title or file_date is None:
        return
    stated = [m.date for m in scan(title) if m.date is not None and m.year_explicit]
    if len(stated) != 1 or stated[0] == file_date or stated[0].year != file_date.year:
        return
    wrong = stated[0]
    for m in mentions:
        if m.date == wrong and m.year_explicit:
            m.date = file_date
            m.flags.append("date-typo")


_NOT_PROSE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)|\]\([^)\n]*\)|<?https?://[^\s)>\]]+")


def not_prose_spans(text: str) -> list[tuple[int, int]]:
    """Spans whose digits are not times: images, link targets and bare URLs."""
    return [m.span() for m in _NOT_PROSE.finditer(text)]


def entry_starts(text: str, blocks: list, mentions: list[TimeMention]) -> set[int]:
    """Offsets of mentions that open a timeline entry (an item, row, heading or timeline paragraph)."""
    starts: set[int] = set()
    k = 0
    ordered = sorted(blocks, key=lambda b: b.start)
    for block in ordered:
        if not (block.section == "timeline" or block.kind in ("item", "row", "heading")):
            continue
        while k < len(mentions) and mentions[k].start < block.start:
            k += 1
        if k < len(mentions) and mentions[k].start < block.end and re.fullmatch(r"[\s*_#|>\[\]()-]*", text[block.start:mentions[k].start]):
            starts.add(mentions[k].start)
    return starts


def _date_of(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
