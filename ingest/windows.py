"""Step 4b, impact windows: every stated period of customer impact ("between 12:30 and 20:55
UTC", "at 11:00 for 1 hour and 45 minutes", "unavailable from 17:45 … resumed at 18:00",
labelled start and end fields, a status page's start and resolution), else one derived from the
timeline's impact start and recovery."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache

from spacy.tokens import Doc

from . import rules
from .day_windows import day_windows
from .derived_windows import DERIVED_MAX_SPAN, MAX_STATED_DURATION, bare_window, derive_window, impact_cycles, one_clock
from .isotime import iso, naive, parse_iso
from .segment import text_of
from .tables import END_LABEL, START_LABEL, cell_at, column_cells
from .time_mentions import APPROXIMATELY, RANGE_JOIN, RANGE_OPENER, VAGUE_AFTER, WEEKDAY_ABBREVIATION, TimeMention
from .units import Unit, evidence, is_impact, is_not_impact, says


_ASIDE = re.compile(r"\([^()\n]{0,40}\)")
"""A short parenthetical inside a range ("12.39UTC (Block #8647535) and 17.17UTC")."""


_DURATION_LEAD = r"(?i)(?:for|lasting|lasted|of|~|approximately|approx\.?|about|around|roughly|nearly|over|,)\s*"
"""What introduces a duration in running text ("for 26 minutes", "lasting 2 hours")."""

_DURATION_BODY = (
    r"(?:approximately\s+|about\s+|around\s+|roughly\s+|~\s*)?"
    r"(?:(?P<h>\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s*(?:hours?|hrs?|h)(?:\b|(?=\d))(?:\s*(?:and\s*)?(?P<hm>\d+)\s*(?:minutes?|mins?|m)\b)?|(?P<m>\d+)\s*(?:minutes?|mins?)\b)"
)

_DURATION = re.compile(_DURATION_LEAD + _DURATION_BODY)
_BARE_DURATION = re.compile(r"(?i)^\W*" + _DURATION_BODY)

_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


_WEEKDAY_BEFORE_END = re.compile(r"(?i)\b" + WEEKDAY_ABBREVIATION + r"(?:day)?\.?,?\s*$")


def ranges(text: str, unit: Unit) -> list[tuple[TimeMention, TimeMention]]:
    """Pairs of clock mentions in a unit joined by a range connector ("to", "–", "and")."""
    clocks = [m for m in unit.mentions if m.has_clock and m.value is not None]
    pairs = []
    for a, b in zip(clocks, clocks[1:]):
        gap = re.sub(r"[`*_]+", " ", text[a.end:b.start])  # "`…T13:02Z` to `…T13:19Z`", "**14:02** – **15:47**"
        gap = _WEEKDAY_BEFORE_END.sub(" ", gap)  # "Sat 21:40 – Mon 11:05"
        if not RANGE_JOIN.fullmatch(_ASIDE.sub(" ", gap)):
            continue
        if re.fullmatch(r"\s*and\s*", gap, re.I) and not RANGE_OPENER.search(text[max(unit.start, a.start - 60):a.start]):
            continue  # "A and B" is a range only after "between"
        pairs.append((a, b))
    return pairs


_RESTATING = re.compile(r"(?i)\b(?:which|that)\b[^.;]{0,60}\b(?:was|is|were|means)\s*$|\bi\.e\.,?\s*$|\bor\s*$|\(\s*$")
_PEAK_BEFORE = re.compile(r"(?i)\b(?:peak(?:ed)?|worst|highest)\b[^.;]{0,45}$")
"""Words before a range that make it the worst stretch inside the impact ("Peak error rate 71% (20:45–21:20)"), not a window."""
def is_peak(text: str, unit: Unit, a: TimeMention) -> bool:
    """Whether a range starting at ``a`` is the worst stretch inside the impact, not a window."""
    return bool(_PEAK_BEFORE.search(text, max(unit.start, a.start - 60), a.start))


_LOCAL_AFTER = re.compile(r"(?i)^\W{0,3}(?:in )?(?:local time|local|their time)\b")


def restates(text: str, previous_end: TimeMention, a: TimeMention, b: TimeMention) -> bool:
    """Whether a range repeats the range before it in other clocks ("13:09 to 14:22, which for
    customers in Japan was 22:09 to 23:22 local time")."""
    return bool(_RESTATING.search(text[previous_end.end:a.start]) or _LOCAL_AFTER.match(text[b.end:b.end + 20]))


def _fix_range(a: TimeMention, b: TimeMention) -> tuple[datetime, datetime] | None:
    """The (start, end) of a range, with the end moved past midnight when it runs backwards."""
    start, end = a.value, b.value
    if start is None or end is None:
        return None
    if (start.tzinfo is None) != (end.tzinfo is None):
        if a.zone is None and b.zone is not None:
            return None
        start = start.replace(tzinfo=None)
        end = end.replace(tzinfo=None)
    if not a.date_explicit and b.date_explicit and a.date and b.date and a.date != b.date:
        start = start + (b.date - a.date)  # "from 19:04 to 19:31 on 25 December": the start is on the end's day
        if end < start:
            start = start - timedelta(days=1)  # "from 23:10 to 00:40 on 26 December"
    if end < start:
        if not b.date_explicit or b.date == a.date:
            end = end + timedelta(days=1)
        if end < start:
            return None
    return start, end


def parse_duration(text: str, lead: bool = True) -> timedelta | None:
    """The first stated duration in a text ("for 26 minutes", "lasting 1 hour and 45 minutes"); without
    ``lead``, the duration the text opens with, no lead word needed (a field value: "1h 45m")."""
    match = (_DURATION.search if lead else _BARE_DURATION.match)(text)
    if not match:
        return None
    if match.group("m"):
        return timedelta(minutes=int(match.group("m")))
    hours_text = match.group("h").lower()
    hours = float(_WORD_NUMBERS.get(hours_text, hours_text))
    return timedelta(hours=hours, minutes=int(match.group("hm") or 0))


def windows_for(doc: Doc, units: list[Unit], part_start: str | None = None, part_end: str | None = None, events: list[dict] | None = None, derived_max_span: timedelta | None = None) -> tuple[list[dict], str]:
    """Impact windows from stated ranges, start-plus-duration, or the source's start/end."""
    text = text_of(doc)
    windows: list[dict] = labelled_windows(text, doc._.pmkb_times or [], column_cells(doc._.pmkb_blocks or []))
    opening_end = min((b.start for b in doc._.pmkb_blocks or [] if b.role), default=len(text))
    """Text before the first named section: an opening summary, where a stated range is the impact."""
    for unit in units:
        body = text[unit.start:unit.end]
        if unit.block.role in ("actions", "lessons") or is_not_impact(body):
            continue
        impactish = bool(is_impact(body)) or unit.block.role in ("impact", "summary") or (unit.block.role is None and unit.start < opening_end) or bool(_start_and_duration().search(body.lower()))
        if not impactish:
            continue
        pairs = ranges(text, unit)
        for index, (a, b) in enumerate(pairs):
            fixed = _fix_range(a, b)
            if fixed is None or a.precision == "day" or fixed[0] == fixed[1] or (index and restates(text, pairs[index - 1][1], a, b)) or is_peak(text, unit, a):
                continue
            if _VAGUE_END.search(text, a.end, b.start):
                fixed = (fixed[0], snap_after(fixed[1], events or []))
            windows.append(_window(text, unit, fixed[0], fixed[1], a))
        if len(pairs) == 1:
            windows.extend(_longer_in_sentence(text, unit, *pairs[0]))
        if pairs:
            continue
        clocks = [m for m in unit.mentions if m.has_clock and m.value is not None]
        cued = cued_windows(text, unit, clocks) if unit.block.role not in ("timeline",) else []
        if cued:
            windows.extend(cued)
            continue
        if len(clocks) == 1 and unit.block.role not in ("timeline",):
            duration = parse_duration(text[clocks[0].end:unit.end]) or _duration_before(text, unit, clocks[0])
            if duration and duration <= MAX_STATED_DURATION:
                windows.append(_window(text, unit, clocks[0].value, clocks[0].value + duration, clocks[0]))
    if not windows:
        windows = paragraph_cued_windows(text, units) or day_windows(text, units, events or [])
    windows = _dedupe_windows(windows + longer_for_some(text, units, windows, opening_end))
    if windows:
        return windows, "stated range"
    start = parse_iso(part_start) if part_start else None
    end = parse_iso(part_end) if part_end else None
    if start and end and end > start:
        return [bare_window(start, end, "source start/end")], "source start and resolution times"
    cycles = impact_cycles(events or [])
    if len(cycles) >= 2:
        return cycles, "timeline: each impact start to the recovery after it"
    derived = derive_window(events or [], start, derived_max_span or DERIVED_MAX_SPAN)
    if derived:
        return [derived], "timeline: impact start (or trigger) to first recovery event"
    return [], "none stated"


@lru_cache(maxsize=1)
def _start_and_duration() -> re.Pattern:
    """A start and how long it lasted, stated together: a window wherever the sentence stands."""
    return re.compile(rules.window_cues()["start_and_duration"])


@lru_cache(maxsize=1)
def _window_cue_patterns() -> dict[str, re.Pattern]:
    """One regex per window cue family, anchored at the end of the text before a clock time."""
    data = rules.window_cues()
    return {
        family: re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(data[family], key=len, reverse=True)) + r")\b[^.;:]{0,%d}$" % data["reach"])
        for family in ("start", "end", "phase")
    } | {"end_right_before": re.compile(r"(?:^|[\s(*_])(?:" + "|".join(re.escape(w) for w in data["end_right_before"]) + r")\s*$")}


