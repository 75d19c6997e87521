"""Times and windows in house styles the first rules missed: zone pairs and less common
abbreviations, dotted clocks with am/pm, day-month-year and month-day dates, prose that runs
past midnight, outage markers in timelines, and windows stated by cue words.

Every sentence here is written for the test, in the shape of at least two organisations'
postmortems (never copied from the gold).
"""

from __future__ import annotations

import pytest

from ingest.normalise import normalise
from ingest.pipeline import extract
from ingest.read import source_from_bytes


def incident(text: str, name: str = "x.md") -> dict:
    return extract(normalise(source_from_bytes(name, text.encode(), None)))[0]


def stamps(text: str) -> list[str]:
    return [e["at"][:16] for e in incident(text)["timeline"]]


def windows(text: str) -> list[tuple[str, str]]:
    return [(w["start"][:16], w["end"][:16]) for w in incident(text)["impact_windows"]]


@pytest.mark.parametrize(
    "header, clock, expected",
    [
        ("## Timeline (all times in PST/PDT)", "16:27", "2016-11-08T00:27"),  # PST in November
        ("## Timeline (all times in PDT/PST)", "09:00", "2021-07-01T16:00"),  # PDT in July
        ("All times are in EST/EDT.", "08:15", "2021-07-01T12:15"),
        ("Times below are in CET/CEST", "10:00", "2021-07-01T08:00"),
    ],
)
def test_a_header_naming_a_zone_pair_follows_daylight_saving(header, clock, expected):
    day = expected[:10] if "2016" not in expected else "2016-11-07"
    text = f"# Outage\n\n{header}\n\n- {day} {clock} Builds started failing for every pull request.\n"
    assert expected in [s for s in stamps(text)]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("16:42 GST: validators reported an app hash mismatch and the chain halted", "2022-11-06T12:42"),
        ("09:10 SAST: the payments API started returning errors", "2022-11-06T07:10"),
        ("10:05 AEST: customers could not log in", "2022-11-06T00:05"),
    ],
)
def test_less_common_zone_abbreviations_convert_to_utc(line, expected):
    assert expected in stamps(f"# Incident\n\n## Timeline\n\n6th November 2022:\n{line}\n")


def test_dotted_clock_with_am_pm_and_zone_is_a_time():
    text = "# Hub outage\n\nThe hubs went down around 2.30 AM PST on 1/20/2022 and users reported errors around 5.45 AM PST.\n"
    assert {"2022-01-20T10:30", "2022-01-20T13:45"} <= set(stamps(text))


def test_a_stray_pm_on_a_24_hour_clock_is_ignored():
    text = "# Incident\n\n## Timeline (UTC)\n\n- 2024-03-14 19:40pm Database failover completed.\n- 2024-03-14 20:05 Error rates returned to normal.\n"
    assert "2024-03-14T19:40" in stamps(text)


@pytest.mark.parametrize("title, expected", [("Outage report 14-03-2025", "2025-03-14"), ("Incident 24-11-2023: API errors", "2023-11-24")])
def test_day_month_year_dates_are_read_when_the_day_cannot_be_a_month(title, expected):
    text = f"# {title}\n\nAt 10:00 UTC the API started failing; it recovered at 10:30 UTC.\n"
    assert stamps(text)[0].startswith(expected)


def test_month_day_entries_before_a_clock_take_the_year_from_context():
    text = (
        "# March 26th, 2019 queue outage\n\nAll times in PDT (UTC-7).\n\n## Timeline\n\n"
        "- [03-20 16:46] The worker spec is updated but the pod is not restarted\n"
        "- [03-26 02:50] The outage is reported by a user\n"
    )
    assert {"2019-03-20T23:46", "2019-03-26T09:50"} <= set(stamps(text))


def test_prose_saying_the_next_morning_moves_to_the_next_day():
    text = (
        "# Database outage\n\nOn 2 September 2025 at 20:30 UTC the restore was still running. "
        "At 07:21 UTC the next morning, the extraction of the weekly backup was complete.\n"
    )
    assert "2025-09-03T07:21" in stamps(text)


def test_prose_clock_far_behind_the_previous_one_is_the_next_day():
    text = "# Outage\n\nOn March 3, 2024 at 22:40 UTC the cluster lost quorum. At 04:10 UTC the last node rejoined and writes resumed.\n"
    assert "2024-03-04T04:10" in stamps(text)


def test_prose_clock_a_little_behind_stays_on_the_same_day():
    text = "# Outage\n\nOn March 3, 2024 at 14:40 UTC we rolled back. The bad change had shipped at 09:10 UTC.\n"
    assert "2024-03-03T09:10" in stamps(text)


@pytest.mark.parametrize("start_marker, end_marker", [("**<START OF OUTAGE>**", "**<END OF OUTAGE>**"), ("(**outage starts**)", "(**outage ends**)")])
def test_outage_markers_in_a_timeline_give_a_derived_window(start_marker, end_marker):
    text = (
        "# Build breakage\n\n## Timeline (all times UTC)\n\n### 2016-11-07\n\n"
        f"- 16:27 A broken package version is published {start_marker}\n"
        "- 21:36 Engineers report that every pull request fails\n"
        f"- 23:15 The pinned version lands. {end_marker}\n"
    )
    assert windows(text) == [("2016-11-07T16:27", "2016-11-07T23:15")]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("The homeserver was unavailable from 2025-09-02 17:45 UTC and full service resumed at 2025-09-03 18:00 UTC.", [("2025-09-02T17:45", "2025-09-03T18:00")]),
        ("Starting at 09:10 UTC on 4 May 2024 the dashboard could not be reached over HTTPS; it was restored at 11:45 UTC.", [("2024-05-04T09:10", "2024-05-04T11:45")]),
    ],
)
def test_a_window_stated_by_cue_words_in_one_sentence(sentence, expected):
    assert windows(f"# Incident\n\n{sentence}\n") == expected


