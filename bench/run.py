"""Benchmark pmkb end to end and print a table against the speed targets.

    python bench/run.py                    # 1,000 and 10,000 documents (slow)
    python bench/run.py --sizes 1000       # one size
    python bench/run.py --quick            # a smoke run on a tiny set
    python bench/run.py --json             # machine-readable results

It replicates ../shared/corpus/docs and seeds/ into a temporary folder, each
copy made unique so hashing cannot skip it, then measures ingest (in a child
process, so its peak RSS is its own), re-ingest of the unchanged set,
extraction alone split by stage (bench/extraction.py), dateparser's
``search_dates`` over the same documents, ingest speed per input format
(bench/formats.py), the report over 10,000 incidents, Datasette full-text
search and canned queries (bench/serving.py), and ``pmkb similar``, the
incident page and ingesting one more document (bench/similarity.py) over
databases grown to 10,000 and 50,000 incidents.
Timings are wall-clock on whatever else the machine is doing: run it idle.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"

TARGETS = {
    "ingest_docs_per_s": (">=", 300),
    "extract_speedup_vs_search_dates": (">=", 30),
    "reingest_docs_per_s": (">=", 5000),
    "report_s_10k": ("<", 3),
    "search_p95_ms_50k": ("<", 50),
    "canned_p95_ms_50k": ("<", 50),
    "peak_rss_mb": ("<", 500),
    "hostile_growth_exponent": ("<", 1.3),
    "similar_p95_ms_50k": ("<", 200),
    "incident_page_p95_ms_50k": ("<", 200),
    "ingest_one_into_50k_s": ("<", 2),
}
"""Metric → (comparison, target) from issue 8 (issue 17: hostile shapes grow linearly; issue 14: similar incidents at scale)."""

SIMILAR = {"sample": 40, "cli_runs": 5, "ingest_repeats": 5}
"""Sizes of the similar-incident measurements (bench/similarity.py): incidents ranked (a quarter of them
also as incident pages), ``pmkb similar`` processes, ``pmkb ingest`` processes of one new file."""


def in_child(command: str, *args: str) -> dict[str, Any]:
    """Run a hidden subcommand of this script in a fresh interpreter, as a user runs one pmkb command:
    its JSON result (with its own peak RSS), plus its wall time."""
    out_path = Path(tempfile.gettempdir()) / f"pmkb-bench-{command.strip('_')}-{time.time_ns()}.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), command, *args, "--out", str(out_path)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=str(ROOT))
    wall = time.perf_counter() - start
    if proc.returncode != 0 or not out_path.exists():
        raise RuntimeError(f"{command} {' '.join(args)} failed (exit {proc.returncode}): {proc.stderr.decode(errors='replace')[-2000:]}")
    result = json.loads(out_path.read_text())
    out_path.unlink()
    result["wall_s"] = wall
    return result


def run_ingest(folder: Path, db_path: Path, manifest: Path | None) -> dict[str, Any]:
    """Run :func:`child.ingest_child` in a fresh interpreter: its timings, wall time and peak RSS."""
    return in_child("_ingest", str(folder), str(db_path), *(["--manifest", str(manifest)] if manifest else []))


# --------------------------------------------------------------------------- the run


def _check(metric: str, value: float | None) -> str:
    if value is None or value != value:
        return "n/a"
    op, target = TARGETS[metric]
    ok = value >= target if op == ">=" else value < target
    return "PASS" if ok else "FAIL"


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def run(sizes: list[int], serve_sizes: list[int], report_size: int, sample: int, ref_sample: int, repeats: int, workdir: Path, log,
        hostile_scale: float = 1.0, similar: dict[str, int] = SIMILAR) -> dict[str, Any]:
    """Every measurement; ``log`` receives progress lines; ``hostile_scale`` shrinks the hostile shapes;
    ``similar`` sizes the similar-incident measurements (:data:`SIMILAR`)."""
    corpus = SHARED / "corpus" / "docs"
    sources = base_files_for(corpus)
    results: dict[str, Any] = {"machine": machine(), "sizes": {}, "base_documents": len(sources)}
    largest_db = None
    for size in sizes:
        folder = workdir / f"docs-{size}"
        log(f"building {size} documents in {folder}")
        from workset import make_working_set

        manifest = make_working_set(folder, size, sources, SHARED / "corpus" / "SOURCES.tsv")
        db_path = workdir / f"ingest-{size}.db"
        log(f"ingesting {size} documents")
        first = run_ingest(folder, db_path, manifest)
        log(f"re-ingesting {size} unchanged documents")
        again = run_ingest(folder, db_path, manifest)
        results["sizes"][size] = {
            "ingest": first,
            "reingest": again,
            "ingest_docs_per_s": first["new"] / first["ingest_s"] if first["ingest_s"] else None,
            "ingest_docs_per_s_wall": first["new"] / first["wall_s"],
            "reingest_docs_per_s": again["unchanged"] / again["ingest_s"] if again["ingest_s"] else None,
            "reingest_docs_per_s_wall": again["unchanged"] / again["wall_s"],
        }
        largest_db = db_path

    from extraction import STAGES, extraction_split, parallel_throughput, search_dates_times

    files = sorted((workdir / f"docs-{sizes[0]}").iterdir(), key=copy_number)[:sample]
    log(f"extraction split over {len(files)} documents")
    split = extraction_split(files, workdir / "split.db")
    log(f"extraction throughput with 1 and {os.cpu_count()} processes")
    pool, agree = parallel_throughput(files, sorted({1, os.cpu_count() or 1, 2}))
    ref_files = files[:ref_sample]
    log(f"dateparser search_dates over {len(ref_files)} documents")
    ref = search_dates_times(ref_files)
    extract_stages = ("normalise", "tokenise", "segment", "times", "causes/actions", "timeline/classify", "other")
    per_doc = [sum(row[s] for s in extract_stages) for row in split]
    results["extraction"] = {
        "documents": len(split),
        "ms_per_doc": {stage: 1000 * statistics.fmean(row[stage] for row in split) for stage in STAGES},
        "extract_ms_per_doc": 1000 * statistics.fmean(per_doc),
        "search_dates_ms_per_doc": 1000 * statistics.fmean(ref),
        "speedup_vs_search_dates": sum(ref) / sum(per_doc[: len(ref)]),
        "times_stage_speedup_vs_search_dates": sum(ref) / sum(row["times"] for row in split[: len(ref)]),
        "docs_per_s_by_processes": pool,
        "processes_agree": agree,
    }
    from scaling import scaling

    log("hostile shapes: many headings, one long line without spaces")
    results["hostile_scaling"] = {"scale": hostile_scale, "shapes": scaling(hostile_scale)}

    from formats import format_speeds

    log("ingest speed per input format")
    results["formats"] = format_speeds(4 if hostile_scale < 1 else 40, workdir / "formats")

    report_db = workdir / f"report-{report_size}.db"
    shutil.copy(largest_db, report_db)
    from workset import grow_db

    log(f"growing a copy of the database to {report_size} incidents for the report")
    grow_db(report_db, report_size)
    results["report"] = in_child("_report", str(report_db))

    results["serve"] = {}
    for n in serve_sizes:
        path = workdir / f"serve{n}.db"
        shutil.copy(largest_db, path)
        log(f"growing a copy of the database to {n} incidents for Datasette")
        got = grow_db(path, n)
        log(f"timing search and canned queries at {got} incidents")
        results["serve"][n] = dict(in_child("_serve", str(path), "--repeats", str(repeats)), incidents=got)
        results["serve"][n]["similar"] = similar_at_scale(path, sources, repeats, workdir, log, similar)
        path.unlink()

    from child import own_peak_rss_mb

    rss = {
        "ingest": max(r[k]["peak_rss_mb"] for r in results["sizes"].values() for k in ("ingest", "reingest")),
        "ingest_worker": max(r[k]["workers_peak_rss_mb"] for r in results["sizes"].values() for k in ("ingest", "reingest")),
        "report": results["report"]["peak_rss_mb"],
        "serve": max(max(r["peak_rss_mb"], r["similar"]["peak_rss_mb"]) for r in results["serve"].values()) if results["serve"] else 0.0,
        "bench_process": own_peak_rss_mb(),
    }
    results["peak_rss_mb"] = {**rss, "max": max(rss.values())}
    return results


def similar_at_scale(path: Path, sources: list[Path], repeats: int, workdir: Path, log, sizes: dict[str, int]) -> dict[str, Any]:
    """bench/similarity.py's measurements on the grown database at ``path`` (which gains the ingested files)."""
    from similarity import cli_timings, ingest_one_timings, sample_ids

    log(f"timing pmkb similar and the incident page over {sizes['sample']} incidents")
    found = in_child("_similar", str(path), "--sample", str(sizes["sample"]), "--repeats", str(repeats))
    log(f"timing {sizes['cli_runs']} pmkb similar processes")
    found["cli"] = cli_timings(path, sample_ids(path, sizes["cli_runs"]), ROOT)
    log(f"timing {sizes['ingest_repeats']} pmkb ingest processes of one new document")
    found["ingest_one"] = ingest_one_timings(path, sources, sizes["ingest_repeats"], workdir, ROOT)
    return found


