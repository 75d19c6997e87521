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

from bisect import bisect_left
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from . import rules
from .plain_text import EMPHASIS_MARKS, plain_text
from .segment import Block, block_sentences, text_of, result_of
from .times import TimeMention

_RANGE_GAP = re.compile(r"^\s*(?:-{1,2}|–|—|to|until|till|through|thru|and|->|→)\s*$", re.I)
_ASIDE = re.compile(r"\([^()\n]{0,40}\)")
"""A short parenthetical inside a range ("12.39UTC (Block #8647535) and 17.17UTC")."""
_BETWEEN = re.compile(r"(?:between|from)\s*$", re.I)
_DURATION = re.compile(
    r"(?i)(?:for|lasting|lasted|of|~|approximately|approx\.?|about|around|roughly|nearly|over|,)\s*(?:approximately\s+|about\s+|around\s+|roughly\s+|~\s*)?"
    r"(?:(?P<h>\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s*(?:hours?|hrs?|h)\b(?:\s*(?:and\s*)?(?P<hm>\d+)\s*(?:minutes?|mins?|m)\b)?|(?P<m>\d+)\s*(?:minutes?|mins?)\b)"
)
_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_STATED = re.compile(
    r"(?i)\b(?P<what>time to (?:detect(?:ion)?|recover(?:y)?|resolve|resolution|mitigat(?:e|ion)|repair|restore)|tt[dmr])\b\W{0,5}(?:(?P<h>\d+)\s*(?:hours?|hrs?|h)\b\s*(?:and\s*)?)?(?:(?P<m>\d+)\s*(?:minutes?|mins?|m)\b)?"
)
_TIME_ONLY_HEADING = re.compile(r"(?i)^[\W\d_]*(?:(?:am|pm|a\.m\.|p\.m\.|utc|gmt|[a-z]{2,5}t|z)\b[\W\d_]*)*$")


@lru_cache(maxsize=4)
def _words(key: str) -> re.Pattern:
    """The ``impact_words.json`` list ``key`` as one case-insensitive whole-word regex."""
    return re.compile(r"(?i)\b(?:" + "|".join(rules.load_json("impact_words.json")[key]) + r")\b")


def is_impact(text: str) -> bool:
    """Whether a sentence speaks of customer impact (a range in it is an impact window)."""
    return bool(_words("impact").search(text))


def is_not_impact(text: str) -> bool:
    """Whether a sentence's times are never impact: business hours, schedules, the team's meetings."""
    return bool(_words("not_impact").search(text) or _words("team_activity").search(text))


@dataclass
class Unit:
    """A piece of text that can carry an event: a sentence, an item, a row or an update."""

    start: int
    end: int
    block: Block
    text_start: int
    text_end: int
    mentions: list[TimeMention] = field(default_factory=list)
    status: str | None = None


@lru_cache(maxsize=1)
def _kind_patterns() -> list[tuple[str, re.Pattern]]:
    """Each kind's cue regex, for lowered text (lower-case terms, no IGNORECASE: twice as fast)."""
    data = rules.event_kinds()
    return [(kind, re.compile(r"\b(?:" + "|".join(data["kinds"][kind]) + r")\b")) for kind in data["order"]]


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


def units_for(doc: Doc) -> list[Unit]:
    """The event-carrying units of a Doc, with the mentions each holds."""
    text = text_of(doc)
    blocks: list[Block] = [b for b in (doc._.pmkb_blocks or []) if b.kind not in ("code", "header_row")]
    by_start = sorted(doc._.pmkb_times or [], key=lambda m: m.start)
    starts = [m.start for m in by_start]
    units: list[Unit] = []
    for index, block in enumerate(blocks):
        if block.kind == "row":
            cells = block.cells or [(block.start, block.end)]
            text_cells = [c for c in cells if not _is_time_cell(text[c[0]:c[1]])] or cells[-1:]
            units.append(Unit(block.start, block.end, block, text_cells[0][0], text_cells[-1][1]))
        elif block.kind == "heading":
            title = text[block.start:block.end]
            if _TIME_ONLY_HEADING.match(title) or _status_heading(title) or _only_times(title, block.start, by_start[bisect_left(starts, block.start):bisect_left(starts, block.end)]):
                nxt = next((b for b in blocks[index + 1:index + 2] if b.kind != "heading"), None)
                status = _status_heading(title)
                if nxt is not None:
                    units.append(Unit(block.start, block.end, block, nxt.start, nxt.end, status=status))
                else:
                    units.append(Unit(block.start, block.end, block, block.start, block.end, status=status))
            else:
                units.append(Unit(block.start, block.end, block, block.start, block.end))
        elif block.kind == "item":
            units.append(Unit(block.start, block.end, block, block.start, block.end))
        else:
            for s, e in block_sentences(doc, block):
                units.append(Unit(s, e, block, s, e))
    mentions = list(doc._.pmkb_times or [])
    k = 0
    units.sort(key=lambda u: u.start)
    for unit in units:
        while k < len(mentions) and mentions[k].start < unit.start:
            k += 1
        j = k
        while j < len(mentions) and mentions[j].start < unit.end:
            unit.mentions.append(mentions[j])
            j += 1
    return units


