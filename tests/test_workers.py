"""Extraction workers: a worker that dies or a document that overruns its time budget is named, never waited for."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time

import pytest

from ingest.workers import Failed, WorkerPool
from kb import load, store


def hostile(job: str) -> str:
    """A job that kills its worker ("die"), never ends ("hang"), raises ("raise") or succeeds."""
    if job == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    if job == "hang":
        time.sleep(120)
    if job == "raise":
        raise ValueError("bad field")
    return job.upper()


def finished_run(pool: WorkerPool, jobs: list[str]) -> list:
    """``pool.run`` in a thread, failing the test (not hanging it) if it never returns."""
    box: dict = {}
    thread = threading.Thread(target=lambda: box.setdefault("results", pool.run(hostile, jobs)), daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the pool waited for a dead or stuck worker"
    return box["results"]


def test_a_dead_worker_fails_its_job_alone_and_the_run_goes_on():
    with WorkerPool(2, budget=None) as pool:
        results = finished_run(pool, ["a", "die", "b", "c", "die", "d"])
        died = Failed("its extraction worker died (SIGKILL: killed, perhaps by the out-of-memory killer)")
        assert results == ["A", died, "B", "C", died, "D"]
        assert finished_run(pool, ["e"]) == ["E"]  # replaced workers serve the next batch


def test_a_document_over_the_time_budget_is_stopped_and_named():
    with WorkerPool(2, budget=0.5) as pool:
        results = finished_run(pool, ["a", "hang", "b", "raise"])
    assert results[0] == "A" and results[2] == "B"
    assert results[1] == Failed("stopped after the time budget of 0.5 s (--time-budget)")
    assert results[3] == Failed("ValueError: bad field")


def test_submitted_batches_come_back_in_order():
    with WorkerPool(2, budget=None) as pool:
        first, second = pool.submit(hostile, ["a", "b"]), pool.submit(hostile, ["c"])
        assert second() == ["C"] and first() == ["A", "B"]


def killing_prepare(job):
    """``load.prepare``, except that the worker holding the LiveKit seed is killed."""
    if "livekit" in job[0].name:
        os.kill(os.getpid(), signal.SIGKILL)
    return real_prepare(job)


real_prepare = load.prepare


@pytest.mark.slow
def test_ingest_names_the_document_a_killed_worker_held(tmp_path, seeds_dir, monkeypatch):
    folder = tmp_path / "docs"
    shutil.copytree(seeds_dir, folder)
    monkeypatch.setattr(load, "prepare", killing_prepare)
    db = store.open_db(tmp_path / "kb.db")
    box: dict = {}
    thread = threading.Thread(target=lambda: box.setdefault("summary", load.ingest(db, [str(folder)], processes=2)), daemon=True)
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "the ingest waited for a dead worker"
    summary = box["summary"]
    assert (summary.new, summary.skipped) == (1, 1)
    [line] = summary.errors
    assert "livekit-2026-04-15.txt: not extracted: its extraction worker died (SIGKILL" in line
    assert [row["source"].rsplit("/", 1)[-1] for row in db.query("select source from documents")] == ["loom-2025-10-27.txt"]


ORPHAN = """
import sys, threading, time
from ingest.workers import WorkerPool
from tests.test_workers import hostile
pool = WorkerPool(1, budget=None)
threading.Thread(target=pool.run, args=(hostile, ["hang"]), daemon=True).start()
while not pool.workers:
    time.sleep(0.05)
print(pool.workers[0].process.pid, flush=True)
time.sleep(0.5)
import os
os._exit(0)  # the ingest dies without closing its pool
"""


@pytest.mark.slow
def test_a_worker_ends_when_the_ingest_that_forked_it_dies(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", ORPHAN], cwd=root, capture_output=True, text=True, timeout=60)
    pid = int(done.stdout.split()[0])
    for _ in range(200):  # a stuck worker left behind would sleep on for two minutes
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the worker outlived the ingest that forked it")


def interrupted_then_answer(job: str) -> str:
    """Sends this worker Ctrl-C's signal, then answers."""
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.2)
    return job.upper()


def test_ctrl_c_is_left_to_the_parent():
    with WorkerPool(1, budget=None) as pool:
        box: dict = {}
        thread = threading.Thread(target=lambda: box.setdefault("results", pool.run(interrupted_then_answer, ["a"])), daemon=True)
        thread.start()
        thread.join(60)
        assert box["results"] == ["A"]  # the worker neither died nor printed a KeyboardInterrupt