def _cue_before(text: str, unit: Unit, mention: TimeMention, prev_end: int) -> str | None:
    """Which window cue (start, end or phase) stands between the previous time and this one."""
    before = text[max(unit.start, prev_end, mention.start - rules.window_cues()["reach"]):mention.start].lower()
    patterns = _window_cue_patterns()
    if says("future", before):
        return None  # "we expect service to be restored by 16:00", "an update by 11:00"
    for family in ("phase", "end", "start"):
        if patterns[family].search(before):
            return family
    if patterns["end_right_before"].search(before):
        return "end"  # "By 15:47 UTC, logins succeeded again"
    return None


_OPENING_TIME = re.compile(r"(?i)^[\s*_>-]*(?:on\b(?: [^,;:]{1,30}?)?,?\s*)?(?:at|around|about|approximately(?: at)?|shortly (?:after|before))?\s*$")
"""What may stand before a sentence's first time for that time to open the sentence ("At", "On March 3, at")."""


def _duration_before(text: str, unit: Unit, clock: TimeMention) -> timedelta | None:
    """A duration stated before a start-cued time: "For about 105 minutes, beginning at 14:02 UTC, …"."""
    before = text[unit.start:clock.start]
    return parse_duration(before) if _window_cue_patterns()["start"].search(before.lower()) else None