def test_phases_across_the_sentences_of_a_summary_paragraph_are_separate_windows():
    text = (
        "# Relay outage\n\nOn November 5th 2024 our relays started with degraded performance around 11:00 GMT "
        "and transitioned to a full outage by 17:00 GMT. The outage was noticed by 22:50 GMT and resolved at 23:01 GMT.\n"
    )
    assert windows(text) == [("2024-11-05T11:00", "2024-11-05T17:00"), ("2024-11-05T17:00", "2024-11-05T23:01")]


def test_a_range_with_a_parenthetical_aside_is_still_a_range():
    text = "# Chain halt\n\n**Date of incident**: 6th November, 2022 between 12.39UTC (Block #8647535) and 17.17UTC\n\nThe chain halted.\n"
    assert windows(text) == [("2022-11-06T12:39", "2022-11-06T17:17")]


def test_a_range_in_an_opening_paragraph_is_the_impact_whatever_its_words():
    text = "# Dashboard incident\n\nOn 4 May 2024 between 09:10 and 11:45 UTC the dashboard answered over plain HTTP only.\n\n## Timeline\n\n- 09:10 UTC certificate renewal job ran\n"
    assert windows(text) == [("2024-05-04T09:10", "2024-05-04T11:45")]


def test_several_short_windows_in_one_sentence_are_each_a_window():
    text = "# Incident\n\n## Impact\n\nOn 2024-06-02 checkout failed from 14:02–14:09 UTC, 14:20–14:22 UTC and 15:01–15:05 UTC.\n"
    assert windows(text) == [("2024-06-02T14:02", "2024-06-02T14:09"), ("2024-06-02T14:20", "2024-06-02T14:22"), ("2024-06-02T15:01", "2024-06-02T15:05")]


def test_each_product_with_its_own_window_gives_one_window_each():
    text = (
        "# Storage incident on 2024-06-02\n\n## Impact\n\n"
        "- Object storage: from 10:05 to 10:40 US/Pacific\n- Block storage: from 10:12 to 11:02 US/Pacific\n"
    )
    assert windows(text) == [("2024-06-02T17:05", "2024-06-02T17:40"), ("2024-06-02T17:12", "2024-06-02T18:02")]


@pytest.mark.parametrize(
    "fields",
    [
        "**Impact start:** 2024-06-02 10:05 UTC\n**Impact end:** 2024-06-02 10:40 UTC",
        "Start of impact: 2024-06-02 10:05 UTC\nEnd of impact: 2024-06-02 10:40 UTC",
        "| Impact began | 2024-06-02 10:05 UTC |\n| Mitigated | 2024-06-02 10:40 UTC |",
    ],
)
def test_labelled_start_and_end_fields_give_the_window(fields):
    assert windows(f"# Incident\n\n{fields}\n\nThe API returned errors.\n") == [("2024-06-02T10:05", "2024-06-02T10:40")]


def test_an_incident_day_that_is_also_the_publication_day_stays_on_the_timeline():
    text = "---\ntitle: API outages\ndate: 2014-07-16 23:29 UTC\n---\n\nThe API was down for 53 minutes on July 15 and for 3 hours on July 16.\n\nPublished on July 16, 2014.\n"
    days = [e["at"] for e in incident(text)["timeline"] if e["precision"] == "day"]
    assert days.count("2014-07-16") == 1 and "2014-07-15" in days


@pytest.mark.parametrize(
    "between",
    [
        "A routine deploy hit the same cause as October 21.",
        "This repeated what we saw on 2025-10-21, only worse.",
    ],
)
def test_a_date_named_in_passing_does_not_move_the_timeline_entries_after_it(between):
    text = (
        "# Flags outages\n\n## Timeline\n\n### October 21, 2025\n\n- **19:00 UTC** - Deploy\n\n"
        f"### October 28, 2025\n\n{between}\n\n- **19:12 UTC** - Pods crash loop\n- **19:23 UTC** - On-call paged\n"
    )
    assert {"2025-10-28T19:12", "2025-10-28T19:23"} <= set(stamps(text))


@pytest.mark.parametrize("heading, first", [("Timeline (UTC)", "2024-03-03T14:02:00Z"), ("Events (UTC)", "2024-03-03T14:02:00Z"), ("Chronology (CET)", "2024-03-03T13:02:00Z")])
def test_a_zone_in_parentheses_after_the_timeline_heading_sets_the_zone(heading, first):
    text = f"# Disk full\n\n## {heading}\n\n- 2024-03-03 14:02 - The site went down.\n- 15:47 - Site back online.\n"
    incident = extract(normalise(source_from_bytes("x.md", text.encode(), None)))[0]
    assert incident["timeline"][0]["at"] == first


@pytest.mark.parametrize(
    "body",
    [
        "- 03.03.2024 14:02 UTC Site down\n- 03.03.2024 15:47 UTC Site up\n",
        "- 2024/03/03 14:02 UTC Site down\n- 2024/03/03 15:47 UTC Site up\n",
        "On March 3, 2024:\n\n- 14:02 Site down\n- 15:47 Site up\n",
        "All times UTC, 3 March 2024.\n\n- 14:02 — Site down\n- 15:47 — Site up\n",
    ],
)
def test_timeline_dates_in_european_and_context_line_styles(body):
    """Day.month.year dates are read; a line that only states the date (and zone) sets context, it is no event."""
    text = f"# Outage on our site\n\n## Timeline (UTC)\n\n{body}"
    incident = extract(normalise(source_from_bytes("x.md", text.encode(), None)))[0]
    assert sorted({e["at"] for e in incident["timeline"]}) == ["2024-03-03T14:02:00Z", "2024-03-03T15:47:00Z"]


