"""Step 4a, times: resolve every time mention of a text to UTC, and the pmkb_times component.

Resolution walks the mentions (``time_mentions``) in order, carrying the date
and the zone forward, converting stated zones (``time_zones``) to UTC and
flagging what it had to guess (no zone, an am/pm-less 12-hour clock, a
mistyped year, a clock that ran past midnight).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable

from spacy.language import Language
from spacy.tokens import Doc

from .tables import spans_columns
from .time_mentions import WEEKDAY_ABBREVIATION, TimeMention, scan  # noqa: F401  (the mention type and scanner the resolver reads)
from .time_hints import bracketed_zones, converts, correct_month_typos, correct_title_date, correct_year_typos, date_sentences_from_their_end, lead_up_entry, duration_cells, background_until, clock_right_after, closes_range, opens_range, stated_elsewhere, heads_its_line, in_byline, in_passing, meridiem_from_range_end, states_default_date, unit_of, named_in_passing, restated_clocks, said_last_week, zone_columns, zone_from_range_end
from .asides import ASIDE
from .clock_days import clock_anchors, hour24, nearest_year, rolls_over, said_as_intended, second_pass
from .time_zones import find_header_zone, pair_half, seasonal_zone, zone_label, zone_offset, zone_readings, zone_regex  # noqa: F401


# --------------------------------------------------------------------------- scanning


# --------------------------------------------------------------------------- resolving


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
    if default is None:
        default = bracketed_zones(text, [(0, len(text))]).get(0)  # "Around 2:15pm our time (Lisbon), …": the text's one stated zone
    if pair_half(header) or pair_half(default):
        named = {z.upper() for z in zone_regex().findall(text)}
        header, default = seasonal_zone(header, named), seasonal_zone(default, named)
    uses_12h = any(m.ampm for m in mentions)
    first_dated = next((m.date for m in mentions if m.date and m.year_explicit), None)
    return TimeContext(base_date=first_dated or base_date, header_zone=header, default_zone=default, uses_12h=uses_12h)


def resolve(
    mentions: list[TimeMention],
    ctx: TimeContext,
    units: list[tuple[int, int]] | None = None,
    timeline_starts: Iterable[int] = (),
    text: str | None = None,
    section_starts: Iterable[int] = (),
) -> list[TimeMention]:
    """Resolve mentions in order: fill dates and zones from context, convert to UTC, flag guesses.

    ``units`` are sentence spans: a zone-less time takes the zone stated by
    another time in the same unit before the document default. ``timeline_starts``
    are offsets of timeline entries, where a clock that runs backwards rolls
    the carried date to the next day; in prose that happens only within one section
    (``section_starts``: where headings begin), since a new section may go back over the day.
    """
    units = sorted(units or [])
    zone_from_range_end(mentions, text)
    meridiem_from_range_end(mentions, text)
    unit_zone: dict[int, str] = {}
    for prev, m in zip([None] + mentions[:-1], mentions):
        if m.zone_explicit and not converts(prev, m, text):
            u = unit_of(units, m.start)
            unit_zone.setdefault(u, m.zone)  # first stated zone of the unit
    for u, zone in bracketed_zones(text, units).items():
        unit_zone.setdefault(u, zone)  # "… and 7:50 AM on Sunday, November 3 (Pacific time)"
    starts = set(timeline_starts)
    correct_year_typos([m for m in mentions if m.start in starts])
    date_sentences_from_their_end(mentions, units, text)
    anchors = clock_anchors(mentions, text)
    cur_date: date | None = None
    entry_date: date | None = None
    default_date: date | None = None
    """The day a timeline heading gives "unless stated": dated entries do not carry into the dateless ones after them."""
    """The date of the last day heading or dated entry: timeline entries carry it, so a date
    named in passing in the prose between them ("the same cause as October 21") moves only prose."""
    cur_year: int | None = ctx.base_date.year if ctx.base_date else None
    prev_clock: tuple[date, int] | None = None
    prev_prose: tuple[date, int] | None = None
    sections = sorted(section_starts)
    prev_section = -1
    prev_prose_12h = False
    written: date | None = None
    """The day the post's byline gives ("started this conversation · Mar 11, 2025")."""
    pm_span: dict[date, tuple[int, int]] = {}
    """Per day, the earliest and latest afternoon or evening time the prose states (14:20 to 18:15)."""
    dated_at: int | None = None
    """Where the date the text is on was stated (None for a weekday alone, a guess)."""
    pinned: tuple[int, date] | None = None
    """A clock dated by the weekday just before it, which dates nothing else."""
    clock_day: date | None = None
    """The day of the last clock time placed (the day the text's events are on)."""
    back_until: tuple[int, date] | None = None
    """Where a paragraph set on a day before the incident's ends, and the day the text goes back to."""
    for i, m in enumerate(mentions):
        if back_until is not None and m.start > back_until[0]:
            cur_date, back_until = back_until[1], None  # "On 24 March we moved the jobs…": that paragraph's day, not the next one's
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
                if cur_date is not None and not m.year_explicit:
                    m.date = nearest_year(m.date, cur_date)  # December → January, and a December named back from January
                if not m.has_clock and in_passing(m, text):
                    m.date_explicit = True
                    continue  # "Back on 12 January I rebuilt the server": background, not the day that follows
                if m.start in starts and lead_up_entry(mentions, i, cur_date or ctx.base_date, text):
                    m.date_explicit, m.value, m.precision = True, datetime.combine(m.date, time()), "day"
                    continue  # "| Tue 8 July | Change approved |": an event of its day, which dates no entry after it
                if _told_back(m, cur_date or ctx.base_date, text) or said_as_intended(text, m):
                    m.date_explicit = True  # "the vendor had upgraded it overnight on the 8th": an event, but the text stays on its day
                elif m.start not in starts and m.date != cur_date and in_byline(m, text):
                    m.date_explicit = True  # "Written up by Dana, Wed Oct 16": the post's own day, not the day the text is on
                    written = written or m.date
                else:
                    back_until = _going_back(mentions, i, starts, clock_day, back_until, text, sections)
                    cur_date, dated_at = m.date, m.start
                if m.start in starts or (m.has_clock and entry_date is None and not in_byline(m, text)):
                    entry_date = m.date  # a day heading or dated entry, else the first dated time of the prose (not the post's own)
                if not m.has_clock and (states_default_date(m, units, text) or (default_date is not None and heads_its_line(m, text))):
                    default_date = m.date  # "(all times CEST, 14/06/2025 unless stated)": every dateless entry's day, until a day heading
                m.date_explicit = True
        else:
            weekday = next((f for f in m.flags if f.startswith("weekday:")), None)
            day_flag = next((f for f in m.flags if f.startswith("day-only:")), None)
            if weekday:
                m.flags.remove(weekday)
                base = cur_date or ctx.base_date
                if base is None:
                    continue
                back = (base.weekday() - int(weekday.split(":")[1])) % 7
                if said_last_week(m, text):
                    m.date = base - timedelta(days=back or 7)  # "Last Thursday", written on a Thursday: a week before
                else:
                    m.date = base - timedelta(days=back) if back <= 3 else base + timedelta(days=7 - back)  # the nearest such day
                m.date_explicit = True
                if not m.has_clock and (m.date < base or default_date is not None) and (named_in_passing(m, text) or said_last_week(m, text)):
                    if clock_right_after(mentions, i, text):
                        pinned = (i + 1, m.date)  # "at cutover on Monday 10/14 around 2:15 PM": that clock's day, and no other's
                    continue  # "we sent the bills by email on Thursday", "Last Sunday (July 6) I rewrote it": a day before, dating nothing after it
                back_until = _going_back(mentions, i, starts, clock_day, back_until, text, sections)
                cur_date, dated_at = m.date, None
                if not m.has_clock:
                    continue  # "on Tuesday evening" dates what follows but is no event of its own
                if entry_date is None and not in_byline(m, text):
                    entry_date = m.date  # "At 02:14 UTC on Saturday", the first dated time of the prose
            elif "previous-day" in m.flags:
                base = written or cur_date or ctx.base_date  # "yesterday": the day before the post was written, when its byline says
                if base is None:
                    continue
                m.date = cur_date = base - timedelta(days=1)  # "last night's outage", in a post dated the morning after
                m.date_explicit = True
                if not m.has_clock:
                    continue
            elif day_flag:
                m.flags.remove(day_flag)
                base = cur_date or ctx.base_date
                if base is None:
                    continue
                try:
                    m.date = base.replace(day=int(day_flag.split(":")[1]))
                except ValueError:
                    continue
                if not _told_back(m, cur_date or ctx.base_date, text):
                    cur_date, dated_at = m.date, m.start
                if m.start in starts:
                    entry_date = m.date
                m.date_explicit = True
            elif pinned is not None and pinned[0] == i:
                m.date = pinned[1]
            elif m.has_clock:
                m.date = (default_date or entry_date if m.start in starts and (default_date or entry_date) else cur_date) or ctx.base_date
        if m.date is None:
            continue
        if not m.has_clock:
            m.value = datetime.combine(m.date, time())
            m.precision = "day"
            continue
        in_timeline = m.start in starts
        if not in_byline(m, text):
            clock_day = m.date
        anchored = anchors.get((m.hour, m.minute)) if stated_elsewhere(m, dated_at, in_timeline, units) else None
        if anchored is not None and anchored.year != m.date.year:
            try:
                anchored = anchored.replace(year=m.date.year)
            except ValueError:
                anchored = None
        if anchored is not None and anchored != m.date and abs((anchored - m.date).days) <= 7:
            m.date = cur_date = anchored
        hour = hour24(m, ctx, prev_clock, True) if in_timeline else hour24(m, ctx, prev_prose if prev_prose_12h else None, False, pm_span.get(m.date))
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
            entry_date = cur_date = m.date  # the entry's day dates the rest of the entry too
            dated_at = m.start
            if default_date is not None and not m.date_explicit:
                default_date = m.date  # past midnight, the default day moves on with the entries
        elif not m.date_explicit and prev_prose is not None and prev_prose[0] == m.date and bisect_right(sections, m.start) == prev_section and rolls_over(m, prev_prose[1], minutes, units, text) and not opens_range(mentions, i, text):
            m.date = m.date + timedelta(days=1)
            if not closes_range(mentions, i, text):
                cur_date = m.date  # "23:47 – 00:09": the range's end is past midnight, the story is not
        prev_prose, prev_section = (m.date, minutes), bisect_right(sections, m.start)
        prev_prose_12h = bool(m.ampm) or (prev_prose_12h and "ambiguous-12h-clock" in m.flags)  # only times read as 12-hour lend am/pm to the bare ones after them
        if m.ampm == "pm" and not in_timeline:
            lo, hi = pm_span.get(m.date, (minutes, minutes))
            pm_span[m.date] = (min(lo, minutes), max(hi, minutes))
        local = datetime.combine(m.date, time(hour, m.minute or 0, m.second or 0))
        zone = m.zone if m.zone_explicit else unit_zone.get(unit_of(units, m.start)) or ctx.header_zone or ctx.default_zone
        if zone is not None and not m.zone_explicit:
            m.zone = zone
        if text is not None and second_pass(text, m.end):
            local = local.replace(fold=1)  # "two o'clock (standard time, the second time round)": the repeated hour's second pass
        offset = zone_offset(zone, local) if zone else None
        if offset is None:
            m.value = local
            m.tz_label = None
            m.flags.append("timezone-missing")
        else:
            m.value = (local - offset).replace(tzinfo=timezone.utc)
            m.tz_label = zone_label(zone) if (m.zone_explicit or zone == ctx.header_zone or zone == unit_zone.get(unit_of(units, m.start))) else "assumed"
        if ctx.header_zone and m.zone_explicit and zone_label(m.zone) != "UTC" and zone_offset(m.zone, local) != zone_offset(ctx.header_zone, local):
            m.flags.append("timezone-conflict")
    restated_clocks(mentions, starts, text)
    return mentions