def _response_after(text: str, at: int) -> bool:
    """Whether what follows a sentence's opening time is a step the team took then ("At 1:10 p.m. we
    started restore requests"), not the impact's start."""
    return bool(_response_pattern().match(text[at:at + 80].lstrip(" ,\u202f").lower()))


@lru_cache(maxsize=1)
def _response_pattern() -> re.Pattern:
    """The rules' ``response_after_opening`` regex, compiled."""
    return re.compile(rules.window_cues()["response_after_opening"])


def cued_windows(text: str, unit: Unit, clocks: list[TimeMention]) -> list[dict]:
    """Windows stated in one sentence by cue words rather than a range connector:
    "unavailable from 17:45 UTC and full service resumed at 18:00 UTC", and phases
    ("degraded from 11:00, a full outage by 17:00, resolved at 23:01")."""
    if len(clocks) < 2:
        return []
    cues, prev_end = [], unit.start
    for m in clocks:
        cues.append(_cue_before(text, unit, m, prev_end))
        prev_end = m.end
    if cues[0] is None and _OPENING_TIME.match(text[unit.start:clocks[0].start]) and not _response_after(text, clocks[0].end):
        cues[0] = "start"  # "At 14:02 UTC our primary failed, and writes failed until 15:47 UTC"
    if cues[0] != "start" or "end" not in cues[1:]:
        return []
    last = max(i for i, c in enumerate(cues) if c == "end")
    bounds = [0] + [i for i in range(1, last) if cues[i] == "phase"] + [last]
    windows = []
    for a, b in zip(bounds, bounds[1:]):
        fixed = _fix_range(clocks[a], clocks[b])
        if fixed is None or clocks[a].precision == "day":
            return []
        windows.append(_window(text, unit, fixed[0], fixed[1], clocks[a]))
    return windows


