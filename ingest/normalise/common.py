"""What the format normalisers share: their error, value clean-up, titles and a text builder."""

from __future__ import annotations

import re
from typing import Any, Callable

from ..document import Part
from ..read import ReadError


class NormaliseError(ReadError):
    """A source whose content does not fit its format."""


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
    """Accumulate text and know the offset of each piece."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.length = 0

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
        at = iso_utc(update.get(first) or update.get(second))
        status = (clean_str(update.get("status")) or "update").replace("_", " ").title()
        hs, he = builder.add(heading.format(status=status, at=at or "undated") + "\n\n")
        if at:
            part.stamps.append((hs, he - 2, at))
        builder.add(body(update) + "\n\n")


def clean_str(value: Any) -> str | None:
    """A value as stripped text, or None when it is missing or blank."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def iso_utc(value: Any) -> str | None:
    """An ISO-ish timestamp as ISO 8601 UTC with Z (None when unparseable)."""
    from datetime import date, datetime, timezone

    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        return value.isoformat()
    else:
        text = str(value).strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return text
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if parsed.tzinfo is None:
        return parsed.strftime("%Y-%m-%dT%H:%M:%S")
    return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def jsonable(value: Any) -> Any:
    """Front matter made safe for JSON (dates become strings)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
