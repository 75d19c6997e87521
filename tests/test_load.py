"""Loading: unchanged documents are recognised by hash before any decoding; one bad input never stops a run."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from ingest import read
from kb import load, store


@pytest.fixture
def folder(tmp_path, seeds_dir):
    target = tmp_path / "docs"
    shutil.copytree(seeds_dir, target)
    return target


@pytest.fixture
def db(tmp_path):
    database = store.open_db(tmp_path / "kb.db")
    yield database
    database.close()


def test_reingest_never_decodes_or_extracts(db, folder, monkeypatch):
    first = load.ingest(db, [str(folder)])
    assert (first.new, first.skipped) == (2, 0)
    monkeypatch.setattr(read, "decode", lambda *a: pytest.fail("decoded an unchanged document"))
    monkeypatch.setattr(load, "normalise", lambda *a: pytest.fail("normalised an unchanged document"))
    again = load.ingest(db, [str(folder)])
    assert (again.new, again.updated, again.unchanged, again.skipped) == (0, 0, 2, 0)


def test_changed_bytes_are_reextracted(db, folder):
    load.ingest(db, [str(folder)])
    path = sorted(folder.iterdir())[0]
    path.write_bytes(path.read_bytes() + b"\nA late note.\n")
    summary = load.ingest(db, [str(folder)])
    assert (summary.updated, summary.unchanged) == (1, 1)
    assert db["documents"].count == 2 and store.integrity_problems(db) == []


def test_store_failure_is_one_line_and_the_run_goes_on(db, folder, monkeypatch):
    real = store.store_document
    calls = []

    def flaky(database, document, *args, **kwargs):
        calls.append(document.source)
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        return real(database, document, *args, **kwargs)

    monkeypatch.setattr(store, "store_document", flaky)
    summary = load.ingest(db, [str(folder)])
    assert (summary.new, summary.skipped) == (1, 1)
    [line] = summary.errors
    assert line.endswith("could not store (database is locked)") and Path(calls[0]).name in line
    assert db["documents"].count == 1 and store.integrity_problems(db) == []


def test_extractor_crash_is_one_line_and_the_run_goes_on(db, folder, monkeypatch):
    import ingest.pipeline

    real = ingest.pipeline.extract
    monkeypatch.setattr(ingest.pipeline, "extract", lambda d: (_ for _ in ()).throw(ValueError("boom")) if "livekit" in d.source else real(d))
    summary = load.ingest(db, [str(folder)])
    assert summary.new == 1 and summary.skipped == 1
    assert summary.errors[0].endswith("extraction failed (ValueError: boom)") and "livekit" in summary.errors[0]


def test_progress_reports_every_input_once(db, folder):
    (folder / "empty.md").write_text("")
    (folder / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    seen = []
    summary = load.ingest(db, [str(folder), str(folder / "missing.md")], on_progress=lambda name, status: seen.append(status))
    assert sorted(seen) == ["new", "new", "skipped", "skipped", "skipped"]
    assert summary.skipped == len(summary.errors) == 3
    assert load.count_inputs([str(folder), str(folder / "missing.md")]) == 5


def test_stdin_is_keyed_by_content(db):
    import io

    text = b"# Outage\n\nThe API was down from 10:00 to 10:30 UTC.\n"
    assert load.ingest(db, ["-"], stdin=io.BytesIO(text)).new == 1
    assert load.ingest(db, ["-"], stdin=io.BytesIO(text)).unchanged == 1
    [source] = [r["source"] for r in db.query("select source from documents")]
    assert source.startswith("stdin:")
