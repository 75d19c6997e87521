"""Which day a clock time is on when the text names other days around it: a paragraph of
background set on an earlier day, a mail's own Date header, a numeric month/day before a clock,
and a prose clock the timeline dates elsewhere. Sentences are written for the tests, in the
styles of several kinds of organization."""

from __future__ import annotations

import pytest

from ingest.normalise import normalise
from ingest.pipeline import extract
from ingest.read import source_from_bytes


def stamps(text: str, name: str = "x.md") -> list[str]:
    """The minute- or day-level stamps of the document's one incident, in order."""
    [result] = extract(normalise(source_from_bytes(name, text.encode())))
    return [e["at"][:16] for e in result["timeline"]]


@pytest.mark.parametrize(
    "background",
    [
        # an ISP's RFO: the maintenance notice came days before
        "The maintenance notice was received by mail on 7 April 2025 and accepted by our NOC.",
        # a payments company's RCA: the latent failure weeks before
        "When the renewal job ran on 27 February 2025 it failed with HTTP 401, and nobody was told.",
        # a scheduling SaaS: the migration that set the trap
        "On 24 March 2025 we moved all of our scheduled jobs to the new scheduler, keeping their local times.",
    ],
)
def test_a_paragraph_set_on_an_earlier_day_does_not_move_the_paragraphs_after_it(background):
    text = (
        "# Outage on 12 April 2025\n\nAt 11:42 UTC on 12 April 2025 the service went down.\n\n"
        f"{background}\n\nAt 13:05 UTC traffic moved to the spare path and at 16:30 UTC service was restored.\n"
    )
    found = stamps(text)
    assert {"2025-04-12T13:05", "2025-04-12T16:30"} <= set(found), found


def test_an_earlier_day_followed_by_its_own_clock_times_does_move_the_text():
    text = (
        "# Outage on 12 April 2025\n\nAt 11:42 UTC on 12 April 2025 the service went down.\n\n"
        "The trigger came a day before. On 11 April 2025 the config was changed at 22:10 UTC and nothing alerted.\n"
    )
    assert "2025-04-11T22:10" in stamps(text)


def test_a_day_heading_for_an_earlier_day_dates_the_entries_under_it():
    text = (
        "# Outage on 12 April 2025\n\nAt 11:42 UTC on 12 April 2025 the service went down.\n\n"
        "## Timeline\n\n**11 April 2025**\n\n- 22:10 UTC config changed\n\n**12 April 2025**\n\n- 11:42 UTC alarms\n"
    )
    assert "2025-04-11T22:10" in stamps(text)


def test_a_mails_date_header_is_the_notice_s_own_day_not_the_outage_s():
    text = (
        "From: NOC <noc@example.net>\nDate: Wed, 13 Aug 2025 11:26:04 +0530\nSubject: RFO: outage on 12-08-2025\n\n"
        "Dear Customer,\n\nThis is with reference to the outage faced by you on 12th August 2025.\n\nOutage start time: 11:42 IST\n\n"
        "The approved maintenance window was notified by mail on 7 August 2025.\n\n"
        "At 13:05 IST traffic moved to the spare path.\n"
    )
    found = stamps(text)
    assert {"2025-08-12T06:12", "2025-08-12T07:35"} <= set(found), found


@pytest.mark.parametrize(
    "rows, expected",
    [
        # a Japanese SaaS's month/day table
        ("| 11/18 16:10 | Batch schedule changed |\n| 11/19 23:40 | Workers time out |", ["2024-11-18T07:10", "2024-11-19T14:40"]),
        # a European team's day/month table: 19 cannot be a month
        ("| 18/11 16:10 | Batch schedule changed |\n| 19/11 23:40 | Workers time out |", ["2024-11-18T07:10", "2024-11-19T14:40"]),
    ],
)
def test_a_numeric_day_and_month_before_a_clock_is_that_entry_s_date(rows, expected):
    text = f"# Invoice delay (November 2024)\n\nOn November 19, 2024 invoices were late.\n\n## Timeline (JST)\n\n| Date and time | Event |\n|---|---|\n{rows}\n"
    assert [s for s in stamps(text) if "T" in s] == expected


def test_a_prose_clock_takes_the_date_the_timeline_gives_the_same_clock():
    text = (
        "# ledger-api down (2025-03-11)\n\n## Timeline\n\n- 2025-03-11 07:52 UTC PR merged\n- 2025-03-11 08:19 UTC errors begin\n\n"
        "## What happened\n\nOn Monday the ledger team asked us to reproduce a bug in staging. The change merged at 07:52 UTC.\n"
    )
    assert stamps(text).count("2025-03-11T07:52") >= 1 and "2025-03-10T07:52" not in stamps(text)


@pytest.mark.parametrize(
    "header",
    [
        # a hosting co-op's plain-text write-up
        " when:    Sat 9 Aug 2025 (times below are CEST)\n written: Tue 12 Aug 2025, by jonas",
        # a field-service company's incident write-up
        "Incident date: Sat Aug 9, 2025     Severity: SEV2\nWritten up by Dana, Tue Aug 12. Times below are CEST.",
    ],
)
def test_a_labelled_incident_day_dates_the_story_when_a_later_day_is_named_in_passing(header):
    text = (
        f"INCIDENT WRITE-UP: host lost both disks\n{header}\n\n"
        "hi all, this is the write-up for saturday's mess, as promised at the members call on sunday. "
        "mail was down from 11:02 until 14:30.\n\nTIMELINE\n\n  09:14  ---  disk alarm\n  11:02  ---  outage starts\n"
    )
    found = stamps(text, "x.txt")
    assert {"2025-08-09T09:02", "2025-08-09T12:30", "2025-08-09T07:14"} <= set(found), found


