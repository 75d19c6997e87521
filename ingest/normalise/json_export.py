"""Any other incident JSON (an incident tool's export): its fields rendered as Markdown-shaped text,
a key naming each section ("customer_impact" → "## Customer impact"), lists as items and timed
entries as timeline lines, so that the extractor reads it like a written postmortem."""

from __future__ import annotations

import re
from typing import Any

from .common import TextBuilder, clean_str

TITLE_KEYS = ("title", "name", "headline", "subject")
"""Where an incident's title may be."""
TEXT_KEYS = ("note", "message", "body", "text", "description", "summary", "title", "name", "event", "entry", "update", "action", "item", "details", "content")
"""Where the text of a list entry (a timeline event, a follow-up) may be, in order of preference."""
STATUS_KEYS = ("state", "status")
RANGE_KEYS = (("from", "to"), ("start", "end"), ("starts_at", "ends_at"), ("started_at", "ended_at"), ("start_time", "end_time"),
              ("started_at", "resolved_at"), ("began_at", "ended_at"), ("impact_start", "impact_end"), ("since", "until"))
"""Pairs of keys giving the start and end of a list entry's period ("customer_impact": [{"from": …, "to": …}])."""
LABEL_KEYS = ("service", "product", "component", "system", "module", "feature", "region", "area")
"""Where the name of what a list entry is about may be (its line's lead-in)."""
INCIDENT_KEYS = ("incident", "postmortem", "post_mortem", "report", "review", "record", "data")
"""Keys under which an export wraps the incident object itself."""
SKIPPED_KEYS = re.compile(r"(?i)^(?:_.*|id|uuid|.*_id|url|.*_url|href|link|links|shortlink|slug|version|format|schema|(?:export|exported|generated)(?:_\w+)?)$")
_TIME_KEY = re.compile(r"(?i)(?:_at|_on|time|timestamp|date|when|^at)$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}|\s?(?:UTC|GMT)[+-]\d{1,2}(?::?\d{2})?|\s[A-Z]{2,5})?)?$")
"""An ISO date or date-time, with its offset or a zone abbreviation ("2025-08-22 17:40 ART")."""
SECTION_HEADING_KEYS = ("heading", "title", "name", "section", "question", "prompt")
SECTION_BODY_KEYS = ("body", "content", "text", "markdown", "description", "answer", "response")
"""Where a list entry that is a section of the write-up keeps its heading and its text (a
retrospective's ``{"question": "What went wrong?", "answer": "…"}`` included)."""
MIN_PROSE_WORDS = 20
"""An export must hold at least this many words of prose (values of six words or more) to be read."""
_MAX_DEPTH = 6
_LONG = 100


def incident_object(data: Any) -> dict | None:
    """The object an export describes: the one wrapped under ``incident`` (or a like key) when it
    holds the export's prose, else the payload itself (whose sections may sit beside it)."""
    if not isinstance(data, dict):
        return None
    for key in INCIDENT_KEYS:
        inner = data.get(key)
        if isinstance(inner, dict) and any(isinstance(inner.get(k), str) for k in TITLE_KEYS + TEXT_KEYS):
            return inner if prose_words(inner) * 2 >= prose_words(data) else data
    return data


