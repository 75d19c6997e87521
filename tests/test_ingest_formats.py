"""Ingesting exports: zip archives (with limits), Statuspage histories incident by incident, --skip-unsupported, URLs."""

from __future__ import annotations

import functools
import http.server
import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest.normalise.archive import expand_zip
from ingest.normalise.zip_limits import ZipLimits
from ingest.read import Source
from kb import store
from pmkb.cli import cli

from conftest import local_server

FORMATS = Path(__file__).parent / "formats"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def make_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def run_ingest(db_path: Path, *args: str):
    result = CliRunner().invoke(cli, ["ingest", "--db", str(db_path), "-p", "1", "--json", *args])
    return result, json.loads(result.stdout.strip().splitlines()[-1])


def test_a_space_export_zip_ingests_its_postmortems_and_counts_attachments(tmp_path, seeds_dir):
    docx = (FORMATS / "posthog-2024-02-28-feature-flags-decide-down.docx").read_bytes()
    inner = make_zip({"nested/livekit.txt": (seeds_dir / "livekit-2026-04-15.txt").read_bytes()})
    export = tmp_path / "space.zip"
    export.write_bytes(make_zip({
        "space/loom.txt": (seeds_dir / "loom-2025-10-27.txt").read_bytes(),
        "space/flags.docx": docx,
        "space/attachments/graph.png": PNG,
        "space/attachments/data.csv": b"a,b\n1,2\n",
        "space/inner.zip": inner,
        "__MACOSX/space/._loom.txt": b"\x00\x05\x16\x07",
    }))
    db_path = tmp_path / "kb.db"
    result, summary = run_ingest(db_path, str(export))
    assert result.exit_code == 0, result.output
    assert (summary["new"], summary["skipped"], summary["unsupported"], summary["errors"]) == (3, 0, 2, [])
    db = store.open_db(db_path)
    sources = sorted(row["source"] for row in db.query("select source from documents"))
    root = str(export.resolve())
    assert sources == [f"{root}!/space/flags.docx", f"{root}!/space/inner.zip!/nested/livekit.txt", f"{root}!/space/loom.txt"]
    _, again = run_ingest(db_path, str(export))
    assert (again["new"], again["unchanged"]) == (0, 3)


def test_a_zip_bomb_is_refused_by_name(tmp_path):
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(make_zip({"a.md": b"\0" * (20 * 1024 * 1024), "b.md": b"# fine\n"}))
    result, summary = run_ingest(tmp_path / "kb.db", str(bomb))
    assert result.exit_code == 1
    assert summary["errors"] == [f"{bomb}: zip refused: a zip bomb? a.md claims 20,971,520 bytes from {zipfile.ZipFile(bomb).getinfo('a.md').compress_size:,}"]


def test_zip_limits_on_entries_total_size_and_nesting():
    many = Source("many.zip", data=make_zip({f"{i}.md": b"# x\n" for i in range(5)}))
    assert [str(e) for e in expand_zip(many, limits=ZipLimits(entries=4))] == ["many.zip: zip refused: 5 entries, over the limit of 4"]
    big = Source("big.zip", data=make_zip({"a.md": b"# outage\n" * 1000}))
    assert "unpacks to 9,000 bytes" in str(next(expand_zip(big, limits=ZipLimits(total_bytes=5000))))
    nested = Source("n.zip", data=make_zip({"1.zip": make_zip({"2.zip": make_zip({"deep.md": b"# deep\n"})})}))
    assert [str(e) for e in expand_zip(nested, limits=ZipLimits(nesting=2))] == ["n.zip!/1.zip!/2.zip: zip nested more than 2 deep: refused"]
    truncated = Source("cut.zip", data=make_zip({"a.md": b"# a\n" * 100})[:60])
    assert [str(e) for e in expand_zip(truncated)] == ["cut.zip: truncated or corrupt zip archive"]


def test_path_traversal_entries_are_refused_and_the_rest_ingested(tmp_path, seeds_dir):
    archive = tmp_path / "evil.zip"
    archive.write_bytes(make_zip({"../../etc/evil.md": b"# Evil\n\nDown at 10:00 UTC.\n", "/abs.md": b"# Abs\n", "ok/loom.txt": (seeds_dir / "loom-2025-10-27.txt").read_bytes()}))
    result, summary = run_ingest(tmp_path / "kb.db", str(archive))
    assert result.exit_code == 1 and summary["new"] == 1
    assert sorted(summary["errors"]) == sorted(f"{archive}!/{name}: unsafe entry name (absolute, or climbing out with '..'): skipped" for name in ("../../etc/evil.md", "/abs.md"))
    assert not (tmp_path.parent.parent / "etc" / "evil.md").exists()


