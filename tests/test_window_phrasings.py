"""Impact windows stated in the phrasings postmortems use: ranges, cue words, durations before or
after the start, "By HH:MM" ends and timeline tables. Each document is written for the test in a
different house style; every one states the same window, 14:02–15:47 UTC on 3 March 2024."""

from __future__ import annotations

import pytest

from ingest.normalise import normalise
from ingest.pipeline import extract
from ingest.read import source_from_bytes
from ingest.windows import parse_duration

WINDOW = [("2024-03-03T14:02:00Z", "2024-03-03T15:47:00Z")]


def windows(text: str) -> list[tuple[str, str]]:
    incident = extract(normalise(source_from_bytes("x.md", text.encode(), None)))[0]
    return [(w["start"], w["end"]) for w in incident["impact_windows"]]


@pytest.mark.parametrize(
    "sentence",
    [
        "Between 14:02 and 15:47 UTC on March 3, 2024, customers were unable to log in.",
        "On March 3, 2024, from 14:02 to 15:47 UTC, API requests returned errors.",
        "From 2024-03-03 14:02 UTC until 2024-03-03 15:47 UTC, the dashboard was unavailable.",
        "On 3 March 2024 at 14:02 UTC, the API began returning 500 errors. Service was fully restored at 15:47 UTC.",
        "Starting at 14:02 UTC on March 3, 2024, and lasting for 1 hour and 45 minutes, users could not push code.",
        "For approximately 105 minutes, beginning at 14:02 UTC on March 3, 2024, webhooks were delayed.",
        "For 1h45m starting at 14:02 UTC on March 3, 2024, uploads failed.",
        "At 14:02 UTC on March 3rd, 2024 our database primary failed, and all writes failed until 15:47 UTC when the replica was promoted.",
        "At 14:02 UTC on March 3, 2024, logins began failing for all users. By 15:47 UTC, all logins were succeeding again.",
        "The incident started at 14:02 UTC on 2024-03-03 and was resolved at 15:47 UTC.",
        "Users in Europe saw timeouts 14:02 through 15:47 UTC on March 3, 2024.",
        "Impact: 2024-03-03 14:02 - 15:47 UTC",
    ],
)
def test_a_window_stated_in_a_summary(sentence):
    assert windows(f"# Incident on our API\n\n## Summary\n\n{sentence}\n") == WINDOW


def test_a_window_in_a_document_without_headings():
    text = (
        "Our service had an outage last week. On March 3, 2024 at 14:02 UTC, the primary database ran out of disk "
        "space and the API started returning errors. We freed space and the API recovered at 15:47 UTC.\n"
    )
    assert windows(text) == WINDOW


def test_a_timeline_table_gives_the_window_from_impact_start_to_recovery():
    text = (
        "# API outage\n\nDate: March 3, 2024\n\n## Timeline\n\n| Time (UTC) | Event |\n|---|---|\n"
        "| 14:02 | Customers begin receiving errors |\n| 14:10 | Alert fires |\n| 15:47 | All services recovered |\n"
    )
    assert windows(text) == WINDOW


def test_a_by_in_a_causal_phrase_is_no_end():
    text = "# Outage\n\n## Summary\n\nOn March 3, 2024, errors were caused by a deploy at 14:02 UTC.\n"
    assert windows(text) == []


@pytest.mark.parametrize("phrase, minutes", [("for 1h45m", 105), ("lasting 2 hours and 5 minutes", 125), ("for about 40 minutes", 40)])
def test_durations(phrase, minutes):
    duration = parse_duration(phrase)
    assert duration is not None and duration.total_seconds() == minutes * 60


@pytest.mark.parametrize(
    "second",
    ["We will provide an update by 15:47 UTC.", "We expect the service to be restored by 15:47 UTC."],
)
def test_an_announced_time_is_no_window_end(second):
    assert windows(f"# Outage\n\n## Summary\n\nAt 14:02 UTC on March 3, 2024, logins began failing for all users. {second}\n") == []