def test_a_version_number_is_no_date():
    text = "# Release\n\n## Summary\n\nVersion 1.2.2024 was released, and v3.4.2021 was retired.\n"
    assert extract(normalise(source_from_bytes("x.md", text.encode(), None)))[0]["timeline"] == []


def test_a_window_opened_by_a_dated_time_in_a_european_style():
    text = "# Shop outage\n\nOn 24.12.2023 at 08.15 CET the shop was down until 09.40 CET.\n"
    windows = extract(normalise(source_from_bytes("x.md", text.encode(), None)))[0]["impact_windows"]
    assert [(w["start"], w["end"]) for w in windows] == [("2023-12-24T07:15:00Z", "2023-12-24T08:40:00Z")]


@pytest.mark.parametrize("declaration, first", [("Times in IST (UTC+5:30).", "2024-03-03T08:32:00Z"), ("Timestamps are in UTC+02:00.", "2024-03-03T12:02:00Z")])
def test_the_offset_in_a_zone_declaration_is_no_clock_time(declaration, first):
    text = f"# Outage\n\n## Timeline\n\n{declaration}\n\n- 2024-03-03 14:02 - The site went down.\n"
    incident = extract(normalise(source_from_bytes("x.md", text.encode(), None)))[0]
    assert [e["at"] for e in incident["timeline"]] == [first]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("The full impact of this incident was not resolved until midnight UTC on March 17, 2023.", "2023-03-17T00:00"),
        ("Service was restored at noon PT on March 4, 2025.", "2025-03-04T20:00"),
        ("Recovery completed by midday (CET) on 4 March 2025.", "2025-03-04T11:00"),
    ],
)
def test_midnight_and_noon_with_a_zone_are_clock_times(sentence, expected):
    assert stamps(f"# Outage\n\n{sentence}\n") == [expected]


def test_a_bare_midnight_without_zone_is_not_a_stamp():
    assert stamps("# Outage\n\nOn March 4, 2025 backups run at midnight, as every day.\n") == ["2025-03-04"]


@pytest.mark.parametrize("lead", ["On the 15th the origin was overloaded.", "Starting on March 15th, 2023, the origin was overloaded."])
def test_a_clock_followed_by_on_the_ordinal_takes_that_day(lead):
    text = f"# Outage of March 14, 2023\n\n{lead} On the 17th we shipped more fixes.\n\nThe fix was in place at roughly 8 PM UTC on the 16th.\n"
    assert "2023-03-16T20:00" in stamps(text) and "2023-03-17T20:00" not in stamps(text)


@pytest.mark.parametrize(
    "background",
    ["Back on 12 January I rebuilt the server and the old backups were never cleaned up.",
     "The cleanup cron job had been failing every night since 12 January without telling anyone."],
)
def test_a_date_named_as_background_does_not_date_the_times_after_it(background):
    text = f"# Sunday night's downtime\n\n{background}\n\nOn Sunday at about 7:30pm GMT the nightly backup ran out of space.\n"
    assert stamps_named(text, "forum-2025-01-26-downtime.md")[-1] == "2025-01-26T19:30"


def stamps_named(text: str, name: str) -> list[str]:
    return [e["at"][:16] for e in incident(text, name)["timeline"]]


@pytest.mark.parametrize(
    "declaration",
    ["All times in this report are UK time.", "Times throughout this post are UK time.", "All times mentioned are UK time."],
)
def test_a_zone_declared_for_the_report_in_more_words(declaration):
    text = f"# Payments outage on 4 March 2025\n\n{declaration}\n\nBetween 8:15am and 1:40pm on Tuesday 4th March, residents could not pay online.\n"
    assert windows(text) == [("2025-03-04T08:15", "2025-03-04T13:40")] and incident(text)["impact_windows"][0]["start"].endswith("Z")


@pytest.mark.parametrize(
    "text, expected",
    [
        # an ISP's notice posted the day after: "on Tuesday" is the Tuesday before
        ("Posted: Wednesday 19 February 2025, 10:30am UTC\n\nNo internet service from 6:12pm UTC on Tuesday until 1:20am UTC on Wednesday 19 February.\n",
         ("2025-02-18T18:12", "2025-02-19T01:20")),
        # a maintainer's write-up dated Monday: "Sunday" is the day before
        ("Incident of Monday, March 10, 2025.\n\nThe index was unavailable from 23:10 UTC Sunday until 00:40 UTC.\n",
         ("2025-03-09T23:10", "2025-03-10T00:40")),
    ],
)
def test_a_weekday_alone_is_the_nearest_such_day_to_the_context_date(text, expected):
    assert windows(f"# Outage\n\n{text}") == [expected]


def test_a_weekday_without_a_time_is_no_event_of_its_own():
    text = "# Outage\n\nPosted: Wednesday 19 February 2025\n\nOn Tuesday evening the backup route was out for maintenance. At 8:40pm UTC our crew arrived.\n"
    assert sorted(stamps(text)) == ["2025-02-18T20:40", "2025-02-19"]