@pytest.fixture
def github_incidents(corpus_docs) -> tuple[dict, list[dict]]:
    """The page and two real incidents from the corpus's Statuspage API payloads."""
    payloads = [json.loads((corpus_docs / name).read_text()) for name in ("github-2023-01-10-actions-git-operations-slow-runners.json", "github-2023-06-29-network-edge-failover-outage.json")]
    return payloads[0]["page"], [p["incident"] for p in payloads]


def test_a_statuspage_history_gives_one_document_per_incident_and_reingest_adds_only_new_or_changed(tmp_path, github_incidents):
    page, (first, second) = github_incidents
    history = tmp_path / "incidents.json"
    history.write_text(json.dumps({"page": page, "incidents": [second, first]}))
    db_path = tmp_path / "kb.db"
    _, summary = run_ingest(db_path, str(history))
    assert (summary["new"], summary["errors"]) == (2, [])
    third = dict(first, id="newincident1", name="Incident with Actions")
    edited = dict(second, name=second["name"] + " (updated)")
    history.write_text(json.dumps({"page": page, "incidents": [third, edited, first]}))
    _, summary = run_ingest(db_path, str(history))
    assert (summary["new"], summary["updated"], summary["unchanged"]) == (1, 1, 1)
    db = store.open_db(db_path)
    rows = {row["source"].rsplit("#", 1)[1]: row for row in db.query("select source, title, organization from documents")}
    assert sorted(rows) == sorted([first["id"], second["id"], "newincident1"])
    assert rows[second["id"]]["title"] == second["name"] + " (updated)"
    assert {row["organization"] for row in rows.values()} == {"GitHub"}


def test_skip_unsupported_counts_strays_and_exits_zero(tmp_path, seeds_dir):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "loom.txt").write_bytes((seeds_dir / "loom-2025-10-27.txt").read_bytes())
    (folder / "graph.png").write_bytes(PNG)
    (folder / "data.csv").write_text("a,b\n")
    result, summary = run_ingest(tmp_path / "a.db", str(folder))
    assert result.exit_code == 1 and summary["skipped"] == 2 and summary["unsupported"] == 0
    result, summary = run_ingest(tmp_path / "b.db", "--skip-unsupported", str(folder))
    assert result.exit_code == 0 and (summary["new"], summary["skipped"], summary["unsupported"], summary["errors"]) == (1, 0, 2, [])
    plain = CliRunner().invoke(cli, ["ingest", "--db", str(tmp_path / "b.db"), "-p", "1", "--skip-unsupported", str(folder)])
    assert plain.stdout.strip().splitlines()[-1] == "0 new, 0 updated, 1 unchanged, 0 skipped, 2 unsupported"


class _Files(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass


def test_docx_pdf_and_a_history_ingest_from_urls(tmp_path, github_incidents):
    served = tmp_path / "served"
    served.mkdir()
    for name in ("posthog-2024-02-28-feature-flags-decide-down.docx", "dfds-2021-08-26-traefik-v2-ingress-outage.pdf"):
        (served / name).write_bytes((FORMATS / name).read_bytes())
    page, incidents = github_incidents
    (served / "incidents.json").write_text(json.dumps({"page": page, "incidents": incidents}))
    db_path = tmp_path / "kb.db"
    with local_server(functools.partial(_Files, directory=str(served))) as base:
        urls = [f"{base}/{name}" for name in sorted(p.name for p in served.iterdir())]
        result, summary = run_ingest(db_path, *urls)
    assert result.exit_code == 0 and summary["new"] == 4, summary
    formats = sorted((row["source"].removeprefix(base + "/"), row["format"]) for row in store.open_db(db_path).query("select source, format from documents"))
    assert formats == [
        ("dfds-2021-08-26-traefik-v2-ingress-outage.pdf", "pdf"),
        *sorted((f"incidents.json#{i['id']}", "statuspage") for i in incidents),
        ("posthog-2024-02-28-feature-flags-decide-down.docx", "docx"),
    ]
