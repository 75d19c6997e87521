"""Section layouts of formal reports and tool exports: a first heading that names the kind of
document is the report's title, numbered section lines without a dot are headings, and an export's
retrospective questions with their answers are sections. Texts are written for the test."""

from __future__ import annotations

import json

import pytest

from ingest.headings import is_document_type
from ingest.normalise import normalise
from ingest.pipeline import extract
from ingest.read import source_from_bytes
from ingest.segment import segment_text


def sections(text: str) -> dict[str, str | None]:
    """Each block's first words → its section role."""
    return {text[b.start:b.end].split("\n")[0][:30]: b.section for b in segment_text(text)}


@pytest.mark.parametrize("heading", ["ROOT CAUSE ANALYSIS", "Root Cause Analysis Report", "RCA"])
def test_headings_that_name_the_kind_of_document(heading):
    assert is_document_type(heading)


def test_a_root_cause_heading_that_names_a_section_is_no_document_type():
    assert not is_document_type("Root cause")


LETTERHEAD = """Harrowgate Telecom Ltd                                  RCA-2025-004

ROOT CAUSE ANALYSIS

Loss of voice service in the northern exchange, 11.02.2025

Prepared by:      J. Okafor, Network Operations
Reviewed by:      M. Lindqvist, CTO

1 Summary

Voice calls through the northern exchange failed for 52 minutes.

2 Root cause

A firmware upgrade on the session border controller reset its call limit to the factory default, which was too low for the evening peak.

3 Corrective actions

Firmware upgrades are now checked against the saved configuration before traffic returns.
"""


def test_a_report_title_naming_a_root_cause_analysis_opens_no_cause_section():
    roles = sections(LETTERHEAD)
    assert roles["Prepared by:      J. Okafor, N"] is None
    assert roles["Voice calls through the northe"] == "summary"


def test_numbered_section_lines_without_a_dot_are_headings():
    roles = sections(LETTERHEAD)
    assert roles["A firmware upgrade on the sess"] == "root_cause"
    assert roles["Firmware upgrades are now chec"] == "actions"


def test_header_fields_under_a_document_type_title_are_no_causes():
    incident = extract(normalise(source_from_bytes("rca.txt", LETTERHEAD.encode(), None)))[0]
    texts = [c["text"] for c in incident["causes"]]
    assert not any("Prepared by" in t or "Reviewed by" in t for t in texts)
    assert any(t.startswith("A firmware upgrade") for t in texts)


def test_numbered_lines_of_a_list_are_not_headings():
    text = "Steps taken\n\n1 Restarted the border controller and watched the call counters.\n2 Raised the call limit.\n"
    assert all(b.kind != "heading" or "Steps" in text[b.start:b.end] for b in segment_text(text))


EXPORT = {
    "incident": {
        "name": "Ledger exports delayed",
        "summary": "Nightly ledger exports for business customers arrived up to five hours late on 4 June 2025.",
        "retrospective": {
            "questions": [
                {"question": "What went wrong?", "answer": "The export workers ran out of memory because a schema change doubled the size of each ledger row, and the queue kept retrying the same oversized batch."},
                {"question": "What went well?", "answer": "Our on-call engineer spotted the stuck queue within ten minutes of the first page and kept customers informed."},
            ]
        },
    }
}


def test_an_exports_retrospective_questions_and_answers_are_sections():
    document = normalise(source_from_bytes("export.json", json.dumps(EXPORT).encode(), None))
    assert "What went wrong?\n\nThe export workers ran out of memory" in document.text
    roles = sections(document.text)
    assert roles["The export workers ran out of "] == "root_cause"
    assert roles["Our on-call engineer spotted t"] == "lessons"