@pytest.mark.parametrize(
    "timeline",
    [
        "2024-03-03, times in JST (UTC in parentheses)\n\n* **23:02** (14:02 UTC) Checkout errors begin.\n",
        "All times UTC, with Pacific time in brackets.\n\n- 2024-03-03 14:02 (6:02 am PT) — Checkout errors begin.\n",
    ],
)
def test_a_bracketed_conversion_does_not_lend_its_zone_to_the_time_before_it(timeline):
    assert {s for s in stamps(f"# Outage\n\n## Timeline\n\n{timeline}") if "T" in s} == {"2024-03-03T14:02"}


@pytest.mark.parametrize(
    "sentence",
    [
        "**Impact:** From 23:02 to 23:47 JST (14:02–14:47 UTC) on 2024-03-03, checkout attempts failed.",
        "Between 14:02 and 14:47 UTC on March 3, 2024, customers were unable to log in.",
        "From 14:02 to 14:47 UTC, on 3 March 2024, uploads failed.",
    ],
)
def test_a_date_stated_at_the_end_of_a_sentence_dates_its_earlier_times(sentence):
    text = f"# Outage\n\nPublished 2024-03-06.\n\n{sentence}\n"
    assert windows(text) == [("2024-03-03T14:02", "2024-03-03T14:47")]


@pytest.mark.parametrize(
    "sentence",
    ["Checkout failed from 23:02 to 23:47 JST (14:02–14:47 UTC) on 2024-03-03.",
     "All times below are JST.\n\nUploads failed 14:02 – 14:47 UTC on 2024-03-03."],
)
def test_a_range_takes_the_zone_stated_at_its_end_over_the_sentence_s_or_the_text_s(sentence):
    assert windows(f"# Outage\n\n{sentence}\n") == [("2024-03-03T14:02", "2024-03-03T14:47")]


def test_a_weekday_after_an_earlier_date_is_the_nearest_one_not_the_week_before():
    text = "# Outage\n\nIncident of April 2, 2024.\n\nApril 1 had been a holiday in several countries. On Tuesday we were paged at 10:26 a.m. UTC.\n"
    assert "2024-04-02T10:26" in stamps(text)


def test_a_date_in_a_clause_of_its_own_does_not_date_the_entry_s_time():
    text = ("# Check-in outage on 14 January 2025\n\nTimeline (all times UTC):\n\n"
            "- 04:00 – Provider starts a planned network change (announced to us on 8 January as no impact).\n"
            "- 05:20 – Check-in stops working at all stations.\n")
    assert {s for s in stamps(text) if "T" in s} == {"2025-01-14T04:00", "2025-01-14T05:20"}


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Created: 24/Jun/25 2:05 PM UTC", "2025-06-24T14:05"),
        ("2025-06-24 log: first failure 24-Jun-2025 13:20 UTC", "2025-06-24T13:20"),
    ],
)
def test_day_month_name_year_dates_of_trackers_and_logs(line, expected):
    assert expected in stamps(f"# Stock sync failing\n\n{line}\n")


def test_a_zone_declared_for_the_ticket():
    text = "# Stock sync failing\n\n(all times in this ticket CEST)\n\nOn 24.6.2025 at 13:20 the sync job started failing.\n"
    assert stamps(text) == ["2025-06-24T11:20"]


@pytest.mark.parametrize(
    "sentence",
    ["Between 14h02 and 15h47 UTC on 3 March 2024, Pix transfers took much longer than usual.",
     "Le 3 March 2024, from 14h02 to 15h47 UTC, card payments failed."],
)
def test_the_hour_h_minute_clock(sentence):
    assert windows(f"# Outage\n\n{sentence}\n") == [("2024-03-03T14:02", "2024-03-03T15:47")]


def test_an_hour_h_minute_duration_is_no_clock():
    assert stamps("# Outage\n\nOn 3 March 2024 the restore took 1h45m and the rebuild 24h.\n") == ["2024-03-03"]


@pytest.mark.parametrize(
    "text, expected",
    [
        # an email sent in January names a change made in December: last year's December
        ("Date: Thu, 16 Jan 2025\n\nThe filter rule was changed on December 19. On January 14 at 14:05 UTC mail stopped.\n", ["2024-12-19", "2025-01-14T14:05"]),
        # a timeline running from December into January: next year's January
        ("## Timeline\n\n- December 30, 2024 23:10 UTC: backups stopped.\n- January 2 09:00 UTC: the disk filled.\n", ["2024-12-30T23:10", "2025-01-02T09:00"]),
    ],
)
def test_a_date_without_a_year_takes_the_year_nearest_the_running_date(text, expected):
    assert [s for s in stamps(f"# Outage\n\n{text}") if s != "2025-01-16"] == expected


@pytest.mark.parametrize(
    "table",
    [
        "| CEST | UTC | Event |\n|---|---|---|\n| 2024-07-03 16:02 | 14:02 | Save errors start |\n",
        "| Time (PT) | Time (UTC) | What happened |\n|---|---|---|\n| 2024-07-03 07:02 | 14:02 | Save errors start |\n",
    ],
)
def test_a_table_column_headed_by_a_zone_holds_times_in_that_zone(table):
    assert {s for s in stamps(f"# Outage\n\n## Timeline\n\n{table}") if "T" in s} == {"2024-07-03T14:02"}


@pytest.mark.parametrize(
    "sentence",
    ["Between 6:02 AM on Sunday, March 3, 2024 and 7:47 AM on Sunday, March 3, 2024 (Pacific time), reminders were sent twice.",
     "Reminders were sent twice from 6:02 to 7:47 on 3 March 2024 (all times PT)."],
)
def test_a_zone_stated_alone_in_brackets_is_the_sentence_s_zone(sentence):
    assert windows(f"# Duplicate reminders\n\n{sentence}\n") == [("2024-03-03T14:02", "2024-03-03T15:47")]


