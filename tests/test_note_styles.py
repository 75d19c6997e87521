"""Postmortems kept as personal notes (Obsidian, GitHub): callouts name their sections, a zone is
declared "in this note", a short numeric date takes the month the text spells out, and a timeline
entry that opens with a weekday still opens the chronology. Texts are written for the test."""

from __future__ import annotations

import pytest

from ingest.normalise import normalise
from ingest.normalise.markdown import unfold_callouts
from ingest.pipeline import extract
from ingest.read import source_from_bytes
from ingest.time_zones import find_header_zone


def incident(text: str, name: str = "note.md") -> dict:
    return extract(normalise(source_from_bytes(name, text.encode(), None)))[0]


def test_a_callout_becomes_a_bold_heading_over_its_unquoted_lines():
    text = "> [!warning] Root cause\n> The cron job kept the old path.\n>\n> Nobody owned it.\nAfter.\n"
    assert unfold_callouts(text) == "\n**Root cause**\n\nThe cron job kept the old path.\n\nNobody owned it.\nAfter.\n"


def test_a_callout_without_a_title_is_named_by_its_type():
    assert "**Summary**" in unfold_callouts("> [!summary]\n> Tuesday 4 March: exports failed.\n")
    assert "**Note**" in unfold_callouts("> [!NOTE]\n> Times are UTC.\n")


def test_a_plain_blockquote_is_left_alone():
    text = "> We are investigating.\n> More soon.\n"
    assert unfold_callouts(text) == text


def test_causes_and_actions_inside_callouts_are_found():
    text = ("# INC-7 Search returned nothing\n\n> [!summary]\n> On 3 March 2025 search returned no results from 09:10 until 10:05 UTC.\n\n"
            "> [!bug] Root cause\n> A schema migration renamed the index alias, so the query service could not find the index.\n\n"
            "> [!todo] Actions\n> - [x] Point the query service at the alias from config\n> - [ ] Add a smoke test that runs a real query after each migration\n")
    found = incident(text)
    assert any(c["text"].startswith("A schema migration renamed the index alias") for c in found["causes"])
    assert [(a["text"], a["status"]) for a in found["corrective_actions"]] == [
        ("Point the query service at the alias from config", "done"),
        ("Add a smoke test that runs a real query after each migration", "planned"),
    ]


@pytest.mark.parametrize(
    "sentence, zone",
    [("(all times in this note are Lisbon time, i.e. WEST)", "WEST"),
     ("All times in this review are CET.", "CET"),
     ("All times in this thread are local time, that is AEDT.", "AEDT")],
)
def test_a_zone_declared_for_the_note_or_thread(sentence, zone):
    assert find_header_zone(sentence)[0] == zone


NOTE = """# INC-9 Empty dashboards

Monday 2 June 2025: dashboards were empty from 06:10 until 11:35 (all times in this note are WEST).

## Timeline

- **Sun 01/06 22:00** - migration renames the region codes. Finishes 22:14.
- **02:00** - the nightly rollup starts.
- **03:47** - the rollup finishes with zero rows.
"""


def test_a_short_numeric_date_takes_the_month_the_text_spells_out():
    stamps = [t["at"] for t in incident(NOTE)["timeline"]]
    assert "2025-06-01T21:00:00Z" in stamps  # Sun 01/06 22:00 WEST is 1 June, not 6 January


def test_an_entry_opening_with_a_weekday_starts_the_chronology_so_later_clocks_roll_past_midnight():
    stamps = [t["at"] for t in incident(NOTE)["timeline"]]
    assert "2025-06-02T01:00:00Z" in stamps and "2025-06-02T02:47:00Z" in stamps


def test_a_numeric_date_stays_month_first_when_the_text_spells_out_that_month():
    text = ("# Outage on 3/6/2025\n\nOn March 6, 2025 the API failed from 14:00 to 14:40 UTC.\n\n## Timeline\n\n"
            "- 3/6 14:00 UTC - errors start.\n- 3/6 14:40 UTC - recovered.\n")
    stamps = [t["at"] for t in incident(text)["timeline"]]
    assert "2025-03-06T14:00:00Z" in stamps
