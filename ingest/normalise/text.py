"""Plain text: read as Markdown, since its headings and bullets (if any) are Markdown's."""

from __future__ import annotations

from ..document import Document
from ..read import Source
from .markdown import normalise_markdown


def normalise_text(source: Source) -> Document:
    """Normalise plain text; its format becomes ``markdown`` when it has Markdown headings or bullets."""
    return normalise_markdown(source, "text")