def test_a_weekday_named_far_from_any_figure_still_dates_the_times_after_it():
    text = ("# Email delays\n\nMail was delayed on Tuesday, January 14, 2025 from 7:50 a.m. UTC until 2:15 p.m. UTC.\n\n"
            "Wednesday morning's repeat was on the vendor's side: their nightly configuration sync copied the old certificate back. "
            "We replaced it again at 9:35 a.m. UTC.\n")
    assert "2025-01-15T09:35" in stamps(text)


def test_a_closing_date_after_a_bracketed_aside_still_dates_the_sentence():
    text = "# One-way audio\n\nPosted July 10, 2025.\n\nBetween 09:12 and 10:47 UTC-5 (Colombia time) on Tuesday, July 8, calls had one-way audio.\n"
    assert windows(text) == [("2025-07-08T14:12", "2025-07-08T15:47")]


@pytest.mark.parametrize(
    "sentence",
    ["All jobs failed between 2024-02-02 23:04 UTC and 2024-02-03 08:12 UTC.",
     "Builds failed from February 2, 2024 23:04 UTC until February 3, 2024 08:12 UTC."],
)
def test_a_month_typo_against_the_title_and_file_name_is_corrected_and_flagged(sentence):
    text = f"# March 3rd, 2024 build outage\n\n{sentence}\n"
    found = incident(text, "ci-2024-03-03-build-outage.md")
    assert [(w["start"][:16], w["end"][:16]) for w in found["impact_windows"]] == [("2024-03-02T23:04", "2024-03-03T08:12")]
    assert "date-typo" in [f["flag"] for f in found["quality_flags"]]


def test_a_date_a_month_off_is_kept_when_the_title_does_not_confirm_the_file_name():
    text = "# Build outage\n\nAll jobs failed between 2024-02-02 23:04 UTC and 2024-02-03 08:12 UTC.\n"
    found = incident(text, "ci-2024-03-03-build-outage.md")
    assert [(w["start"][:16], w["end"][:16]) for w in found["impact_windows"]] == [("2024-02-02T23:04", "2024-02-03T08:12")]


def test_a_weekday_used_as_an_adjective_dates_nothing():
    text = ("# Outage on Sunday 9 March 2025\n\n## Impact\n\nReports were late; most belonged to tenants whose Monday-morning reports run then.\n\n"
            "## Resolution\n\nAt 03:06 UTC the storage on-call rolled back the change.\n")
    assert "2025-03-09T03:06" in stamps(text)


def test_a_day_before_named_in_passing_does_not_date_what_follows():
    text = ("# Notice\n\n## What happened\n\nOn Friday 14 February 2025 logins failed. We had emailed 180,000 bills on Thursday, so more people than usual logged in.\n\n"
            "We moved the website back to the old login system at 09:55 UTC.\n")
    assert "2025-02-14T09:55" in stamps(text)


def test_a_weekday_opening_its_clause_still_dates_what_follows():
    text = ("# Ingestion delays\n\n## What happened\n\nApril 1 had been a holiday in several countries, and Tuesday morning traffic was higher than usual. "
            "Our engineer was paged at 10:26 UTC.\n\nSummary: the delays were on Tuesday, April 2, 2024.\n")
    assert "2024-04-02T10:26" in stamps(text)


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("So for roughly 3:40 to 5:10pm UTC on 11 March 2025, the cache was down for everyone.", ("2025-03-11T15:40", "2025-03-11T17:10")),
        ("On 11 March 2025 checkout failed from 9:15 to 11:30am GMT.", ("2025-03-11T09:15", "2025-03-11T11:30")),
    ],
)
def test_a_range_start_takes_the_am_or_pm_of_its_end(sentence, expected):
    assert windows(f"# Outage\n\n## Summary\n\n{sentence}\n") == [expected]


@pytest.mark.parametrize(
    "opening",
    ["[10/4/2025 1:17 PM] hey folks, writeup for last night's mess as promised.",
     "Posted 4 October 2025. Yesterday evening our game servers dropped players several times."],
)
def test_last_night_or_yesterday_in_a_post_dates_its_clocks_the_day_before(opening):
    text = f"{opening}\n\nServers were unreachable from 23:42 to 23:49 UTC.\n"
    assert windows(text) == [("2025-10-03T23:42", "2025-10-03T23:49")]


def test_an_abbreviated_weekday_before_a_clock_dates_it():
    text = ("# Scratch filled up on Saturday, November 2, 2024\n\n## What users saw\n\nPosted Monday, November 4, 2024.\n\n"
            "- **Write failures** (Sat 21:40 UTC – Mon 11:05 UTC)\n")
    assert windows(text) == [("2024-11-02T21:40", "2024-11-04T11:05")]


FIXED_WIDTH_REPORT = """MAJOR INCIDENT REPORT

Start (CEST)         : 14/06/2025 06:42

2. CHRONOLOGY (all times CEST, 14/06/2025 unless stated)

02/06/2025  First memory parity error logged by the switch
            supervisor (not alarmed).
06:35       Standard change implemented by Network Operations.
06:42       First transaction timeouts from the airport kiosks.
09:18       All channels confirmed working.
"""