def test_a_timeline_with_an_impact_start_ends_at_its_resolution_when_no_recovery_is_stated():
    text = (
        "# Incident on 2024-03-03\n\n- **Key events**\n  - Fault occurs 2024-03-03 14:02 UTC\n"
        "  - Incident declared 2024-03-03 14:10 UTC\n  - Resolved 2024-03-03 15:47 UTC\n"
    )
    assert windows(text) == WINDOW


def test_a_node_entering_a_failed_state_starts_the_impact():
    text = (
        "# Nodes not ready\n\n## Timeline (UTC)\n\n| Time | Event |\n|---|---|\n| 2024-03-03 14:02 | Node entered NotReady state. |\n"
        "| 2024-03-03 14:15 | Attempted to SSH into the node, but it was unresponsive. |\n| 2024-03-03 15:47 | Incident declared resolved on the status page. |\n"
    )
    assert windows(text) == WINDOW


def test_a_compromise_starts_the_impact_and_the_cleanup_ends_it_when_nothing_else_does():
    text = (
        "# Malicious releases\n\n## What happened\n\nAt 14:02 UTC on 3 March 2024, four of our npm packages were compromised by a stolen token.\n\n"
        "By 15:47 UTC we had deleted the malicious versions and revoked the token.\n"
    )
    assert windows(text) == WINDOW


def test_a_mitigation_does_not_end_a_window_that_a_recovery_ends():
    text = (
        "# Incident on 2024-03-03\n\n## Timeline (UTC)\n\n- 2024-03-03 14:02 - Checkout requests start failing.\n"
        "- 2024-03-03 15:10 - Rolled back the payment service.\n- 2024-03-03 15:47 - Service fully restored.\n"
    )
    assert windows(text) == WINDOW


def test_a_mitigation_after_only_a_deploy_is_no_window():
    text = "# Deploy\n\n## Timeline (UTC)\n\n- 2024-03-03 14:02 - Version 4.2 deployed.\n- 2024-03-03 15:47 - Rolled back to 4.1.\n"
    assert windows(text) == []


def test_a_resolution_after_only_a_deploy_is_no_window():
    """Without a stated impact start, a deploy and a resolution do not say when customers were hurt."""
    text = "# Deploy\n\n## Timeline (UTC)\n\n- 2024-03-03 14:02 - Version 4.2 deployed.\n- 2024-03-03 15:47 - Incident resolved.\n"
    assert windows(text) == []


def test_an_impact_start_a_day_before_the_recovery_is_lead_up():
    text = (
        "# Disk full\n\n## Timeline (UTC)\n\n- 2024-03-02 09:00 - Disk usage degraded the nightly reports.\n"
        "- 2024-03-03 14:02 - The site went down.\n- 2024-03-03 15:47 - Site back online.\n"
    )
    assert windows(text) == WINDOW


@pytest.mark.parametrize(
    "body",
    [
        "| Start time (UTC) | End time (UTC) | Duration |\n|---|---|---|\n| 2024-03-03 14:02 | 2024-03-03 15:47 | 1h45m |\n",
        "| Severity | Impact start | Impact end |\n|---|---|---|\n| SEV2 | 2024-03-03 14:02 UTC | 2024-03-03 15:47 UTC |\n",
        "Incident start: 2024-03-03 14:02 UTC. Time to resolve: 1 hour 45 minutes.\n",
        "- **Start**: 2024-03-03 14:02 UTC\n- **Duration**: 1h 45m\n",
    ],
)
def test_a_window_from_table_columns_or_a_labelled_start_and_duration(body):
    assert windows(f"# Checkout outage\n\n## Summary\n\n{body}") == WINDOW


@pytest.mark.parametrize(
    "entry, kind",
    [
        ("Customers begin receiving 502 errors.", "impact_start"),
        ("Error rate spikes to 40%.", "impact_start"),
        ("API latency climbs above 5 s.", "impact_start"),
        ("The website becomes unreachable.", "impact_start"),
        ("Pods enter CrashLoopBackOff.", "impact_start"),
        ("Queue starts backing up.", "impact_start"),
        ("All writes to the primary fail.", "impact_start"),
        ("Error rates return to baseline.", "impact_end"),
        ("Customers can log in again.", "impact_end"),
        ("Last failed request seen.", "impact_end"),
        ("Full service restored.", "impact_end"),
    ],
)
def test_timeline_entries_that_start_and_end_the_impact(entry, kind):
    """The kinds a derived window is made of, in the wording of several timelines."""
    from ingest.timeline import classify_event

    assert classify_event(entry, None) == kind


