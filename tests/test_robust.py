"""Robust ingest end to end: a folder of broken files, SIGKILL part-way, two ingests at once, a reader meanwhile."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from kb import store
from pmkb.cli import cli

CLI = [sys.executable, "-c", "from pmkb.cli import cli; cli()"]


def make_documents(folder: Path, seeds_dir: Path, count: int, start: int = 0) -> list[Path]:
    """``count`` small, distinct postmortems made from windows of the seeds' paragraphs."""
    paragraphs = [p for seed in sorted(seeds_dir.glob("*.txt")) for p in seed.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + count):
        body = "\n\n".join(paragraphs[(i + k) % len(paragraphs)] for k in range(3))
        path = folder / f"incident-{i:04d}.md"
        path.write_text(f"# Incident {i}\n\n{body[:900]}\n\nReference PM-{i}.\n", encoding="utf-8")
        paths.append(path)
    return paths


def document_count(db_path: Path) -> int:
    """Documents committed so far, read the way another process would."""
    if not db_path.exists():
        return 0
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute("select count(*) from documents").fetchone()[0]
    except sqlite3.OperationalError:  # schema not created yet
        return 0
    finally:
        conn.close()


def assert_healthy(db_path: Path) -> sqlite_utils.Database:
    """The database at ``db_path``, after checking integrity and that no document lacks incident rows."""
    db = store.open_db(db_path, migrate=False)
    assert store.integrity_problems(db) == []
    return db


# --- bad input -----------------------------------------------------------------------------


def test_broken_folder_ingests_the_good_and_names_every_bad(tmp_path, seeds_dir):
    folder = tmp_path / "export"
    good = make_documents(folder, seeds_dir, 2)
    broken = {
        "empty.txt": b"",
        "noise.md": os.urandom(3000) + b"\x00",
        "scan.txt": b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n",
        "scan.pdf": b"%PDF-1.5\n",
        "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00",
        "bad.json": b'{"incident": {',
        "odd.json": b'{"hello": "world"}',
        "deep.html": b"<div>" * 5000,
    }
    for name, data in broken.items():
        (folder / name).write_bytes(data)
    with open(folder / "huge.txt", "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    db_path = tmp_path / "kb.db"
    result = CliRunner().invoke(cli, ["ingest", "--db", str(db_path), "--json", str(folder), str(tmp_path / "absent.md")], catch_exceptions=False)
    assert result.exit_code == 1
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    named = [line.split(": ", 1)[0] for line in summary["errors"]]
    expected = [str(folder / n) for n in (*broken, "huge.txt", "loop")] + [str(tmp_path / "absent.md")]
    assert sorted(named) == sorted(expected)  # every bad input named, each once
    assert summary["new"] == len(good) and summary["skipped"] == len(expected)
    assert result.stderr.count("Error: ") == len(expected)
    db = assert_healthy(db_path)
    assert sorted(r["source"] for r in db.query("select source from documents")) == sorted(str(p.resolve()) for p in good)


# --- crash ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_sigkill_part_way_loses_nothing_and_a_rerun_completes(tmp_path, seeds_dir):
    folder = tmp_path / "docs"
    total = len(make_documents(folder, seeds_dir, 240))
    db_path = tmp_path / "kb.db"
    store.open_db(db_path).close()
    proc = subprocess.Popen([*CLI, "ingest", "--db", str(db_path), str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while document_count(db_path) < 25 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL  # killed, not finished
    stored = document_count(db_path)
    assert 25 <= stored < total
    db = assert_healthy(db_path)  # integrity_check ok, no document without incident rows
    db.close()

    rerun = subprocess.run([*CLI, "ingest", "--db", str(db_path), "--json", str(folder)], capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert (summary["unchanged"], summary["new"], summary["skipped"]) == (stored, total - stored, 0)
    db = assert_healthy(db_path)
    assert db["documents"].count == total


# --- concurrency ---------------------------------------------------------------------------


@pytest.mark.slow
def test_two_ingests_and_a_reader_at_once(tmp_path, seeds_dir):
    from kb import serve

    folder_a, folder_b = tmp_path / "a", tmp_path / "b"
    shared = make_documents(tmp_path / "shared", seeds_dir, 30)
    each = 150  # enough for the ingests to outlast the reader's start-up
    make_documents(folder_a, seeds_dir, each, start=1000)
    make_documents(folder_b, seeds_dir, each, start=2000)
    db_path = tmp_path / "kb.db"  # does not exist yet: both processes race to create the schema
    procs = [
        subprocess.Popen([*CLI, "ingest", "--db", str(db_path), "--json", "--batch-size", "4", str(folder), str(tmp_path / "shared")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for folder in (folder_a, folder_b)
    ]
    while not (db_path.exists() and document_count(db_path)) and all(p.poll() is None for p in procs):
        time.sleep(0.02)
    ds = serve.make_datasette(db_path)
    loop = asyncio.new_event_loop()
    seen: list[int] = []
    try:
        while any(p.poll() is None for p in procs):
            response = loop.run_until_complete(ds.client.get(f"/{serve.database_name(db_path)}/documents.json?_shape=objects&_size=1000&_col=id"))
            assert response.status_code == 200
            seen.append(len(response.json()["rows"]))
            time.sleep(0.05)
    finally:
        loop.close()
        outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
    summaries = [json.loads(out) for out, _ in outputs]
    assert sum(s["new"] for s in summaries) == 2 * each + len(shared) and sum(s["unchanged"] for s in summaries) == len(shared)
    assert seen == sorted(seen) and len(seen) >= 2  # the reader saw the count grow, never an error
    db = assert_healthy(db_path)
    assert db["documents"].count == 2 * each + len(shared)