def test_a_fixed_width_chronology_gives_one_event_per_line_on_its_stated_day():
    found = stamps(FIXED_WIDTH_REPORT)
    assert "2025-06-02" in found  # day-first, like the other dates of the report
    for stamp in ("2025-06-14T04:35", "2025-06-14T04:42", "2025-06-14T07:18"):
        assert stamp in found  # the heading's day, not the dated entry's


def test_a_numbered_capital_heading_with_a_note_is_a_section_heading():
    from ingest.segment import segment_text

    blocks = segment_text(FIXED_WIDTH_REPORT)
    heading = next(b for b in blocks if b.kind == "heading" and "CHRONOLOGY" in FIXED_WIDTH_REPORT[b.start:b.end])
    assert heading.section == "timeline"


def test_an_ambiguous_numeric_date_stays_month_first_when_nothing_says_otherwise():
    assert "2025-02-06T10:00" in stamps("# Notice\n\n## Timeline\n\n- 02/06/2025 10:00 UTC Disk alarm raised.\n- 02/06/2025 11:00 UTC Disk replaced.\n")


def test_a_numeric_date_the_text_also_writes_out_is_read_that_way():
    text = "# Bookings outage\n\nDate: 2025-09-02\n\n## Timeline (UTC)\n\n- 02/09/2025 09:58 — PR merged; deploy starts\n- 02/09/2025 10:04 — first 502s\n"
    assert "2025-09-02T09:58" in stamps(text) and "2025-02-09T09:58" not in stamps(text)


def test_a_timeline_entry_takes_the_date_its_clock_is_given_elsewhere_even_without_a_year():
    text = ("# Swap router exploit\n\nPosted Jun 16, 2025.\n\nAt 02:14 UTC on Saturday, June 14, someone started emptying wallets.\n\n"
            "## Background\n\nOn June 12 at 18:03 UTC, the router was upgraded.\n\n## Timeline\n\n"
            "- **02:14 UTC** — The first drain transaction lands.\n- **02:39 UTC** — A user reports a vanished balance.\n")
    found = stamps(text)
    assert "2025-06-14T02:39" in found and "2025-06-12T02:39" not in found


@pytest.mark.parametrize(
    "background",
    ["Staff now know that the vendor had carried out an upgrade of its messaging service overnight on the 8th of January.",
     "The archival run had failed partway through on Wednesday, January 8, and nobody had noticed."],
)
def test_an_earlier_date_told_in_the_past_perfect_is_an_event_but_does_not_move_the_day(background):
    text = (f"# Alert outage, 9 January 2025\n\nAt 4:50 a.m. EST on the 9th of January 2025 a main broke.\n\n"
            f"{background}\n\nThe account was reinstated at 7:05 a.m. EST and delivery resumed.\n")
    found = stamps(text)
    assert "2025-01-08" in found  # the earlier day stays on the timeline
    assert found[-1] == "2025-01-09T12:05"


def test_a_text_naming_both_halves_of_a_daylight_saving_pair_follows_the_change():
    text = ("# Mail outage\n\nA note on times: the Saturday evening times are summer time (CEST) and everything "
            "from Sunday morning on is winter time (CET).\n\nOn Saturday 26 October 2024 at 21h50 the disk reported errors.\n\n"
            "On Sunday 27 October at 09h52 mailboxes became slow.\n")
    assert stamps(text)[-2:] == ["2024-10-26T19:50", "2024-10-27T08:52"]


def test_one_zone_of_a_pair_alone_stays_a_fixed_offset():
    text = "# Outage\n\nAll times are CEST.\n\nOn 27 October 2024 at 09:52 mailboxes became slow.\n"
    assert stamps(text)[-1] == "2024-10-27T07:52"


@pytest.mark.parametrize("stamp", ["2025-07-13T10:44:15Z", "2025-07-13T10:44Z"])
def test_an_iso_timestamp_is_a_24_hour_clock_in_a_text_of_pm_times(stamp):
    text = f"# Recording outage\n\nRecordings failed from 9:40 pm on 12 July 2025 UTC.\n\n## Identified: {stamp}\n\nWe found the cause.\n"
    assert "2025-07-13T10:44" in stamps(text)


def test_a_bare_clock_after_pm_times_in_a_list_is_pm_too():
    text = ("# Survival crash\n\nTimes are eastern.\n\n- **8:07pm EDT** on Saturday July 12, 2025 survival crashed.\n"
            "- **8:15** a mod pinged me.\n- by **8:55** hub and creative were fine again.\n")
    assert stamps(text)[-2:] == ["2025-07-13T00:15", "2025-07-13T00:55"]


def test_last_weekday_with_its_date_is_an_event_but_not_the_day_of_what_follows():
    text = ("# Saturday's crash\n\nLast Sunday (July 6) I rewrote the backup script.\n\n"
            "On Saturday at 8:07pm EDT survival crashed.\n")
    found = stamps_named(text, "lanternfall-2025-07-12-crash.md")
    assert found == ["2025-07-06", "2025-07-13T00:07"]


@pytest.mark.parametrize("generic", ["Tuesday is the heaviest day of our week (the Monday intake is sorted overnight).",
                                      "Mondays are always quiet, and the Friday release train was cancelled."])
def test_a_weekday_that_names_no_particular_day_dates_nothing(generic):
    text = f"# Broker disks\n\nOn Tuesday 18 February 2025 tracking stopped.\n\n{generic}\n\nAt 06:12 UTC broker 4 went down.\n"
    assert stamps(text)[-1] == "2025-02-18T06:12"