def test_a_day_heading_in_the_timeline_overrides_the_labelled_incident_day():
    text = (
        "# Checkout failures\n\n**Date of incident:** 2025-03-14\n\n## Timeline\n\nAll times UTC.\n\n"
        "**2025-03-11**\n\n- 02:10 flag enabled for 5% of pods (canary).\n\n**2025-03-14**\n\n- 14:02 flag moved to 100%.\n"
    )
    found = stamps(text)
    assert "2025-03-11T02:10" in found and "2025-03-14T02:10" not in found


def test_a_weekday_in_passing_dates_the_clock_right_after_it_and_nothing_else():
    # a hard-wrapped write-up: "on Monday" ends a sentence that started on the line before
    text = (
        "INCIDENT WRITE-UP: job sync failures\nIncident date: Tue Oct 15, 2024\nTimes below are UTC.\n\n"
        "The CronJob was created suspended and only got\nunsuspended at cutover on Monday 10/14 around 2:15 PM, which is why Tuesday\n"
        "morning was its first run.\n\n[09:36] rhea: dispatch is getting calls from techs\n[09:41] priya: killing the job\n"
    )
    found = stamps(text, "x.txt")
    assert "2024-10-14T14:15" in found and {"2024-10-15T09:36", "2024-10-15T09:41"} <= set(found), found


@pytest.mark.parametrize(
    "text, expected",
    [
        # a cloud provider's summary: a second, parallel impact told after the first one's late end
        ("# Storage event\n\nBetween 10:43 AM and 3:18 PM PDT on July 22, 2025, volumes were impaired; the last ones were recovered "
         "at 9:40 PM PDT. In addition, between 10:55 AM and 5:02 PM PDT, control-plane calls failed.\n", "2025-07-22T17:55"),
        # a bank's notice: the afternoon's card declines told after the evening's settlement delay
        ("# Card payments\n\nOn 7 December 2024 settlement files were late until 8:50 PM CET. Card payments had been declined "
         "from 9:30 AM to 11:05 AM CET.\n", "2024-12-07T08:30"),
    ],
)
def test_a_prose_clock_less_than_half_a_day_behind_the_previous_one_stays_on_its_day(text, expected):
    assert expected in stamps(text)


def test_a_range_ending_past_midnight_does_not_move_the_story_to_the_next_day():
    # a game host's Discord post: the evening's outages at a glance, then each wave in turn
    text = (
        "# Saturday night outages\n\nWhat went wrong on **Saturday, 16 November 2024**. All times below are **UTC**.\n\n"
        "## Outages at a glance\n\n- Outage 1: 19:12 – 19:26, all servers unreachable\n- Outage 4: 23:47 – 00:09, servers missing from the browser\n\n"
        "## What actually happened\n\nA reflection attack hit at 19:12. At 19:23 we forced diversion by hand.\n"
    )
    found = stamps(text)
    assert "2024-11-17T00:09" in found and "2024-11-16T19:23" in found and "2024-11-17T19:23" not in found, found


@pytest.mark.parametrize("declaration", ["All times below are **CET**.", "Times in this post are *CET*."])
def test_a_zone_declared_in_emphasis_sets_the_zone(declaration):
    text = f"# Outages\n\nOn Saturday, 16 November 2024 the servers went down. {declaration}\n\n- 19:12 – 19:26 all servers unreachable\n"
    assert "2024-11-16T18:12" in stamps(text)


@pytest.mark.parametrize(
    "row",
    [
        # a ferry operator's review: the change approved days before
        "| Tue 8 July | Change CHG-2291 approved: the weekly index rebuild moves to 06:30 on Saturdays. |",
        # a clinic chain's review: the vendor's notice months before
        "| 11 February | The vendor announced the new certificate chain in its customer newsletter. |",
    ],
)
def test_a_lead_up_row_dated_by_day_alone_does_not_date_the_clock_rows_after_it(row):
    text = (
        "# Check-in failures, Saturday 12 July 2025\n\n"
        "All times UTC.\n\n## Timeline\n\n| Time | Observation |\n|---|---|\n"
        f"{row}\n| 06:40 | First kiosk failures; check-in requests time out. |\n| 08:15 | Check-in working normally at all ports. |\n"
    )
    found = stamps(text)
    assert "2025-07-12T06:40" in found and "2025-07-12T08:15" in found


def test_a_date_column_beside_a_time_column_still_dates_its_row():
    text = (
        "# Proxy certificate expired\n\nAll times UTC.\n\n## Timeline\n\n| Date | Time | Event |\n|---|---|---|\n"
        "| 2025-03-10 | 11:20 | Quarterly credential rotation revokes the old DNS token. |\n"
        "| 2025-04-02 | 15:00 | Proxy certificate expires and runners start failing. |\n"
    )
    assert stamps(text)[:2] == ["2025-03-10T11:20", "2025-04-02T15:00"]


@pytest.mark.parametrize("phrase", ["against about 90 on a normal Saturday morning", "more than on a typical Monday"])
def test_any_such_weekday_dates_nothing(phrase):
    text = f"# Calls surge\n\nOn Friday 11 July 2025 the contact centre took 640 calls, {phrase}. At 09:30 UTC the queue was empty again.\n"
    assert "2025-07-11T09:30" in stamps(text)


def test_the_date_a_review_was_held_does_not_date_the_timeline():
    text = (
        "# Kiosk outage, 12 July 2025\n\n**Facilitator:** Orla Keane · **Review held:** 17 July 2025\n\n"
        "All times UTC.\n\n## Timeline\n\n- 06:40 First kiosk failures.\n- 08:15 Kiosks working normally again.\n"
    )
    assert "2025-07-12T06:40" in stamps(text)