def test_a_timeline_where_the_impact_returns_gives_a_window_per_episode():
    text = (
        "# Launch failures\n\n## Timeline (UTC)\n\n- 2024-03-03 14:02 - Launches start failing for all users.\n"
        "- 2024-03-03 14:10 - On-call paged.\n- 2024-03-03 14:30 - Launches succeed again after a restart.\n"
        "- 2024-03-03 15:10 - Launches begin failing again.\n- 2024-03-03 15:47 - Launch success rate back to normal.\n"
    )
    assert windows(text) == [("2024-03-03T14:02:00Z", "2024-03-03T14:30:00Z"), ("2024-03-03T15:10:00Z", "2024-03-03T15:47:00Z")]


def test_one_episode_is_still_one_derived_window():
    text = "# Outage\n\n## Timeline (UTC)\n\n- 2024-03-03 14:02 - The site went down.\n- 2024-03-03 14:40 - Still down.\n- 2024-03-03 15:47 - Site back online.\n"
    assert windows(text) == WINDOW


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("From March 3 to March 5, 2025, some customers could not sign in to the dashboard.", ("2025-03-03", "2025-03-05")),
        ("Users were unable to upload files from 2025-03-03 until 2025-03-05.", ("2025-03-03", "2025-03-05")),
        ("Between 3 March 2025 and 6 March 2025, card payments failed intermittently for EU merchants.", ("2025-03-03", "2025-03-06")),
        ("Starting on March 3rd, 2025 and going through to March 5th, users received intermittent 404 responses.", ("2025-03-03", "2025-03-05")),
    ],
)
def test_a_window_stated_by_dates_alone_is_a_day_level_window(sentence, expected):
    assert windows(f"# Outage\n\n{sentence}\n") == [expected]


@pytest.mark.parametrize(
    "sentence",
    [
        "We are planning maintenance from March 3 to March 5, 2025; no customer impact is expected.",
        "The team migrated the database from March 3 to March 5, 2025.",
        "From March 3 to March 25, 2025, some customers could not sign in.",  # three weeks: not one window
    ],
)
def test_dates_that_state_no_impact_period_give_no_window(sentence):
    assert windows(f"# Outage\n\n{sentence}\n") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        # the recovery is stamped in the timeline: it makes the window's end precise
        ("Starting on March 3rd, 2025 and going through to March 5th, users received intermittent 404 responses.\n\n"
         "## Timeline\n\n- March 5, 00:00 UTC: the last cached errors expired and service was fully restored.\n", ("2025-03-03", "2025-03-05T00:00:00Z")),
        ("From 3 March to 5 March 2025 some customers could not sign in.\n\nThe full impact was not resolved until midnight UTC on the 5th.\n", ("2025-03-03", "2025-03-05T00:00:00Z")),
    ],
)
def test_a_day_level_window_end_takes_the_recovery_stamped_on_that_day(text, expected):
    assert windows(f"# Outage\n\n{text}") == [expected]


@pytest.mark.parametrize(
    "sentence",
    [
        "PR 1 and PR 2 were merged to prod between 2 AM and 2.30 AM PST on 1/20/2022.",
        "The new configuration was rolled out to all regions from 14:02 to 15:47 UTC on March 3, 2024.",
        "On March 3, 2024 we deployed the release between 14:02 and 15:47 UTC.",
        # updates applied, maintenance carried out or scheduled, a rollout, recovery work
        "On the evening of March 3, 2024 (between 14:02 and 15:47 UTC) we applied routine kernel updates to the queue nodes.",
        "The maintenance work started at 14:02 UTC on 3 March 2024 and was finished by 15:47 UTC; every check passed.",
        "Announced schedule: 2024/03/03 14:02 - 15:47 (UTC)",
        "Version 8.1 started rolling out on 3 March 2024 at 14:02 UTC and reached every region by 15:47 UTC.",
        "We resent the 412 missing receipts between 14:02 and 15:47 UTC on 3 March 2024.",
    ],
)
def test_a_range_in_which_changes_were_merged_or_deployed_is_no_window(sentence):
    assert windows(f"# Incident on our API\n\n## Summary\n\n{sentence}\n") == []


