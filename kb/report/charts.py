"""Chart geometry the templates call: impact-window Gantt bars and log-scale strip-and-box lanes."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any

from kb.report.format import parse_time


_STEPS_MIN = [5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 4320, 10080, 20160, 43200]


def _nice_step(span_minutes: float, target: int = 6) -> int:
    for step in _STEPS_MIN:
        if span_minutes / step <= target:
            return step
    return _STEPS_MIN[-1]


def _offset_label(minutes: int) -> str:
    if minutes == 0:
        return "0"
    if minutes % 1440 == 0:
        return f"+{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"+{minutes // 60}h"
    return f"+{minutes}m"


def _calendar_ticks(start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    span_days = (end - start).total_seconds() / 86400
    ticks: list[tuple[datetime, str]] = []
    if span_days > 3 * 365:
        step = max(1, math.ceil(span_days / 365 / 8))
        year = start.year + 1
        while year <= end.year:
            if year % step == 0:
                ticks.append((datetime(year, 1, 1, tzinfo=timezone.utc), str(year)))
            year += 1
    elif span_days > 60:
        step = next(s for s in (1, 2, 3, 6, 12) if span_days / 30 / s <= 8)
        month = start.month % 12 + 1
        year = start.year + (1 if start.month == 12 else 0)
        while datetime(year, month, 1, tzinfo=timezone.utc) <= end:
            if (month - 1) % step == 0:
                ticks.append((datetime(year, month, 1, tzinfo=timezone.utc), f"{year}-{month:02d}"))
            month, year = (1, year + 1) if month == 12 else (month + 1, year)
    else:
        step = _nice_step(span_days * 1440)
        first = start.replace(minute=0, second=0, microsecond=0)
        if step >= 1440:
            first = first.replace(hour=0)
        tick = first
        while tick <= end:
            if tick >= start:
                label = tick.strftime("%m-%d") if step >= 1440 else tick.strftime("%m-%d %H:%M")
                ticks.append((tick, label))
            tick += timedelta(minutes=step)
    return ticks


def gantt(incidents: list[dict], mode: str = "calendar") -> dict[str, Any]:
    """Rows of impact-window bars with x and width as fractions of the axis, plus axis ticks.

    ``mode`` 'calendar' shares one time axis; 'aligned' puts each incident's first
    window at 0 and measures the others from it.
    """
    rows = []
    for i in incidents:
        spans = [(parse_time(w["start"]), parse_time(w["end"]), w) for w in i["windows"]]
        spans = [(s, e if e and e >= s else s, w) for s, e, w in spans if s]
        if spans:
            rows.append((i, spans))
    if not rows:
        return {"mode": mode, "rows": [], "ticks": [], "unit": None}
    if mode == "aligned":
        span = max((e - spans[0][0]).total_seconds() for _, spans in rows for _, e, _ in spans) / 60 or 60.0
        step = _nice_step(span)
        ticks = [{"x": m / span, "label": _offset_label(m)} for m in range(0, int(span) + 1, step)]
    else:
        t0 = min(s for _, spans in rows for s, _, _ in spans)
        t1 = max(e for _, spans in rows for _, e, _ in spans)
        if t1 == t0:
            t1 = t0 + timedelta(hours=1)
        span = (t1 - t0).total_seconds() / 60
        ticks = [{"x": (t - t0).total_seconds() / 60 / span, "label": label} for t, label in _calendar_ticks(t0, t1)]
    out = []
    for i, spans in rows:
        origin = spans[0][0] if mode == "aligned" else t0
        bars = []
        for n, (s, e, w) in enumerate(spans):
            bars.append(
                {
                    "x": (s - origin).total_seconds() / 60 / span,
                    "w": (e - s).total_seconds() / 60 / span,
                    "phase": n + 1,
                    "label": w.get("label") or f"window {n + 1}",
                    "start": w["start"],
                    "end": w["end"],
                    "minutes": w.get("duration_minutes"),
                    "url": w.get("url"),
                }
            )
        out.append({"id": i["id"], "title": i["title"], "organization": i.get("organization"), "url": i.get("url"), "minutes": i.get("impact_minutes"), "bars": bars})
    return {"mode": mode, "rows": out, "ticks": ticks, "span_minutes": span}


STRIP_RESOLUTION = 500
"""Slots per strip-chart axis: points in one slot overlap, so only the first few of them are drawn."""


def thin_points(points: list[float], resolution: int = STRIP_RESOLUTION, depth: int = 3) -> list[float]:
    """``points`` (fractions of an axis) keeping at most ``depth`` per 1/``resolution`` of the axis, in their order.

    A strip chart of 10,000 incidents draws no more than ``resolution * depth`` dots;
    the box, median and p90 are computed from every value, not from these.
    """
    kept, used = [], {}
    for p in points:
        slot = round(p * resolution)
        if used.get(slot, 0) < depth:
            used[slot] = used.get(slot, 0) + 1
            kept.append(p)
    return kept


_LOG_TICKS = [(1, "1m"), (10, "10m"), (60, "1h"), (360, "6h"), (1440, "1d"), (10080, "1w"), (43200, "30d"), (525600, "1y")]


def strip(lanes: list[tuple[str, dict]], top: float | None = None) -> dict[str, Any]:
    """Log-scale strip-and-box layout for distributions: one lane per (label, distribution).

    Positions are fractions of the axis, which runs from 1 minute (values below sit
    at 0) to the first tick at or above the largest value (or ``top``).
    """
    largest = max([d["max"] or 0 for _, d in lanes] + [top or 0, 60])
    upper = next((m for m, _ in _LOG_TICKS if m >= largest), largest)
    scale = math.log10(upper)

    def x(value: float | None) -> float | None:
        if value is None:
            return None
        return min(1.0, math.log10(max(value, 1.0)) / scale)

    out = []
    for label, d in lanes:
        out.append(
            {
                "label": label,
                "n": d["n"],
                "points": thin_points([x(v) for v in d["values"]]),
                "p25": x(d["p25"]), "median": x(d["median"]), "p75": x(d["p75"]), "p90": x(d["p90"]), "max": x(d["max"]),
            }
        )
    return {"lanes": out, "ticks": [{"x": x(m), "label": t} for m, t in _LOG_TICKS if m <= upper]}


def group_lanes(group_rows: list[dict], key: str) -> list[tuple[str, dict]]:
    """(group, distribution of ``key``) lanes for ``strip()``."""
    return [(g["key"], g["durations"][key]) for g in group_rows]
