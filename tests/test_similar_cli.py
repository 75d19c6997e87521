"""``pmkb similar ID|FILE`` through click's CliRunner."""

from __future__ import annotations

import json
import shutil

import pytest
import sqlite_utils
from click.testing import CliRunner

from pmkb.cli import cli


@pytest.fixture
def db_path(seeded_db_path, tmp_path):
    copy = tmp_path / "seeds.db"
    shutil.copy(seeded_db_path, copy)
    return copy


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_similar_is_listed_and_has_help():
    assert "  similar " in invoke("--help").output
    result = invoke("similar", "--help")
    assert result.exit_code == 0 and "--limit" in result.output and "--json" in result.output


def test_json_lists_stored_incidents_best_first_with_their_evidence(db_path):
    result = invoke("similar", "2", "--db", db_path, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["incident_id"] for r in rows] == [1]
    assert {"incident_id", "title", "organization", "score", "evidence", "shared_terms"} <= set(rows[0])
    assert rows[0]["shared_terms"]
    assert all(pair["this"]["incident_id"] == 2 and pair["other"]["incident_id"] == 1 for pair in rows[0]["evidence"])


def test_a_file_not_yet_ingested_is_compared_and_not_stored(db_path, seeds_dir):
    before = sqlite_utils.Database(db_path)["documents"].count
    result = invoke("similar", seeds_dir / "loom-2025-10-27.txt", "--db", db_path, "--json", "--limit", "1")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert row["incident_id"] == 2 and row["score"] == 1.0
    assert sqlite_utils.Database(db_path)["documents"].count == before


def test_text_output_names_the_match_and_why(db_path):
    result = invoke("similar", "1", "--db", db_path)
    assert result.exit_code == 0
    assert result.output.startswith("incident 2  score ") and "Loom" in result.output and "    shared terms: " in result.output


@pytest.mark.parametrize("args, message", [
    (["12345"], "no incident 12345"),
    (["missing.md"], "missing.md"),
])
def test_bad_targets_get_one_line_and_a_failing_status(db_path, args, message):
    result = invoke("similar", *args, "--db", db_path)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_a_file_is_read_as_pmkb_extract_reads_it(db_path, tmp_path, monkeypatch):
    meta = tmp_path / "meta.md"
    meta.write_text("---\ntitle: Only metadata\n---\n", encoding="utf-8")
    result = invoke("similar", meta, "--db", db_path)
    assert result.exit_code == 1 and "meta.md: no text besides its front matter" in result.output
    monkeypatch.setenv("PMKB_MAX_BYTES", "10")
    assert "over the limit of 10 bytes" in invoke("similar", meta, "--db", db_path).output


def test_a_missing_database_is_one_line(tmp_path):
    result = invoke("similar", "1", "--db", tmp_path / "none.db")
    assert result.exit_code != 0 and "no such database" in result.output
