"""Step 4a, time hints: what the text around a time says about its date and zone before the
running date and zone are carried into it: a sentence's closing date, a range's closing zone, a
zone-headed table column, a bracketed conversion, a date named as background, a mistyped year."""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date
from functools import lru_cache

from .tables import cell_at, column_cells
from .time_mentions import RANGE_JOIN, RANGE_OPENER, TimeMention
from .time_zones import city_pattern, zone_pattern, zone_regex


def zone_from_range_end(mentions: list[TimeMention], text: str | None) -> None:
    """"14:02–14:47 UTC": a range's zone, stated once at its end, is its start's zone too."""
    for a, b in zip(mentions, mentions[1:]):
        if text is not None and a.has_clock and not a.zone_explicit and b.zone_explicit and RANGE_JOIN.fullmatch(text[a.end:b.start]):
            a.zone, a.zone_explicit = b.zone, True


def meridiem_from_range_end(mentions: list[TimeMention], text: str | None) -> None:
    """"3:40 to 5:10pm": a range's am/pm, stated once at its end, is its start's too when that
    keeps the start before the end."""
    for a, b in zip(mentions, mentions[1:]):
        if text is None or not (a.has_clock and b.has_clock and b.ampm and not a.ampm and not a.padded):
            continue
        if a.hour is None or b.hour is None or not 1 <= a.hour <= 12 or not RANGE_JOIN.fullmatch(text[a.end:b.start]):
            continue
        if (a.hour % 12, a.minute or 0) <= (b.hour % 12, b.minute or 0):
            a.ampm = b.ampm


def date_sentences_from_their_end(mentions: list[TimeMention], units: list[tuple[int, int]], text: str | None) -> None:
    """Give a sentence's dateless clock times the one date it states at its end ("From 10:05 to
    12:40 JST (01:05–03:40 UTC) on 2025-11-18"), before the running date is carried into them."""
    if text is None:
        return
    by_unit: dict[int, list[TimeMention]] = {}
    for m in mentions:
        by_unit.setdefault(unit_of(units, m.start), []).append(m)
    for u, group in by_unit.items():
        dated = [m for m in group if m.date is not None]
        if u < 0 or len(dated) != 1 or dated[0] is group[0] or any(m.has_clock for m in group[group.index(dated[0]) + 1:]):
            continue  # the one date must close the sentence's last clock (a weekday named after it is no clock: "… from Thursday")
        last = dated[0]
        group = group[: group.index(last) + 1]
        # the date closes the last time expression ("… 03:40 UTC) on 2025-11-18", "… 15:47 UTC, on 3 March"),
        # not a clause of its own ("(announced to us on 8 January)")
        said_on = re.search(r"(?i)\bon\s+\S", last.text) if last.has_clock else re.fullmatch(r"(?i)[\s,)]*(?:\([^()\n]{1,30}\)[\s,]*)?on\s+(?:the\s+)?", text[group[-2].end:last.start])
        if not said_on:
            continue
        for m in group[:-1]:
            if m.has_clock and m.date is None and not any(f.startswith(("day-only:", "weekday:")) for f in m.flags):
                m.date, m.year_explicit = last.date, last.year_explicit


def converts(prev: TimeMention | None, m: TimeMention, text: str | None) -> bool:
    """Whether ``m`` is the bracketed conversion of the time before it ("10:05 (01:05 UTC)"): its
    zone is the other clock's, not the unit's."""
    return prev is not None and text is not None and bool(re.fullmatch(r"[\s*_]{0,4}[(\[]\s*", text[prev.end:m.start]))


_BACKGROUND_DATE = re.compile(r"(?i)\b(?:back (?:on|in)|previously,? on|ever since|since)\s+(?:the\s+)?$")


_PAST_PERFECT = re.compile(r"(?i)\bhad\s+(?:(?:already|previously|just|been)\s+)?\w+(?:ed|en|wn|ne|de|lt|ght|un)\b")


_LAST_WEEK = re.compile(r"(?i)\blast\s+(?:week|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\s*[(,]?\s*(?:the\s+)?$")


_LAST_BEFORE = re.compile(r"(?i)\blast\s+$")


def said_last_week(m: TimeMention, text: str | None) -> bool:
    """Whether a weekday is named as last week's ("last Thursday", "Last Sunday (July 6)")."""
    return text is not None and bool(_LAST_BEFORE.search(text, max(0, m.start - 6), m.start))


