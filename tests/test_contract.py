"""The extraction contract: the JSON that ``pmkb extract --format json`` prints.

Every incident has exactly the contract keys; every evidence span quotes the
normalised text at its offsets; times are ISO 8601 (UTC with ``Z``, or no
offset when the zone is unknown); enumerations hold only their values; a
source with several incidents gives a list.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest.normalise import normalise
from ingest.pipeline import extract_path
from ingest.read import read_file
from pmkb.cli import cli

DOCUMENT_KEYS = {"title", "organization", "published_at", "format", "sha256"}
DOCUMENT_EXTRA = {"source"}
"""Beyond the contract: where the document came from (path, URL or <stdin>)."""
INCIDENT_KEYS = {"document", "impact_windows", "timeline", "causes", "corrective_actions", "categories", "components", "quality_flags"}
INCIDENT_EXTRA = {"metrics"}
"""Beyond the contract: impact start/end, impact minutes, time to detect and to mitigate, with their rules."""
ITEM_KEYS = {
    "impact_windows": {"start", "end", "duration_minutes", "label", "evidence"},
    "timeline": {"at", "precision", "timezone", "kind", "text", "evidence"},
    "causes": {"kind", "category", "text", "evidence"},
    "corrective_actions": {"text", "status", "evidence"},
    "quality_flags": {"flag", "detail"},
}
EVENT_KINDS = {"onset", "trigger", "impact_start", "detection", "response", "mitigation", "impact_end", "resolution", "followup", "other"}
CAUSE_KINDS = {"root", "trigger", "contributing"}
STATUSES = {"done", "in_progress", "planned", "unknown"}
CATEGORIES = {"change", "software-bug", "capacity", "hardware", "network", "dependency", "human-operation", "security", "time", "remediation", "unknown"}
COMPONENTS = {"database", "storage", "network", "dns", "cdn", "compute", "cache", "queue", "auth", "api", "deploy-pipeline", "monitoring", "third-party"}
PRECISIONS = {"day", "minute", "second"}
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}Z?)?$")

MARKDOWN = """# Checkout outage

All times in UTC.

## Summary

On 2024-03-05 between 10:00 and 10:45 UTC checkout requests failed for all customers.

## Timeline

- 2024-03-05 09:58 A new release of the payment service was deployed.
- 2024-03-05 10:07 Alerts fired for checkout errors.
- 2024-03-05 10:30 We rolled back the release.

## Root cause

- A bug in the new release dropped the currency field.

## Action items

- [x] Add a contract test for the currency field
- [ ] Canary payment releases

