"""Markdown (and plain text): front matter out, flattened structure back in."""

from __future__ import annotations

import html
import re

from ..document import Document, Part
from ..read import Source
from .common import bad_metadata, clean_characters, clean_str, first_heading, iso_utc, jsonable, title_from_source, typographic_to_ascii
from .fixed_width import fixed_width_to_pipes
from .front_matter import parse_front_matter

ORGANIZATION_KEYS = ("organization", "organisation", "org", "company")
"""Front matter keys that declare the organization a postmortem is about."""

_FLATTENED_MARKER = re.compile(r"(?<=\S) (?=#{2,6} \S)|(?<=\S) (?=[*-] \*\*)|(?<=[.!?]) (?=\d{1,2}\. \*\*)")
_MD_ESCAPE = re.compile(r"\\([()\[\]_*#`.!>|{}+-])")
_INLINE_HTML_BREAK = re.compile(r"<br\s*/?>", re.I)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ERB = re.compile(r"<%.*?%>", re.S)


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
    from .. import rules

    marker, words = match.group(1), match.group(2)
    lower = words.lower()
    phrases = sorted({p for names in rules.sections()["roles"].values() for p in names}, key=len, reverse=True)
    for phrase in phrases:
        if lower.startswith(phrase + " ") and len(words) > len(phrase) + 1:
            rest = words[len(phrase):].strip()
            return f"{marker} {words[:len(phrase)]}\n\n{rest}"
    return match.group(0)


_CALLOUT = re.compile(r"^[ \t]*>[ \t]*\[!([A-Za-z][\w-]*)\][+-]?[ \t]*(.*?)[ \t]*$")
_QUOTED = re.compile(r"^[ \t]*>[ \t]?")


def unfold_callouts(text: str) -> str:
    """Obsidian callouts and GitHub alerts (``> [!warning] Root cause`` over ``> …`` lines) as a
    bold heading over their unquoted lines: the callout's title, or its type, names the section."""
    if "[!" not in text:
        return text
    out: list[str] = []
    inside = False
    for line in text.split("\n"):
        callout = _CALLOUT.match(line)
        if callout:
            title = callout.group(2).strip("*_ ") or callout.group(1).replace("-", " ").capitalize()
            out.extend(["", f"**{title}**", ""])
            inside = True
        elif inside and _QUOTED.match(line):
            out.append(_QUOTED.sub("", line, count=1))
        else:
            inside = False
            out.append(line)
    return "\n".join(out)


def clean_markdown(text: str) -> str:
    """Light clean-up that keeps structure: HTML breaks, comments, template tags, entities
    (and no control characters, before or after entities are decoded)."""
    text = clean_characters(text)
    text = _HTML_COMMENT.sub("", text)
    text = _ERB.sub("", text)
    text = _INLINE_HTML_BREAK.sub("\n", text)
    text = re.sub(r"</?(?:span|div|time|p|em|strong|small|sup|sub|i|b|u)\b[^>]*>", "", text, flags=re.I)
    if "&" in text:
        text = clean_characters(html.unescape(text))
    return typographic_to_ascii(text)  # before unflattening reads heading phrases ("What we're doing"); normalise() does it for every format


def normalise_markdown(source: Source, fmt: str = "markdown") -> Document:
    """Normalise Markdown or plain text: front matter out, flattened structure back in."""
    meta, body, unread = parse_front_matter(source.text)
    problems = [f"{unread} (left in the text)"] if unread else []
    body = unfold_callouts(clean_markdown(body))
    if fmt == "text":
        body = fixed_width_to_pipes(body)  # a plain-text report's "No. Action  Owner" over "--- ------ -----"
    flags: list[tuple[str, str]] = []
    body, flattened = unflatten_markdown(body)
    if flattened:
        flags.append(("markdown-flattened", "headings and bullets were flattened onto long lines; recovered from inline markers"))
    body = _MD_ESCAPE.sub(r"\1", body)
    body = body.strip("\n") + "\n"
    title = clean_str(meta.get("title"), problems, "front matter title") or first_heading(body) or title_from_source(source.name)
    published = None
    part = Part(0, len(body), title=title)
    is_status_entry = any(k in meta for k in ("resolvedWhen", "resolved", "severity", "affected"))
    date_value = iso_utc(meta.get("date"), problems, "front matter date")
    if is_status_entry:
        part.started_at = date_value
        part.resolved_at = iso_utc(meta.get("resolvedWhen"), problems, "front matter resolvedWhen")
    else:
        published = date_value
    post_match = re.match(r"\s*postmortem\s+([A-Z][a-z]{2,8}\.? \d{1,2}, \d{4},? \d{1,2}:\d{2}(?:\s*[AP]M)?(?: UTC)?)", body)
    if post_match and not published:
        published = parse_publication(post_match.group(1))
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
        original_url=clean_str(meta.get("url") or meta.get("original_url"), problems, "front matter url"),
        organization=clean_str(next((meta[k] for k in ORGANIZATION_KEYS if meta.get(k)), None), problems, "front matter organization"),
        parts=[part],
        flags=flags + ([bad_metadata(problems)] if problems else []),
        meta={"front_matter": jsonable(meta), "skip_spans": skip},
    )


def parse_publication(value: str) -> str | None:
    """A publication time such as "Apr 17, 2026, 04:37 PM UTC" as ISO 8601 UTC, or None."""
    from datetime import datetime, timezone

    from ..isotime import iso

    value = value.replace(",", "").replace(" UTC", "").replace(".", "")
    for pattern in ("%b %d %Y %I:%M %p", "%B %d %Y %I:%M %p", "%b %d %Y %H:%M", "%B %d %Y %H:%M"):
        try:
            return iso(datetime.strptime(value, pattern).replace(tzinfo=timezone.utc))
        except ValueError:
            continue
    return None