def _only_times(title: str, offset: int, inside: list[TimeMention]) -> bool:
    """True when a heading holds times and nothing else of substance ("**2021-04-19T21:12:00-00:00**");
    ``inside`` are the time mentions that start in it."""
    if not any(m.has_clock for m in inside):
        return False
    rest = title
    for m in sorted(inside, key=lambda m: -m.start):
        rest = rest[: m.start - offset] + " " + rest[m.end - offset:]
    return not re.search(r"[A-Za-z]{3,}", rest)


def _is_time_cell(cell: str) -> bool:
    return bool(cell) and len(cell) <= 40 and bool(re.fullmatch(r"[\d\s:/.,\-–T+()A-Za-z]*", cell)) and bool(re.search(r"\d", cell)) and len(re.findall(r"[A-Za-z]{4,}", cell)) <= 2


@lru_cache(maxsize=1)
def _status_words() -> re.Pattern:
    words = [w for w in rules.event_kinds()["status_kinds"] if not w.startswith("_")]
    return re.compile(r"(?i)^(?:update \()?(" + "|".join(re.escape(w) for w in words) + r")\)?:")


def _status_heading(title: str) -> str | None:
    """The status-page state a heading names ("Resolved: 2023-…", "Update (Available): …")."""
    match = _status_words().match(title.strip())
    if match:
        return match.group(1).lower()
    match = re.match(r"^(?:update \()?([A-Za-z][A-Za-z ]{1,30}?)\)?:\s*\d{4}-\d{2}-\d{2}T", title.strip(), re.I)
    return match.group(1).lower() if match else None


def _evidence(text: str, start: int, end: int) -> dict:
    return {"text": text[start:end], "start": start, "end": end}


def _clean(text: str) -> str:
    """An event's text: a table row's cell separators and Markdown marks become spaces."""
    return plain_text(text, EMPHASIS_MARKS + "|", " ")


def _is_byline(text: str) -> bool:
    """Whether a sentence is a byline or publication line ("Published on 2024-05-04")."""
    lowered = text.lower()
    return any(word in lowered for word in rules.time_cues()["publication"])


def events_for(doc: Doc, units: list[Unit]) -> list[dict]:
    """Timeline events: one per distinct resolved stamp in each unit."""
    text = text_of(doc)
    meta = doc._.pmkb_meta or {}
    publication_day = (meta.get("published_at") or "")[:10]
    events: list[dict] = []
    for unit in units:
        resolved = [m for m in unit.mentions if m.value is not None]
        if not resolved:
            continue
        body = text[unit.text_start:unit.text_end]
        if _words("future").search(text[unit.start:unit.end]) and unit.status is None:
            continue
        clocks = [m for m in resolved if m.has_clock]
        chosen = clocks
        if not clocks:
            if unit.block.kind == "heading" and unit.text_start == unit.block.start:
                continue  # a day heading sets context; it is not an event
            if unit.block.role in ("actions", "lessons"):
                continue
            chosen = [m for m in resolved if m.date_explicit]
        seen: set[str] = set()
        ranges = _ranges(text, unit)
        for index, m in enumerate(chosen):
            iso = m.iso()
            if iso is None or iso in seen:
                continue
            if m.precision == "day" and iso == publication_day and _is_byline(body):
                continue
            seen.add(iso)
            kind = classify_event(_clean(_clause(text, unit, chosen, index) if len(chosen) > 1 and unit.text_start == unit.start else body), unit.status)
            for a, b in ranges:
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
                    "evidence": _evidence(text, unit.text_start, unit.text_end),
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