_VAGUE_END = re.compile(r"(?i)\b" + VAGUE_AFTER + r"\s*$")
"""A range's end given as a little after a time ("until shortly after 13:00")."""

SNAP_REACH = timedelta(minutes=30)
"""How far after a vague end ("shortly after 13:00") the timeline's recovery may time it."""


def snap_after(end: datetime, events: list[dict]) -> datetime:
    """The time of the first recovery event the timeline gives within ``SNAP_REACH`` after a vague end
    ("until shortly after 13:00", the timeline's "13:04 Sync error rate back to baseline"), else the end."""
    for event in sorted(events, key=lambda e: e["at"]):
        at = parse_iso(event["at"]) if event["kind"] in ("impact_end", "resolution") and event.get("precision") != "day" else None
        if at is not None and (at.tzinfo is None) == (end.tzinfo is None) and timedelta(0) < naive(at) - naive(end) <= SNAP_REACH:
            return at
    return end


_AND_UNTIL = re.compile(r"(?i)^[^.;:]{0,80}?\b(?:and|but)\b[^.;:]{0,80}?\b(?:until|till)\s+(?:" + APPROXIMATELY + r"\s*)?$")
"""What joins a range to a later end of the same start ("from 03:04 to 05:06, and of three turbines until 06:52")."""


@lru_cache(maxsize=1)
def _milder_state() -> re.Pattern:
    """The rules' ``milder_state`` words: a later end that names a new state ("and flaky until …")."""
    return re.compile(r"(?i)\b(?:" + "|".join(rules.window_cues()["milder_state"]) + r")\b")


def _longer_in_sentence(text: str, unit: Unit, a: TimeMention, b: TimeMention) -> list[dict]:
    """A second window in a range's sentence: for what stayed affected longer, from the range's start
    ("… from 03:04 to 05:06 CST, and of WTG-17 and WTG-22 until 06:52 CST", "… for most homes, and until
    12:30 GMT on Monday for some"), or for the milder state that followed, from the range's end ("CI was down 04:10–11:45, and flaky until about 13:20")."""
    later = [m for m in unit.mentions if m.has_clock and m.value is not None and m.start >= b.end]
    if len(later) != 1 or not _AND_UNTIL.match(text[b.end:later[0].start]):
        return []
    fixed = _fix_range(b if _milder_state().search(text, b.end, later[0].start) else a, later[0])
    if fixed is None or a.precision == "day" or naive(fixed[1]) <= naive(b.value):
        return []
    return [_window(text, unit, fixed[0], fixed[1], a)]


def longer_for_some(text: str, units: list[Unit], windows: list[dict], opening_end: int) -> list[dict]:
    """Windows of what stayed affected after the stated window: an impact sentence of the opening or
    impact section with one time, after an end cue ("Parking permits were affected for longer, until
    3:05pm"), from the first stated start to that time."""
    starts = [parse_iso(w["start"]) for w in windows if "T" in w["start"]]
    if not starts or None in starts:
        return []
    first = min(starts, key=naive)
    out = []
    for unit in units:
        if unit.block.role not in ("impact", "summary") and not (unit.block.role is None and unit.start < opening_end):
            continue
        clocks = [m for m in unit.mentions if m.has_clock and m.value is not None]
        body = text[unit.start:unit.end]
        if len(clocks) != 1 or not is_impact(body) or is_not_impact(body) or not re.search(r"(?i)\b(?:for longer|longer|still|remained|continued)\b", body):
            continue
        if _cue_before(text, unit, clocks[0], unit.start) == "end" and naive(clocks[0].value) > naive(first) and (clocks[0].value.tzinfo is None) == (first.tzinfo is None):
            out.append(_window(text, unit, first, clocks[0].value, clocks[0]))
    return out