def prose_words(value: Any, depth: int = 0) -> int:
    """How many words of prose (text values of six words or more) a JSON value holds."""
    if depth > _MAX_DEPTH:
        return 0
    if isinstance(value, str):
        words = len(value.split())
        return words if words >= 6 else 0
    if isinstance(value, dict):
        return sum(prose_words(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return sum(prose_words(v, depth + 1) for v in value)
    return 0


def heading_for(key: str) -> str:
    """A field name as a heading: ``customer_impact`` → ``Customer impact``, ``follow_ups`` → ``Follow-ups``."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", key).replace("_", " ").replace("-", " ").strip()
    words = re.sub(r"(?i)\bfollow ups?\b", lambda m: "follow-up" + ("s" if m.group(0).lower().endswith("s") else ""), words)
    return words[:1].upper() + words[1:].lower()


def render_export(builder: TextBuilder, incident: dict) -> str:
    """Append an incident object as text (title, then each field in order); return its title."""
    wrapped = [incident[k] for k in INCIDENT_KEYS if isinstance(incident.get(k), dict)]
    title = next((t for obj in [incident, *wrapped] for t in (clean_str(obj.get(k), builder.problems, k) for k in TITLE_KEYS) if t), None) or "Incident"
    builder.add(f"# {title}\n\n")
    for key, value in incident.items():
        _field(builder, key, value, 2, title)
    return title


def _field(builder: TextBuilder, key: str, value: Any, level: int, title: str) -> None:
    if SKIPPED_KEYS.match(key) or value is None or isinstance(value, bool) or level > _MAX_DEPTH:
        return
    if key in TITLE_KEYS and isinstance(value, str) and clean_str(value) == title:
        return  # the title, already the heading
    label = heading_for(key)
    if isinstance(value, (str, int, float)):
        text = clean_str(value, builder.problems, key)
        if not text or text.startswith(("http://", "https://")):
            return
        if len(text) > _LONG or "\n" in text:
            builder.add(f"{'#' * level} {label}\n\n{text}\n\n")
        else:
            builder.add(f"{label}: {text}\n\n")
    elif isinstance(value, dict):
        builder.add(f"{'#' * level} {label}\n\n")
        for inner_key, inner in value.items():
            _field(builder, inner_key, inner, level + 1, title)
    elif isinstance(value, list) and value and all(_section_parts(v) for v in value):
        for v in value:  # "sections": [{"heading": "Summary", "body": "…markdown…"}]
            heading, body = _section_parts(v)
            builder.add(f"{'#' * level} {heading}\n\n{body}\n\n")
    elif isinstance(value, list):
        lines = [line for line in (_entry(builder, v) for v in value) if line]
        if not lines:
            return
        if all(isinstance(v, str) for v in value) and sum(len(line) for line in lines) < _LONG:
            builder.add(f"{label}: {', '.join(lines)}\n\n")  # "services": ["api", "worker"]
            return
        builder.add(f"{'#' * level} {label}\n\n" + "".join(f"- {line}\n" for line in lines) + "\n")


def _section_parts(value: Any) -> tuple[str, str] | None:
    """(heading, body) of a list entry that is a section of the write-up: a short title (or a
question) and a long text (or its answer)."""
    if not isinstance(value, dict):
        return None
    heading = next((h for h in (clean_str(value.get(k)) for k in SECTION_HEADING_KEYS) if h), None)
    body = next((b for b in (clean_str(value.get(k)) for k in SECTION_BODY_KEYS) if b), None)
    if heading and body and len(heading) <= 80 and (len(body) > _LONG or "\n" in body):
        return heading, body
    return None


def _is_iso(value: Any) -> bool:
    return isinstance(value, str) and bool(_ISO.match(value.strip()))


def _entry(builder: TextBuilder, value: Any) -> str | None:
    """One list entry as a line: a text as itself, an object as its time, its text and its state."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = clean_str(value, builder.problems, "list entry")
        return " ".join(text.split()) if text else None
    if not isinstance(value, dict):
        return None
    text = next((t for t in (clean_str(value.get(k)) for k in TEXT_KEYS) if t), None)
    period = next(((value[a], value[b]) for a, b in RANGE_KEYS if _is_iso(value.get(a)) and _is_iso(value.get(b))), None)
    if period is not None:
        label = next((t for t in (clean_str(value.get(k)) for k in LABEL_KEYS) if t), None)
        lead = f"{label}: " if label and label != text else ""
        return f"{lead}from {period[0].strip()} to {period[1].strip()}" + (f" — {' '.join(text.split())}" if text else "")
    if text is None:
        return None
    stamps = [(k, v.strip()) for k, v in value.items() if _is_iso(v)]
    at = next((v for k, v in stamps if _TIME_KEY.search(k)), None) or (stamps[0][1] if len(stamps) == 1 and len(stamps[0][1]) > 10 else None)  # "ts": the entry's one timestamp (a bare date may be a due date)
    status = next((s.replace("_", " ") for s in (clean_str(value.get(k)) for k in STATUS_KEYS) if s), None)
    line = " ".join(text.split())
    if at:
        return f"{at} — {status + ': ' if status else ''}{line}"
    return f"{line} — {status}" if status else line