def test_yesterday_inside_a_quotation_is_the_speaker_s_not_the_text_s():
    text = ('# Late SMS\n\nOn 18 February 2025 at 09:05 UTC a hub wrote: "recipients get SMS for parcels we delivered '
            'yesterday evening". We paused the sender at 09:12 UTC.\n')
    assert stamps(text)[-1] == "2025-02-18T09:12"


def test_a_prose_clock_ten_hours_behind_the_previous_one_is_the_next_day():
    text = ("# Broker disks\n\nOn Monday 17 February 2025 at 15:32 UTC a retention change was applied.\n\n"
            "The volume kept growing. Broker 5 crossed 85% at 03:40 UTC.\n")
    assert stamps(text)[-1] == "2025-02-18T03:40"


def test_a_clock_far_behind_the_previous_one_in_a_new_section_goes_back_over_the_day():
    text = ("# Mirror outage\n\n## Timeline\n\nOn 3 June 2025 at 02:41 UTC the index was published. "
            "The last mirror was consistent at 13:18 UTC.\n\n## Analysis\n\nNobody was watching: the push ran at 02:41 UTC.\n")
    assert set(stamps(text)) == {"2025-06-03T02:41", "2025-06-03T13:18"}


def test_a_bare_clock_looking_back_from_a_morning_time_in_prose_stays_in_the_morning():
    text = ("# Booking outage\n\nOn Tuesday, September 16, 2025 our on-call engineer was paged at 9:51 a.m. PDT. "
            "There had been a signal earlier: the cache alert fired at 9:43, but it went to a channel nobody watched.\n")
    assert set(stamps(text)) == {"2025-09-16T16:51", "2025-09-16T16:43"}


def test_the_post_s_own_date_does_not_date_the_timeline_entries():
    text = ("Postmortem: New connections failing\n\nPosted Mar 04, 2026 - 15:20 UTC\n\nWhat happened\n\n"
            "On Monday 2 March, between 06:14 and 08:51 UTC, new connections failed.\n\n"
            "Timeline of our updates (UTC):\n06:41 - Investigating: reports of failures.\n09:35 - Resolved.\n")
    found = stamps_named(text, "larkvale-status.txt")
    assert "2026-03-02T06:41" in found and "2026-03-02T09:35" in found and not any(s.startswith("2026-03-04T0") for s in found)


def test_undated_timeline_entries_take_the_first_dated_time_of_the_prose_not_a_later_one():
    text = ("# Payments API write errors\n\nDeclared at: 2025-05-28T14:11:37Z\n\n## Customer impact\n\n"
            "Writes failed from 14:04 to 14:31 UTC. Duplicate authorisations were voided by 11:00 UTC on 2025-05-29.\n\n"
            "## Timeline\n\n| Time (UTC) | Event |\n|---|---|\n| 13:55 | Release starts. |\n| 14:07 | On-call paged. |\n")
    found = stamps(text)
    assert "2025-05-28T13:55" in found and "2025-05-28T14:07" in found


def test_a_second_time_inside_a_timeline_entry_takes_the_entry_s_day():
    text = ("# Router exploit\n\nAt 02:14 UTC on Saturday, June 14, 2025 wallets started draining.\n\n"
            "On June 12 at 18:03 UTC, the router was upgraded.\n\nThis is how the night unfolded:\n\n"
            "- 02:14 UTC — The first drain.\n- 04:37 UTC — The router is paused. The last drain was mined at 04:31 UTC.\n")
    assert "2025-06-14T04:31" in stamps(text)


RESTATED = ("# Fast transfers down\n\nOn Friday, 14 March 2025 transfers failed.\n\n## Chronology (SGT)\n\n"
            "| Time | Event |\n|---|---|\n| 14 Mar 2025 08:00 | Certificate expires. |\n| 10:52 | New certificate installed. |\n\n"
            "## Root cause\n\nThe renewal token was revoked in January. When the job ran on 27 February it failed.\n\n"
            "Retries were queued as new messages. By 10:52 SGT the queue held every instruction twice.\n")


def test_a_prose_clock_restating_a_timeline_time_takes_the_entry_s_day():
    assert "2025-02-27T02:52" not in stamps(RESTATED) and "2025-03-14T02:52" in stamps(RESTATED)


def test_a_clock_in_a_paragraph_that_names_its_own_day_keeps_that_day():
    text = ("# Exam saves\n\n## Summary\n\nOn Monday 31 March 2025 students saw errors between 09:02 and 09:19 CEST.\n\n"
            "## Timeline\n\n| CEST | Event |\n|---|---|\n| Fri 28 Mar 17:30 | Release. |\n| Sat 29 Mar 09:02 | A test run. |\n")
    assert "2025-03-31T07:02" in stamps(text)


@pytest.mark.parametrize("byline", ["Written up by Dana, Wed Oct 16.", "**Posted:** 24 October 2024 · **Updated:** 7 November 2024"])
def test_the_post_s_own_dates_do_not_date_the_prose_after_them(byline):
    text = f"# Sync outage, Tuesday 15 October 2024\n\n{byline}\n\nFrom 9:31 to 10:22 UTC the app could not sync.\n"
    found = stamps(text)
    assert "2024-10-15T09:31" in found and "2024-10-15T10:22" in found


def test_the_past_perfect_reads_across_a_hard_wrapped_line():
    text = ("# Transfers down\n\nOn Friday, 14 March 2025 the certificate expired at 00:00 UTC. Its renewal had\n"
            "failed on 27 February 2025 and nobody noticed.\n\nIt was replaced at 02:52 UTC.\n")
    assert stamps(text)[-1] == "2025-03-14T02:52"