def _ranges(text: str, unit: Unit) -> list[tuple[TimeMention, TimeMention]]:
    """Pairs of clock mentions in a unit joined by a range connector ("to", "–", "and")."""
    clocks = [m for m in unit.mentions if m.has_clock and m.value is not None]
    pairs = []
    for a, b in zip(clocks, clocks[1:]):
        gap = text[a.end:b.start]
        if not _RANGE_GAP.match(_ASIDE.sub(" ", gap)):
            continue
        if re.fullmatch(r"\s*and\s*", gap, re.I) and not _BETWEEN.search(text[max(unit.start, a.start - 60):a.start]):
            continue  # "A and B" is a range only after "between"
        pairs.append((a, b))
    return pairs


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
    if end < start:
        if not b.date_explicit or b.date == a.date:
            end = end + timedelta(days=1)
        if end < start:
            return None
    return start, end


def parse_duration(text: str) -> timedelta | None:
    """The first stated duration in a text ("for 26 minutes", "1 hour and 45 minutes")."""
    match = _DURATION.search(text)
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
    windows: list[dict] = labelled_windows(text, doc._.pmkb_times or [])
    opening_end = min((b.start for b in doc._.pmkb_blocks or [] if b.role), default=len(text))
    """Text before the first named section: an opening summary, where a stated range is the impact."""
    for unit in units:
        body = text[unit.start:unit.end]
        if windows and windows[0].get("label") == "stated start/end":
            break
        if unit.block.role in ("actions", "lessons") or is_not_impact(body):
            continue
        impactish = bool(is_impact(body)) or unit.block.role in ("impact", "summary") or (unit.block.role is None and unit.start < opening_end)
        if not impactish:
            continue
        pairs = _ranges(text, unit)
        for a, b in pairs:
            fixed = _fix_range(a, b)
            if fixed is None or a.precision == "day":
                continue
            windows.append(_window(text, unit, fixed[0], fixed[1], a))
        if pairs:
            continue
        clocks = [m for m in unit.mentions if m.has_clock and m.value is not None]
        cued = cued_windows(text, unit, clocks) if unit.block.role not in ("timeline",) else []
        if cued:
            windows.extend(cued)
            continue
        if len(clocks) == 1 and unit.block.role not in ("timeline",):
            after = text[clocks[0].end:unit.end]
            duration = parse_duration(after)
            if duration and duration <= timedelta(days=14):
                windows.append(_window(text, unit, clocks[0].value, clocks[0].value + duration, clocks[0]))
    if not windows:
        windows = paragraph_cued_windows(text, units)
    windows = _dedupe_windows(windows)
    if windows:
        return windows, "stated range"
    start = _parse_iso(part_start) if part_start else None
    end = _parse_iso(part_end) if part_end else None
    if start and end and end > start:
        return [_bare_window(start, end, "source start/end")], "source start and resolution times"
    derived = derive_window(events or [], start, derived_max_span or DERIVED_MAX_SPAN)
    if derived:
        return [derived], "timeline: impact start (or trigger) to first recovery event"
    return [], "none stated"


@lru_cache(maxsize=1)
def _window_cue_patterns() -> dict[str, re.Pattern]:
    """One regex per window cue family, anchored at the end of the text before a clock time."""
    data = rules.window_cues()
    return {
        family: re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(data[family], key=len, reverse=True)) + r")\b[^.;:]{0,%d}$" % data["reach"])
        for family in ("start", "end", "phase")
    }


def _cue_before(text: str, unit: Unit, mention: TimeMention, prev_end: int) -> str | None:
    """Which window cue (start, end or phase) stands between the previous time and this one."""
    before = text[max(unit.start, prev_end, mention.start - rules.window_cues()["reach"]):mention.start].lower()
    patterns = _window_cue_patterns()
    for family in ("phase", "end", "start"):
        if patterns[family].search(before):
            return family
    return None


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


