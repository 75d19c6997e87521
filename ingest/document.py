"""The normalised document model: a :class:`Document` and the :class:`Part` of it each incident covers.

Every input format is normalised into a Document (see :mod:`ingest.normalise`);
all evidence offsets point into its ``text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