def test_a_clock_before_its_paragraph_names_a_day_restates_the_timeline():
    text = ("# Fast transfers down\n\n## Chronology (SGT)\n\n| Time | Event |\n|---|---|\n| 14 Mar 2025 08:00 | Certificate expires. |\n"
            "| 10:52 | New certificate installed. |\n\n## Root cause\n\nWhen the renewal job ran on 27 February it failed.\n\n"
            "## Impact\n\n- Transfers unavailable: 08:00 to 10:52 SGT.\n- The regulator was told at 09:38 SGT on 14 March 2025.\n")
    found = stamps(text)
    assert "2025-03-14T00:00" in found and not any(s.startswith("2025-02-27T") for s in found)


def test_last_weekday_written_on_that_weekday_is_a_week_before_and_dates_nothing_after_it():
    text = ("# Storage slowdown\n\n**Posted:** Thursday 24 October 2024\n\nLast Thursday we upgraded the firmware. "
            "On Thursday at 13:05 BST the array slowed down.\n")
    assert "2024-10-24T12:05" in stamps(text)


def test_a_posted_line_with_its_time_does_not_date_the_story():
    text = ("# Storage slowdown\n\n**Date:** Thursday 17 October 2024\n**Posted:** 24 October 2024, 16:30 BST\n\n"
            "The array slowed from 14:05 BST and recovered at 15:48 BST.\n")
    found = stamps(text)
    assert "2024-10-17T13:05" in found and "2024-10-17T14:48" in found


@pytest.mark.parametrize("declaration", ["(All timings in IST on 12-08-2025.)", "All timings are in IST."])
def test_timings_declare_the_zone_too(declaration):
    text = f"# Fibre cut, 12 August 2025\n\n{declaration}\n\nThe cable was cut at 11:42 Hrs.\n"
    assert stamps(text)[-1] == "2025-08-12T06:12"


def test_a_bare_clock_after_a_24_hour_time_is_not_given_pm():
    text = ("# Fibre cut\n\nOn 12 August 2025 at 2:30 PM UTC splicing ended. LNV-01 came up at 17:05 UTC. "
            "Pune had gone down at 9:42 UTC.\n")
    assert "2025-08-12T09:42" in stamps(text)


def _stamps(text: str) -> list[str]:
    [incident] = extract(normalise(source_from_bytes("note.md", text.encode(), None)))
    return [event["at"] for event in incident["timeline"]]


@pytest.mark.parametrize(
    "declaration",
    ["All times are Atlantic (Halifax) time, where our team is.", "Times below are in Atlantic time."],
)
def test_atlantic_time_is_halifax_time(declaration):
    text = f"# Clinic schedule outage\n\n{declaration}\n\nOn 12 March 2025 schedules failed to load from 7:02 a.m. until 9:48 a.m.\n"
    assert _stamps(text)[:2] == ["2025-03-12T10:02:00Z", "2025-03-12T12:48:00Z"]  # ADT: daylight saving began on 9 March


def test_an_atlantic_region_names_no_zone():
    text = "# Link outage\n\nOn 3 June 2025 the trans-Atlantic link to our Atlantic region failed at 14:00 UTC and recovered at 14:30 UTC.\n"
    assert _stamps(text)[:2] == ["2025-06-03T14:00:00Z", "2025-06-03T14:30:00Z"]


@pytest.mark.parametrize(
    "text, first",
    [
        # a city of the tz database names its zone, with daylight saving
        ("# Matches missing\n\nOn 12 June 2025, around 2:15pm our time (Lisbon), editors stopped getting matches. That lasted until about 3:50pm.\n",
         "2025-06-12T13:15:00Z"),
        ("# Tills offline\n\nOn 14 January 2025 the tills went offline at 09:30 Chicago time and came back at 10:05.\n",
         "2025-01-14T15:30:00Z"),
        ("# Portal slow\n\nOn 3 February 2025 (all times Sao Paulo) the portal slowed at 11h02 and recovered at 12h30.\n",
         "2025-02-03T14:02:00Z"),
    ],
)
def test_a_city_names_its_zone_for_the_whole_text(text, first):
    stamps = [s for s in _stamps(text) if "T" in s]
    assert stamps[0] == first and all(s.endswith("Z") for s in stamps)


def test_a_city_that_is_also_a_word_names_no_zone():
    text = "# Orders delayed\n\nOn 18 December 2025 at 14:00 Christmas time orders stopped loading, until 14:30.\n"
    assert _stamps(text)[:2] == ["2025-12-18T14:00:00", "2025-12-18T14:30:00"]


@pytest.mark.parametrize(
    "declaration, first",
    [
        ("All clock times in this review are Irish time (IST, UTC+1), the local time at our ports.", "2025-07-12T06:40:00Z"),
        ("Times are IST; our Dublin office ran the bridge.", "2025-07-12T06:40:00Z"),
        ("Times are IST (our Bengaluru office ran the bridge).", "2025-07-12T02:10:00Z"),
    ],
)
def test_ist_is_irish_time_in_a_text_about_ireland(declaration, first):
    text = f"# Kiosk outage\n\n{declaration}\n\n## Timeline\n\n- 12 July 2025 07:40 IST: first kiosk failures.\n- 09:15 IST: kiosks working again.\n"
    assert _stamps(text)[0] == first


def test_chilean_summer_time_is_three_hours_behind_utc():
    text = "# Downloads failed\n\nDownloads failed from 23:40 CLT on 6 September 2025 until 01:25 CLST on 7 September.\n"
    assert _stamps(text)[:2] == ["2025-09-07T03:40:00Z", "2025-09-07T04:25:00Z"]