def test_a_deploy_range_that_also_speaks_of_impact_is_a_window():
    text = "# Outage on 3 March 2024\n\n## Summary\n\nFrom 14:02 to 15:47 UTC logins failed, this time because of the fix we rolled out.\n"
    assert windows(text) == WINDOW


@pytest.mark.parametrize(
    "text",
    [
        # a later date named before the range (a publication line, "on 3 and 4 March") must not move its start
        "**Posted 6 March 2024**\n\nThe API was unavailable twice on 3 and 4 March:\n\n- from 14:02 to 15:47 UTC on 3 March 2024, nobody could log in;\n",
        "Published 2024-03-06.\n\nOn 4 March we shipped the fix. Before that, from 14:02 to 15:47 UTC on March 3, 2024, uploads failed.\n",
    ],
)
def test_a_range_start_without_its_own_date_takes_the_end_s_date(text):
    assert windows(f"# Login outages\n\n{text}") == WINDOW


@pytest.mark.parametrize(
    "text",
    [
        # an incident-review form: a two-column table of fields and values
        "| Field | Value |\n|---|---|\n| Severity | S1 |\n| Start time | 2024-03-03 14:02 UTC |\n| End time | 2024-03-03 15:47 UTC |\n",
        "| Key | Details |\n|---|---|\n| Incident start | March 3, 2024 14:02 UTC |\n| Incident end | March 3, 2024 15:47 UTC |\n",
    ],
)
def test_start_and_end_rows_of_a_field_value_table_are_a_window(text):
    assert windows(f"# Incident review\n\n{text}") == WINDOW


@pytest.mark.parametrize(
    "item",
    ["- `2024-03-03T14:02Z` to `2024-03-03T15:47Z`, with a maximum delay of about 14 minutes;",
     "- **14:02 UTC** – **15:47 UTC** on 3 March 2024: webhook deliveries were delayed."],
)
def test_a_range_whose_times_are_in_code_or_bold_marks_is_a_window(item):
    assert windows(f"# Ingest delays\n\nIngest was delayed during these periods:\n\n{item}\n") == WINDOW


@pytest.mark.parametrize(
    "extra",
    [
        "Parking permit renewals were affected for longer, until 16:30 UTC, because they use a separate connection.",
        "EU customers remained unable to export reports until 16:30 UTC, when the last replica caught up.",
    ],
)
def test_what_stayed_affected_after_the_stated_window_is_a_window_of_its_own(extra):
    text = f"# Incident on our API\n\n## Summary\n\nBetween 14:02 and 15:47 UTC on March 3, 2024, customers were unable to log in. {extra}\n"
    assert windows(text) == WINDOW + [("2024-03-03T14:02:00Z", "2024-03-03T16:30:00Z")]


def test_a_later_recovery_without_longer_or_still_is_no_extra_window():
    text = "# Incident on our API\n\n## Summary\n\nBetween 14:02 and 15:47 UTC on March 3, 2024, customers were unable to log in. We published this report until 16:30 UTC.\n"
    assert windows(text) == WINDOW


def test_a_range_restated_in_local_time_is_the_same_window():
    text = ("# Outage on 3 March 2024\n\n## Impact\n\nAsia-Pacific: 14:02 to 15:47 UTC, which for customers in Japan was 23:02 to 00:47 local time. "
            "Errors peaked at 17%.\n")
    assert windows(text) == WINDOW


