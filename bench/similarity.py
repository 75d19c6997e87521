"""Similar incidents at scale (issue 14): ``pmkb similar``, the incident page's panel, and ingesting one more document.

    python bench/run.py --sizes 1000 --serve-sizes 50000   # these rows at 50,000 incidents

Over a database grown to N incidents (bench/workset.py ``grow_db``, which
also fills the similarity index):

- ``ranking_timings``: the ranking ``pmkb similar ID`` runs
  (``kb.similar.stored_profile`` then ``kb.similar.similar``, evidence
  included), in this process, for a sample of stored incidents spread over
  the ids;
- ``incident_page_timings``: ``/incident/<id>`` (the page with its "Similar
  incidents" panel) through Datasette's test client, as bench/serving.py
  times search and canned queries;
- ``cli_timings``: whole ``pmkb similar ID --db DB --json`` processes, start-up
  included (what a user waits for);
- ``ingest_one_timings``: whole ``pmkb ingest FILE --db DB`` processes, each
  adding one new postmortem (indexed and compared for recurrences) to the
  N-incident database.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from serving import percentile, time_urls


def sample_ids(db_path: Path, count: int) -> list[int]:
    """``count`` incident ids spread evenly over the stored ones (copies of every base document among them)."""
    import sqlite3

    conn = sqlite3.connect(str(db_path))
    try:
        ids = [r[0] for r in conn.execute("select id from incidents order by id")]
    finally:
        conn.close()
    step = max(1, len(ids) // max(count, 1))
    return ids[::step][:count]


def _spread(ms: list[float]) -> dict[str, float]:
    return {"n": len(ms), "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95), "max_ms": max(ms) if ms else float("nan")}


def ranking_timings(db_path: Path, ids: list[int], limit: int = 5) -> dict[str, Any]:
    """Milliseconds of ``pmkb similar``'s ranking (profile, search, evidence) per sampled incident."""
    from kb import similar, store

    db = store.open_db(db_path, migrate=False)
    try:
        conn = db.conn
        similar.similar(conn, similar.stored_profile(conn, ids[0]), limit)  # warm the page cache and the stemmer
        times, found = [], 0
        for incident_id in ids:
            c = time.perf_counter()
            matches = similar.similar(conn, similar.stored_profile(conn, incident_id), limit)
            times.append((time.perf_counter() - c) * 1000)
            found += bool(matches)
    finally:
        db.close()
    return {**_spread(times), "with_matches": found}


async def _page_timings(db_path: Path, ids: list[int], repeats: int) -> dict[str, Any]:
    from kb.serve import make_datasette

    ds = make_datasette(db_path)
    await ds.invoke_startup()
    samples, failures, per_url = await time_urls(ds, [f"/incident/{i}" for i in ids], repeats)
    return {**_spread(samples), "failures": failures, "slowest_p95_ms": dict(sorted(per_url.items(), key=lambda kv: -kv[1])[:5])}


def incident_page_timings(db_path: Path, ids: list[int], repeats: int) -> dict[str, Any]:
    """p50/p95 ms of the incident page (with its similar-incidents panel) through Datasette's test client."""
    return asyncio.run(_page_timings(db_path, ids, repeats))


def measure(db_path: Path, sample: int, repeats: int) -> dict[str, Any]:
    """The in-process measurements (run in a child process of its own by bench/run.py)."""
    ids = sample_ids(db_path, sample)
    return {"ranking": ranking_timings(db_path, ids), "incident_page": incident_page_timings(db_path, ids[: max(1, sample // 4)], repeats)}


def pmkb_command() -> list[str]:
    """The ``pmkb`` console script of this interpreter's environment (``python -c`` calling it when there is none)."""
    script = Path(sys.executable).parent / "pmkb"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from pmkb.cli import main; main()"]


def _run(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run([*pmkb_command(), *args], capture_output=True, cwd=str(cwd))
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"pmkb {' '.join(args)} failed (exit {proc.returncode}): {proc.stderr.decode(errors='replace')[-2000:]}")
    return seconds


def cli_timings(db_path: Path, ids: list[int], cwd: Path) -> dict[str, Any]:
    """Milliseconds of whole ``pmkb similar ID --db DB --json`` processes, one per id (after one unmeasured run)."""
    _run(["similar", str(ids[0]), "--db", str(db_path), "--json"], cwd)
    return _spread([1000 * _run(["similar", str(i), "--db", str(db_path), "--json"], cwd) for i in ids])


def ingest_one_timings(db_path: Path, sources: list[Path], repeats: int, workdir: Path, cwd: Path) -> dict[str, Any]:
    """Seconds of whole ``pmkb ingest FILE --db DB`` processes, each adding one new copy of a base postmortem."""
    from workset import unique_copy

    folder = workdir / "ingest-one"
    folder.mkdir(parents=True, exist_ok=True)
    markdown = [p for p in sources if p.suffix == ".md"] or sources
    seconds = []
    for n in range(repeats):
        src = markdown[(n * 7) % len(markdown)]
        path = folder / f"{src.stem}-new{n}{src.suffix}"
        path.write_bytes(unique_copy(src.read_bytes(), src.suffix, 900_000 + n))
        seconds.append(_run(["ingest", str(path), "--db", str(db_path)], cwd))
    shutil.rmtree(folder, ignore_errors=True)
    return {"n": repeats, "median_s": statistics.median(seconds), "max_s": max(seconds), "runs_s": seconds}


def summary_rows(serve: dict[int, dict[str, Any]], check) -> list[tuple[str, str, str, str]]:
    """The table rows of these measurements; ``check(metric, value)`` gives the verdict."""
    rows = []
    for n, s in sorted(serve.items()):
        sim = s.get("similar")
        if not sim:
            continue
        gate = s["incidents"] >= 50_000
        r, page, cli, one = sim["ranking"], sim["incident_page"], sim["cli"], sim["ingest_one"]
        rows.append((f"pmkb similar ranking p50 / p95 at {s['incidents']} ({r['n']} incidents) (ms)", f"{r['p50_ms']:.1f} / {r['p95_ms']:.1f}",
                     "p95 < 200" if gate else "", check("similar_p95_ms_50k", r["p95_ms"]) if gate else ""))
        rows.append((f"  pmkb similar ID process, start-up incl., p50 / p95 ({cli['n']} runs) (ms)", f"{cli['p50_ms']:.0f} / {cli['p95_ms']:.0f}", "", ""))
        rows.append((f"incident page with similar panel p50 / p95 at {s['incidents']} (ms)", f"{page['p50_ms']:.1f} / {page['p95_ms']:.1f}",
                     "p95 < 200" if gate else "", check("incident_page_p95_ms_50k", page["p95_ms"]) if gate else ""))
        if page["failures"]:
            rows.append((f"  failed incident pages at {s['incidents']}", str(len(page["failures"])), "0", "FAIL"))
        rows.append((f"pmkb ingest one new file into {s['incidents']}, median / max of {one['n']} (s)", f"{one['median_s']:.2f} / {one['max_s']:.2f}",
                     "< 2" if gate else "", check("ingest_one_into_50k_s", one["max_s"]) if gate else ""))
    return rows
