"""Loading: unchanged documents are recognised by hash before any decoding; one bad input never stops a run."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from ingest import pipeline, read
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
    monkeypatch.setattr(pipeline, "normalised", lambda *a: pytest.fail("normalised an unchanged document"))
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
    real = store.store_documents
    calls = []

    def flaky(database, items, *args, **kwargs):
        items = list(items)
        calls.extend(document.source for document, _, _ in items)
        return [sqlite3.OperationalError("database is locked")] + real(database, items[1:], *args, **kwargs)

    monkeypatch.setattr(store, "store_documents", flaky)
    summary = load.ingest(db, [str(folder)])
    assert (summary.new, summary.skipped) == (1, 1)
    [line] = summary.errors
    assert line.endswith("could not store (database is locked)") and Path(calls[0]).name in line
    assert db["documents"].count == 1 and store.integrity_problems(db) == []


def test_a_batch_that_cannot_be_stored_skips_its_documents_only(db, folder, monkeypatch):
    real = store.store_documents
    batches = []

    def flaky(database, items, *args, **kwargs):
        batches.append(items)
        if len(batches) == 1:
            raise sqlite3.OperationalError("disk I/O error")
        return real(database, items, *args, **kwargs)

    monkeypatch.setattr(store, "store_documents", flaky)
    summary = load.ingest(db, [str(folder)], batch_size=1)
    assert (summary.new, summary.skipped) == (1, 1)
    assert [line.split(": ", 1)[1] for line in summary.errors] == ["could not store (disk I/O error)"]
    assert db["documents"].count == 1 and store.integrity_problems(db) == []


def test_outcomes_are_reported_in_input_order_across_batches(db, folder, tmp_path):
    bad = folder / "0-empty.md"
    bad.write_bytes(b"")
    load.ingest(db, [str(sorted(folder.iterdir())[-1])])
    seen = []
    summary = load.ingest(db, [str(folder)], batch_size=1, on_progress=lambda name, status: seen.append((Path(name).name, status)))
    names = sorted(p.name for p in folder.iterdir())
    assert [name for name, _ in seen] == names
    assert [status for _, status in seen] == ["skipped", "new", "unchanged"]
    assert (summary.new, summary.unchanged, summary.skipped) == (1, 1, 1)


def test_forked_workers_store_what_one_process_stores(tmp_path, folder):
    copies = tmp_path / "copies"
    copies.mkdir()
    sources = sorted(folder.iterdir())
    for n in range(20):
        src = sources[n % len(sources)]
        (copies / f"{n:03d}-{src.name}").write_bytes(src.read_bytes() + f"\nReference INC-{n}\n".encode())
    rows = {}
    for processes in (1, 2):
        database = store.open_db(tmp_path / f"p{processes}.db")
        summary = load.ingest(database, [str(copies)], processes=processes)
        assert summary.new == 20 and not summary.errors
        rows[processes] = [
            list(database.query("select d.source, d.title, count(e.id) as events from documents d join incidents i on i.document_id = d.id left join timeline_events e on e.incident_id = i.id group by i.id order by d.source, i.seq"))
        ]
    assert rows[1] == rows[2]


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


def test_source_key_with_a_folder_cache_is_the_resolved_path(tmp_path, seeds_dir):
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.txt").write_text("At 10:00 UTC the API failed.\n")
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    (real / "b.txt").symlink_to(real / "a.txt")
    folders: dict[str, str] = {}
    for path in (tmp_path / "link" / "a.txt", real / "a.txt", tmp_path / "link" / "b.txt", tmp_path / "link" / ".." / "real" / "a.txt"):
        source = read.read_file(path)
        assert load.source_key(source, folders) == load.source_key(source) == str(path.resolve())
    assert str(tmp_path / "link") in folders


def test_a_full_disk_keeps_the_documents_of_a_batch_that_fit(tmp_path, seeds_dir):
    copies = tmp_path / "copies"
    copies.mkdir()
    for n in range(12):
        src = sorted(seeds_dir.iterdir())[n % 2]
        (copies / f"{n:02d}-{src.name}").write_bytes(src.read_bytes() + f"\nReference INC-{n}\n".encode())
    pages = {}
    for name in ("roomy", "full"):
        db = store.open_db(tmp_path / f"{name}.db")
        empty = db.execute("pragma page_count").fetchone()[0]
        if name == "full":  # room for about half of what the batch needs: SQLite then fails the whole transaction
            db.execute(f"pragma max_page_count = {empty + pages['roomy'] // 2}")
        summary = load.ingest(db, [str(copies)])
        pages[name] = db.execute("pragma page_count").fetchone()[0] - empty
    assert summary.new + summary.skipped == 12 and 0 < summary.new < 12
    assert all(line.endswith("could not store (database or disk is full)") for line in summary.errors)
    assert db["documents"].count == summary.new and store.integrity_problems(db) == []