def test_a_clock_change_explained_in_passing_is_no_zero_length_window():
    text = ("# Outage on 3 March 2024\n\n## Impact\n\nBetween 14:02 and 15:47 UTC on 3 March 2024 dashboards failed to load.\n\n"
            "The incident lasted longer than the clocks say: the switch to daylight saving time (02:00 PST → 03:00 PDT) happened during it.\n")
    assert windows(text) == WINDOW


def test_a_product_window_beside_the_incident_start_and_end_fields_is_a_window_of_its_own():
    text = ("# Sync outage\n\n| | |\n|---|---|\n| Start time | 03/03/2024 14:02 UTC |\n| End time | 03/03/2024 15:47 UTC |\n\n"
            "## Impact\n\n- Drivers could not download manifests.\n- Tracking pages showed \"ETA unavailable\" from 14:10 until 16:20 UTC.\n")
    assert windows(text) == WINDOW + [("2024-03-03T14:10:00Z", "2024-03-03T16:20:00Z")]


def test_labelled_start_and_end_fields_with_their_zone_in_parentheses():
    text = "# Report\n\n   Incident start (CET):    03.03.2024 15:02\n   Incident end (CET):      03.03.2024 16:47\n\nSMS were delayed.\n"
    assert windows(text) == WINDOW


def test_an_approximate_end_still_closes_a_range():
    text = "# Outage on 3 March 2024\n\n## Summary\n\nBetween 14:02 and roughly 15:47 UTC the whole site was slow and often timed out.\n"
    assert windows(text) == WINDOW


def test_the_peak_of_the_impact_is_no_window_of_its_own():
    text = ("# Checkout errors on 3 March 2024\n\n## Impact\n\n- Checkout errors started at 14:02 UTC. Peak error rate 71% of requests (14:45–15:20).\n\n"
            "## Timeline (UTC)\n\n- 14:02 Checkout errors start.\n- 15:47 Checkout fully restored.\n")
    assert windows(text) == WINDOW


@pytest.mark.parametrize("word", ["hung", "froze", "were unresponsive"])
def test_machines_that_hung_or_froze_during_a_range_are_impact(word):
    text = f"# Outage on 3 March 2024\n\n## What users saw\n\n- **Login nodes** (14:02 – 15:47 UTC): the login nodes {word} on any command that touched /scratch.\n"
    assert windows(text) == WINDOW


RFO_TABLE = """REASON FOR OUTAGE, 12 August 2025

The fibre was cut at 11:42 Hrs. Splicing finished at 4:12 PM.

Sr. | City     | Link Down | Link Up | Duration
----+----------+-----------+---------+---------
1   | Lonavala | 11:42     | 17:05   | 05:23
2   | Pune     | 11:42     | 16:18   | 04:36
3   | Satara   | 11:43     | 16:27   | 04:44

(All timings in IST on 12-08-2025.)
"""


def test_an_ascii_table_with_down_and_up_columns_gives_one_window_per_row():
    from ingest.normalise import normalise
    from ingest.pipeline import extract
    from ingest.read import Source

    incident = extract(normalise(Source("rfo.txt", text=RFO_TABLE)))[0]
    windows = {(w["start"][:16], w["end"][:16]) for w in incident["impact_windows"]}
    assert {("2025-08-12T06:12", "2025-08-12T11:35"), ("2025-08-12T06:12", "2025-08-12T10:48"), ("2025-08-12T06:13", "2025-08-12T10:57")} <= windows
    assert not any(s.startswith("2025-08-1") and s[8:10] != "12" for pair in windows for s in pair)  # no row rolled to another day


def test_a_duration_column_holds_no_clock_times():
    from ingest.normalise import normalise
    from ingest.pipeline import extract
    from ingest.read import Source

    stamps = [e["at"][:16] for e in extract(normalise(Source("rfo.txt", text=RFO_TABLE)))[0]["timeline"]]
    assert not any(s.endswith(("05:23", "04:36", "04:44")) for s in stamps)


