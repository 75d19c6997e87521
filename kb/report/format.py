"""How the report writes values: ISO times and durations as labels, numbers, Markdown escaping and Datasette links."""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from kb.links import web_url


_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$")


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 date or time as an aware UTC datetime (naive times read as UTC), or None."""
    if not value:
        return None
    text = str(value).strip().replace(" ", "T")
    if len(text) == 4 and text.isdigit():
        text += "-01-01"
    elif len(text) == 7:
        text += "-01"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


class InvalidArgument(ValueError):
    """A bad value for one of the report's arguments: ``field`` names the argument (``since``, ``group_by``), ``problem`` says what is wrong."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def check_date(value: str | None, field: str) -> str | None:
    """``value`` when it is an ISO 8601 date or time (None when empty); InvalidArgument naming ``field`` otherwise."""
    if value is None or value == "":
        return None
    if not _DATE.match(value.strip()) or parse_time(value) is None:
        raise InvalidArgument(field, f"{value!r} is not a date (use YYYY-MM-DD)")
    return value.strip()


def check_choice(value: str, choices: tuple[str, ...] | dict, field: str) -> str:
    """``value`` when it is one of ``choices``; InvalidArgument naming ``field`` otherwise."""
    if value not in choices:
        raise InvalidArgument(field, f"{value!r} is not one of {', '.join(choices)}")
    return value


def minutes_label(minutes: float | None, unknown: str = "–") -> str:
    """A duration in minutes as a short human label: '45 min', '5 h 4 min', '3 d 2 h' (``unknown`` for None).

    The one duration wording of pmkb: the report and the Datasette incident page both use it.
    """
    if minutes is None:
        return unknown
    minutes = float(minutes)
    if minutes < 1:
        return "<1 min" if minutes > 0 else "0 min"
    total = int(round(minutes))
    if total < 60:
        return f"{total} min"
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    return f"{hours} h {mins} min" if mins else f"{hours} h"


def time_label(value: str | None) -> str:
    """An ISO time as 'YYYY-MM-DD HH:MM UTC' (or as given when it is a bare date or unparseable)."""
    if not value:
        return ""
    if len(value) <= 10:
        return value
    parsed = parse_time(value)
    if parsed is None:
        return value
    zoned = value.endswith("Z") or bool(re.search(r"[+-]\d{2}:?\d{2}$", value))
    return parsed.strftime("%Y-%m-%d %H:%M") + (" UTC" if zoned else " (no zone)")


def url_part(value: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_-]+", value):
        return value
    from datasette.utils import tilde_encode

    return tilde_encode(value)


def row_url(base_url: str | None, database: str, table: str, pk: int) -> str | None:
    """The Datasette page of one row, or None without a base URL."""
    if not base_url:
        return None
    return f"{base_url.rstrip('/')}/{url_part(database)}/{table}/{quote(str(pk))}"


def table_url(database_url: str | None, path: str, **params: str) -> str | None:
    """A Datasette table or canned-query page with query parameters, or None without a Datasette root."""
    if not database_url:
        return None
    query = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items() if v)
    return f"{database_url}/{path}" + (f"?{query}" if query else "")


_MD_SPECIAL = re.compile(r"([\\`\[\]|])")


def md_escape(value: Any) -> str:
    """Text made inert for Markdown tables: HTML metacharacters as entities, pipes and brackets backslashed, one line."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return str(value)
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"\s+", " ", text)


def md_url(url: str | None) -> Markup:
    """A URL safe inside a Markdown link destination (spaces, brackets, pipes and angle brackets percent-encoded)."""
    return Markup(quote(str(url or ""), safe=":/?#@!$&'*+,;=%~-._"))


def md_link(text: Any, url: str | None = None) -> Markup:
    """``[text](url)`` with the text escaped, or just the escaped text without an http(s) URL."""
    label = md_escape(text)
    return Markup(f"[{label}]({md_url(url)})" if web_url(url) else label)


def heat(value: int, top: int, levels: int = 4) -> str:
    """A CSS class shading a matrix cell by its share of the largest cell."""
    if not value or not top:
        return "zero"
    return f"heat-{max(1, math.ceil(levels * value / top))}"


def number_label(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}" if digits else f"{round(value):,}"
