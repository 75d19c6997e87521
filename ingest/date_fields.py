"""Step 4a, dates: the day, month and year a scanner match names, read from its fields ("14-MAR-2025",
"the fourth of February", "03.02.2025", "Sat 9:40"), with dateparser for the odd ones."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from . import time_words

if TYPE_CHECKING:
    from .time_mentions import TimeMention

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}


ORDINAL_SUFFIX = r"(?:st|nd|rd|th)?"
"""The letters after a day's number ("4th", "21st"), if any."""

WEEKDAY_STEMS = ("mon", "tues", "wednes", "thurs", "fri", "satur", "sun")
"""Weekday names less their "day", Monday first (``weekday:0``)."""


def _weekday_flag(word: str) -> str:
    """The ``weekday:N`` flag of a weekday however it is written ("Sat", "Saturday")."""
    return "weekday:%d" % [stem[:3] for stem in WEEKDAY_STEMS].index(word.lower()[:3])


def day_first_if_the_text_is(mentions: list[TimeMention]) -> None:
    """Read "02/06/2025" as 2 June when another numeric date of the text can only be day-first
    ("14/06/2025") and none can only be month-first, when the text writes that day out ("2025-06-02"),
    or when the dates it writes out fall in June and none in February."""
    orders = {f.split(":", 1)[1] for m in mentions for f in m.flags if f.startswith("numeric-date:")}
    spelled = [m for m in mentions if m.date is not None and m.date_explicit and not any(f.startswith("numeric-date:") for f in m.flags)]
    written_out = {m.date for m in spelled if m.year_explicit}
    months = {m.date.month for m in spelled}
    for m in mentions:
        if "numeric-date:either" in m.flags and m.date is not None and m.date.day <= 12:
            swapped = m.date.replace(month=m.date.day, day=m.date.month)
            named = swapped in written_out and m.date not in written_out  # "Date: 2025-09-02" beside "02/09/2025 09:58"
            in_month = swapped.month in months and m.date.month not in months  # "Sun 01/06 22:00" in a note about "Monday 2 June"
            if named or in_month or orders & {"day-first", "month-first"} == {"day-first"}:
                m.date = swapped
        m.flags = [f for f in m.flags if not f.startswith("numeric-date:")]


def parse_date(g: dict, mention: TimeMention) -> TimeMention | None:
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
        elif g["eu"]:
            mention.date = date(int(g["ey"]), int(g["emo"]), int(g["ed"]))
            mention.year_explicit = True
        elif g["us"]:
            month, day = _month_and_day(int(g["um"]), int(g["ud"]), mention)
            year = int(g["uy"])
            mention.date = date(year + 2000 if year < 100 else year, month, day)
            mention.year_explicit = True
        elif g["dmn"]:
            month = _month(g["nm2"])
            if month is None:
                return _odd_date(mention)
            year = int(g["ny2"])
            mention.date = date(year + 2000 if year < 100 else year, month, int(g["nd2"]))
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
        elif g["dwo"]:
            month = _month(g["dwm"])
            if month is None:
                return _odd_date(mention)
            mention.date = _partial_date(g["dwy"], month, time_words.ordinal_day(g["dwn"]), mention)
        elif g["ord"]:
            mention.date = None
            mention.flags.append("day-only:" + g["od"])
        elif g["wdo"]:
            mention.date = None
            mention.flags.append(_weekday_flag(g["wdn"]))
        elif g["wda"]:
            mention.date = None
            mention.flags.append(_weekday_flag(g["wdan"]))
        elif g["rel"]:
            mention.date = None
            mention.flags.append("previous-day")
        elif g["mdn"]:
            mention.date = _partial_date(None, int(g["nm"]), int(g["nd"]), mention)
        elif g["mds"]:
            mention.date = _partial_date(None, *_month_and_day(int(g["sa"]), int(g["sb"]), mention), mention)
    except ValueError:
        return _odd_date(mention)
    if g["mdy"] and g["mm"].lower().rstrip(".") == "may" and not g["my"] and not re.match(r"(?i)may\s+[0-3]?\d" + ORDINAL_SUFFIX + r"\b", g["mdy"]):
        return None
    mention.date_explicit = True
    mention.precision = "day"
    return mention


def _month(token: str) -> int | None:
    return MONTHS.get(token.lower().rstrip("."))


def _month_and_day(first: int, second: int, mention: TimeMention) -> tuple[int, int]:
    """Month and day of a numeric date written month first unless it cannot be ("18/11"), with the
    order it allows flagged (``numeric-date:…``) for :func:`day_first_if_the_text_is`."""
    mention.flags.append("numeric-date:" + ("day-first" if first > 12 >= second else "month-first" if second > 12 >= first else "either"))
    return (second, first) if first > 12 and second <= 12 else (first, second)


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