We still need to decide the following:
"""

STATUSPAGE_TWO = {
    "page": {"name": "Acme"},
    "incidents": [
        {
            "name": name,
            "started_at": f"2024-04-0{day}T10:00:00Z",
            "resolved_at": f"2024-04-0{day}T11:00:00Z",
            "incident_updates": [
                {"status": "investigating", "body": "We are investigating elevated errors.", "display_at": f"2024-04-0{day}T10:10:00Z"},
                {"status": "resolved", "body": "This incident has been resolved.", "display_at": f"2024-04-0{day}T11:00:00Z"},
            ],
        }
        for day, name in ((2, "Elevated API errors"), (3, "Delayed webhooks"))
    ],
}


def run_extract(path: Path) -> object:
    """The parsed stdout of ``pmkb extract --format json PATH``."""
    result = CliRunner().invoke(cli, ["extract", "--format", "json", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def check_contract(incident: dict, text: str) -> None:
    """Assert one incident follows the contract against its normalised text."""
    assert set(incident) == INCIDENT_KEYS | INCIDENT_EXTRA
    assert set(incident["document"]) == DOCUMENT_KEYS | DOCUMENT_EXTRA
    assert re.fullmatch(r"[0-9a-f]{64}", incident["document"]["sha256"])
    for field, keys in ITEM_KEYS.items():
        for item in incident[field]:
            assert set(item) == keys, field
            evidence = item.get("evidence")
            if evidence is not None:
                assert set(evidence) == {"text", "start", "end"}
                assert 0 <= evidence["start"] <= evidence["end"] <= len(text)
                assert text[evidence["start"]:evidence["end"]] == evidence["text"], field
    for window in incident["impact_windows"]:
        assert ISO.match(window["start"]) and ISO.match(window["end"])
        assert window["duration_minutes"] >= 0
    for event in incident["timeline"]:
        assert ISO.match(event["at"]), event["at"]
        assert event["kind"] in EVENT_KINDS
        assert event["precision"] in PRECISIONS
        assert (event["precision"] == "day") == ("T" not in event["at"])
    for cause in incident["causes"]:
        assert cause["kind"] in CAUSE_KINDS
        assert cause["category"] in CATEGORIES
    for action in incident["corrective_actions"]:
        assert action["status"] in STATUSES
    assert set(incident["categories"]) <= CATEGORIES and incident["categories"]
    assert set(incident["components"]) <= COMPONENTS
    assert len(set(incident["categories"])) == len(incident["categories"])
    if incident["document"]["published_at"]:
        assert ISO.match(incident["document"]["published_at"])


def normalised_text(path: Path) -> str:
    return normalise(read_file(path)).text


def test_markdown_extraction_follows_the_contract(tmp_path):
    path = tmp_path / "acme-2024-03-05-checkout.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    incident = run_extract(path)
    assert isinstance(incident, dict)
    check_contract(incident, normalised_text(path))
    # the fixture exercises every list, so the checks above ran on real items
    for field in ("impact_windows", "timeline", "causes", "corrective_actions", "quality_flags"):
        assert incident[field], field
    assert incident["document"]["format"] == "markdown"
    assert incident["document"]["title"] == "Checkout outage"


def test_utc_times_end_in_z_and_zone_less_times_carry_no_offset(tmp_path):
    path = tmp_path / "zoneless.md"
    path.write_text("# Outage\n\n## Timeline\n\n- 2024-03-05 09:12 Deploy started.\n- 2024-03-05 09:20 Alerts fired.\n", encoding="utf-8")
    incident = run_extract(path)
    assert [e["at"] for e in incident["timeline"]] == ["2024-03-05T09:12:00", "2024-03-05T09:20:00"]
    utc = tmp_path / "utc.md"
    utc.write_text("# Outage\n\n## Timeline\n\n- 2024-03-05 09:12 UTC Deploy started.\n", encoding="utf-8")
    assert [e["at"] for e in run_extract(utc)["timeline"]] == ["2024-03-05T09:12:00Z"]


def test_window_endpoints_are_both_utc_or_both_zone_less(tmp_path):
    """A zoned source start (front matter date) and a zone-less timeline end make a zone-less window."""
    path = tmp_path / "status.md"
    path.write_text(
        "---\ntitle: Web server outage\ndate: 2024-03-08T05:47:00+00:00\nseverity: disrupted\n---\n\n"
        "Server appears offline. We are investigating.\n\n**Update: 06:50** - Server stable and working correctly again.\n",
        encoding="utf-8",
    )
    windows = run_extract(path)["impact_windows"]
    assert windows
    for window in windows:
        assert window["start"].endswith("Z") == window["end"].endswith("Z"), window


def test_multi_incident_json_gives_a_list(tmp_path):
    path = tmp_path / "acme.json"
    path.write_text(json.dumps(STATUSPAGE_TWO), encoding="utf-8")
    incidents = run_extract(path)
    assert isinstance(incidents, list) and len(incidents) == 2
    text = normalised_text(path)
    for incident in incidents:
        check_contract(incident, text)
        assert incident["document"]["format"] == "statuspage"
    assert [i["document"]["title"] for i in incidents] == ["Elevated API errors", "Delayed webhooks"]
    # evidence offsets are into the whole text, so the second incident's lie past the first's
    first_end = max(e["evidence"]["end"] for e in incidents[0]["timeline"] if e["evidence"])
    second_start = min(e["evidence"]["start"] for e in incidents[1]["timeline"] if e["evidence"])
    assert second_start > first_end


def test_html_extraction_follows_the_contract(tmp_path):
    path = tmp_path / "outage.html"
    path.write_text(
        "<html><head><title>Outage</title></head><body><h1>Outage</h1>"
        "<p>On 2024-03-05 between 10:00 and 10:45 UTC uploads failed for all users.</p>"
        "<h2>Root cause</h2><ul><li>The upload bucket quota was exhausted.</li></ul></body></html>",
        encoding="utf-8",
    )
    incident = run_extract(path)
    check_contract(incident, normalised_text(path))
    assert incident["document"]["format"] == "html"
    assert len(incident["causes"]) == 1


@pytest.mark.parametrize("name", ["livekit-2026-04-15.txt", "loom-2025-10-27.txt"])
def test_seeds_follow_the_contract(seeds_dir, name):
    path = seeds_dir / name
    incident = run_extract(path)
    check_contract(incident, normalised_text(path))


def test_corpus_documents_follow_the_contract(corpus_docs):
    paths = sorted(p for p in corpus_docs.iterdir() if p.is_file())
    assert paths
    for path in paths:
        text = normalised_text(path)
        for incident in extract_path(path):
            check_contract(incident, text)


def test_extract_text_format_prints_each_section(tmp_path):
    path = tmp_path / "acme-2024-03-05-checkout.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", "--format", "text", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for heading in ("# Checkout outage", "Impact windows:", "Timeline:", "Causes:", "Corrective actions:", "Categories:", "Components:", "Quality flags:"):
        assert heading in result.output
    assert "2024-03-05T10:00:00Z → 2024-03-05T10:45:00Z" in result.output
    assert "[done] Add a contract test for the currency field" in result.output


def test_extractor_version_changes_with_the_rule_files(tmp_path, monkeypatch):
    """--reextract can never silently be a no-op: the version is a hash of code and rules."""
    import shutil

    from ingest import pipeline

    version = pipeline.extractor_version()
    assert version == pipeline.EXTRACTOR_VERSION and len(version) == 12
    copy = tmp_path / "ingest"
    shutil.copytree(Path(pipeline.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(pipeline, "__file__", str(copy / "pipeline.py"))
    pipeline.extractor_version.cache_clear()
    try:
        assert pipeline.extractor_version() == version  # same files, same version
        rules = copy / "rules" / "window_cues.json"
        rules.write_text(rules.read_text() + " ", encoding="utf-8")
        pipeline.extractor_version.cache_clear()
        assert pipeline.extractor_version() != version
    finally:
        pipeline.extractor_version.cache_clear()
