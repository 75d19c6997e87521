"""Times: every rule family of ingest.times on sentences shaped like real postmortems.

Two levels: ``scan``/``build_context``/``resolve`` on a single string (date and
clock shapes, zone names, flags), and the whole pipeline on small Markdown
documents (zone headers, an entry's own zone, no zone at all, 12-hour clocks).
"""

from __future__ import annotations

from datetime import date

import pytest

from ingest import times
from ingest.normalise import normalise
from ingest.pipeline import extract
from ingest.read import source_from_bytes


def resolved(text: str, base: date | None = None) -> list[times.TimeMention]:
    """Scan and resolve one text on its own (no timeline, no sentence units)."""
    mentions = times.scan(text)
    times.resolve(mentions, times.build_context(text, mentions, base))
    return mentions


def stamps(text: str, base: date | None = None) -> list[str | None]:
    """The ISO stamps of every mention in ``text``."""
    return [m.iso() for m in resolved(text, base)]


def extract_text(md: str, name: str = "x.md") -> dict:
    """The first incident extracted from a Markdown text."""
    return extract(normalise(source_from_bytes(name, md.encode(), None)))[0]


def event_times(incident: dict) -> list[str]:
    return [e["at"] for e in incident["timeline"]]


def flags(incident: dict) -> set[str]:
    return {f["flag"] for f in incident["quality_flags"]}


# ---------------------------------------------------------------- date shapes


@pytest.mark.parametrize(
    "text, expected",
    [
        ("At 2021-08-26 08:22 UTC the nightly job started.", "2021-08-26T08:22:00Z"),
        ("On 03/07/2023 at 14:05 UTC the replica fell behind.", "2023-03-07T14:05:00Z"),
        ("On 03-07-2023 14:05 UTC the replica fell behind.", "2023-03-07T14:05:00Z"),
        ("On 5-26-21 at 09:10 UTC deploys were paused.", "2021-05-26T09:10:00Z"),
        ("On Monday, October 27, 2025 at 15:26 UTC alerts fired.", "2025-10-27T15:26:00Z"),
        ("On 28th February 2024 at 10:00 UTC the cron ran twice.", "2024-02-28T10:00:00Z"),
        ("Starting 2024-11-02T07:45Z the API returned 503s.", "2024-11-02T07:45:00Z"),
    ],
    ids=["iso-space", "mm/dd/yyyy", "mm-dd-yyyy", "m-dd-yy", "weekday-month-day", "28th-february", "iso-T-Z"],
)
def test_date_and_time_shapes_resolve_to_utc(text, expected):
    assert stamps(text) == [expected]


def test_day_only_ordinal_takes_month_and_year_from_the_previous_date():
    mentions = resolved("The disk filled on 28th February 2024. On the 29th at 10:00 UTC writes failed.")
    assert [m.iso() for m in mentions if m.iso()] == ["2024-02-28", "2024-02-29", "2024-02-29T10:00:00Z"]


def test_date_without_year_takes_the_base_year():
    assert stamps("On October 27 at 15:26 UTC alerts fired.", base=date(2025, 1, 1)) == ["2025-10-27T15:26:00Z"]


def test_date_alone_has_day_precision():
    (mention,) = resolved("On 2024-03-05 the cluster was upgraded.")
    assert mention.iso() == "2024-03-05"
    assert mention.precision == "day"
    assert not mention.has_clock


def test_five_digit_year_is_read_as_a_typo_and_flagged():
    (mention,) = resolved("The migration ran on 20202-10-28 without a backup.")
    assert mention.iso() == "2020-10-28"
    assert "date-typo" in mention.flags


# ---------------------------------------------------------------- clock shapes


@pytest.mark.parametrize(
    "text, expected",
    [
        ("At 04:49 PM UTC the queue drained.", "2024-01-05T16:49:00Z"),
        ("At 4:49 pm UTC the queue drained.", "2024-01-05T16:49:00Z"),
        ("At 12:15 AM UTC the queue drained.", "2024-01-05T00:15:00Z"),
        ("At 13:55 PM UTC the queue drained.", "2024-01-05T13:55:00Z"),
        ("15.26 UTC: the queue drained.", "2024-01-05T15:26:00Z"),
    ],
    ids=["padded-pm", "lower-pm", "12-am", "24h-with-pm", "dotted"],
)
def test_clock_shapes(text, expected):
    assert stamps(text, base=date(2024, 1, 5)) == [expected]


