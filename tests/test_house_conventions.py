"""Conventions of house styles the reader had not met: a status-page export with Unix-millisecond
times and its postmortem as an object, a country named as the zone ("All times are Nepal Time"),
and section headings built on one shape with any audience ("What members experienced", "Hour by
hour, Thursday 21 August"). Texts are written for the tests."""

from __future__ import annotations

import json

import pytest

from ingest.headings import section_role
from ingest.normalise import normalise
from ingest.normalise.common import iso_utc
from ingest.pipeline import extract
from ingest.read import source_from_bytes
from ingest.time_zones import zone_offset


def incidents(name: str, text: str) -> list[dict]:
    return extract(normalise(source_from_bytes(name, text.encode())))


@pytest.mark.parametrize(
    "value, expected",
    [(1758390372000, "2025-09-20T17:46:12Z"), (1758390372, "2025-09-20T17:46:12Z"), ("1758390372000", "2025-09-20T17:46:12Z")],
)
def test_unix_times_in_seconds_or_milliseconds(value, expected):
    assert iso_utc(value) == expected


def test_a_status_export_with_epoch_times_and_a_postmortem_object():
    export = {
        "page": {"name": "Quillbank League Status", "display_timezone": "Europe/Berlin"},
        "incidents": [{
            "name": "Live scores frozen",
            "created_at": 1758390372000,
            "resolved_at": 1758394950000,
            "incident_updates": [
                {"status": "resolved", "created_at": 1758394950000, "body": "<p>Scores are live again. This incident is resolved.</p>"},
                {"status": "investigating", "created_at": 1758390372000, "body": "<p>Live scores have stopped updating. We're investigating.</p>"},
            ],
            "postmortem": {"published_at": 1758621600000, "body_html": "<h3>What happened</h3><p>Live scores stopped reaching the app from 19:38 to 20:27 CEST on Saturday 20 September 2025.</p><h3>Why it happened</h3><p>The fan-out service ran out of CPU because every disconnected client reconnected at once and asked for a full snapshot.</p>"},
        }],
    }
    [result] = incidents("status.json", json.dumps(export))
    stamps = {e["at"][:16] for e in result["timeline"]}
    assert {"2025-09-20T17:46", "2025-09-20T19:02"} <= stamps  # the updates, oldest first
    assert [(w["start"][:16], w["end"][:16]) for w in result["impact_windows"]] == [("2025-09-20T17:38", "2025-09-20T18:27")]
    assert any("fan-out service ran out of CPU" in c["text"] for c in result["causes"])


def test_a_country_with_one_zone_names_it():
    on = __import__("datetime").datetime(2025, 8, 21, 14, 20)
    assert zone_offset("Nepal Time", on).total_seconds() == 5 * 3600 + 45 * 60
    assert zone_offset("India time", on).total_seconds() == 5.5 * 3600
    assert zone_offset("Georgia time", on) is None  # a US state as much as a country


def test_all_times_are_a_country_s_time():
    text = "SMS banking outage\n\nAll times below are Nepal Time.\n\nOn 21 August 2025, from 1420 hrs until 1805 hrs, messages to our short code went unanswered.\n"
    [result] = incidents("bulletin.txt", text)
    assert [(w["start"][:16], w["end"][:16]) for w in result["impact_windows"]] == [("2025-08-21T08:35", "2025-08-21T12:20")]


@pytest.mark.parametrize(
    "heading, role",
    [
        ("What members experienced", "impact"),
        ("What our riders saw", "impact"),
        ("How the outage affected students", "impact"),
        ("Impact on patients", "impact"),
        ("Hour by hour, Thursday 21 August", "timeline"),
        ("What we saw", None),
        ("What we noticed", None),
        ("Why", "root_cause"),  # meeting notes' bold "**Why**" over the causes
        ("Why we are sharing this", None),
        ("How we found out", "detection"),
    ],
)
def test_headings_of_one_shape_with_any_audience(heading, role):
    assert section_role(heading) == role


def test_a_timeline_heading_s_day_dates_its_rows():
    # a cooperative's newsletter: the next morning's wobble is told before the hour-by-hour list
    text = ("SMS outage\n==========\n\nAll times below are Nepal Time.\n\nWhat members experienced\n------------------------\n\n"
            "From 1420 hrs until 1805 hrs on Thursday 21 August 2025, messages to our short code went unanswered. "
            "Between 0915 hrs and 0940 hrs on Friday 22 August, replies were slow.\n\n"
            "Hour by hour, Thursday 21 August\n--------------------------------\n\n"
            "  1405 hrs   Our SMS aggregator switches its delivery reports to a new format.\n"
            "  1545 hrs   Our IT officer restarts the SMS gateway.\n")
    [result] = incidents("bulletin.txt", text)
    stamps = {e["at"][:16] for e in result["timeline"]}
    assert {"2025-08-21T08:20", "2025-08-21T10:00"} <= stamps
    assert "2025-08-22T03:30" in stamps and "2025-08-21T03:30" not in stamps  # the range's start takes the day its end states