def paragraph_cued_windows(text: str, units: list[Unit]) -> list[dict]:
    """Cued windows whose start and end are stated in different sentences of one summary,
    impact or untitled paragraph ("… degraded around 11:00 GMT … resolved at 23:01 GMT")."""
    groups: dict[int, list[Unit]] = {}
    for unit in units:
        if unit.block.kind == "paragraph" and unit.block.role in ("summary", "impact", None):
            groups.setdefault(id(unit.block), []).append(unit)
    windows: list[dict] = []
    for group in groups.values():
        whole = Unit(group[0].start, group[-1].end, group[0].block, group[0].text_start, group[-1].text_end, [m for u in group for m in u.mentions])
        body = text[whole.start:whole.end]
        if is_not_impact(body) or not is_impact(body):
            continue
        windows.extend(cued_windows(text, whole, [m for m in whole.mentions if m.has_clock and m.value is not None]))
    return windows


_DURATION_LABEL = re.compile(r"(?i)\b(?:time to (?:resolve|resolution|recover|recovery|repair|restore)|(?:total |outage |incident |impact )?duration)\s*\**\s*[:=|]")


def labelled_windows(text: str, mentions: list[TimeMention], columns: list[tuple[int, int, str]] = ()) -> list[dict]:
    """Windows stated as labelled fields ("Incident Start: … Incident End: …", table columns "Start time |
    End time"), or as a labelled start and a labelled duration ("Time to resolve: 1 hour 45 minutes")."""
    starts, ends = [], []
    starts_of = [c[0] for c in columns]
    for m in mentions:
        if not m.has_clock or m.value is None:
            continue
        before = text[max(0, m.start - 40):m.start]
        before = before.rsplit("\n", 1)[-1] if "\n" in before else before
        cell = cell_at(columns, starts_of, m.start)
        header = cell[1] + ":" if cell and not text[cell[0]:m.start].strip(" *_") else ""  # the time opens a cell: its column names it
        if START_LABEL.search(header) or (not END_LABEL.search(header) and START_LABEL.search(before)):
            starts.append(m)
        elif END_LABEL.search(header) or END_LABEL.search(before):
            ends.append(m)  # a row label ("| End time | 2025-04-03 01:05 UTC |") counts under any column
    windows = []
    for a, b in zip(starts, ends):
        fixed = _fix_range(a, b)
        if fixed is None:
            continue
        line_start = text.rfind("\n", 0, a.start) + 1
        windows.append(bare_window(fixed[0], fixed[1], "stated start/end", evidence(text, line_start, _line_end(text, b.end))))
    if len(starts) == 1 and not ends:
        label = _DURATION_LABEL.search(text)
        duration = parse_duration(text[label.end():label.end() + 40], lead=False) if label else None
        if duration and duration <= MAX_STATED_DURATION:
            windows.append(bare_window(starts[0].value, starts[0].value + duration, "stated start and duration", evidence(text, label.start(), _line_end(text, label.end()))))
    return windows


def _line_end(text: str, pos: int) -> int:
    """Where the line holding ``pos`` ends."""
    end = text.find("\n", pos)
    return len(text) if end == -1 else end


def _window(text: str, unit: Unit, start: datetime, end: datetime, first: TimeMention) -> dict:
    label = None
    heading = unit.block.heading
    if heading and re.match(r"(?i)phase|incident|outage|window", heading.strip()):
        label = re.sub(r"\s*\(.*$", "", heading.strip())
    elif unit.block.kind == "heading":
        label = re.sub(r"\s*\(.*$", "", text[unit.block.start:unit.block.end].strip())
    start, end = one_clock(start, end)
    return {
        "start": iso(start),
        "end": iso(end),
        "duration_minutes": round((end - start).total_seconds() / 60, 1),
        "label": label,
        "evidence": evidence(text, unit.start, unit.end),
    }


def _dedupe_windows(windows: list[dict]) -> list[dict]:
    seen = set()
    out = []
    for w in windows:
        key = (w["start"][:16], w["end"][:16])
        if key in seen:
            continue
        seen.add(key)
        out.append(w)
    return sorted(out, key=lambda w: w["start"])