def in_passing(m: TimeMention, text: str | None, earlier: bool = False) -> bool:
    """Whether a date is named as background ("back on 12 January", "failing since 19 January"),
    or, for a date ``earlier`` than the one the text is on, told in the past perfect ("the vendor
    had carried out an upgrade overnight on the 8th") or as last week's ("Last Sunday (July 6)")."""
    if text is None:
        return False
    if _BACKGROUND_DATE.search(text[max(0, m.start - 20):m.start]):
        return True
    if not earlier:
        return False
    if _LAST_WEEK.search(text[max(0, m.start - 24):m.start]):
        return True  # "Last Sunday (July 6) I rewrote the script"
    opening = max((text.rfind(c, max(0, m.start - 240), m.start) for c in (". ", "! ", "? ", "\n\n")), default=-1)
    return bool(_PAST_PERFECT.search(text, opening + 1, m.start))  # a hard-wrapped sentence goes on past its line breaks


def lead_up_entry(mentions: list[TimeMention], i: int, day: date | None, text: str | None) -> bool:
    """Whether a timeline entry dated by day alone, before the day the text is on, tells the lead-up
    ("| Tue 8 July | Change CHG-2291 approved … |"), so the clock-only entries after it stay on the
    incident's day."""
    m = mentions[i]
    if text is None or day is None or m.has_clock or m.date is None or m.date >= day:
        return False
    line_end = text.find("\n", m.end)
    line_end = len(text) if line_end < 0 else line_end
    same_row = [n for n in mentions[i + 1:] if n.start < line_end]
    if any(n.has_clock and n.date is None and _cell_start(text, n.start) for n in same_row):
        return False  # "| 2025-03-10 | 11:20 |": the row's own clock, in the next cell
    after = mentions[i + 1 + len(same_row)] if i + 1 + len(same_row) < len(mentions) else None
    if after is None or not after.has_clock or after.date is not None:
        return False
    return len(re.findall(r"[A-Za-z]{2,}", text[m.end:line_end])) >= 3


def _cell_start(text: str, pos: int) -> bool:
    """Whether a mention opens a table cell ("| 11:20 |"), the row's time rather than a time in its text."""
    return bool(re.search(r"\|\s*$", text[max(0, pos - 4):pos]))


def paragraph_end(text: str | None, pos: int) -> int:
    """Where the paragraph holding ``pos`` ends (its closing blank line, else the text's end)."""
    if text is None:
        return pos
    end = text.find("\n\n", pos)
    return len(text) if end < 0 else end


def background_until(mentions: list[TimeMention], i: int, day: date | None, text: str | None, headings: list[int] = ()) -> int | None:
    """Where the paragraph ends when the timeless date ``mentions[i]``, before the ``day`` the text
    is on, only tells that paragraph's background ("On 24 March we moved the jobs to Metronome."):
    no dateless clock follows it there and it heads no line, so the next paragraph is back on
    ``day``; else None."""
    m = mentions[i]
    if m.has_clock or day is None or m.date is None or m.date >= day or heads_its_line(m, text, headings):
        return None
    end = paragraph_end(text, m.end)
    for n in mentions[i + 1:]:
        if n.start >= end:
            break
        if n.has_clock and n.date is None:
            return None
    return end


def clock_right_after(mentions: list[TimeMention], i: int, text: str | None) -> bool:
    """Whether a dateless clock follows ``mentions[i]`` closely in the same sentence ("on Monday
    10/14 around 2:15 PM")."""
    nxt = mentions[i + 1] if i + 1 < len(mentions) else None
    return text is not None and nxt is not None and nxt.has_clock and nxt.date is None and nxt.start - mentions[i].end <= 25 and not _CLAUSE_END.search(text, mentions[i].end, nxt.start)


_CLAUSE_END = re.compile(r"[.!?;\n]")


def heads_its_line(m: TimeMention, text: str | None, headings: list[int] = ()) -> bool:
    """Whether a date is in a heading (one starting on its line, at an offset of the sorted
    ``headings``) or all its line says, as a day heading ("**12 March 2025**", "Tuesday 11/03:")."""
    if text is None:
        return False
    line_start = text.rfind("\n", 0, m.start) + 1
    i = bisect_right(headings, m.start)
    if i and headings[i - 1] >= line_start:
        return True
    line_end = text.find("\n", m.end)
    line_end = len(text) if line_end < 0 else line_end
    rest = text[line_start:m.start] + text[m.end:line_end]
    return not re.sub(r"[\W_]+|\b(?:on|the|of|day|date)\b", "", rest, flags=re.I)


_BYLINE = re.compile(r"(?i)(?:\b(?:posted|post by|published|last updated|written(?: up)? by|written|review(?:ed)? (?:held|on|at|date)|date of review|circulated|started this (?:conversation|discussion|thread|topic)|opened this (?:issue|discussion))\b|\bupdated(?:[*_]*:|\s+on\b))[^\n]{0,40}$")


_MAIL_DATE = re.compile(r"(?i)(?:date|sent):[^\S\n]*$")
_RFC2822 = re.compile(r"[A-Z][a-z]{2},\s+\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}\s+\d\d:\d\d:\d\d")


