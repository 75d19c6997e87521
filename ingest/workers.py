"""Forked extraction workers that never leave their parent waiting: a job whose worker dies, or
that overruns its time budget, is reported as failed (with why) and the worker replaced.

Each worker holds one job at a time, so a failure is always pinned on the job that caused it;
the others go on in the remaining and new workers.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Sequence

DEFAULT_TIME_BUDGET = 5.0
"""Seconds one document may take to extract in a worker before it is stopped and skipped."""


@dataclass
class Failed:
    """A job that gave no result: ``reason`` says why in a few words (a worker died, the time ran out, an error)."""

    reason: str


class _Worker:
    """One forked process and the pipe its jobs and results travel on."""

    def __init__(self, context) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.job: int | None = None
        self.started = 0.0

    def stop(self) -> None:
        """Kill the process (it may be stuck in C code) and reap it."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    """Up to ``processes`` forked workers (started as jobs need them) that inherit this process's memory,
    such as a built spaCy pipeline. ``budget`` (seconds, None for none) bounds each job."""

    def __init__(self, processes: int, budget: float | None = DEFAULT_TIME_BUDGET) -> None:
        self.processes = max(1, processes)
        self.budget = budget or None
        self.context = multiprocessing.get_context("fork")
        self.idle: list[_Worker] = []
        self.workers: list[_Worker] = []
        self.previous: threading.Thread | None = None

    def submit(self, func: Callable[[Any], Any], jobs: Sequence[Any]) -> Callable[[], list[Any]]:
        """Start ``run(func, jobs)`` after the jobs submitted before (in a thread, so this process can store
        one batch while the workers extract the next); the returned function waits for the results."""
        box: dict[str, Any] = {}
        before = self.previous

        def work() -> None:
            if before is not None:
                before.join()
            try:
                box["results"] = self.run(func, jobs)
            except BaseException as exc:  # handed to the waiter
                box["error"] = exc

        thread = self.previous = threading.Thread(target=work, name="pmkb-workers", daemon=True)
        thread.start()

        def results() -> list[Any]:
            thread.join()
            if "error" in box:
                raise box["error"]
            return box["results"]

        return results

    def run(self, func: Callable[[Any], Any], jobs: Sequence[Any]) -> list[Any]:
        """``func(job)`` for every job, in order; a :class:`Failed` where a job raised, overran the budget or its worker died."""
        results: list[Any] = [None] * len(jobs)
        queue = deque(range(len(jobs)))
        busy: list[_Worker] = []
        while queue or busy:
            while queue and len(busy) < self.processes:
                worker = self.idle.pop() if self.idle else self._start()
                worker.job, worker.started = queue.popleft(), time.monotonic()
                worker.conn.send((func, jobs[worker.job]))
                busy.append(worker)
            wait([w.conn for w in busy] + [w.process.sentinel for w in busy], self._timeout(busy))
            for worker in list(busy):
                outcome = self._outcome(worker)
                if outcome is not None:
                    results[worker.job] = outcome
                    busy.remove(worker)
        return results

    def _start(self) -> _Worker:
        worker = _Worker(self.context)
        self.workers.append(worker)
        return worker

    def _timeout(self, busy: list[_Worker]) -> float | None:
        """Seconds until the first busy worker's budget runs out."""
        if self.budget is None:
            return None
        return max(0.0, min(w.started for w in busy) + self.budget - time.monotonic())

    def _outcome(self, worker: _Worker) -> Any | None:
        """The finished job's result or Failed, the worker going back to idle or replaced; None while it runs."""
        if worker.conn.poll():
            try:
                ok, value = worker.conn.recv()
            except (EOFError, OSError):
                return self._lost(worker, _death(worker))
            self.idle.append(worker)
            return value if ok else Failed(value)
        if not worker.process.is_alive():
            return self._lost(worker, _death(worker))
        if self.budget is not None and time.monotonic() - worker.started > self.budget:
            return self._lost(worker, f"stopped after the time budget of {self.budget:g} s (--time-budget)")
        return None

    def _lost(self, worker: _Worker, reason: str) -> Failed:
        worker.stop()
        if worker in self.workers:
            self.workers.remove(worker)
        return Failed(reason)

    def close(self) -> None:
        """Stop every worker (a busy one only after an interrupt: its job then fails as the worker died)."""
        for worker in list(self.workers):
            if worker.process.is_alive():
                worker.process.kill()
        if self.previous is not None:
            self.previous.join(10)
        for worker in self.workers:
            worker.stop()
        self.workers, self.idle = [], []

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _death(worker: _Worker) -> str:
    """Why a worker ended without a result, from its exit status."""
    worker.process.join(1)
    code = worker.process.exitcode
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        hint = ": killed, perhaps by the out-of-memory killer" if -code == signal.SIGKILL else ""
        return f"its extraction worker died ({name}{hint})"
    return f"its extraction worker died (exit status {code})"


def _serve(conn: Connection) -> None:
    """A worker's loop: run each ``(func, job)`` received, send back ``(True, result)`` or ``(False, reason)``.

    Ctrl-C is the parent's to handle (it stops the workers), not a traceback from every worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    while True:
        try:
            func, job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = (True, func(job))
        except Exception as exc:  # reported for this job alone
            reply = (False, f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except Exception as exc:  # a result that cannot be sent back
            conn.send((False, f"result could not be sent back ({type(exc).__name__})"))


def die_with_parent(poll: float = 0.5) -> None:
    """In a worker: end it (within ``poll`` seconds) once the process that forked it is gone, so a killed
    ingest leaves no worker behind, even one stuck in a document. (Linux's PR_SET_PDEATHSIG would fire
    when the forking *thread* ends, and the pool forks from short-lived threads.)"""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll)
        os._exit(1)

    threading.Thread(target=watch, name="pmkb-parent-watch", daemon=True).start()