def copy_number(path: Path) -> int:
    """The copy number a working-set file name ends with, so samples cycle over every base document."""
    match = re.search(r"-(\d+)$", path.stem)
    return int(match.group(1)) if match else -1


def base_files_for(corpus: Path) -> list[Path]:
    """The corpus documents plus the bundled seeds."""
    from workset import base_files

    files = base_files([corpus, ROOT / "seeds"])
    if not files:
        raise click.ClickException(f"no postmortems found in {corpus} or {ROOT / 'seeds'}")
    return files


def summary_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(measure, value, target, verdict) rows for the table."""
    from extraction import STAGES

    rows = []
    biggest = max(results["sizes"])
    for size, r in sorted(results["sizes"].items()):
        gate = size == biggest
        rows.append((f"ingest, {size} docs (docs/s)", f"{r['ingest_docs_per_s']:.1f}", "≥ 300" if gate else "", _check("ingest_docs_per_s", r["ingest_docs_per_s"]) if gate else ""))
        rows.append((f"  incl. start-up {r['ingest']['import_s']:.1f} s (docs/s)", f"{r['ingest_docs_per_s_wall']:.1f}", "", ""))
        rows.append((f"re-ingest unchanged, {size} docs (docs/s)", f"{r['reingest_docs_per_s']:.0f}", "≥ 5000" if gate else "", _check("reingest_docs_per_s", r["reingest_docs_per_s"]) if gate else ""))
        rows.append((f"  incl. start-up {r['reingest']['import_s']:.1f} s (docs/s)", f"{r['reingest_docs_per_s_wall']:.0f}", "", ""))
    e = results["extraction"]
    rows.append((f"extraction alone (ms/doc, {e['documents']} docs)", f"{e['extract_ms_per_doc']:.1f}", "", ""))
    for stage in STAGES:
        rows.append((f"  {stage}" + (" (contract shaping, glue)" if stage == "other" else ""), f"{e['ms_per_doc'][stage]:.2f}", "", ""))
    for n, rate in sorted(e["docs_per_s_by_processes"].items(), key=lambda kv: int(kv[0])):
        rows.append((f"read+normalise+extract_many, {n} process(es) (docs/s)", f"{rate:.1f}", "", ""))
    if e.get("processes_agree") is False:
        rows.append(("  extract_many output differs between process counts", "yes", "no", "FAIL"))
    rows.append(("dateparser search_dates (ms/doc)", f"{e['search_dates_ms_per_doc']:.1f}", "", ""))
    rows.append(("extraction speed-up over search_dates (×)", f"{e['speedup_vs_search_dates']:.1f}", "≥ 30", _check("extract_speedup_vs_search_dates", e["speedup_vs_search_dates"])))
    if "times_stage_speedup_vs_search_dates" in e:
        rows.append(("  times stage alone vs search_dates, like for like (×)", f"{e['times_stage_speedup_vs_search_dates']:.1f}", "", ""))
    hostile = results.get("hostile_scaling", {"scale": 0, "shapes": {}})
    for shape, h in hostile["shapes"].items():
        gate = hostile["scale"] >= 1
        rows.append((f"{shape}: {h['small']:,} → {h['large']:,} (s → s)", f"{h['small_s']:.2f} → {h['large_s']:.2f}", "", ""))
        rows.append(("  growth exponent (1 = linear)", f"{h['exponent']:.2f}", "< 1.3" if gate else "", _check("hostile_growth_exponent", h["exponent"]) if gate else ""))
    for fmt, f in results.get("formats", {}).items():
        rows.append((f"ingest {fmt}, one process, {f['documents']:.0f} docs (docs/s)", f"{f['docs_per_s']:.1f}", "", ""))
    rep = results["report"]
    gate = rep["incidents"] >= 10_000
    rows.append((f"report over {rep['incidents']} incidents (s)", f"{rep['total_s']:.2f}", "< 3", _check("report_s_10k", rep["total_s"]) if gate else ""))
    for n, s in sorted(results["serve"].items()):
        gate = s["incidents"] >= 50_000
        rows.append((f"search p50 / p95 at {s['incidents']} incidents (ms)", f"{s['search_p50_ms']:.1f} / {s['search_p95_ms']:.1f}", "p95 < 50" if gate else "", _check("search_p95_ms_50k", s["search_p95_ms"]) if gate else ""))
        label = f"canned queries ({len(s['canned_queries'])}) p50 / p95 at {s['incidents']} (ms)"
        rows.append((label, f"{s['canned_p50_ms']:.1f} / {s['canned_p95_ms']:.1f}", "p95 < 50" if gate else "", _check("canned_p95_ms_50k", s["canned_p95_ms"]) if gate and s["canned_queries"] else ("n/a" if gate else "")))
        if s["failures"]:
            rows.append((f"  failed requests at {s['incidents']}", str(len(s["failures"])), "0", "FAIL"))
    from similarity import summary_rows as similar_rows

    rows.extend(similar_rows(results["serve"], _check))
    rss = results["peak_rss_mb"]
    rows.append(("peak RSS: ingest / one ingest worker / report / Datasette (MB)", f"{rss['ingest']:.0f} / {rss['ingest_worker']:.0f} / {rss['report']:.0f} / {rss['serve']:.0f}", "", ""))
    rows.append(("peak RSS, bench process (extraction split, search_dates) (MB)", f"{rss['bench_process']:.0f}", "", ""))
    rows.append(("peak RSS, max (MB)", f"{rss['max']:.0f}", "< 500", _check("peak_rss_mb", rss["max"])))
    return rows


def format_table(rows: list[tuple[str, str, str, str]]) -> str:
    """A Markdown table of the rows."""
    header = ("measure", "value", "target", "result")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    line = lambda r: "| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) + " |"  # noqa: E731
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


@click.group(invoke_without_command=True)
@click.option("--sizes", default="1000,10000", show_default=True, help="Comma-separated working-set sizes (documents) to ingest.")
@click.option("--serve-sizes", default="10000,50000", show_default=True, help="Incident counts to grow a database to for Datasette timings.")
@click.option("--report-size", default=10_000, show_default=True, help="Incident count for the report timing.")
@click.option("--sample", default=100, show_default=True, help="Documents in the extraction split.")
@click.option("--ref-sample", default=36, show_default=True, help="Documents (of the sample) given to dateparser's search_dates.")
@click.option("--repeats", default=20, show_default=True, help="Timed requests per Datasette URL.")
@click.option("--similar-sample", default=SIMILAR["sample"], show_default=True, help="Incidents ranked by pmkb similar's ranking (a quarter of them also as incident pages).")
@click.option("--cli-runs", default=SIMILAR["cli_runs"], show_default=True, help="Whole pmkb similar processes timed.")
@click.option("--ingest-repeats", default=SIMILAR["ingest_repeats"], show_default=True, help="Whole pmkb ingest processes of one new document timed.")
@click.option("--quick", is_flag=True, help="A smoke run: 12 documents, small databases, few repeats.")
@click.option("--workdir", type=click.Path(file_okay=False), help="Where to build the working set (default: a temporary folder, removed after).")
@click.option("--json", "as_json", is_flag=True, help="Print every result as JSON instead of the table.")
@click.pass_context
def cli(ctx, sizes, serve_sizes, report_size, sample, ref_sample, repeats, similar_sample, cli_runs, ingest_repeats, quick, workdir, as_json):
    """Benchmark ingest, extraction, re-ingest, report and search against issue 8's targets.

    Exits 1 when a target is missed (or a request fails), 0 when all pass.
    """
    if ctx.invoked_subcommand:
        return
    if not (SHARED / "corpus" / "docs").is_dir():
        raise click.ClickException(f"{SHARED / 'corpus' / 'docs'} not found: the benchmark replicates the shared corpus")
    if quick:
        sizes, serve_sizes, report_size, sample, ref_sample, repeats = "12", "100,300", 200, 4, 1, 2
        similar_sample, cli_runs, ingest_repeats = 8, 2, 2
    size_list = sorted({int(s) for s in sizes.split(",") if s.strip()})
    serve_list = sorted({int(s) for s in serve_sizes.split(",") if s.strip()})
    log = (lambda msg: click.echo(f"… {msg}", err=True))
    temp = None
    if workdir:
        base = Path(workdir)
        base.mkdir(parents=True, exist_ok=True)
    else:
        temp = tempfile.mkdtemp(prefix="pmkb-bench-")
        base = Path(temp)
    try:
        similar = {"sample": similar_sample, "cli_runs": cli_runs, "ingest_repeats": ingest_repeats}
        results = run(size_list, serve_list, report_size, min(sample, size_list[0]), ref_sample, repeats, base, log,
                      hostile_scale=0.1 if quick else 1.0, similar=similar)
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)
    rows = summary_rows(results)
    results["table"] = [dict(zip(("measure", "value", "target", "result"), r)) for r in rows]
    failed = any(r[3] == "FAIL" for r in rows)
    if as_json:
        click.echo(json.dumps(results, indent=2, default=str))
    else:
        m = results["machine"]
        click.echo(f"pmkb benchmark on {m['cpu']}, {m['cores']} cores, Python {m['python']}")
        click.echo(format_table(rows))
    sys.exit(1 if failed else 0)


@cli.command("_ingest", hidden=True)
@click.argument("folder")
@click.argument("db_path")
@click.option("--manifest")
@click.option("--out", "out_path", required=True)
def ingest_command(folder, db_path, manifest, out_path):
    """(internal) Ingest in this process and write timings as JSON to --out."""
    from child import ingest_child, write_result

    write_result(out_path, ingest_child(folder, db_path, manifest))


@cli.command("_report", hidden=True)
@click.argument("db_path")
@click.option("--out", "out_path", required=True)
def report_command(db_path, out_path):
    """(internal) Time the report in this process and write the result as JSON to --out."""
    from child import write_result
    from serving import time_report

    write_result(out_path, time_report(Path(db_path)))


@cli.command("_serve", hidden=True)
@click.argument("db_path")
@click.option("--repeats", type=int, default=10)
@click.option("--out", "out_path", required=True)
def serve_command(db_path, repeats, out_path):
    """(internal) Time Datasette search and canned queries in this process; JSON to --out."""
    from child import write_result
    from serving import serve_timings

    write_result(out_path, serve_timings(Path(db_path), repeats))


@cli.command("_similar", hidden=True)
@click.argument("db_path")
@click.option("--sample", type=int, default=SIMILAR["sample"])
@click.option("--repeats", type=int, default=10)
@click.option("--out", "out_path", required=True)
def similar_command(db_path, sample, repeats, out_path):
    """(internal) Time pmkb similar's ranking and the incident page in this process; JSON to --out."""
    from child import write_result
    from similarity import measure

    write_result(out_path, measure(Path(db_path), sample, repeats))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    cli()