def test_dotted_number_inside_prose_is_not_a_time():
    assert stamps("We upgraded to version 15.26 of the agent.", base=date(2024, 1, 5)) == []


def test_clock_without_am_pm_in_a_12_hour_text_is_flagged_ambiguous():
    mentions = resolved("At 3:15 pm UTC the queue stalled; by 4:20 UTC it was draining.", base=date(2024, 1, 5))
    assert "ambiguous-12h-clock" not in mentions[0].flags
    assert "ambiguous-12h-clock" in mentions[1].flags


def test_24_hour_clock_text_is_never_ambiguous():
    mentions = resolved("At 03:15 UTC the queue stalled; by 04:20 UTC it was draining.", base=date(2024, 1, 5))
    assert all("ambiguous-12h-clock" not in m.flags for m in mentions)


# ---------------------------------------------------------------- zones


@pytest.mark.parametrize(
    "zone, local, expected",
    [
        ("IST", "2024-06-01 10:00", "2024-06-01T04:30:00Z"),
        ("EEST", "2024-06-01 10:00", "2024-06-01T07:00:00Z"),
        ("CET", "2024-01-15 10:00", "2024-01-15T09:00:00Z"),
        ("CEST", "2024-07-01 10:00", "2024-07-01T08:00:00Z"),
        ("BST", "2024-07-01 10:00", "2024-07-01T09:00:00Z"),
        ("MDT", "2024-07-01 10:00", "2024-07-01T16:00:00Z"),
        ("PST", "2024-01-10 10:00", "2024-01-10T18:00:00Z"),
    ],
)
def test_fixed_zone_abbreviations_keep_their_offset(zone, local, expected):
    assert stamps(f"At {local} {zone} the deploy began.") == [expected]


def test_fixed_abbreviation_ignores_daylight_saving():
    # PST is UTC-8 even when written in July (a writer's slip, but the offset is what it says)
    assert stamps("At 2024-07-01 10:00 PST the deploy began.") == ["2024-07-01T18:00:00Z"]


@pytest.mark.parametrize(
    "zone, summer, winter",
    [
        ("US/Pacific", "2024-07-01T17:00:00Z", "2024-01-10T18:00:00Z"),
        ("Pacific time", "2024-07-01T17:00:00Z", "2024-01-10T18:00:00Z"),
        ("UK time", "2024-07-01T09:00:00Z", "2024-01-10T10:00:00Z"),
        ("Denver", "2024-07-01T16:00:00Z", "2024-01-10T17:00:00Z"),
        ("Eastern", "2024-07-01T14:00:00Z", "2024-01-10T15:00:00Z"),
    ],
)
def test_named_zones_follow_daylight_saving(zone, summer, winter):
    text = f"At 2024-07-01 10:00 {zone} the job failed. At 2024-01-10 10:00 {zone} it failed again."
    assert stamps(text) == [summer, winter]


def test_zone_label_shows_the_conversion():
    (mention,) = resolved("At 2024-06-01 10:00 IST the deploy began.")
    assert mention.tz_label == "IST→UTC"
    (utc,) = resolved("At 2024-06-01 10:00 UTC the deploy began.")
    assert utc.tz_label == "UTC"


def test_no_zone_keeps_the_clock_without_offset_and_flags_it():
    (mention,) = resolved("At 2024-07-01 10:00 the deploy began.")
    assert mention.iso() == "2024-07-01T10:00:00"
    assert "timezone-missing" in mention.flags


@pytest.mark.parametrize(
    "header",
    ["All times in UTC.", "_All times in EEST_", "Timeline (all times PST)", "All timestamps are in CET."],
)
def test_find_header_zone(header):
    zone, where = times.find_header_zone(f"# Outage\n\n{header}\n\n- 10:00 Alerts fired.\n")
    assert zone == header.replace("_", "").split()[-1].strip(".)")
    assert where > 0


def test_text_without_a_zone_statement_has_no_header_zone():
    assert times.find_header_zone("# Outage\n\nAt 10:00 the alerts fired.\n") == (None, -1)


# ---------------------------------------------------------------- zones through the pipeline


def test_zone_header_in_emphasis_applies_to_every_entry():
    incident = extract_text(
        "# Queue outage\n\n_All times in EEST_\n\n## Timeline\n\n"
        "- 2024-06-03 10:15 Alerts fired for queue latency.\n- 10:40 We restarted the workers.\n"
    )
    assert event_times(incident) == ["2024-06-03T07:15:00Z", "2024-06-03T07:40:00Z"]
    assert {e["timezone"] for e in incident["timeline"]} == {"EEST→UTC"}
    assert "timezone-missing" not in flags(incident)


