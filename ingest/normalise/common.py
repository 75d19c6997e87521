"""What the format normalisers share: their error, value clean-up, titles and a text builder."""

from __future__ import annotations

import re
from typing import Any, Callable

from ..document import Part
from ..read import ReadError


class NormaliseError(ReadError):
    """A source whose content does not fit its format."""


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_characters(text: str) -> str:
    """The text with every line break a newline, without NUL and the other C0/C1 control
    characters (tab and newline stay), and U+FFFD for each lone surrogate (which no UTF-8 can hold)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return _SURROGATE.sub("\ufffd", text)


_TYPOGRAPHIC = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u2011": "-"})


def typographic_to_ascii(text: str) -> str:
    """Curly quotes and non-breaking spaces as their plain forms (one character each: offsets hold)."""
    return text.translate(_TYPOGRAPHIC)


def first_heading(text: str) -> str | None:
    """The first level-1 heading (setext or ATX), or None: a section heading is no title."""
    match = re.search(r"(?m)^# +(.+?)\s*#*\s*$|^(\S[^\n]{2,150})\n=+[ \t]*$", text[:5000])
    if match:
        return (match.group(1) or match.group(2)).strip()
    return None


def title_from_source(source: str) -> str:
    """A readable title from a file name or URL: 'livekit-2026-04-15.txt' → 'Livekit 2026-04-15'."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,9}$", "", source.rstrip("/").rsplit("/", 1)[-1]) or source
    match = re.match(r"(.*?)[-_ ]?((?:19|20)\d{2}-\d{2}-\d{2})[-_ ]?(.*)$", stem)
    if match:
        name = " ".join(part.replace("-", " ").replace("_", " ") for part in (match.group(1), match.group(3)) if part)
        return f"{name.strip().capitalize()} {match.group(2)}".strip()
    return stem.replace("-", " ").replace("_", " ").strip().capitalize()


class TextBuilder:
    """Accumulate text and know the offset of each piece; ``problems`` collects the metadata
    values dropped on the way (for the ``bad-metadata`` quality flag)."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.length = 0
        self.problems: list[str] = []

    def add(self, piece: str) -> tuple[int, int]:
        """Append a piece; return its (start, end) offsets."""
        start = self.length
        self.pieces.append(piece)
        self.length += len(piece)
        return start, self.length

    def text(self) -> str:
        return "".join(self.pieces)


def render_updates(builder: TextBuilder, part: Part, updates: list[dict], time_keys: tuple[str, str], heading: str, body: Callable[[dict], str]) -> None:
    """Status updates oldest first, each under a heading that carries its time (recorded as a stamp)."""
    first, second = time_keys
    for update in sorted(updates, key=lambda u: str(u.get(first) or u.get(second) or "")):
        at = iso_utc(update.get(first) or update.get(second), builder.problems, f"update {first}")
        status = (clean_str(update.get("status"), builder.problems, "update status") or "update").replace("_", " ").title()
        hs, he = builder.add(heading.format(status=status, at=at or "undated") + "\n\n")
        if at:
            part.stamps.append((hs, he - 2, at))
        builder.add(body(update) + "\n\n")


EARLIEST_YEAR, LATEST_YEAR = 1900, 2099
"""Dates in metadata outside these years are dropped as bad metadata (no postmortem is dated there,
and at the edge of the calendar, converting a zone or adding a day overflows)."""


def _dropped(problems: list[str] | None, field: str | None, value: Any, why: str) -> None:
    """Record that a given metadata value was dropped, when the caller collects problems."""
    if problems is not None and value is not None and value != "":
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        problems.append(f"{field or 'a field'}: {clean_characters(shown)} {why}; dropped")


def bad_metadata(problems: list[str]) -> tuple[str, str]:
    """The ``bad-metadata`` quality flag for the metadata values dropped (the first three named)."""
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return ("bad-metadata", "; ".join(problems[:3]) + more)


def as_list(value: Any) -> list:
    """A JSON value that should be a list: itself when it is one, else empty."""
    return value if isinstance(value, list) else []


def clean_str(value: Any, problems: list[str] | None = None, field: str | None = None) -> str | None:
    """A value as stripped text, or None when it is missing, blank or not a text value at all
    (a list or mapping: recorded in ``problems`` as the wrong type when a list is given)."""
    if value is None:
        return None
    if isinstance(value, (dict, list, tuple, set)):
        _dropped(problems, field, value, "is not text")
        return None
    value = clean_characters(str(value)).strip()
    return value or None


def iso_utc(value: Any, problems: list[str] | None = None, field: str | None = None) -> str | None:
    """An ISO-ish timestamp (or Unix time in seconds or milliseconds) as ISO 8601 UTC with Z, a date as YYYY-MM-DD, or None when it is not a
    usable time (unparseable, or outside EARLIEST_YEAR-LATEST_YEAR: recorded in ``problems`` when given)."""
    from datetime import date, datetime, timezone

    from ..isotime import iso

    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            _dropped(problems, field, value.isoformat(), "is outside the years we read")
            return None
        return value.isoformat()
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = str(value).strip()
        if re.fullmatch(r"\d{9,13}(?:\.\d+)?", text):  # Unix time, in seconds or (13 digits) milliseconds
            seconds = float(text) / (1000 if len(text.split(".")[0]) > 11 else 1)
            return iso_utc(datetime.fromtimestamp(seconds, tz=timezone.utc), problems, field)
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return iso_utc(date.fromisoformat(text), problems, field)
            utc = re.fullmatch(r"(.+?)\s*(?:UTC|GMT)", text)  # "2014-07-16 23:29 UTC"
            parsed = datetime.fromisoformat(utc.group(1)).replace(tzinfo=timezone.utc) if utc else datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            _dropped(problems, field, value, "is not a date")
            return None
    else:
        _dropped(problems, field, value, "is not a date")
        return None
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        _dropped(problems, field, parsed.isoformat(), "is outside the years we read")
        return None
    return iso(parsed)


def jsonable(value: Any) -> Any:
    """Front matter made safe for JSON (dates become strings)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, str):
        return clean_characters(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return clean_characters(str(value))