def one_clock(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """A window's two ends on one clock: in UTC when both zones are known, else both zone-less."""
    if (start.tzinfo is None) != (end.tzinfo is None):
        return _naive(start), _naive(end)
    return start, end


def _bare_window(start: datetime, end: datetime, label: str, evidence: dict | None = None) -> dict:
    start, end = one_clock(start, end)
    return {
        "start": _iso(start),
        "end": _iso(end),
        "duration_minutes": round((_naive(end) - _naive(start)).total_seconds() / 60, 1),
        "label": label,
        "evidence": evidence,
    }


def _naive(value: datetime) -> datetime:
    return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value


DERIVED_MAX_SPAN = timedelta(hours=24)
"""A window derived from a trigger or detection event spans at most this long."""


def derive_window(events: list[dict], source_start: datetime | None = None, max_span: timedelta = DERIVED_MAX_SPAN) -> dict | None:
    """A window from the timeline: last impact start (else first trigger) before the first "back to normal" event."""
    timed = [(e, _parse_iso(e["at"])) for e in events if e.get("precision") != "day"]
    timed = [(e, at) for e, at in timed if at is not None]
    if not timed:
        return None
    starts = [at for e, at in timed if e["kind"] == "impact_start"]
    candidates = [_naive(at) for at in starts] or [_naive(at) for e, at in timed if e["kind"] == "trigger"]
    if source_start is not None:
        candidates = candidates or [_naive(source_start)]
    candidates = candidates or [_naive(at) for e, at in timed if e["kind"] == "detection"]
    if not candidates:
        return None
    earliest = min(candidates)
    for kinds in (("impact_end",),):
        ends = sorted(((_naive(at), e, at) for e, at in timed if e["kind"] in kinds and _naive(at) > earliest), key=lambda t: t[0])
        if not ends:
            continue
        end_naive, end_event, end_at = ends[0]
        before = [c for c in candidates if c < end_naive]
        if not starts:
            # a trigger or detection days earlier is lead-up, not impact
            before = [c for c in before if end_naive - c <= max_span]
        if not before:
            return None
        begin = max(before) if starts else min(before)
        begin_at = next((at for e, at in timed if _naive(at) == begin), None)
        if begin_at is None:
            begin_at = source_start
        if begin_at is None:
            return None
        return _bare_window(begin_at, end_at, "derived from the timeline", end_event.get("evidence"))
    return None


_START_LABEL = re.compile(r"(?i)\b(?:(?:incident|outage|impact|disruption|degradation)\s*)?(?:start(?:ed)?|began|begin(?:ning)?|start of (?:the )?(?:incident|outage|impact|disruption)|(?:first|initial) impact)(?:\s+(?:time|at|date))?\s*(?:\(utc\)\s*)?[:=|]\s*\**\s*$")
_END_LABEL = re.compile(r"(?i)\b(?:(?:incident|outage|impact|disruption|degradation)\s*)?(?:end(?:ed)?|resolved|recovered|mitigated|end of (?:the )?(?:incident|outage|impact|disruption)|recovery)(?:\s+(?:time|at|date))?\s*(?:\(utc\)\s*)?[:=|]\s*\**\s*$")


def labelled_windows(text: str, mentions: list[TimeMention]) -> list[dict]:
    """Windows stated as labelled fields: "Incident Start: … Incident End: …"."""
    starts, ends = [], []
    for m in mentions:
        if not m.has_clock or m.value is None:
            continue
        before = text[max(0, m.start - 40):m.start]
        before = before.rsplit("\n", 1)[-1] if "\n" in before else before
        if _START_LABEL.search(before):
            starts.append(m)
        elif _END_LABEL.search(before):
            ends.append(m)
    windows = []
    for a, b in zip(starts, ends):
        fixed = _fix_range(a, b)
        if fixed is None:
            continue
        line_start = text.rfind("\n", 0, a.start) + 1
        line_end = text.find("\n", b.end)
        line_end = len(text) if line_end == -1 else line_end
        window = _bare_window(fixed[0], fixed[1], "stated start/end", _evidence(text, line_start, line_end))
        windows.append(window)
    return windows


def _window(text: str, unit: Unit, start: datetime, end: datetime, first: TimeMention) -> dict:
    label = None
    heading = unit.block.heading
    if heading and re.match(r"(?i)phase|incident|outage|window", heading.strip()):
        label = re.sub(r"\s*\(.*$", "", heading.strip())
    elif unit.block.kind == "heading":
        label = re.sub(r"\s*\(.*$", "", text[unit.block.start:unit.block.end].strip())
    start, end = one_clock(start, end)
    return {
        "start": _iso(start),
        "end": _iso(end),
        "duration_minutes": round((end - start).total_seconds() / 60, 1),
        "label": label,
        "evidence": _evidence(text, unit.start, unit.end),
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


def _iso(value: datetime) -> str:
    if value.tzinfo is not None:
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def _parse_iso(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed


def source_events(meta: dict, events: list[dict]) -> list[dict]:
    """Events for the start and resolution times a source states outside its text (JSON, front matter)."""
    have = {e["at"][:16] for e in events}
    out = []
    for key, kind, text in (("started_at", "impact_start", "Incident start (from the source's metadata)"), ("resolved_at", "resolution", "Incident resolved (from the source's metadata)")):
        at = _parse_iso(meta.get(key) or "")
        if at is None or "T" not in (meta.get(key) or ""):
            continue
        iso = _iso(at)
        if iso[:16] in have:
            continue
        have.add(iso[:16])
        out.append({"at": iso, "precision": "minute", "timezone": "UTC" if at.tzinfo else None, "kind": kind, "text": text, "evidence": None, "_start": -1, "_flags": []})
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


def metrics(windows: list[dict], events: list[dict], text: str) -> dict:
    """Impact start/end, total minutes, time to detect and to mitigate, each with its rule."""
    out: dict = {"impact_start": None, "impact_end": None, "impact_minutes": None, "time_to_detect_minutes": None, "time_to_mitigate_minutes": None, "rules": {}}
    stated = {}
    for match in _STATED.finditer(text):
        if not (match.group("h") or match.group("m")):
            continue
        minutes = int(match.group("h") or 0) * 60 + int(match.group("m") or 0)
        what = match.group("what").lower()
        key = "detect" if "detect" in what or what == "ttd" else "mitigate"
        stated.setdefault(key, minutes)
    timed = [w for w in windows if w.get("start") and "T" in w["start"]]
    if timed:
        starts = [_parse_iso(w["start"]) for w in timed]
        ends = [_parse_iso(w["end"]) for w in timed]
        if all(starts) and all(ends) and len({s.tzinfo is None for s in starts + ends}) == 1:
            first, last = min(starts), max(ends)
            out["impact_start"], out["impact_end"] = _iso(first), _iso(last)
            out["impact_minutes"] = round(_union_minutes(list(zip(starts, ends))), 1)
            out["rules"]["impact"] = "sum of impact windows (overlaps merged)"
            detections = [e for e in events if e["kind"] == "detection" and e["precision"] != "day"]
            detect = _first_after(detections, first)
            if "detect" in stated:
                out["time_to_detect_minutes"] = stated["detect"]
                out["rules"]["detect"] = "stated in the text"
            elif detect is not None:
                out["time_to_detect_minutes"] = round((detect - first).total_seconds() / 60, 1)
                out["rules"]["detect"] = "first detection event at or after impact start"
            mitigations = [e for e in events if e["kind"] in ("mitigation", "impact_end", "resolution") and e["precision"] != "day"]
            mitigate = _first_after(mitigations, first)
            if "mitigate" in stated:
                out["time_to_mitigate_minutes"] = stated["mitigate"]
                out["rules"]["mitigate"] = "stated in the text"
            elif mitigate is not None and mitigate <= last:
                out["time_to_mitigate_minutes"] = round((mitigate - first).total_seconds() / 60, 1)
                out["rules"]["mitigate"] = "first mitigation event at or after impact start"
            else:
                out["time_to_mitigate_minutes"] = round((ends[starts.index(first)] - first).total_seconds() / 60, 1)
                out["rules"]["mitigate"] = "end of the first impact window"
    else:
        for key in ("detect", "mitigate"):
            if key in stated:
                out[f"time_to_{key}_minutes"] = stated[key]
                out["rules"][key] = "stated in the text"
    return out


def _first_after(events: list[dict], start: datetime) -> datetime | None:
    best = None
    for e in events:
        at = _parse_iso(e["at"])
        if at is None or (at.tzinfo is None) != (start.tzinfo is None):
            continue
        if at >= start and (best is None or at < best):
            best = at
    return best


def _union_minutes(spans: list[tuple[datetime, datetime]]) -> float:
    total = 0.0
    current = None
    for s, e in sorted(spans):
        if current is None or s > current[1]:
            if current:
                total += (current[1] - current[0]).total_seconds()
            current = [s, e]
        else:
            current[1] = max(current[1], e)
    if current:
        total += (current[1] - current[0]).total_seconds()
    return total / 60


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
