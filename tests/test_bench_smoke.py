"""Smoke test of bench/run.py: a tiny run completes, ingests every copy once and prints a table (no timings checked)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "bench" / "run.py"


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_quick_bench_ingests_each_copy_once_and_prints_table(corpus_docs, tmp_path):
    result = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--json", "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=str(ROOT),
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]  # 1 = a target missed, not a crash
    results = json.loads(result.stdout)
    (size, run), = results["sizes"].items()
    assert run["ingest"]["new"] == int(size) and run["ingest"]["skipped"] == 0
    assert run["reingest"]["unchanged"] == int(size) and run["reingest"]["new"] == 0
    assert results["report"]["incidents"] >= 200
    for serve in results["serve"].values():
        assert serve["failures"] == []
        similar = serve["similar"]  # bench/similarity.py: ranking, incident page, pmkb similar and pmkb ingest processes
        assert similar["ranking"]["n"] == 8 and similar["ranking"]["with_matches"] > 0
        assert similar["incident_page"]["failures"] == [] and similar["incident_page"]["n"] > 0
        assert similar["cli"]["n"] == 2 and similar["cli"]["p95_ms"] > similar["ranking"]["p50_ms"]
        assert similar["ingest_one"]["n"] == 2 and 0 < similar["ingest_one"]["median_s"] <= similar["ingest_one"]["max_s"]
    measures = [row["measure"] for row in results["table"]]
    assert any(m.startswith("ingest,") for m in measures)
    assert any(m.startswith("extraction speed-up") for m in measures)
    assert results["extraction"]["processes_agree"] is True  # extract_many forked == in-process
    shapes = results["hostile_scaling"]["shapes"]
    assert set(shapes) == {"headings", "line without spaces"} and all(s["large"] > s["small"] for s in shapes.values())
    assert any(m.startswith("headings:") for m in measures)
    formats = results["formats"]
    assert {"markdown", "docx", "pdf", "confluence", "gdocs", "notion"} <= set(formats)
    assert formats["docx"]["documents"] == formats["markdown"]["documents"] > formats["pdf"]["documents"] > 0
    assert formats["zip (5 Markdown each)"]["documents"] == 5 * formats["confluence"]["documents"]
    assert any(m.startswith("ingest pdf, one process") for m in measures)
    for start in ("pmkb similar ranking", "  pmkb similar ID process", "incident page with similar panel", "pmkb ingest one new file"):
        assert sum(m.startswith(start) for m in measures) == len(results["serve"]), start
    assert {row["result"] for row in results["table"]} <= {"PASS", "FAIL", "n/a", ""}
    table = _bench_module().format_table([tuple(row.values()) for row in results["table"]])
    assert table.splitlines()[0].startswith("| measure")
    assert len(table.splitlines()) == len(results["table"]) + 2


def test_unique_copies_differ_and_stay_parseable():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from workset import unique_copy
    finally:
        sys.path.remove(str(ROOT / "bench"))
    doc = b'{"id": "x", "updates": []}'
    a, b = unique_copy(doc, ".json", 1), unique_copy(doc, ".json", 2)
    assert a != b and json.loads(a)["id"] == "x"
    for binary in ("posthog-2024-02-28-feature-flags-decide-down.docx", "posthog-2024-02-28-feature-flags-decide-down.pdf"):
        from ingest.normalise import normalise
        from ingest.read import Source

        data = (ROOT / "tests" / "formats" / binary).read_bytes()
        suffix = Path(binary).suffix
        a, b = unique_copy(data, suffix, 1), unique_copy(data, suffix, 2)
        assert a != b and normalise(Source(binary, data=a, format_hint=suffix[1:])).text == normalise(Source(binary, data=data, format_hint=suffix[1:])).text
    text = b"# Outage\n\nIt broke.\n"
    assert unique_copy(text, ".md", 1) != unique_copy(text, ".md", 2)
    assert unique_copy(text, ".md", 1).startswith(text.rstrip())
