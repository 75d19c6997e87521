"""Step 2, normalise: turn a decoded source into one plain, Markdown-shaped text.

Whatever the input format (plain text, Markdown with front matter, HTML,
Atlassian Statuspage JSON, Google Cloud incident JSON), the result is a
:class:`~ingest.document.Document` whose ``text`` uses Markdown conventions for
structure (``#`` headings, ``-`` bullets, ``|`` table rows). All evidence
offsets point into this text, which is what gets stored.

One module per input format; what they share is in :mod:`.common`.
"""

from __future__ import annotations

import re

from ..document import Document, Part
from ..read import Source
from .common import NormaliseError
from .html import MAX_HTML_DEPTH, html_depth_over, html_to_markdown, looks_like_html, normalise_html
from .json_incidents import normalise_json
from .markdown import normalise_markdown
from .text import normalise_text

__all__ = [
    "Document", "Part", "NormaliseError", "MAX_HTML_DEPTH", "html_depth_over", "html_to_markdown",
    "normalise", "normalise_html", "normalise_json", "normalise_markdown", "normalise_text", "sniff_format",
]


def normalise(source: Source) -> Document:
    """Normalise a Source by its format (sniffed when the suffix does not say)."""
    fmt = source.format_hint or sniff_format(source.text)
    if fmt == "json" or (fmt is None and source.text.lstrip().startswith(("{", "["))):
        return normalise_json(source)
    if fmt == "html" or (fmt in (None, "text") and looks_like_html(source.text)):
        return normalise_html(source)
    if fmt in (None, "text"):
        return normalise_text(source)
    return normalise_markdown(source, fmt)


def sniff_format(text: str) -> str | None:
    """Guess a format from content alone."""
    head = text.lstrip()[:200].lower()
    if head.startswith(("{", "[")):
        return "json"
    if looks_like_html(text):
        return "html"
    if re.search(r"(?m)^#{1,6} |^---\s*$|^\+\+\+\s*$", text[:2000]):
        return "markdown"
    return "text"