@pytest.mark.parametrize(
    "sentence",
    [
        # a mobile game's apology post, in a section explaining a side effect
        "Purchases made between 14:02 and 15:47 UTC on March 3, 2024 were paid for but the items were not delivered.",
        # a payroll SaaS: payments refused by the bank
        "Direct debits submitted between 14:02 and 15:47 UTC on 3 March 2024 were rejected by the bank.",
        # a messaging platform: texts that never went out
        "On 3 March 2024, messages queued between 14:02 and 15:47 UTC did not go out.",
    ],
)
def test_a_range_of_things_not_delivered_or_refused_is_impact_outside_an_impact_section(sentence):
    text = f"# Store incident\n\n## Background\n\nThe store runs on two servers.\n\n## Why purchases were delayed\n\n{sentence}\n"
    assert windows(text) == WINDOW


@pytest.mark.parametrize(
    "heading, item",
    [
        # a smart-home company's apology post
        ("In short", "- Gen 1 hubs: offline from 14:02 UTC on 3 March 2024 until 15:47 UTC."),
        # a game host's short version of a long post
        ("The short version", "- EU servers went offline between 14:02 and 15:47 UTC on March 3, 2024."),
    ],
)
def test_devices_offline_in_a_short_version_list_is_a_window(heading, item):
    text = f"# Hubs offline\n\nWe are sorry.\n\n## {heading}\n\n{item}\n\n## What we're changing\n\n- Test on every hub generation.\n"
    assert windows(text) == WINDOW


@pytest.mark.parametrize(
    "sentence",
    [
        "From 14:02 to 15:47 UTC on 3 March 2024 every hub showed as offline in the app.",  # a smart-home company
        "Between 14:02 and 15:47 UTC on March 3, 2024 the Ashburn servers went offline.",  # a game server host
    ],
)
def test_a_range_in_which_things_were_offline_is_a_window_in_any_section(sentence):
    text = f"# Hubs offline\n\n## Background\n\nHubs keep a connection open.\n\n## Hub connections\n\n{sentence}\n"
    assert windows(text) == WINDOW


def test_a_firewall_rule_that_rejected_connections_is_a_response_not_an_impact():
    # an IoT fleet company's narrative: the mitigation rejects half the devices on purpose
    text = ("# Tracker reconnect storm\n\n## What we did\n\nAt 14:02 UTC on 3 March 2024 we put a temporary firewall rule in front of "
            "the brokers that rejected connections from half of the address ranges. By 15:47 UTC every tracker was reporting normally.\n")
    assert windows(text) == []


def test_between_about_a_day_and_a_later_day_is_one_window():
    text = (
        "# Spring update\n\n## Known issue (resolved)\n\n"
        "Between about 09:15 on Tuesday 4 March 2025 and 16:40 on Wednesday 5 March, the ebook links took "
        "readers to an error page.\n"
    )
    assert windows(text) == [("2025-03-04T09:15:00", "2025-03-05T16:40:00")]


@pytest.mark.parametrize(
    "sentence",
    [
        "**Planned maintenance:** the catalogue will be unavailable on Saturday 22 March 2025 from 07:00 to 09:00 UTC.",
        "Heads up: the portal will be down between 01:00 and 03:00 UTC on 22 March 2025 for a database upgrade.",
    ],
)
def test_an_announced_future_outage_is_no_window(sentence):
    text = f"# Newsletter\n\n## Coming up\n\n- {sentence}\n"
    assert windows(text) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "At 13:10 UTC on 21 October 2025 we started restore requests for every archived file, and most shows were back by 15:05 UTC.",
        "At 13:10 UTC on 21 October 2025 the on-call engineer restarted the brokers; the queue was back to normal by 15:05 UTC.",
    ],
)
def test_a_sentence_opening_with_what_the_team_did_is_no_window(sentence):
    text = f"# Episodes unavailable\n\nOn 21 October 2025 older episodes failed to play.\n\n## What we did\n\n{sentence}\n"
    assert ("2025-10-21T13:10:00Z", "2025-10-21T15:05:00Z") not in windows(text)


def test_a_sentence_opening_with_users_starting_to_see_errors_is_still_a_window():
    text = "# API errors\n\n## What happened\n\nAt 14:02 UTC on March 3, 2024 we started seeing 500 errors on every request, and they were back to normal by 15:47 UTC.\n"
    assert windows(text) == WINDOW


