"""Step 4b, metrics: an incident's impact start and end, total impact, time to detect and time to
mitigate, from its windows and timeline (or as the text states them), each with its rule."""

from __future__ import annotations

import re
from datetime import datetime


from .isotime import iso, parse_iso


_STATED = re.compile(
    r"(?i)\b(?P<what>time to (?:detect(?:ion)?|recover(?:y)?|resolve|resolution|mitigat(?:e|ion)|repair|restore)|tt[dmr])\b\W{0,5}(?:(?P<h>\d+)\s*(?:hours?|hrs?|h)\b\s*(?:and\s*)?)?(?:(?P<m>\d+)\s*(?:minutes?|mins?|m)\b)?"
)


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
        starts = [parse_iso(w["start"]) for w in timed]
        ends = [parse_iso(w["end"]) for w in timed]
        if all(starts) and all(ends) and len({s.tzinfo is None for s in starts + ends}) == 1:
            first, last = min(starts), max(ends)
            out["impact_start"], out["impact_end"] = iso(first), iso(last)
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
        at = parse_iso(e["at"])
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
