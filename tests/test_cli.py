"""The ``pmkb`` command line through click's CliRunner: ingest, extract, eval, demo and --help."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from pmkb.cli import cli
from pmkb.evaluate import FIELDS

QUEUE_MD = """# Queue outage

On 2024-03-05 between 10:00 and 10:40 UTC job processing stalled for all customers.

## Root cause

- The consumer pool was too small for the peak load.

## Action items

- [ ] Alert on consumer lag
"""

CACHE_MD = """# Cache outage

On 2024-04-09 between 08:00 and 08:20 UTC the cache cluster evicted every key.

## Root cause

- A bug in the eviction policy removed hot keys.
"""


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A folder of two small postmortems."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "acme-2024-03-05-queue.md").write_text(QUEUE_MD, encoding="utf-8")
    (folder / "acme-2024-04-09-cache.md").write_text(CACHE_MD, encoding="utf-8")
    return folder


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "kb.db"


def invoke(*args: str, input: bytes | str | None = None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def ingest(db_path: Path, *args: str, input: bytes | str | None = None):
    return invoke("ingest", "--db", db_path, *args, input=input)


def documents(db_path: Path) -> list[dict]:
    db = sqlite_utils.Database(db_path)
    rows = list(db.query("select source, title, organization, original_url, extractor_version from documents order by source"))
    db.close()
    return rows


# ---------------------------------------------------------------- --help


@pytest.mark.parametrize("command", [[], ["ingest"], ["extract"], ["serve"], ["report"], ["eval"], ["demo"]], ids=lambda c: c[0] if c else "pmkb")
def test_help(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert result.output.startswith("Usage: ")
    assert "--help" in result.output


def test_group_help_lists_every_command():
    output = invoke("--help").output
    for name in ("ingest", "extract", "serve", "report", "eval", "demo"):
        assert f"  {name} " in output


# ---------------------------------------------------------------- ingest


def test_ingest_reports_new_then_unchanged(docs, db_path):
    first = ingest(db_path, docs)
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == "2 new, 0 updated, 0 unchanged, 0 skipped"
    again = ingest(db_path, docs)
    assert again.exit_code == 0
    assert again.stdout.strip() == "0 new, 0 updated, 2 unchanged, 0 skipped"
    assert len(documents(db_path)) == 2


def test_ingest_changed_file_is_updated_not_duplicated(docs, db_path):
    ingest(db_path, docs)
    queue = docs / "acme-2024-03-05-queue.md"
    queue.write_text(QUEUE_MD.replace("Queue outage", "Job queue outage"), encoding="utf-8")
    result = ingest(db_path, docs)
    assert result.stdout.strip() == "0 new, 1 updated, 1 unchanged, 0 skipped"
    titles = [d["title"] for d in documents(db_path)]
    assert "Job queue outage" in titles and "Queue outage" not in titles and len(titles) == 2


def test_ingest_json_summary(docs, db_path):
    result = ingest(db_path, "--json", docs)
    assert json.loads(result.stdout) == {"new": 2, "updated": 0, "unchanged": 0, "skipped": 0, "unsupported": 0, "errors": []}


def test_ingest_organization(docs, db_path):
    ingest(db_path, "--organization", "Acme Corp", docs)
    assert {d["organization"] for d in documents(db_path)} == {"Acme Corp"}


@pytest.mark.parametrize("suffix, sep", [(".csv", ","), (".tsv", "\t")])
def test_ingest_manifest(docs, db_path, tmp_path, suffix, sep):
    manifest = tmp_path / f"sources{suffix}"
    manifest.write_text(
        sep.join(["file", "organization", "original_url", "title"]) + "\n"
        + sep.join(["acme-2024-03-05-queue.md", "Acme", "https://example.com/queue", "Queue stall of March 5"]) + "\n",
        encoding="utf-8",
    )
    result = ingest(db_path, "--manifest", manifest, docs)
    assert result.exit_code == 0, result.output
    rows = {Path(d["source"]).name: d for d in documents(db_path)}
    queue = rows["acme-2024-03-05-queue.md"]
    assert (queue["organization"], queue["original_url"], queue["title"]) == ("Acme", "https://example.com/queue", "Queue stall of March 5")
    assert rows["acme-2024-04-09-cache.md"]["original_url"] is None


def test_ingest_manifest_without_a_file_column_fails_cleanly(docs, db_path, tmp_path):
    manifest = tmp_path / "bad.csv"
    manifest.write_text("name,organization\nx.md,Acme\n", encoding="utf-8")
    result = ingest(db_path, "--manifest", manifest, docs)
    assert result.exit_code != 0
    assert "file" in result.output and "Traceback" not in result.output


def test_ingest_reextract_redoes_documents_from_an_older_extractor(docs, db_path):
    ingest(db_path, docs)
    db = sqlite_utils.Database(db_path)
    db.execute("update documents set extractor_version = 'old' where source like '%queue.md'")
    db.conn.commit()
    db.close()
    assert ingest(db_path, docs).stdout.strip() == "0 new, 0 updated, 2 unchanged, 0 skipped"
    result = ingest(db_path, "--reextract", docs)
    assert result.stdout.strip() == "0 new, 1 updated, 1 unchanged, 0 skipped"
    assert "old" not in {d["extractor_version"] for d in documents(db_path)}


def test_ingest_from_stdin(db_path):
    result = ingest(db_path, "-", input=QUEUE_MD.encode())
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "1 new, 0 updated, 0 unchanged, 0 skipped"
    assert [d["title"] for d in documents(db_path)] == ["Queue outage"]
    assert ingest(db_path, "-", input=QUEUE_MD.encode()).stdout.strip() == "0 new, 0 updated, 1 unchanged, 0 skipped"


@pytest.mark.parametrize(
    "name, content",
    [("broken.json", b'{"incident": {"name": "x", '), ("picture.md", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4), ("empty.md", b"")],
    ids=["malformed-json", "binary", "empty"],
)
def test_ingest_bad_file_is_named_and_the_rest_still_stored(docs, db_path, name, content):
    bad = docs / name
    bad.write_bytes(content)
    result = ingest(db_path, docs)
    assert result.exit_code == 1
    assert result.stdout.strip() == "2 new, 0 updated, 0 unchanged, 1 skipped"
    error_lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(error_lines) == 1 and name in error_lines[0]
    assert len(documents(db_path)) == 2


def test_ingest_missing_path_exits_1(db_path, tmp_path):
    result = ingest(db_path, tmp_path / "nowhere.md")
    assert result.exit_code == 1
    assert "nowhere.md" in result.stderr


def test_ingest_needs_a_path(db_path):
    assert ingest(db_path).exit_code == 2


# ---------------------------------------------------------------- extract


def test_extract_json(docs):
    result = invoke("extract", docs / "acme-2024-03-05-queue.md")
    assert result.exit_code == 0
    incident = json.loads(result.stdout)
    assert incident["document"]["title"] == "Queue outage"
    assert [(w["start"], w["end"]) for w in incident["impact_windows"]] == [("2024-03-05T10:00:00Z", "2024-03-05T10:40:00Z")]


def test_extract_text(docs):
    result = invoke("extract", "--format", "text", docs / "acme-2024-03-05-queue.md")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Queue outage\n")
    assert "2024-03-05T10:00:00Z → 2024-03-05T10:40:00Z (40.0 min)" in result.stdout
    assert "[planned] Alert on consumer lag" in result.stdout


def test_extract_json_flag_is_the_json_format(docs):
    path = docs / "acme-2024-03-05-queue.md"
    assert invoke("extract", "--json", path).stdout == invoke("extract", "--format", "json", path).stdout
    clash = invoke("extract", "--json", "--format", "text", path)
    assert clash.exit_code == 2 and "--json and --format text disagree" in clash.output


def test_extract_from_stdin():
    result = invoke("extract", "-", input=CACHE_MD.encode())
    assert result.exit_code == 0
    assert json.loads(result.stdout)["document"]["title"] == "Cache outage"


def test_extract_bad_file_exits_1_naming_it(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"incident": ', encoding="utf-8")
    result = invoke("extract", bad)
    assert result.exit_code == 1
    assert "broken.json" in result.output and "Traceback" not in result.output


# ---------------------------------------------------------------- eval


def write_gold(folder: Path, seed_window: bool = True) -> Path:
    """A one-document gold folder about the Loom seed, annotated for this test."""
    folder.mkdir()
    windows = [{"start": "2025-10-27T12:30Z", "end": "2025-10-27T20:55Z", "evidence": "between 12:30 and 20:55 UTC"}] if seed_window else []
    gold = {**{field: [] for field in FIELDS}, "document": "seeds/loom-2025-10-27.txt", "impact_windows": windows}
    (folder / "loom.json").write_text(json.dumps(gold), encoding="utf-8")
    return folder


def test_eval_table(tmp_path, seeds_dir):
    gold = write_gold(tmp_path / "gold")
    result = invoke("eval", gold, "--root", seeds_dir.parent)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["field", "P", "R", "F1"]
    windows = next(line for line in lines if line.startswith("impact_windows")).split()
    assert float(windows[2]) == 1.0  # recall: the one gold window is found
    assert "documents: 1" in result.stdout


def test_eval_json_and_verbose(tmp_path, seeds_dir):
    gold = write_gold(tmp_path / "gold")
    plain = json.loads(invoke("eval", gold, "--root", seeds_dir.parent, "--json").stdout)
    assert set(plain) == {"summary"}
    assert plain["summary"]["impact_windows"]["tp"] == 1
    assert plain["summary"]["documents"] == 1 and plain["summary"]["errors"] == 0
    verbose = json.loads(invoke("eval", gold, "--root", seeds_dir.parent, "--json", "-v").stdout)
    assert list(verbose["documents"]) == ["seeds/loom-2025-10-27.txt"]
    table = invoke("eval", gold, "--root", seeds_dir.parent, "-v").stdout
    assert "per document:" in table and "seeds/loom-2025-10-27.txt" in table


def test_eval_without_root_resolves_against_the_folder_above_gold(tmp_path):
    gold = write_gold(tmp_path / "gold")
    summary = json.loads(invoke("eval", gold, "--json").stdout)["summary"]
    # tmp_path holds no seeds/ folder: the document is missing and scored as an error
    assert summary["errors"] == 1
    assert summary["impact_windows"]["fn"] == 1


def test_eval_missing_gold_folder_is_a_usage_error(tmp_path):
    assert invoke("eval", tmp_path / "no-gold").exit_code == 2


def test_eval_bad_gold_file_is_one_line_naming_the_folder(tmp_path):
    gold = write_gold(tmp_path / "gold")
    (gold / "broken.json").write_text("[1, 2]", encoding="utf-8")
    result = invoke("eval", gold)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "broken.json" in lines[0]


# ---------------------------------------------------------------- demo


def test_demo_no_serve_ingests_the_seeds_and_writes_the_report(tmp_path):
    db_file = tmp_path / "demo" / "demo.db"
    result = invoke("demo", "--no-serve", "--db", db_file)
    assert result.exit_code == 0, result.output
    assert "Ingested the bundled seeds: 2 new, 0 updated, 0 unchanged, 0 skipped" in result.stdout
    report = db_file.parent / "report.html"
    assert report.is_file() and "<html" in report.read_text(encoding="utf-8").lower()
    assert str(report.resolve()) in result.stdout
    assert len(documents(db_file)) == 2
    # a second run starts from a fresh database rather than reporting the seeds unchanged
    again = invoke("demo", "--no-serve", "--db", db_file)
    assert "2 new" in again.stdout


def test_demo_never_deletes_a_database_it_did_not_create(docs, tmp_path):
    theirs = tmp_path / "mine.db"
    assert ingest(theirs, docs).exit_code == 0
    before = theirs.read_bytes()
    result = invoke("demo", "--no-serve", "--db", theirs)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "mine.db" in result.output and "not made by pmkb demo" in result.output
    assert theirs.read_bytes() == before and len(documents(theirs)) == 2
    assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("content", [b"", b"not a database at all", b"SQLite format 3\x00" + b"\x00" * 200])
def test_demo_leaves_any_other_file_alone(tmp_path, content):
    other = tmp_path / "notes.db"
    other.write_bytes(content)
    result = invoke("demo", "--no-serve", "--db", other)
    assert result.exit_code == 1 and "not made by pmkb demo" in result.output
    assert other.read_bytes() == content


# ---------------------------------------------------------------- hostile names and limits (issue 17)


def test_ingest_tsv_manifest_title_starting_with_a_quote_keeps_the_next_column(docs, db_path, tmp_path):
    manifest = tmp_path / "sources.tsv"
    manifest.write_text('file\ttitle\torganization\nacme-2024-03-05-queue.md\t"Queue" stall, part 1\tAcme\n', encoding="utf-8")
    assert ingest(db_path, "--manifest", manifest, docs).exit_code == 0
    queue = next(d for d in documents(db_path) if d["source"].endswith("queue.md"))
    assert (queue["title"], queue["organization"]) == ('"Queue" stall, part 1', "Acme")


def test_ingest_escapes_terminal_sequences_and_newlines_in_names(db_path, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "clear\x1b[2J.md").write_text("")
    (folder / "two\nlines.md").write_bytes(b"\x89PNG\r\n")
    result = ingest(db_path, folder)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 2 and len(result.stderr.splitlines()) == 2
    assert "clear\\x1b[2J.md: empty file" in errors[0] and "\x1b" not in result.stderr
    assert "two\\nlines.md: not a text document" in errors[1]


def test_ingest_stores_a_document_with_a_latin1_file_name(db_path, tmp_path):
    import os

    folder = tmp_path / "docs"
    folder.mkdir()
    with open(os.fsencode(folder) + b"/caf\xe9-2024-03-05.md", "wb") as handle:
        handle.write(QUEUE_MD.encode())
    result = ingest(db_path, folder)
    assert result.exit_code == 0, result.output
    [row] = documents(db_path)
    assert row["source"].endswith("caf\\xe9-2024-03-05.md")
    assert ingest(db_path, folder).output.strip().endswith("0 new, 0 updated, 1 unchanged, 0 skipped")


@pytest.mark.parametrize("text", ["---\ntitle: Only metadata\n---\n", "\ufeff", "+++\ntitle = 'X'\n+++\n\n \n"])
def test_ingest_refuses_a_document_of_only_front_matter_or_a_bom(db_path, tmp_path, text):
    path = tmp_path / "meta.md"
    path.write_text(text, encoding="utf-8")
    result = ingest(db_path, path)
    assert result.exit_code == 1 and documents(db_path) == []
    assert "meta.md: " in result.stderr and ("no text besides its front matter" in result.stderr or "empty file" in result.stderr)


def test_extract_honours_max_bytes_from_the_environment(docs, monkeypatch):
    path = docs / "acme-2024-03-05-queue.md"
    monkeypatch.setenv("PMKB_MAX_BYTES", "100")
    result = invoke("extract", path)
    assert result.exit_code == 1 and "over the limit of 100 bytes" in result.stderr
    assert invoke("extract", "--max-bytes", 100_000, path).exit_code == 0


@pytest.mark.slow
def test_ingest_skips_documents_over_the_time_budget(docs, db_path):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from scaling import many_headings

    (docs / "huge.md").write_text(many_headings(3_000), encoding="utf-8")  # under the length limit, about half a second to extract
    result = ingest(db_path, "-p", 2, "--time-budget", 0.1, docs)
    assert result.exit_code == 1 and len(documents(db_path)) == 2
    [line] = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert line.endswith("huge.md: not extracted: stopped after the time budget of 0.1 s (--time-budget)")


def test_a_nul_byte_past_the_sniffed_head_is_not_stored_and_sql_substr_agrees_with_the_evidence(db_path, tmp_path):
    """The binary sniff reads the first 8 KiB; a NUL later in a text file is removed before offsets are taken."""
    path = tmp_path / "late-nul.md"
    path.write_bytes(("# Outage\n\n" + "filler words " * 1000 + "\n\n## Timeline\n\n- 2024-03-03 14:02 UTC The API\x00 failed.\n").encode())
    assert ingest(db_path, path).exit_code == 0
    db = sqlite_utils.Database(db_path)
    assert db.execute("select count(*) from documents where instr(text, char(0)) > 0").fetchone()[0] == 0
    rows = db.execute(
        "select e.evidence_text, substr(d.text, e.evidence_start + 1, e.evidence_end - e.evidence_start) from timeline_events e"
        " join incidents i on i.id = e.incident_id join documents d on d.id = i.document_id"
    ).fetchall()
    assert rows and all(stored == sliced for stored, sliced in rows)