def in_byline(m: TimeMention, text: str | None) -> bool:
    """Whether a date is the post's own ("Posted Mar 04, 2026 - 15:20 UTC", a mail's
    "Date: Wed, 13 Aug 2025 11:26:04 +0530"), which dates no entry after it."""
    if text is None:
        return False
    line_start = text.rfind("\n", 0, m.start) + 1
    if _MAIL_DATE.match(text, line_start, m.start) and _RFC2822.match(m.text):
        return True
    return bool(_BYLINE.search(text, line_start, m.start))


_UNLESS_STATED = re.compile(r"(?i)\bunless (?:otherwise )?(?:stated|noted|indicated|specified|shown|given)\b")


_INCIDENT_DAY_LABEL = re.compile(r"(?i)\b(?:when|incident date|date of (?:the )?(?:incident|outage|event|occurrence|disruption))[*_]*\s*[:=|][\s*_]*$")


def states_default_date(m: TimeMention, units: list[tuple[int, int]], text: str | None) -> bool:
    """Whether a date is the default day of what follows ("all times CEST, 14/06/2025 unless
    stated", "when: Sat 9 Aug 2025 (times below are CEST)", "Incident date: 14 March 2025")."""
    if text is None:
        return False
    u = unit_of(units, m.start)
    start, end = units[u] if u >= 0 else (max(0, m.start - 60), m.end + 60)
    if _UNLESS_STATED.search(text, start, end):
        return True
    return bool(_INCIDENT_DAY_LABEL.search(text, max(text.rfind("\n", 0, m.start) + 1, m.start - 40), m.start))  # the label right before the date


_SENTENCE_BREAK = re.compile(r"[.!?:;(]|\n(?=[^\S\n]*(?:[-*•#|>\n]|\d+[.)]\s))")
"""Where a sentence ends before a date: punctuation, a blank line or the start of an item, row or
heading (a hard-wrapped line's break is no sentence break)."""


def named_in_passing(m: TimeMention, text: str | None) -> bool:
    """Whether a day is named late in its sentence, after the event it dates ("we emailed the
    bills on Thursday", "we restored those edits by hand on 2025-03-15"), rather than opening it
    ("On Thursday night we …") to date what follows."""
    if text is None:
        return False
    before = text[max(0, m.start - 200):m.start]
    breaks = list(_SENTENCE_BREAK.finditer(before))
    lead = before[breaks[-1].end():] if breaks else before
    return len(lead.split()) >= 5 or in_passing(m, text)


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


def zone_columns(mentions: list[TimeMention], blocks: list) -> None:
    """A time in a table column headed by a zone ("| CEST | UTC | Event |") is in that zone."""
    cells = column_cells(blocks)
    if not cells:
        return
    starts = [c[0] for c in cells]
    zone = zone_regex()
    for m in mentions:
        cell = cell_at(cells, starts, m.start) if m.has_clock and not m.zone_explicit else None
        if cell:
            head = re.sub(r"^(?:time|times)\s*\(?|\)$", "", cell[1].strip(" *_`"), flags=re.I).strip()
            if head and zone.fullmatch(head):
                m.zone, m.zone_explicit = head.upper(), True


_DURATION_COLUMN = re.compile(r"(?i)\b(?:duration|elapsed|downtime|time to \w+|ttr|mttr|length)\b")


def duration_cells(mentions: list[TimeMention], blocks: list) -> list[TimeMention]:
    """The mentions, without the "05:23" of a column headed Duration (a length, not a clock)."""
    cells = column_cells(blocks)
    if not cells:
        return mentions
    starts = [c[0] for c in cells]
    kept = []
    for m in mentions:
        cell = cell_at(cells, starts, m.start) if m.has_clock and m.date is None else None
        if not (cell and _DURATION_COLUMN.search(cell[1])):
            kept.append(m)
    return kept


def correct_title_date(mentions: list[TimeMention], title_mentions: list[TimeMention], file_date: date | None) -> None:
    """When the title's date contradicts the file name's date in the same year, read it as a typo.

    Postmortem files are named by incident date; a title dated otherwise
    (2020-08-28 in a file named 2020-10-28) is corrected everywhere that date
    appears, and flagged ``date-typo``.
    """
    if file_date is None:
        return
    stated = [m.date for m in title_mentions if m.date is not None and m.year_explicit]
    if len(stated) != 1 or stated[0] == file_date or stated[0].year != file_date.year:
        return
    wrong = stated[0]
    for m in mentions:
        if m.date == wrong and m.year_explicit:
            m.date = file_date
            m.flags.append("date-typo")