def _told_back(m: TimeMention, cur_date: date | None, text: str | None) -> bool:
    """Whether a timeless date before the day the text is on is told in the past perfect, as
    background that does not move the text back to that day."""
    return not m.has_clock and cur_date is not None and m.date is not None and m.date < cur_date and in_passing(m, text, earlier=True)


def _going_back(mentions: list[TimeMention], i: int, starts: set[int], day: date | None, back_until: tuple[int, date] | None, text: str | None, headings: list[int]) -> tuple[int, date] | None:
    """The (paragraph end, day to go back to) after the timeless date ``mentions[i]``: a prose
    date that only tells its paragraph's background sends the text back to ``day`` (or to the day
    an earlier such paragraph left) when the paragraph ends."""
    end = None if mentions[i].start in starts else background_until(mentions, i, day, text, headings)
    if end is None:
        return back_until
    return end, back_until[1] if back_until else day


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
        asides = [(b.start, b.end) for b in doc._.pmkb_blocks or [] if b.section == ASIDE]  # a newsletter's other items date nothing of the incident, and so yield no event or window
        skip = list(meta.get("skip_spans") or []) + not_prose_spans(text_of(doc)) + asides
        mentions = [m for m in mentions if not any(s <= m.start < e for s, e in skip)]
        title_mentions = scan(meta["title"]) if meta.get("title") else []
        correct_title_date(mentions, title_mentions, _date_of(meta.get("filename_date")))
        correct_month_typos(mentions, title_mentions, _date_of(meta.get("filename_date")))
        base = _date_of(meta.get("started_at")) or _date_of(meta.get("filename_date")) or _date_of(publication)
        ctx = build_context(text_of(doc), mentions, base)
        if ctx.header_zone is None and meta.get("default_zone"):
            ctx.header_zone = meta["default_zone"].upper()  # e.g. a status page's own time zone
        units = sentence_spans(doc) if doc.has_annotation("SENT_START") else []
        blocks = doc._.pmkb_blocks or []
        mentions = duration_cells(mentions, blocks)
        zone_columns(mentions, blocks)
        readings = zone_readings(text_of(doc))  # "IST" in a text about Ireland is Irish time
        for m in mentions:
            m.zone = readings.get(m.zone or "", m.zone)
        ctx.header_zone, ctx.default_zone = (readings.get(z or "", z) for z in (ctx.header_zone, ctx.default_zone))
        resolve(mentions, ctx, units, entry_starts(text_of(doc), blocks, mentions), text_of(doc), [b.start for b in blocks if b.kind == "heading"])
        doc._.pmkb_times = mentions
        meta["time_context"] = ctx
        doc._.pmkb_meta = meta
        return doc


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
        if block.kind == "row" and spans_columns(getattr(block, "header_cells", ())):
            continue  # "| Pune | 11:42 | 16:18 |" under "Link Down | Link Up": one span per row, not a chronology
        while k < len(mentions) and mentions[k].start < block.start:
            k += 1
        if k < len(mentions) and mentions[k].start < block.end and re.fullmatch(r"(?i)[\s*_#|>\[\]()-]*(?:" + WEEKDAY_ABBREVIATION + r"(?:day)?\.?,?\s+)?", text[block.start:mentions[k].start]):  # "**Sun 01/06 22:00**"
            starts.add(mentions[k].start)
        elif block.kind == "heading" and block.section == "timeline":
            inside = [m for m in mentions[k:k + 3] if m.start < block.end]
            if len(inside) == 1 and not inside[0].has_clock:
                starts.add(inside[0].start)  # "Hour by hour, Thursday 21 August": a timeline heading's day dates its entries
    return starts


def _date_of(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
