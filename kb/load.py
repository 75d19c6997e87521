"""Load inputs into the knowledge base: read → normalise → extract → store, one document at a time.

Unchanged documents (same content hash, same extractor version when
re-extracting) are skipped before any parsing, so re-runs are nearly free.
Every problem with an input becomes one line naming it; the run goes on.
"""

from __future__ import annotations

import csv
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import sqlite_utils

from ingest.normalise import normalise
from ingest.read import DEFAULT_MAX_BYTES, DEFAULT_URL_TIMEOUT, ReadError, Source, iter_sources

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
    url_timeout: float = DEFAULT_URL_TIMEOUT,
) -> Summary:
    """Ingest every input into ``db``; report each outcome to ``on_progress(name, status)``.

    A source whose raw bytes hash to what is stored under its name is
    ``unchanged`` before anything is decoded (or spaCy even loaded). Any
    problem with one input is one line in ``Summary.errors``; the rest go on.
    """
    summary = Summary()
    manifest = manifest or {}
    version = _extractor_version() if reextract else None
    known = {row["source"]: (row["sha256"], row["extractor_version"]) for row in db.query("select source, sha256, extractor_version from documents")}

    def outcome(name: str, status: str, problem: str | None = None) -> None:
        setattr(summary, status, getattr(summary, status) + 1)
        if problem:
            summary.errors.append(problem)
        if on_progress:
            on_progress(name, status)

    for item in iter_sources(inputs, max_bytes=max_bytes, stdin=stdin, url_timeout=url_timeout):
        if isinstance(item, ReadError):
            outcome(item.source, "skipped", str(item))
            continue
        key = source_key(item)
        stored = known.get(key)
        if stored and stored[0] == item.sha256 and not (reextract and stored[1] != version):
            outcome(item.name, "unchanged")
            continue
        from ingest.pipeline import EXTRACTOR_VERSION, extract

        try:
            document = normalise(item)
            document.source = key
            incidents = extract(document)
        except ReadError as exc:
            outcome(item.name, "skipped", str(exc))
            continue
        except Exception as exc:  # an extractor bug must not stop the run or lose other documents
            outcome(item.name, "skipped", f"{item.name}: extraction failed ({type(exc).__name__}: {exc})")
            continue
        row = manifest.get(os.path.basename(item.name)) or manifest.get(item.name) or {}
        try:
            result = store.store_document(db, document, incidents, EXTRACTOR_VERSION, manifest=row, organization=organization, reextract=reextract)
        except sqlite3.Error as exc:  # rolled back: nothing of this document is stored
            outcome(item.name, "skipped", f"{item.name}: could not store ({exc})")
            continue
        known[key] = (item.sha256, EXTRACTOR_VERSION)
        outcome(item.name, result.status)
    return summary


def _extractor_version() -> str:
    from ingest.pipeline import EXTRACTOR_VERSION

    return EXTRACTOR_VERSION


def count_inputs(inputs: Iterable[str]) -> int | None:
    """About how many inputs a folder walk will report: every file not hidden (for a progress bar)."""
    total = 0
    for value in inputs:
        if os.path.isdir(value):
            for _root, dirs, files in os.walk(value, followlinks=False):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                total += sum(1 for f in files if not f.startswith("."))
        else:
            total += 1
    return total
