"""Inputs that hold many documents (zip archives, status-page histories) expanded into one Source each."""

from __future__ import annotations

from typing import Iterable, Iterator

from ..read import DEFAULT_MAX_BYTES, ReadError, Source
from .archive import expand_zip
from .history import split_history


def expand_sources(items: Iterable[Source | ReadError], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Source | ReadError]:
    """Pass Sources and ReadErrors through, a zip as its entries and an ``incidents.json`` history as its incidents."""
    for item in items:
        if isinstance(item, ReadError):
            yield item
        elif item.format_hint == "zip" or (item.format_hint is None and item.data.startswith(b"PK\x03\x04") and _is_archive(item)):
            yield from expand_sources(expand_zip(item, max_bytes), max_bytes)
        elif item.format_hint in ("json", None) and (incidents := split_history(item)):
            yield from incidents
        else:
            yield item


def _is_archive(source: Source) -> bool:
    """A zip that is not a Word document."""
    from . import sniff_binary_format

    return sniff_binary_format(source.data) == "zip"
