"""Load inputs into the knowledge base: read → normalise → extract → store, in batches.

Unchanged documents (same content hash, same extractor version when
re-extracting) are skipped before any parsing, so re-runs are nearly free.
The others are extracted a batch at a time, by forked workers when there
are enough of them, and each batch is stored in one transaction.
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

from ingest.document import Document
from ingest.normalise.archive import Attachment
from ingest.normalise.expand import expand_sources
from ingest.names import printable
from ingest.read import DEFAULT_MAX_BYTES, DEFAULT_URL_TIMEOUT, ReadError, Source, UnsupportedError, iter_sources
from ingest.workers import DEFAULT_TIME_BUDGET, Failed

from . import store


@dataclass
class Summary:
    """Counts of what an ingest did, plus the one-line problems it met."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    unsupported: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        """``N new, N updated, N unchanged, N skipped`` (and ``, N unsupported`` when some were passed over)."""
        line = f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, {self.skipped} skipped"
        return line + (f", {self.unsupported} unsupported" if self.unsupported else "")


def read_manifest(path: str | Path) -> dict[str, dict]:
    """Rows of a CSV/TSV manifest keyed by file name (its ``file`` column, and that column's base name)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    dialect = "excel-tab" if path.suffix.lower() in (".tsv", ".tab") or "\t" in text.split("\n", 1)[0] else "excel"
    # TSV has no quoting: a title that starts with '"' is text, not the start of a quoted field
    reader = csv.DictReader(text.splitlines(), dialect=dialect, quoting=csv.QUOTE_NONE if dialect == "excel-tab" else csv.QUOTE_MINIMAL)
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


def checked_manifest_row(row: dict) -> tuple[dict, list[dict]]:
    """A manifest row with its ``published_at`` read as front-matter dates are (ISO 8601, UTC), or dropped
    when it is not a date or out of range, with the ``bad-metadata`` quality flag that says so (a bad
    date would otherwise break every report)."""
    from ingest.normalise.common import bad_metadata, iso_utc

    if not row.get("published_at"):
        return row, []
    problems: list[str] = []
    published = iso_utc(row["published_at"], problems, "manifest published_at")
    flags = [dict(zip(("flag", "detail"), bad_metadata(problems)))] if problems else []
    return {**row, "published_at": published}, flags


def source_key(source: Source, folders: dict[str, str] | None = None) -> str:
    """The identity a source is stored under: absolute real path, URL, or stdin plus content hash.

    ``folders`` caches each folder's real path across calls, so a folder of
    thousands of files costs one ``lstat`` per file rather than one per path part.
    """
    if source.name == "<stdin>":
        return f"stdin:{source.sha256[:16]}"
    if "://" in source.name:
        return source.name
    if folders is None or os.path.islink(source.name):
        return str(Path(source.name).resolve())
    folder, name = os.path.split(os.path.abspath(source.name))
    if folder not in folders:
        folders[folder] = str(Path(folder).resolve())
    return os.path.join(folders[folder], name)


BATCH_SIZE = 64
"""Documents extracted, then stored in one transaction, at a time."""


def default_processes() -> int:
    """Extraction workers for an ingest: one per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class _Slot:
    """One input of a batch: resolved at once (unchanged, unreadable) or waiting to be extracted and stored."""

    name: str
    status: str | None = None
    problem: str | None = None
    source: Source | None = None
    key: str = ""


Prepared = tuple[Document | None, list[dict], str | None]
"""What ``prepare`` gives for one source: the document and its incidents, or a one-line problem."""


def prepare(job: tuple[Source, str]) -> Prepared:
    """Normalise and extract one source stored under ``key``: ``(document, incidents, None)``, or a one-line problem.

    A ReadError (the text turns out unusable) or an extractor bug becomes
    ``(None, [], message)``, so one bad input never stops the others.
    """
    source, key = job
    from ingest.pipeline import extract, normalised

    try:
        document = normalised(source)
        document.source = key
        return document, extract(document), None
    except ReadError as exc:
        return None, [], str(exc)
    except Exception as exc:  # an extractor bug must not stop the run or lose other documents
        return None, [], f"{printable(source.name)}: extraction failed ({type(exc).__name__}: {exc})"


class _Extractor:
    """Runs ``prepare`` over a batch: in forked workers (each document within the time budget) unless
    one process was asked for; a document whose worker dies or overruns is named, not waited for."""

    def __init__(self, processes: int, budget: float | None) -> None:
        self.processes = processes
        self.budget = budget
        self.pool = None

    def submit(self, jobs: list[tuple[Source, str]]) -> Callable[[], list[Prepared]]:
        """Start on ``jobs``; the returned function waits for their results, in order (in-process work runs when it is called)."""
        if self.pool is None and self.processes > 1:
            from ingest.pipeline import fork_pool

            self.pool = fork_pool(self.processes, self.budget)
        if self.pool is None:
            return lambda: [prepare(job) for job in jobs]
        results = self.pool.submit(prepare, jobs)
        return lambda: [
            (None, [], f"{printable(job[0].name)}: not extracted: {result.reason}") if isinstance(result, Failed) else result
            for job, result in zip(jobs, results())
        ]

    def close(self) -> None:
        """Stop the workers, if any were started."""
        if self.pool is not None:
            self.pool.close()
            self.pool = None


class _KnownSources:
    """Stored documents' (sha256, extractor_version) by source, looked up one source at a time (the
    source index answers), so that ingesting one file into 50,000 documents does not read them all;
    what this run stores is remembered."""

    def __init__(self, conn) -> None:
        self._conn = conn
        self._stored: dict[str, tuple[str, str | None]] = {}

    def get(self, source: str) -> tuple[str, str | None] | None:
        if source not in self._stored:
            row = self._conn.execute("select sha256, extractor_version from documents where source = ?", (source,)).fetchone()
            return tuple(row) if row else None
        return self._stored[source]

    def __setitem__(self, source: str, value: tuple[str, str | None]) -> None:
        self._stored[source] = value


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
    processes: int = 1,
    batch_size: int = BATCH_SIZE,
    time_budget: float | None = DEFAULT_TIME_BUDGET,
    skip_unsupported: bool = False,
) -> Summary:
    """Ingest every input into ``db``; report each outcome, in input order, to ``on_progress(name, status)``.

    A source whose raw bytes hash to what is stored under its name is
    ``unchanged`` before anything is decoded (or spaCy even loaded). The
    others are extracted ``batch_size`` at a time (by ``processes`` forked
    workers, each document within ``time_budget`` seconds, unless ``processes``
    is 1) and each batch is stored in one transaction, a savepoint per
    document. Any problem with one input (a worker that died holding it
    included) is one line in ``Summary.errors``; the rest go on. Zip archives
    and status-page histories are ingested entry by entry; files of an
    unsupported kind are counted as ``unsupported`` (not errors) inside
    archives, or anywhere with ``skip_unsupported``.
    """
    summary = Summary()
    manifest = manifest or {}
    version = _extractor_version() if reextract else None
    known = _KnownSources(db.conn)
    folders: dict[str, str] = {}

    def outcome(slot: _Slot) -> None:
        setattr(summary, slot.status, getattr(summary, slot.status) + 1)
        if slot.problem:
            summary.errors.append(slot.problem)
        if on_progress:
            on_progress(slot.name, slot.status)

    def start(batch: list[_Slot]) -> tuple[list[_Slot], Callable[[], list[Prepared]]]:
        waiting = [slot for slot in batch if slot.status is None]
        return batch, extractor.submit([(slot.source, slot.key) for slot in waiting]) if waiting else list

    def finish(started: tuple[list[_Slot], Callable[[], list[Prepared]]] | None) -> None:
        if started is None:
            return
        batch, results = started
        _store(db, [slot for slot in batch if slot.status is None], results(), manifest, organization, reextract)
        for slot in batch:
            outcome(slot)
            if slot.status in ("new", "updated"):
                known[slot.key] = (slot.source.sha256, version)

    extractor = _Extractor(processes, time_budget)
    batch: list[_Slot] = []
    pending = 0
    previous = None  # a batch being extracted (by the workers) while the one before it is stored
    try:
        for item in expand_sources(iter_sources(inputs, max_bytes=max_bytes, stdin=stdin, url_timeout=url_timeout), max_bytes):
            if isinstance(item, UnsupportedError) and (skip_unsupported or isinstance(item, Attachment)):
                batch.append(_Slot(item.source, "unsupported"))
                continue
            if isinstance(item, ReadError):
                batch.append(_Slot(item.source, "skipped", str(item)))
                continue
            key = source_key(item, folders)
            stored = known.get(key)
            if stored and stored[0] == item.sha256 and not (reextract and stored[1] != version):
                batch.append(_Slot(item.name, "unchanged"))
            else:
                batch.append(_Slot(item.name, source=item, key=key))
                pending += 1
            if pending >= batch_size or len(batch) >= 16 * batch_size:
                started = start(batch)
                finish(previous)
                previous, batch, pending = started, [], 0
        started = start(batch)
        finish(previous)
        finish(started)
    finally:
        extractor.close()
    return summary


def _store(
    db: sqlite_utils.Database,
    waiting: list[_Slot],
    prepared: list[Prepared],
    manifest: dict[str, dict],
    organization: str | None,
    reextract: bool,
) -> None:
    """Store the extracted documents of a batch in one transaction, setting each waiting slot's outcome."""
    if not waiting:
        return
    from ingest.pipeline import extractor_version  # spaCy is loaded only when something needs extracting

    ready, items = [], []
    for slot, (document, incidents, problem) in zip(waiting, prepared):
        if problem:
            slot.status, slot.problem = "skipped", problem
            continue
        row, flags = checked_manifest_row(manifest.get(os.path.basename(slot.name)) or manifest.get(slot.name) or {})
        if flags:
            incidents = [{**incident, "quality_flags": [*incident.get("quality_flags", []), *flags]} for incident in incidents]
        ready.append(slot)
        items.append((document, incidents, row))
    if not items:
        return
    results = _store_halves(db, items, extractor_version(), organization, reextract)
    for slot, result in zip(ready, results):
        if isinstance(result, Exception):
            slot.status, slot.problem = "skipped", f"{printable(slot.name)}: could not store ({result})"
        else:
            slot.status = result.status


def _store_halves(db: sqlite_utils.Database, items: list, version: str, organization: str | None, reextract: bool) -> list:
    """``store.store_documents`` on ``items``; when the whole transaction fails (the disk is full, say),
    each half is tried again on its own, so the documents that fit are kept and only the others fail."""
    try:
        return store.store_documents(db, items, version, organization=organization, reextract=reextract)
    except sqlite3.Error as exc:  # the whole batch rolled back: nothing of it is stored
        if len(items) == 1:
            return [exc]
    middle = len(items) // 2
    return _store_halves(db, items[:middle], version, organization, reextract) + _store_halves(db, items[middle:], version, organization, reextract)


def _extractor_version() -> str:
    from ingest.pipeline import extractor_version

    return extractor_version()


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
