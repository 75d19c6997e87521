"""Step 2, normalise: turn a decoded source into one plain, Markdown-shaped text.

Whatever the input format (plain text, Markdown with front matter, HTML,
AsciiDoc, reStructuredText, Org-mode, Atlassian Statuspage JSON, Google Cloud incident JSON, Word .docx, PDF,
Confluence and Google Docs HTML exports, Notion Markdown exports), the result is a
:class:`~ingest.document.Document` whose ``text`` uses Markdown conventions for
structure (``#`` headings, ``-`` bullets, ``|`` table rows). All evidence
offsets point into this text, which is what gets stored.

One module per input format; what they share is in :mod:`.common`.
"""

from __future__ import annotations

import re

from ..document import Document, Part
from ..read import Source
from .common import NormaliseError, typographic_to_ascii
from .asciidoc import normalise_asciidoc
from .bbcode import looks_like_bbcode, normalise_bbcode
from .confluence import looks_like_confluence, normalise_confluence
from .docx import OLE_MAGIC, normalise_docx
from .gdocs import looks_like_gdocs, normalise_gdocs
from .html import MAX_HTML_DEPTH, html_depth_over, html_to_markdown, looks_like_html, normalise_html
from .json_incidents import normalise_json
from .markdown import normalise_markdown
from .notion import looks_like_notion, normalise_notion
from .org import looks_like_org, normalise_org
from .pdf import normalise_pdf
from .rst import normalise_rst
from .wikitext import looks_like_wikitext, normalise_wikitext
from .text import normalise_text

__all__ = [
    "Document", "Part", "NormaliseError", "MAX_HTML_DEPTH", "html_depth_over", "html_to_markdown",
    "normalise", "normalise_html", "normalise_json", "normalise_markdown", "normalise_text", "normalise_docx", "normalise_pdf",
    "normalise_confluence", "normalise_gdocs", "normalise_notion", "normalise_asciidoc", "normalise_rst", "normalise_wikitext", "normalise_org", "normalise_bbcode",
    "sniff_format", "sniff_binary_format",
]


def normalise(source: Source) -> Document:
    """Normalise a Source by its format (sniffed when the suffix does not say), with curly quotes
    and non-breaking spaces in their plain forms whatever the format ("We’ll" reads as "We'll")."""
    document = _normalise_format(source)
    document.text = typographic_to_ascii(document.text)  # one character for one: offsets hold
    if document.title:
        document.title = typographic_to_ascii(document.title)
    for part in document.parts:
        if part.title:
            part.title = typographic_to_ascii(part.title)
    return document


def _normalise_format(source: Source) -> Document:
    """The format's own normaliser."""
    fmt = source.format_hint or sniff_binary_format(source.data) or sniff_format(source.text)
    if fmt in _BINARY:
        return _BINARY[fmt](source)
    if fmt == "zip":
        raise NormaliseError(source.name, "a zip archive holds many documents: ingest it with 'pmkb ingest'")
    if fmt == "json" or (fmt is None and _json_start(source.text)):
        return normalise_json(source)
    if fmt == "html" or (fmt in (None, "text") and looks_like_html(source.text)):
        if looks_like_confluence(source.text):
            return normalise_confluence(source)
        if looks_like_gdocs(source.text):
            return normalise_gdocs(source)
        return normalise_html(source)
    if fmt == "markdown" and looks_like_notion(source.name):
        return normalise_notion(source)
    if fmt in _LIGHT_MARKUP:
        return _LIGHT_MARKUP[fmt](source)
    if fmt in (None, "text"):
        if looks_like_wikitext(source.text):
            return normalise_wikitext(source)
        if looks_like_org(source.text):
            return normalise_org(source)
        if looks_like_bbcode(source.text):
            return normalise_bbcode(source)
        return normalise_text(source)
    return normalise_markdown(source, fmt)


_BINARY = {"docx": normalise_docx, "pdf": normalise_pdf}
"""Formats read from bytes, not decoded text."""
_LIGHT_MARKUP = {"asciidoc": normalise_asciidoc, "rst": normalise_rst, "wikitext": normalise_wikitext, "org": normalise_org}
"""Text markups rewritten as Markdown before they are read."""


def sniff_binary_format(data: bytes) -> str | None:
    """``pdf``, ``docx`` or ``zip`` from a file's first bytes (an OLE container is taken for a protected .docx)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(OLE_MAGIC):
        return "docx"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:4096] or b"[Content_Types].xml" in data[:200] else "zip"
    return None


def _json_start(text: str) -> bool:
    """Whether a text opens as JSON does (not as a wikitext template ``{{`` or link ``[[``)."""
    head = text.lstrip()[:2]
    return head[:1] in ("{", "[") and head not in ("{{", "[[")


def sniff_format(text: str) -> str | None:
    """Guess a format from content alone."""
    if _json_start(text):
        return "json"
    if looks_like_html(text):
        return "html"
    if re.search(r"(?m)^#{1,6} |^---\s*$|^\+\+\+\s*$", text[:2000]):
        return "markdown"
    return "text"