def correct_month_typos(mentions: list[TimeMention], title_mentions: list[TimeMention], file_date: date | None) -> None:
    """When the title and the file name agree on the incident's date, a date of the text one month
    off it, on the same day or the day before, is a mistyped month ("2019-02-25 23:04" in a
    "March 26th, 2019" report filed as 2019-03-26): corrected and flagged ``date-typo``."""
    if file_date is None:
        return
    stated = [m.date for m in title_mentions if m.date is not None]
    if not any(d.month == file_date.month and d.day == file_date.day for d in stated):
        return
    for m in mentions:
        d = m.date
        if d is None or not m.year_explicit or d.year != file_date.year or abs(d.month - file_date.month) != 1 or not 0 <= file_date.day - d.day <= 1:
            continue
        try:
            m.date = d.replace(month=file_date.month)
        except ValueError:
            continue
        m.flags.append("date-typo")


def unit_of(units: list[tuple[int, int]], pos: int) -> int:
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


def bracketed_zones(text: str | None, units: list[tuple[int, int]]) -> dict[int, str]:
    """Per sentence, a zone it states on its own in brackets ("… November 3 (Pacific time)",
    "(all times ET)"), for its times that carry none."""
    if text is None:
        return {}
    pattern = _bracketed_zone()
    out: dict[int, str] = {}
    for opening in re.finditer(r"(?<![\d:])\(\s*[A-Za-z]", text):  # the zone alternation is tried only at an opening bracket
        match = pattern.match(text, opening.start())
        if not match:
            continue
        u = unit_of(units, match.start())
        if u >= 0:
            out.setdefault(u, re.sub(r"\s+", " ", match.group("zone")).upper())
    return out


@lru_cache(maxsize=1)
def _bracketed_zone() -> re.Pattern:
    """A zone alone in brackets, not right after a clock time (that one belongs to the time); a city
    alone in brackets names its zone there ("our time (Lisbon)")."""
    return re.compile(r"\(\s*(?:(?i:all\s+)?(?i:times?\s+(?:are\s+|in\s+)?))?(?P<zone>" + zone_pattern() + "|" + city_pattern() + r")\s*\)")


def restated_clocks(mentions: list[TimeMention], starts: set[int], text: str | None) -> None:
    """A prose clock in a paragraph that names no day before it, restating a time whose day the text states
    (a timeline entry, a paragraph with its date: "By 10:52 SGT the queue …" after a "10:52"
    entry), is on that day, wherever the prose had wandered ("When the job ran on 27 February …");
    clocks stated on several days are left alone."""
    if text is None:
        return

    def paragraph(at: int) -> int:
        return text.rfind("\n\n", 0, at)

    first_day: dict[int, int] = {}  # paragraph → where its first stated day is
    for m in mentions:
        if m.date_explicit and m.start not in starts:
            first_day.setdefault(paragraph(m.start), m.start)

    def names_its_day(at: int) -> bool:
        return first_day.get(paragraph(at), at + 1) <= at

    days: dict[tuple, set] = {}
    for m in mentions:
        if (m.start in starts or names_its_day(m.start)) and m.has_clock and m.date is not None and m.value is not None:
            days.setdefault((m.hour, m.minute, m.ampm), set()).add(m.date)  # clocks whose day the text states
    for m in mentions:
        if m.start in starts or not m.has_clock or m.date_explicit or m.date is None or m.value is None or names_its_day(m.start):
            continue
        found = days.get((m.hour, m.minute, m.ampm))
        if found and len(found) == 1 and next(iter(found)) != m.date:
            day = next(iter(found))
            m.value = m.value + (day - m.date)
            m.date = day


def stated_elsewhere(m: TimeMention, dated_at: int | None, in_timeline: bool, units: list[tuple[int, int]]) -> bool:
    """Whether a dateless clock may take the date the text gives the same clock elsewhere: in a
    timeline entry, or in prose whose day was not stated in its own sentence ("On Monday the team
    asked us… It merged at 07:52", where the timeline has 2025-03-11 07:52)."""
    if m.date_explicit or m.ampm:
        return False
    return in_timeline or dated_at is None or unit_of(units, dated_at) != unit_of(units, m.start)


def closes_range(mentions: list[TimeMention], i: int, text: str | None) -> bool:
    """Whether ``mentions[i]`` is the end of a stated range ("23:47 – 00:09")."""
    return text is not None and i > 0 and bool(RANGE_JOIN.fullmatch(text[mentions[i - 1].end:mentions[i].start]))


def opens_range(mentions: list[TimeMention], i: int, text: str | None) -> bool:
    """Whether ``mentions[i]`` opens a stated period ("between 10:55 AM and 5:02 PM"): told after a
    later time, such a period runs beside it on the same day rather than on the next."""
    if text is None or i + 1 >= len(mentions) or not mentions[i + 1].has_clock:
        return False
    m, nxt = mentions[i], mentions[i + 1]
    return bool(RANGE_OPENER.search(text, max(0, m.start - 12), m.start)) and bool(RANGE_JOIN.fullmatch(text[m.end:nxt.start]))
