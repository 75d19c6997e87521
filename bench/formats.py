"""Ingest speed per input format: the same postmortems as Markdown, Word, PDF, Confluence, Google Docs, Notion, zip, history.

    python bench/formats.py [--copies 40]

Each format's sample (tests/formats, ../shared/corpus/docs) is copied
``copies`` times into its own folder, every copy made unique so hashing cannot
skip it, and ingested in this process (spaCy already loaded, one process) into
a fresh database: documents per second, reading and storing included.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FORMATS = ROOT / "tests" / "formats"
CORPUS = ROOT.parent / "shared" / "corpus" / "docs"


def samples() -> dict[str, list[tuple[str, bytes]]]:
    """Format → [(file name, bytes)] of its sample."""
    stems = sorted(p.stem for p in FORMATS.glob("*.docx"))
    markdown = [(f"{s}.md", (CORPUS / f"{s}.md").read_bytes()) for s in stems]
    pages = [json.loads((CORPUS / f).read_text()) for f in ("github-2023-01-10-actions-git-operations-slow-runners.json", "github-2023-06-29-network-edge-failover-outage.json")]
    history = json.dumps({"page": pages[0]["page"], "incidents": [p["incident"] for p in pages]}).encode()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in markdown:
            out.writestr(f"space/{name}", data)
    exports = FORMATS / "exports"
    return {
        "markdown": markdown,
        "docx": [(p.name, p.read_bytes()) for p in sorted(FORMATS.glob("*.docx"))],
        "pdf": [(p.name, p.read_bytes()) for p in sorted(FORMATS.glob("*.pdf"))],
        "confluence": [(p.name, p.read_bytes()) for p in exports.glob("*.confluence.html")],
        "gdocs": [(p.name, p.read_bytes()) for p in exports.glob("*.gdocs.html")],
        "notion": [(p.name, p.read_bytes()) for p in exports.glob("*.md")],
        "zip (4 Markdown each)": [("space.zip", archive.getvalue())],
        "statuspage history (2 incidents each)": [("incidents.json", history)],
    }


def format_speeds(copies: int, workdir: Path) -> dict[str, dict[str, float]]:
    """Format → {documents, seconds, docs_per_s} for ingesting ``copies`` copies of its sample."""
    from ingest.pipeline import shared_nlp
    from kb import load, store
    from workset import unique_copy

    shared_nlp()  # spaCy's start-up is not any format's cost
    results: dict[str, dict[str, float]] = {}

    for number, (fmt, files) in enumerate(samples().items()):
        folder = workdir / f"format-{number}"
        folder.mkdir(parents=True)
        for n in range(copies):
            for name, data in files:
                (folder / f"copy{n}-{name}").write_bytes(unique_copy(data, Path(name).suffix, n))
        db = store.open_db(workdir / f"format-{number}.db")
        start = time.perf_counter()
        summary = load.ingest(db, [str(folder)], processes=1)
        seconds = time.perf_counter() - start
        db.close()
        if summary.errors:
            raise RuntimeError(f"{fmt}: {summary.errors[0]}")
        results[fmt] = {"documents": summary.new, "seconds": seconds, "docs_per_s": summary.new / seconds}
    return results


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    copies = int(sys.argv[sys.argv.index("--copies") + 1]) if "--copies" in sys.argv else 40
    with tempfile.TemporaryDirectory(prefix="pmkb-formats-") as temp:
        speeds = format_speeds(copies, Path(temp))
    print("| format | documents | docs/s |\n|---|---:|---:|")
    for fmt, r in speeds.items():
        print(f"| {fmt} | {r['documents']:.0f} | {r['docs_per_s']:.1f} |")