@pytest.mark.parametrize(
    "sentence, second",
    [
        # what stayed affected longer: from the range's start
        ("Operators had no control of the north site from 03:04 to 05:06 UTC on 18 November 2025, and of three turbines until 06:52 UTC.",
         ("2025-11-18T03:04:00Z", "2025-11-18T06:52:00Z")),
        ("Hubs were offline from 19:20 UTC on 25 October 2025 to 03:10 UTC on 26 October for most homes, and until 12:30 UTC on 27 October for some.",
         ("2025-10-25T19:20:00Z", "2025-10-27T12:30:00Z")),
        # a milder state after the range: from the range's end
        ("On 8 November 2025 CI was down 04:10–11:45 UTC, and flaky until about 13:20 UTC.",
         ("2025-11-08T11:45:00Z", "2025-11-08T13:20:00Z")),
    ],
)
def test_a_range_and_a_later_until_give_two_windows(sentence, second):
    found = windows(f"# Outage\n\n## Impact\n\n{sentence}\n")
    assert len(found) == 2 and second in found


@pytest.mark.parametrize(
    "sentence",
    [
        "Short version: on 3 March 2024 nothing we sent to the bank actually arrived there between 14:02 and 15:47 UTC.",
        "On March 3, 2024 the newsletters we queued between 14:02 and 15:47 UTC never went out.",
    ],
)
def test_what_never_arrived_in_a_range_is_impact(sentence):
    assert windows(f"# Payroll files\n\n{sentence}\n\n## What happened\n\nThe host key changed.\n") == WINDOW


@pytest.mark.parametrize(
    "summary, entry",
    [
        # a language app's review: a Markdown timeline of bold clocks
        ("On 3 March 2024 lesson sync failed from 14:02 until shortly after 15:45 UTC.", "- **15:47** — Sync error rate back to baseline."),
        # a library consortium's memo: plain timeline lines
        ("On 3 March 2024, self-checkout was down from 14:02 until just after 15:45 UTC.", "- 15:47 All branches confirmed working again."),
    ],
)
def test_a_vague_end_takes_the_timeline_s_recovery_just_after_it(summary, entry):
    text = f"# Sync failures\n\n## Summary\n\n{summary}\n\n## Timeline (UTC)\n\n- 14:02 Errors begin.\n{entry}\n"
    assert windows(text) == WINDOW


def test_a_vague_end_with_no_recovery_near_it_keeps_its_stated_time():
    text = "# Sync failures\n\n## Summary\n\nOn 3 March 2024 lesson sync failed from 14:02 until shortly after 15:47 UTC.\n"
    assert windows(text) == WINDOW


@pytest.mark.parametrize(
    "text",
    [
        # a monthly reliability email: the incident's own section, no impact words
        "# October report\n\n## Shift-swap notifications held back, 3 March 2024\n\nThe hold-up began at 14:02 UTC and lasted 105 minutes. Every message was delivered afterwards.\n",
        # a school district's IT notice
        "# Portal notice\n\n## Gradebook, Sunday 3 March 2024\n\nThe trouble started at 14:02 UTC and went on for about 105 minutes before the last teachers could save grades.\n",
    ],
)
def test_a_start_and_how_long_it_lasted_is_a_window_wherever_it_stands(text):
    assert windows(text) == WINDOW


def test_a_meeting_that_began_and_lasted_is_no_window():
    text = "# Review\n\n## Follow-up, 3 March 2024\n\nThe review meeting began at 14:02 UTC and lasted 105 minutes.\n"
    assert windows(text) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Between 14:02 and 15:47 UTC on 3 March 2024, messages to our short code went unanswered.",
        "From 14:02 until 15:47 UTC on 3 March 2024, balance requests got no reply at all.",
    ],
)
def test_requests_left_unanswered_are_impact_in_any_section(sentence):
    assert windows(f"# SMS banking\n\n## What went wrong\n\n{sentence}\n") == WINDOW
