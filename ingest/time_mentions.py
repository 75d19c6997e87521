"""Step 4a, time mentions: every date and clock time in a text, found by one strict regular
expression near digits (ISO dates, ``MM/DD/YYYY``, "October 27, 2025", "27 Oct", ``03-26 17:40``,
``12:30``, ``4:49 PM``, ``2.30 AM PST``, ``15.26``, zone names) and read as far as the text
allows. dateparser only normalises the odd candidate the fast path cannot read."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from . import rules, time_words
from .date_fields import ORDINAL_SUFFIX, WEEKDAY_STEMS as _WEEKDAYS, day_first_if_the_text_is, parse_date
from .isotime import iso
from .time_zones import zone_pattern


MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"


WEEKDAY_ABBREVIATION = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)"
"""A weekday as written short or long, without its "day" ("Sat", "Tues", "Wednes(day)")."""

_WEEKDAY = r"(?:" + WEEKDAY_ABBREVIATION + r"(?:day)?\.?,?\s+(?:the\s+)?)"


_ORD = ORDINAL_SUFFIX


_WEEKDAY_NAME = r"(?:" + "|".join(_WEEKDAYS) + r")day"
"""A weekday as written short or long, without its "day" ("Sat", "Tues", "Wednes(day)")."""


APPROXIMATELY = r"(?:about|around|roughly|approximately|approx\.|~)"
"""The words that make a time approximate ("about 09:15", "~14:02")."""

VAGUE_AFTER = r"(?:shortly|just|soon)\s+after"
"""What makes a time a little after the one stated ("shortly after 13:00")."""

RANGE_JOIN = re.compile(r"(?i)\s*(?:-{1,2}|–|—|to|until|till|through|thru|and|->|→)\s*(?:" + APPROXIMATELY + r"\s*|" + VAGUE_AFTER + r"\s+)?")
"""What joins the two times of a range ("14:02–15:47", "14:02 to 15:47", "11:52 until shortly after
13:00"); ``fullmatch`` the text between them."""

RANGE_OPENER = re.compile(r"(?i)\b(?:between|from)\s*(?:" + APPROXIMATELY + r"\s*)?$")
"""What opens a range whose times are joined by "and" ("between 14:02 and 15:47", "between about 09:15 … and")."""


@lru_cache(maxsize=1)
def scanner() -> re.Pattern:
    """The one compiled pattern that finds date and time candidates, left to right."""
    zone = zone_pattern()
    date_alts = [
        r"(?P<iso>(?P<iy>(?:19|20)\d{2,3})-(?P<im>[01]?\d)-(?P<id>[0-3]?\d))(?![\d])",
        r"(?P<isl>(?P<sy>(?:19|20)\d{2})/(?P<sm>[01]?\d)/(?P<sd>[0-3]?\d))(?![\d/])",
        r"(?<!version )(?<!release )(?<!v)(?P<eu>(?P<ed>[0-3]?\d)\.(?P<emo>[01]?\d)\.(?P<ey>(?:19|20)\d{2}))(?![\d]|\.\d)",  # "03.03.2024": day.month.year
        r"(?P<us>(?P<um>[0-3]?\d)(?P<usep>[/-])(?P<ud>[0-3]?\d)(?P=usep)(?P<uy>(?:19|20)?\d{2}))(?![\d/-])",
        # "24/Jun/25", "24-Jun-2025": day, month name, year (Jira, logs)
        r"(?P<dmn>(?P<nd2>[0-3]?\d)(?P<dsep>[/-])(?P<nm2>" + MONTH + r")(?P=dsep)(?P<ny2>(?:19|20)?\d{2}))(?![\d/-])",
        r"(?P<mdy>" + _WEEKDAY + r"?(?P<mm>" + MONTH + r")\s+(?P<md>[0-3]?\d)" + _ORD + r"(?![\d:])(?:,?\s+(?P<my>(?:19|20)\d{2})(?!\d))?)",
        r"(?P<dmy>" + _WEEKDAY + r"?(?P<dd>[0-3]?\d)" + _ORD + r"\s+(?:of\s+)?(?P<dm>" + MONTH + r")(?![a-z])(?:,?\s+(?P<dy>(?:19|20)\d{2})(?!\d))?)",
        r"(?P<ord>\bthe\s+(?P<od>[0-3]?\d)(?:st|nd|rd|th)\b)",
        # "03-26 17:40": month-day before a clock time, the year from context
        r"(?P<mdn>(?P<nm>[01]?\d)-(?P<nd>[0-3]\d))(?=[ T][0-2]?\d:[0-5]\d)",
        # "11/18 16:10", "18/11 16:10": a numeric day and month with no year, before a clock time
        r"(?P<mds>(?P<sa>[0-3]?\d)/(?P<sb>[0-3]?\d))(?=[ T][0-2]?\d[:.][0-5]\d)",
        # "6:12pm on Tuesday": a weekday alone, dated from context
        # "Sat 9:40 p.m.", "Mon, 11:05": an abbreviated weekday right before a clock time
        r"(?P<wda>\b(?P<wdan>" + WEEKDAY_ABBREVIATION + r")\.?,?)(?=\s+[0-2]?\d[:.][0-5]\d)",
        # "last night's outage", "yesterday": the day before the date the text is on
        r"(?P<rel>" + _previous_day_words() + r")(?:'s)?\b",
        r"(?P<wdo>(?<!every )(?<!each )(?<!any )(?<!on a )(?P<wdn>" + "|".join(_WEEKDAYS) + r")day)(?![a-z-])",  # not "Monday-morning reports", "every Monday"
    ]
    time_alts = [
        r"(?P<hm>(?P<h>[0-2]?\d):(?P<mi>[0-5]\d)(?::(?P<s>[0-5]\d))?(?:\.\d{1,6})?(?:\s?(?P<ap>[aApP]\.?[mM]\.?)(?![a-zA-Z])|\s+in\s+the\s+(?P<dp>morning|afternoon|evening)\b)?)",  # "9:40 in the morning"
        r"(?P<hap>(?P<h2>[01]?\d)\s?(?P<ap2>[aApP]\.?[mM]\.?)(?![a-zA-Z]))",
        r"(?P<dot>(?P<h3>[0-2]?\d)\.(?P<mi3>[0-5]\d)(?![\d.])(?:\s?(?P<ap3>[aApP]\.?[mM]\.?)(?![a-zA-Z]))?)",
        # "10h15", "13h40": the hour-h-minute clock of Portuguese and French writing (never "1h45m", a duration); "0742hrs", "2130 hours"
        r"(?P<hh>(?P<h5>[0-2]?\d)h(?P<mi5>[0-5]\d)(?![\w.,]\w|[a-zA-Z])|(?P<h6>[01]\d|2[0-3])(?P<mi6>[0-5]\d)[^\S\n]?(?:hrs|hours)(?![a-zA-Z]|[^\S\n]+(?:of|long|later|ago|earlier|in total)\b))",
        # "midnight UTC", "noon PT": a named hour, only with its zone (a bare "at midnight" is too loose to date)
        r"(?P<named>midnight|midday|noon)(?=\s?\(?(?:" + zone + r")(?![a-zA-Z]))",
    ]
    return _compile(date_alts, time_alts, zone)


@lru_cache(maxsize=1)
def word_scanner() -> re.Pattern:
    """The scanner for times and days in words ("at half past three", "the fourth of February"),
    searched only where ``time_words`` anchors say one may be: tried everywhere, its word lists
    would slow the main scanner down."""
    return _compile([r"(?:" + _WEEKDAY + r")?" + time_words.ordinal_pattern(MONTH)], [time_words.pattern()], zone_pattern())


def _compile(date_alts: list[str], time_alts: list[str], zone: str) -> re.Pattern:
    """One scanner: dates, or times with an optional zone after them (in brackets, or a long name
    set off by commas: "from twenty past two in the afternoon, Central European Time, until …")."""
    time_part = r"(?:" + "|".join(time_alts) + r")(?:\s?\(?(?P<zone>" + zone + r")\)?|,\s(?P<zonel>(?-i:(?=[A-Z][a-z]+\s+[A-Z]?[a-z]+))(?:" + zone + r"))(?=[,;)]))?"
    return re.compile(
        r"(?:(?<![\w:/.+−-])|(?<=\dT)|(?<=\d[-–—]))(?:(?P<date>" + "|".join(date_alts) + r")|(?P<time>" + time_part + r"))",
        re.I,
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
        return iso(self.value)


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
                prev.padded = mention.padded or (gap == "T" and not mention.ampm)  # ISO 8601 "2025-07-13T10:44": a 24-hour clock
                prev.flags.extend(mention.flags)
                continue
        day_only = mention.date is None and any(f.startswith(("day-only:", "weekday:")) for f in mention.flags)  # "the 16th", "Tuesday"
        if prev and prev.has_clock and prev.date is None and (mention.date is not None or day_only) and mention.hour is None:
            gap = text[prev.end:mention.start]
            if re.fullmatch(r"[ \t]*,?[ \t]*(?:on[ \t]+)?", gap, re.I):
                prev.end = mention.end
                prev.text = text[prev.start:prev.end]
                prev.date, prev.year_explicit = mention.date, mention.year_explicit
                prev.date_explicit = mention.date_explicit
                prev.flags.extend(mention.flags)
                continue
        mentions.append(mention)
    day_first_if_the_text_is(mentions)
    return mentions


_DIGITS = re.compile(r"\d+(?:[^\S\n]*[-:./,]?[^\S\n]*\d+)*")


_WEEKDAY_WORD = re.compile(r"(?i)\b" + _WEEKDAY_NAME + r"\b")
"""A weekday named without a figure near it still dates what follows."""

def _previous_day_words() -> str:
    """The ``previous_day`` words of ``time_cues.json`` ("last night", "yesterday") as one alternation, longest first."""
    return r"\b(?:" + "|".join(re.escape(w) for w in sorted(rules.time_cues()["previous_day"], key=len, reverse=True)) + r")\b"


@lru_cache(maxsize=1)
def _previous_day_word() -> re.Pattern:
    """Where the text names the day before ("last night's outage"): dates may start there."""
    return re.compile(r"(?i)" + _previous_day_words())


_LOOKBACK = 40
"""Characters before a digit that a date may start at ("Wednesday, September 27")."""


def _candidates(text: str):
    """Scanner matches, searched only near digits (every date and time has one): the scanner's
    many alternatives are slow to try at every letter of a long text."""
    pattern = scanner()
    windows: list[list[int]] = []
    spans = [(max(0, r.start() - _LOOKBACK), min(len(text), r.end() + 30)) for r in _DIGITS.finditer(text)]
    spans += [(w.start(), w.end() + 1) for w in _WEEKDAY_WORD.finditer(text)]  # "Wednesday morning's repeat …"
    spans += [(w.start(), w.end() + 3) for w in _previous_day_word().finditer(text)]  # "last night's outage"
    for start, end in sorted(spans):
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    matches = [m for start, end in windows for m in pattern.finditer(text, start, end)]
    words = [(max(0, w.start() - 30), w.end() + 80) for w in time_words.ANCHOR.finditer(text)]  # "at half past three in the afternoon, Central European Time,"
    words += [(max(0, w.start() - 30), w.end() + 20) for w in time_words.ORDINAL_ANCHOR.finditer(text)]  # "the fourth of February"
    if words:
        found = {(m.start(), m.end()): m for start, end in words for m in word_scanner().finditer(text, start, end)}
        matches = sorted(matches + list(found.values()), key=lambda m: (m.start(), -m.end()))
    last_end = -1
    for m in matches:
        if m.start() >= last_end:  # the longer of two overlapping readings ("Tuesday the fourth of February" over "Tuesday")
            last_end = m.end()
            yield m


def _parse_match(match: re.Match, text: str) -> TimeMention | None:
    g = defaultdict(lambda: None, match.groupdict())  # the word scanner has only some of the groups
    mention = TimeMention(match.start(), match.end(), match.group(0))
    if g["date"]:
        if (g["wdo"] and _generic_weekday(match, text)) or (g["rel"] and _quoted(match, text)):
            return None
        return parse_date(g, mention)
    if g["hm"]:
        h, mi, s = int(g["h"]), int(g["mi"]), int(g["s"]) if g["s"] else None
        ap = g["ap"] or {"morning": "am", "afternoon": "pm", "evening": "pm"}.get((g["dp"] or "").lower())
        mention.padded = (len(g["h"]) == 2 and g["h"][0] == "0") or (s is not None and not ap)  # "10:44:15": a machine's 24-hour clock
    elif g["hap"]:
        h, mi, s, ap = int(g["h2"]), 0, None, g["ap2"]
    elif g["hh"]:
        h, mi, s, ap = int(g["h5"] or g["h6"]), int(g["mi5"] or g["mi6"]), None, None
        mention.padded = True  # a 24-hour clock
    elif g["wt"]:
        if not time_words.led_in(text, match.start()):
            return None
        h, mi, ap = time_words.clock(g)
        s = None
    elif g["named"]:
        h, mi, s, ap = (0 if g["named"].lower() == "midnight" else 12), 0, None, None
        mention.padded = True  # a 24-hour reading: never an am/pm guess
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
    if g["zone"] or g["zonel"]:
        mention.zone = re.sub(r"\s+", " ", g["zone"] or g["zonel"]).upper()
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


_WEEKDAY_AS_SUBJECT = re.compile(r"\s+(?:is|are)\b")
_THE_BEFORE = re.compile(r"(?i)\bthe\s+$")
_ANY_BEFORE = re.compile(r"(?i)\b(?:an?|any|every|each)\s+(?:normal|typical|usual|ordinary|average|regular|busy|quiet)\s+$")
"""What makes a weekday any such day ("against 90 calls on a normal Saturday morning")."""
_NOUN_AFTER = re.compile(r"\s+(?!(?:morning|afternoon|evening|night|after|before|of|following|prior|that|when|at|in|and|or|to)\b)[a-z]{3,}\b")


def _generic_weekday(match: re.Match, text: str) -> bool:
    """A weekday that names no particular day: "Tuesday is our busiest day", "the Monday intake", "a
    normal Saturday"."""
    after = text[match.end():match.end() + 30]
    if _WEEKDAY_AS_SUBJECT.match(after) or _ANY_BEFORE.search(text, max(0, match.start() - 24), match.start()):
        return True
    return bool(_THE_BEFORE.search(text, max(0, match.start() - 8), match.start()) and _NOUN_AFTER.match(after))


def _quoted(match: re.Match, text: str) -> bool:
    """Whether a mention stands inside a quotation on its line (reported speech: "they get SMS for
    parcels we delivered yesterday evening"), whose "yesterday" is the speaker's."""
    line_start = text.rfind("\n", 0, match.start()) + 1
    before = text[line_start:match.start()]
    return (before.count('"') + before.count("\u201c") - before.count("\u201d")) % 2 == 1