def test_zone_in_the_timeline_heading_applies_to_its_entries():
    incident = extract_text(
        "# Queue outage\n\n## Timeline (all times PST)\n\n"
        "- 2024-01-10 09:15 Alerts fired for queue latency.\n- 09:40 We restarted the workers.\n"
    )
    assert event_times(incident) == ["2024-01-10T17:15:00Z", "2024-01-10T17:40:00Z"]


def test_zone_in_a_table_header_applies_to_its_rows():
    incident = extract_text(
        "# Queue outage\n\n| Date and Time in CET | Event |\n|---|---|\n"
        "| 2024-01-10 09:15 | Alerts fired for queue latency |\n| 2024-01-10 09:40 | We restarted the workers |\n"
    )
    assert event_times(incident) == ["2024-01-10T08:15:00Z", "2024-01-10T08:40:00Z"]


def test_an_entrys_own_zone_wins_over_the_header():
    incident = extract_text(
        "# Queue outage\n\n## Timeline (all times PST)\n\n"
        "- 2024-01-10 09:15 Alerts fired for queue latency.\n"
        "- 2024-01-10 17:30 UTC Status page updated.\n"
        "- 09:40 We restarted the workers.\n"
    )
    assert event_times(incident) == ["2024-01-10T17:15:00Z", "2024-01-10T17:30:00Z", "2024-01-10T17:40:00Z"]
    utc_event = next(e for e in incident["timeline"] if "Status page" in e["text"])
    assert utc_event["timezone"] == "UTC"
    # a UTC time beside local ones is a conversion the writer gave, not a conflict
    assert "timezone-conflict" not in flags(incident)


def test_an_entry_in_another_local_zone_than_the_header_is_a_conflict():
    incident = extract_text(
        "# Queue outage\n\n## Timeline (all times PST)\n\n"
        "- 2024-01-10 09:15 Alerts fired for queue latency.\n"
        "- 2024-01-10 18:30 CET Status page updated.\n"
    )
    assert event_times(incident) == ["2024-01-10T17:15:00Z", "2024-01-10T17:30:00Z"]
    assert "timezone-conflict" in flags(incident)


def test_timeline_without_any_zone_keeps_clocks_and_flags_timezone_missing():
    incident = extract_text("# Queue outage\n\n## Timeline\n\n- 2024-03-05 09:12 Deploy started.\n- 09:20 Alerts fired.\n")
    assert event_times(incident) == ["2024-03-05T09:12:00", "2024-03-05T09:20:00"]
    assert all(e["timezone"] is None for e in incident["timeline"])
    assert "timezone-missing" in flags(incident)


def test_12_hour_timeline_guesses_pm_from_order_and_flags_it():
    incident = extract_text(
        "# Checkout outage\n\nAll times in UTC.\n\n## Timeline\n\n"
        "- March 5, 2024 11:40 AM: Alerts fired for checkout errors.\n"
        "- 12:10 PM: We restarted the payment workers.\n"
        "- 1:15: Service fully restored.\n"
    )
    assert event_times(incident) == ["2024-03-05T11:40:00Z", "2024-03-05T12:10:00Z", "2024-03-05T13:15:00Z"]
    assert "ambiguous-12h-clock" in flags(incident)


def test_file_name_date_is_the_base_for_bare_clock_times():
    incident = extract_text("# Queue outage\n\nAll times in UTC.\n\n## Timeline\n\n- 14:02 Alerts fired.\n", name="acme-2024-03-05-queue.md")
    assert event_times(incident) == ["2024-03-05T14:02:00Z"]


def test_title_date_contradicting_the_file_name_is_corrected_and_flagged():
    incident = extract_text(
        "# Outage of 2020-08-28\n\nOn 2020-08-28 at 09:00 UTC the cluster went down.\n", name="acme-2020-10-28-cluster.md"
    )
    assert "2020-10-28T09:00:00Z" in event_times(incident)
    assert not any(at.startswith("2020-08-28") for at in event_times(incident))
    assert "date-typo" in flags(incident)


def test_five_digit_year_in_a_document_is_flagged():
    incident = extract_text("# Cluster outage\n\nOn 20202-10-28 at 09:00 UTC the cluster went down.\n")
    assert event_times(incident) == ["2020-10-28T09:00:00Z"]
    assert "date-typo" in flags(incident)
