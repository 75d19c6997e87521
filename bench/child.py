"""What bench/run.py's child processes run and report: ingest timings, and each child's own peak RSS.

Each measurement that stands for one pmkb command (ingest, report, serve,
similar) runs in a fresh interpreter (``run.py``'s hidden subcommands), so
that its start-up and its peak RSS are its own; ``write_result`` adds the
RSS figures and writes the JSON the parent reads back.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any


def _rss_mb(ru_maxrss: int) -> float:
    """ru_maxrss in MB (kilobytes on Linux, bytes on macOS)."""
    return ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)


def own_peak_rss_mb() -> float:
    """This process's own peak RSS in MB: ``VmHWM`` on Linux (getrusage there also counts the
    memory of the parent that spawned it), else ``ru_maxrss``."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _with_rss(result: dict[str, Any]) -> dict[str, Any]:
    """``result`` plus this process's peak RSS and that of the largest worker it forked (for child commands)."""
    return {**result, "peak_rss_mb": own_peak_rss_mb(), "workers_peak_rss_mb": _rss_mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)}


def ingest_child(folder: str, db_path: str, manifest: str | None) -> dict[str, Any]:
    """Ingest ``folder`` into ``db_path`` with ``kb.load.ingest``; seconds for imports and for the ingest."""
    t0 = time.perf_counter()
    from kb import load, store
    import ingest.pipeline  # noqa: F401  (spaCy and the extractors: start-up cost, timed apart)

    t1 = time.perf_counter()
    db = store.open_db(db_path)
    rows = load.read_manifest(manifest) if manifest else None
    t2 = time.perf_counter()
    processes = load.default_processes()
    summary = load.ingest(db, [folder], manifest=rows, processes=processes)
    t3 = time.perf_counter()
    db.close()
    return {
        "import_s": t1 - t0,
        "open_s": t2 - t1,
        "ingest_s": t3 - t2,
        "processes": processes,
        "new": summary.new,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "skipped": summary.skipped,
        "errors": summary.errors[:5],
    }


def write_result(out_path: str, result: dict[str, Any]) -> None:
    """``result`` with this process's peak RSS (and its workers'), as JSON at ``out_path``."""
    Path(out_path).write_text(json.dumps(_with_rss(result)))
