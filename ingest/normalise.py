"""Step 2, normalise: turn a decoded source into one plain, Markdown-shaped text.

Whatever the input format (plain text, Markdown with front matter, HTML,
Atlassian Statuspage JSON, Google Cloud incident JSON), the result is a
:class:`Document` whose ``text`` uses Markdown conventions for structure
(``#`` headings, ``-`` bullets, ``|`` table rows). All evidence offsets point
into this text, which is what gets stored.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from .read import ReadError, Source


@dataclass
class Part:
    """A stretch of the text that reports one incident, with what the source says of it."""

    start: int
    end: int
    title: str | None = None
    started_at: str | None = None
    resolved_at: str | None = None
    stamps: list[tuple[int, int, str]] = field(default_factory=list)
    """(start, end, ISO UTC time) for each structured update heading inside the part."""


@dataclass
class Document:
    """A normalised document, ready for segmentation and extraction."""

    source: str
    format: str
    text: str
    sha256: str
    title: str | None = None
    organization: str | None = None
    published_at: str | None = None
    original_url: str | None = None
    parts: list[Part] = field(default_factory=list)
    flags: list[tuple[str, str]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


class NormaliseError(ReadError):
    """A source whose content does not fit its format."""


def normalise(source: Source) -> Document:
    """Normalise a Source by its format (sniffed when the suffix does not say)."""
    fmt = source.format_hint or sniff_format(source.text)
    if fmt == "json" or (fmt is None and source.text.lstrip().startswith(("{", "["))):
        return normalise_json(source)
    if fmt == "html" or (fmt in (None, "text") and _looks_like_html(source.text)):
        return normalise_html(source)
    return normalise_markdown(source, fmt or "text")


def sniff_format(text: str) -> str | None:
    """Guess a format from content alone."""
    head = text.lstrip()[:200].lower()
    if head.startswith(("{", "[")):
        return "json"
    if _looks_like_html(text):
        return "html"
    if re.search(r"(?m)^#{1,6} |^---\s*$|^\+\+\+\s*$", text[:2000]):
        return "markdown"
    return "text"


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text)


# --------------------------------------------------------------------------- markdown

_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?(---|\+\+\+)[ \t]*\n(.*?)\n\1[ \t]*(?:\n|\Z)", re.S)
_FLATTENED_MARKER = re.compile(r"(?<=\S) (?=#{2,6} \S)|(?<=\S) (?=[*-] \*\*)|(?<=[.!?]) (?=\d{1,2}\. \*\*)")
_MD_ESCAPE = re.compile(r"\\([()\[\]_*#`.!>|{}+-])")
_INLINE_HTML_BREAK = re.compile(r"<br\s*/?>", re.I)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ERB = re.compile(r"<%.*?%>", re.S)


def parse_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split YAML (``---``) or TOML (``+++``) front matter from the body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    fence, raw = match.group(1), match.group(2)
    data: Any = {}
    try:
        if fence == "---":
            import yaml

            data = yaml.safe_load(raw)
        else:
            import tomllib

            data = tomllib.loads(raw)
    except Exception:  # malformed front matter is kept as text, never fatal
        return {}, text
    if not isinstance(data, dict):
        return {}, text
    return data, text[match.end():]


def unflatten_markdown(text: str) -> tuple[str, bool]:
    """Put back line breaks that a scrape flattened (inline ``##`` and ``* **`` markers)."""
    long_lines = [line for line in text.splitlines() if len(line) > 400]
    if not long_lines or not any(re.search(r"\S #{2,6} \S", line) for line in long_lines):
        return text, False
    text = _FLATTENED_MARKER.sub("\n\n", text)
    # a heading ends where its title ends: after a parenthesised phase ("### Phase 1: … \(…\) A …")
    # or after a known section name ("## Root Cause A bug …")
    text = re.sub(r"(?m)^(#{2,6} [^\n]*?\\?\))\s+(?=[A-Z])", r"\1\n\n", text)
    text = re.sub(r"(?m)^(#{2,6}) ([^\n]+)$", _split_known_heading, text)
    return text, True


def _split_known_heading(match: re.Match) -> str:
    """Split '## Root Cause A bug …' into the heading and its body."""
    from . import rules

    marker, words = match.group(1), match.group(2)
    lower = words.lower()
    phrases = sorted({p for names in rules.sections()["roles"].values() for p in names}, key=len, reverse=True)
    for phrase in phrases:
        if lower.startswith(phrase + " ") and len(words) > len(phrase) + 1:
            rest = words[len(phrase):].strip()
            return f"{marker} {words[:len(phrase)]}\n\n{rest}"
    return match.group(0)


def clean_markdown(text: str) -> str:
    """Light clean-up that keeps structure: HTML breaks, comments, template tags, entities."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _HTML_COMMENT.sub("", text)
    text = _ERB.sub("", text)
    text = _INLINE_HTML_BREAK.sub("\n", text)
    text = re.sub(r"</?(?:span|div|time|p|em|strong|small|sup|sub|i|b|u)\b[^>]*>", "", text, flags=re.I)
    if "&" in text:
        text = html.unescape(text)
    return typographic_to_ascii(text)


_TYPOGRAPHIC = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u2011": "-"})


def typographic_to_ascii(text: str) -> str:
    """Curly quotes and non-breaking spaces as their plain forms (one character each: offsets hold)."""
    return text.translate(_TYPOGRAPHIC)


def normalise_markdown(source: Source, fmt: str = "markdown") -> Document:
    """Normalise Markdown or plain text: front matter out, flattened structure back in."""
    meta, body = parse_front_matter(source.text)
    body = clean_markdown(body)
    flags: list[tuple[str, str]] = []
    body, flattened = unflatten_markdown(body)
    if flattened:
        flags.append(("markdown-flattened", "headings and bullets were flattened onto long lines; recovered from inline markers"))
    body = _MD_ESCAPE.sub(r"\1", body)
    body = body.strip("\n") + "\n"
    title = _str(meta.get("title")) or _first_heading(body) or title_from_source(source.name)
    published = None
    part = Part(0, len(body), title=title)
    is_status_entry = any(k in meta for k in ("resolvedWhen", "resolved", "severity", "affected"))
    date_value = _iso(meta.get("date"))
    if is_status_entry:
        part.started_at = date_value
        part.resolved_at = _iso(meta.get("resolvedWhen"))
    else:
        published = date_value
    post_match = re.match(r"\s*postmortem\s+([A-Z][a-z]{2,8}\.? \d{1,2}, \d{4},? \d{1,2}:\d{2}(?:\s*[AP]M)?(?: UTC)?)", body)
    if post_match and not published:
        published = _parse_publication(post_match.group(1))
    skip = [(post_match.start(1), post_match.end(1))] if post_match else []
    if fmt == "text" and re.search(r"(?m)^#{1,6} \S|^\s*[-*] \S", body):
        fmt = "markdown"
    return Document(
        source=source.name,
        format=fmt,
        text=body,
        sha256=source.sha256,
        title=title,
        published_at=published,
        original_url=_str(meta.get("url") or meta.get("original_url")),
        parts=[part],
        flags=flags,
        meta={"front_matter": _jsonable(meta), "skip_spans": skip},
    )


def _first_heading(text: str) -> str | None:
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


def _parse_publication(value: str) -> str | None:
    from datetime import datetime, timezone

    value = value.replace(",", "").replace(" UTC", "").replace(".", "")
    for pattern in ("%b %d %Y %I:%M %p", "%B %d %Y %I:%M %p", "%b %d %Y %H:%M", "%B %d %Y %H:%M"):
        try:
            parsed = datetime.strptime(value, pattern).replace(tzinfo=timezone.utc)
            return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            continue
    return None


# --------------------------------------------------------------------------- html


_BLOCK_TAGS = {"p", "div", "section", "article", "main", "header", "footer", "blockquote", "pre", "br", "hr", "tr", "table", "ul", "ol", "dl", "dt", "dd", "figure", "details", "summary"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head", "nav", "iframe", "button", "form"}


def html_to_markdown(markup: str) -> tuple[str, str | None]:
    """Render HTML as Markdown-shaped text (headings, bullets, table rows); also return its title."""
    from bs4 import BeautifulSoup
    from bs4.element import NavigableString, Tag

    soup = BeautifulSoup(markup, "html.parser")
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else None
    out: list[str] = []
    # iterative walk: deeply nested markup cannot blow the recursion limit
    stack: list[tuple[Any, bool]] = [(soup, False)]
    row_cells: list[str] | None = None
    while stack:
        node, closing = stack.pop()
        if isinstance(node, NavigableString):
            if type(node).__name__ in ("Comment", "Doctype", "Declaration", "ProcessingInstruction", "CData"):
                continue
            text = re.sub(r"\s+", " ", str(node))
            if row_cells is not None and row_cells:
                row_cells[-1] += text
            else:
                out.append(text)
            continue
        if not isinstance(node, Tag):
            continue
        name = (node.name or "").lower()
        if closing:
            if name in ("td", "th") and row_cells is not None:
                row_cells[-1] = row_cells[-1].strip()
            elif name == "tr" and row_cells is not None:
                out.append("\n| " + " | ".join(c.replace("|", "/") for c in row_cells) + " |\n")
                row_cells = None
            elif re.fullmatch(r"h[1-6]", name) or name in _BLOCK_TAGS or name == "li":
                out.append("\n\n" if name not in ("li", "tr") else "\n")
            continue
        if name in _SKIP_TAGS or (name == "title"):
            continue
        if re.fullmatch(r"h[1-6]", name):
            out.append("\n\n" + "#" * int(name[1]) + " ")
        elif name == "li":
            out.append("\n- ")
        elif name == "tr":
            row_cells = []
        elif name in ("td", "th") and row_cells is not None:
            row_cells.append("")
        elif name == "br":
            out.append("\n")
        elif name in _BLOCK_TAGS:
            out.append("\n\n")
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node.children)))
    text = "".join(out)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n[ \t]+(?=[^\s])", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = re.sub(r"(?m)^(#{1,6}|-) +", r"\1 ", text)
    return text.strip() + "\n", title


MAX_HTML_DEPTH = 1000
"""HTML nested deeper than this is refused (no real page comes near; parsing it costs seconds)."""

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^<>]*?(/?)>")
_NOT_NESTING = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    "p", "li", "td", "th", "tr", "dt", "dd", "option",  # closed implicitly by their next sibling
}


def html_depth_over(markup: str, limit: int = MAX_HTML_DEPTH) -> bool:
    """True when the markup's open tags nest deeper than ``limit``."""
    depth = 0
    for match in _TAG.finditer(markup):
        if match.group(3) or match.group(2).lower() in _NOT_NESTING:
            continue
        depth = max(depth - 1, 0) if match.group(1) else depth + 1
        if depth > limit:
            return True
    return False


def normalise_html(source: Source) -> Document:
    """Normalise an HTML page to Markdown-shaped text."""
    if html_depth_over(source.text):
        raise NormaliseError(source.name, f"HTML nested more than {MAX_HTML_DEPTH:,} levels deep: refused")
    try:
        text, title = html_to_markdown(source.text)
    except RecursionError:
        raise NormaliseError(source.name, "HTML nested too deeply to read") from None
    except Exception as exc:  # bs4 is forgiving; anything left is a broken document
        raise NormaliseError(source.name, f"malformed HTML ({type(exc).__name__})") from None
    if not text.strip():
        raise NormaliseError(source.name, "HTML page has no text")
    title = title or _first_heading(text) or title_from_source(source.name)
    return Document(source=source.name, format="html", text=text, sha256=source.sha256, title=title, parts=[Part(0, len(text), title=title)])


# --------------------------------------------------------------------------- json


def normalise_json(source: Source) -> Document:
    """Normalise status-page JSON: Atlassian Statuspage incidents or Google Cloud incidents."""
    try:
        data = json.loads(source.text)
    except json.JSONDecodeError as exc:
        raise NormaliseError(source.name, f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise NormaliseError(source.name, "JSON nested too deeply to read") from None
    incidents, kind, page = _json_incidents(data)
    if not incidents:
        raise NormaliseError(source.name, "JSON of an unknown shape: expected a Statuspage incident (incident_updates) or a Google Cloud incident (begin/end/updates)")
    builder = _TextBuilder()
    parts: list[Part] = []
    for incident in incidents:
        start = builder.length
        if kind == "statuspage":
            part = _render_statuspage(builder, incident)
        else:
            part = _render_gcp(builder, incident)
        part.start, part.end = start, builder.length
        parts.append(part)
        builder.add("\n")
    text = builder.text()
    org = None
    if isinstance(page, dict):
        org = _str(page.get("name"))
    elif kind == "gcp":
        org = "Google Cloud"
    fmt = "statuspage" if kind == "statuspage" else "gcp"
    title = parts[0].title if len(parts) == 1 else f"{len(parts)} incidents"
    zone = _str(page.get("time_zone")) if isinstance(page, dict) else None
    return Document(source=source.name, format=fmt, text=text, sha256=source.sha256, title=title, organization=org, parts=parts, meta={"json_kind": kind, "default_zone": zone})


def _json_incidents(data: Any) -> tuple[list[dict], str, Any]:
    """Find incident objects in a JSON payload; return (incidents, kind, page)."""
    page = None
    if isinstance(data, dict):
        page = data.get("page")
        if isinstance(data.get("incident"), dict):
            data = [data["incident"]]
        elif isinstance(data.get("incidents"), list):
            data = data["incidents"]
        else:
            data = [data]
    if not isinstance(data, list):
        return [], "", page
    statuspage = [d for d in data if isinstance(d, dict) and isinstance(d.get("incident_updates"), list)]
    if statuspage:
        return statuspage, "statuspage", page
    gcp = [d for d in data if isinstance(d, dict) and "begin" in d and ("updates" in d or "most_recent_update" in d)]
    if gcp:
        return gcp, "gcp", page
    return [], "", page


class _TextBuilder:
    """Accumulate text and know the offset of each piece."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.length = 0

    def add(self, piece: str) -> tuple[int, int]:
        start = self.length
        self.pieces.append(piece)
        self.length += len(piece)
        return start, self.length

    def text(self) -> str:
        return "".join(self.pieces)


def _body_text(body: str) -> str:
    """An update body as Markdown-shaped text (bodies may hold HTML)."""
    body = body or ""
    if re.search(r"<(?:ul|ol|li|p|br|div|h[1-6])\b", body, re.I):
        body, _ = html_to_markdown(body)
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    return body.strip()


def _render_statuspage(builder: _TextBuilder, incident: dict) -> Part:
    name = _str(incident.get("name")) or "Incident"
    builder.add(f"# {name}\n\n")
    part = Part(0, 0, title=name, started_at=_iso(incident.get("started_at") or incident.get("created_at")), resolved_at=_iso(incident.get("resolved_at")))
    updates = [u for u in incident.get("incident_updates") or [] if isinstance(u, dict)]
    _render_updates(builder, part, updates, ("display_at", "created_at"), "## {status}: {at}", lambda u: _body_text(_str(u.get("body")) or ""))
    return part


def _render_gcp(builder: _TextBuilder, incident: dict) -> Part:
    name = _str(incident.get("external_desc")) or "Incident"
    builder.add(f"# {name}\n\n")
    part = Part(0, 0, title=name, started_at=_iso(incident.get("begin")), resolved_at=_iso(incident.get("end")))
    updates = [u for u in incident.get("updates") or [] if isinstance(u, dict)]
    if not updates and isinstance(incident.get("most_recent_update"), dict):
        updates = [incident["most_recent_update"]]
    _render_updates(builder, part, updates, ("when", "created"), "## Update ({status}): {at}", _gcp_update_text)
    return part


def _gcp_update_text(update: dict) -> str:
    """A Google Cloud update's text, its own headings one level below the update heading."""
    text = (_str(update.get("text")) or "").replace("\r\n", "\n")
    return re.sub(r"(?m)^(#{1,5}) ", r"#\1 ", text).strip()


def _render_updates(builder: _TextBuilder, part: Part, updates: list[dict], time_keys: tuple[str, str], heading: str, body: Callable[[dict], str]) -> None:
    """Status updates oldest first, each under a heading that carries its time (recorded as a stamp)."""
    first, second = time_keys
    for update in sorted(updates, key=lambda u: str(u.get(first) or u.get(second) or "")):
        at = _iso(update.get(first) or update.get(second))
        status = (_str(update.get("status")) or "update").replace("_", " ").title()
        hs, he = builder.add(heading.format(status=status, at=at or "undated") + "\n\n")
        if at:
            part.stamps.append((hs, he - 2, at))
        builder.add(body(update) + "\n\n")


# --------------------------------------------------------------------------- helpers


def _str(value: Any) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _iso(value: Any) -> str | None:
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


def _jsonable(value: Any) -> Any:
    """Front matter made safe for JSON (dates become strings)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
