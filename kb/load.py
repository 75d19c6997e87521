"""Load inputs into the knowledge base: read → normalise → extract → store, one document at a time.

Unchanged documents (same content hash, same extractor version when
re-extracting) are skipped before any parsing, so re-runs are nearly free.
Every problem with an input becomes one line naming it; the run goes on.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import sqlite_utils

from ingest.normalise import normalise
from ingest.read import DEFAULT_MAX_BYTES, ReadError, Source, iter_sources

from . import store


@dataclass
class Summary:
    """Counts of what an ingest did, plus the one-line problems it met."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        """``N new, N updated, N unchanged, N skipped``."""
        return f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, {self.skipped} skipped"


def read_manifest(path: str | Path) -> dict[str, dict]:
    """Rows of a CSV/TSV manifest keyed by file name (its ``file`` column, and that column's base name)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    dialect = "excel-tab" if path.suffix.lower() in (".tsv", ".tab") or "\t" in text.split("\n", 1)[0] else "excel"
    reader = csv.DictReader(text.splitlines(), dialect=dialect)
    if not reader.fieldnames or "file" not in reader.fieldnames:
        raise ValueError(f"{path}: manifest needs a 'file' column")
    rows: dict[str, dict] = {}
    keep = ("organization", "original_url", "title", "published_at")
    for row in reader:
        name = (row.get("file") or "").strip()
        if not name:
            continue
        values = {k: (row.get(k) or "").strip() or None for k in keep}
        rows[name] = values
        rows.setdefault(os.path.basename(name), values)
    return rows


def source_key(source: Source) -> str:
    """The identity a source is stored under: absolute path, URL, or stdin plus content hash."""
    if source.name == "<stdin>":
        return f"stdin:{source.sha256[:16]}"
    if "://" in source.name:
        return source.name
    return str(Path(source.name).resolve())


def ingest(
    db: sqlite_utils.Database,
    inputs: Iterable[str],
    organization: str | None = None,
    manifest: dict[str, dict] | None = None,
    reextract: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_progress: Callable[[str, str], None] | None = None,
    stdin=None,
) -> Summary:
    """Ingest every input into ``db``; report each outcome to ``on_progress(name, status)``."""
    from ingest.pipeline import EXTRACTOR_VERSION, extract

    summary = Summary()
    manifest = manifest or {}
    known = {row["source"]: (row["sha256"], row["extractor_version"]) for row in db.query("select source, sha256, extractor_version from documents")}
    for item in iter_sources(inputs, max_bytes=max_bytes, stdin=stdin):
        if isinstance(item, ReadError):
            summary.skipped += 1
            summary.errors.append(str(item))
            if on_progress:
                on_progress(item.source, "skipped")
            continue
        key = source_key(item)
        stored = known.get(key)
        if stored and stored[0] == item.sha256 and not (reextract and stored[1] != EXTRACTOR_VERSION):
            summary.unchanged += 1
            if on_progress:
                on_progress(item.name, "unchanged")
            continue
        try:
            document = normalise(item)
            document.source = key
            incidents = extract(document)
        except ReadError as exc:
            summary.skipped += 1
            summary.errors.append(str(exc))
            if on_progress:
                on_progress(item.name, "skipped")
            continue
        except Exception as exc:  # an extractor bug must not stop the run or lose other documents
            summary.skipped += 1
            summary.errors.append(f"{item.name}: extraction failed ({type(exc).__name__}: {exc})")
            if on_progress:
                on_progress(item.name, "skipped")
            continue
        row = manifest.get(os.path.basename(item.name)) or manifest.get(item.name) or {}
        result = store.store_document(db, document, incidents, EXTRACTOR_VERSION, manifest=row, organization=organization, reextract=reextract)
        known[key] = (item.sha256, EXTRACTOR_VERSION)
        setattr(summary, result.status, getattr(summary, result.status) + 1)
        if on_progress:
            on_progress(item.name, result.status)
    return summary


def count_inputs(inputs: Iterable[str]) -> int | None:
    """How many files the inputs expand to (None when a URL or stdin makes it unknowable cheaply)."""
    from ingest.read import SUFFIX_FORMATS, is_url

    total = 0
    for value in inputs:
        if value == "-" or is_url(value):
            total += 1
            continue
        path = Path(value)
        if path.is_dir():
            for _root, _dirs, files in os.walk(path):
                total += sum(1 for f in files if Path(f).suffix.lower() in SUFFIX_FORMATS)
        else:
            total += 1
    return total


def iter_lines(summary: Summary) -> Iterator[str]:
    """The problem lines of a summary, in order."""
    yield from summary.errors
