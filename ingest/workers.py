"""Forked extraction workers that never leave their parent waiting: a job whose worker dies, or
that overruns its time budget, is reported as failed (with why) and the worker replaced.

Each worker works through its jobs one at a time, in the order sent, with the next one already
waiting in its pipe (so it is never idle between jobs); a failure is therefore always pinned on
the job it was working on, and the jobs queued behind that one go to other workers.
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

DEPTH = 2
"""Jobs sent to a worker ahead of its results: the one it works on and the next."""


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
        self.jobs: deque[int] = deque()  # sent, not answered yet; the first is the one being worked on
        self.started = 0.0  # when the first of them started, as far as this side can tell (never earlier)
        self.broken = False  # its pipe refused a job: it died, which collecting its results will tell

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
        active: list[_Worker] = []
        while queue or active:
            self._dispatch(func, jobs, queue, active)
            if not active:
                continue
            wait([w.conn for w in active] + [w.process.sentinel for w in active], self._timeout(active))
            for worker in list(active):
                if not self._collect(worker, results, queue):
                    active.remove(worker)
        return results

    def _dispatch(self, func: Callable[[Any], Any], jobs: Sequence[Any], queue: deque, active: list[_Worker]) -> None:
        """Send queued jobs: first one to each of up to ``processes`` workers, then one more to each."""
        while queue:
            room = [w for w in active if not w.broken and len(w.jobs) < DEPTH]
            if len(active) < self.processes:
                worker = self.idle.pop() if self.idle else self._start()
                active.append(worker)
            elif room:
                worker = min(room, key=lambda w: len(w.jobs))
            else:
                return
            index = queue.popleft()
            try:
                worker.conn.send((func, jobs[index]))
            except OSError:  # it has died: the job goes to another worker
                queue.appendleft(index)
                if worker.jobs:
                    worker.broken = True
                else:
                    self._lost(worker, queue)
                    active.remove(worker)
                continue
            if not worker.jobs:
                worker.started = time.monotonic()
            worker.jobs.append(index)

    def _start(self) -> _Worker:
        worker = _Worker(self.context)
        self.workers.append(worker)
        return worker

    def _timeout(self, active: list[_Worker]) -> float | None:
        """Seconds until the first busy worker's budget runs out."""
        if self.budget is None:
            return None
        return max(0.0, min(w.started for w in active) + self.budget - time.monotonic())

    def _collect(self, worker: _Worker, results: list[Any], queue: deque) -> bool:
        """Take the worker's finished results; fail its current job if it died or overran (the worker
        replaced, the jobs behind requeued). False when it has no job left (idle again, or gone)."""
        while worker.conn.poll():
            try:
                ok, value = worker.conn.recv()
            except (EOFError, OSError):
                results[worker.jobs[0]] = Failed(_death(worker))
                self._lost(worker, queue)
                return False
            results[worker.jobs.popleft()] = value if ok else Failed(value)
            worker.started = time.monotonic()
            if not worker.jobs:
                self.idle.append(worker)
                return False
        if not worker.process.is_alive():
            results[worker.jobs[0]] = Failed(_death(worker))
        elif self.budget is not None and time.monotonic() - worker.started > self.budget:
            results[worker.jobs[0]] = Failed(f"stopped after the time budget of {self.budget:g} s (--time-budget)")
        else:
            return True
        self._lost(worker, queue)
        return False

    def _lost(self, worker: _Worker, queue: deque) -> None:
        """Stop ``worker`` and put the jobs it had not started back at the front of ``queue``."""
        worker.stop()
        if worker in self.workers:
            self.workers.remove(worker)
        if worker.jobs:
            worker.jobs.popleft()  # the one it was working on: answered by the caller, or never sent
        queue.extendleft(reversed(worker.jobs))
        worker.jobs.clear()

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
