"""Timeline: events, impact windows, event kinds and metrics on real-shaped postmortems.

Each test builds a small document the way postmortems are written (bullet
timelines, tables, ``### 16:22`` headings, prose, status-page JSON) and checks
the times to the minute, the kinds and the windows the pipeline extracts.
"""

from __future__ import annotations

import json

import pytest

from ingest.normalise import normalise
from ingest.pipeline import extract
from ingest.read import source_from_bytes
from ingest.timeline import classify_event
from ingest.windows import parse_duration


def extract_all(text: str, name: str = "x.md") -> list[dict]:
    return extract(normalise(source_from_bytes(name, text.encode(), None)))


def extract_text(text: str, name: str = "x.md") -> dict:
    """The first incident extracted from a text."""
    return extract_all(text, name)[0]


def timeline(incident: dict) -> list[tuple[str, str]]:
    return [(e["at"], e["kind"]) for e in incident["timeline"]]


def windows(incident: dict) -> list[tuple[str, str]]:
    return [(w["start"], w["end"]) for w in incident["impact_windows"]]


def at_kind(incident: dict, at: str) -> str:
    return next(e["kind"] for e in incident["timeline"] if e["at"] == at)


# ---------------------------------------------------------------- timeline shapes


def test_bullet_timeline_gives_one_event_per_entry_with_kinds():
    incident = extract_text(
        "# Config outage\n\nAll times in UTC.\n\n## Timeline\n\n"
        "- 14:02 A deploy of the config service started.\n"
        "- 14:10 Alerts fired for elevated error rates.\n"
        "- 14:25 We rolled back the deploy.\n"
        "- 14:40 Service fully restored.\n",
        name="acme-2024-03-05-config.md",
    )
    assert timeline(incident) == [
        ("2024-03-05T14:02:00Z", "trigger"),
        ("2024-03-05T14:10:00Z", "detection"),
        ("2024-03-05T14:25:00Z", "mitigation"),
        ("2024-03-05T14:40:00Z", "impact_end"),
    ]
    assert all(e["precision"] == "minute" and e["timezone"] == "UTC" for e in incident["timeline"])


def test_table_timeline_takes_the_time_column_and_the_text_cell():
    incident = extract_text(
        "# Config outage\n\n## Timeline\n\n| Time (UTC) | Event |\n|---|---|\n"
        "| 2024-03-05 14:10 | Alerts fired for elevated error rates |\n"
        "| 2024-03-05 14:25 | We rolled back the deploy |\n"
    )
    assert timeline(incident) == [("2024-03-05T14:10:00Z", "detection"), ("2024-03-05T14:25:00Z", "mitigation")]
    first = incident["timeline"][0]
    assert first["evidence"]["text"] == "Alerts fired for elevated error rates"


def test_time_headings_are_events_with_the_paragraph_below():
    incident = extract_text(
        "# Outage on 2024-03-05\n\nAll times in UTC.\n\n## Timeline\n\n"
        "### 16:22\n\nAlerts fired for elevated 500 errors on the API.\n\n"
        "### 16:40\n\nWe rolled back the release.\n\n"
        "### 17:05\n\nError rates returned to normal.\n"
    )
    assert timeline(incident) == [
        ("2024-03-05T16:22:00Z", "detection"),
        ("2024-03-05T16:40:00Z", "mitigation"),
        ("2024-03-05T17:05:00Z", "impact_end"),
    ]
    assert incident["timeline"][1]["evidence"]["text"] == "We rolled back the release."


def test_prose_timeline_gives_one_event_per_sentence():
    incident = extract_text(
        "# Edge outage\n\nOn March 5, 2024 at 09:12 UTC a configuration change was pushed to the edge proxies. "
        "At 09:20 UTC our monitoring alerted on failing health checks. "
        "At 09:41 UTC engineers reverted the change.\n"
    )
    assert timeline(incident) == [
        ("2024-03-05T09:12:00Z", "trigger"),
        ("2024-03-05T09:20:00Z", "detection"),
        ("2024-03-05T09:41:00Z", "mitigation"),
    ]


def test_two_times_in_one_sentence_are_each_classified_by_their_own_clause():
    incident = extract_text(
        "# Edge outage\n\nOn 2024-03-05 engineers reverted the change at 09:41 UTC and traffic recovered at 09:50 UTC.\n"
    )
    assert at_kind(incident, "2024-03-05T09:41:00Z") == "mitigation"
    assert at_kind(incident, "2024-03-05T09:50:00Z") == "impact_end"


PAST_MIDNIGHT = ["2024-05-12T22:50:00Z", "2024-05-12T23:30:00Z", "2024-05-13T00:20:00Z", "2024-05-13T01:05:00Z"]
"""22:50, 23:30, then 00:20 and 01:05 on the next day."""


def test_day_headings_roll_the_timeline_past_midnight():
    incident = extract_text(
        "# Queue outage\n\nAll times UTC.\n\n## Timeline\n\n### May 12, 2024\n\n"
        "- 22:50 Alerts fired for queue latency.\n- 23:30 We paused the consumers.\n\n"
        "### May 13\n\n- 00:20 We restarted the brokers.\n- 01:05 Service fully restored.\n"
    )
    assert [at for at, _ in timeline(incident)] == PAST_MIDNIGHT


def test_clock_running_backwards_in_a_timeline_is_the_next_day():
    incident = extract_text(
        "# Queue outage\n\nAll times are in UTC.\n\n## Timeline\n\n"
        "- 2024-05-12 22:50 Alerts fired for queue latency.\n- 23:30 We paused the consumers.\n"
        "- 00:20 We restarted the brokers.\n- 01:05 Service fully restored.\n"
    )
    assert [at for at, _ in timeline(incident)] == PAST_MIDNIGHT
    assert windows(incident) == [("2024-05-12T22:50:00Z", "2024-05-13T01:05:00Z")]


def test_small_backwards_step_in_prose_is_not_a_new_day():
    incident = extract_text(
        "# Queue outage\n\nOn 2024-05-12 at 10:40 UTC we restarted the brokers. Alerts had fired at 10:30 UTC.\n"
    )
    assert sorted(at for at, _ in timeline(incident)) == ["2024-05-12T10:30:00Z", "2024-05-12T10:40:00Z"]


def test_publication_line_is_kept_out_of_the_timeline():
    incident = extract_text(
        "postmortem Apr 17, 2026, 04:37 PM UTC\n## Summary\n\nOn 2026-04-15 between 22:10 and 22:40 UTC the API returned errors.\n",
        name="acme.txt",
    )
    assert incident["document"]["published_at"] == "2026-04-17T16:37:00Z"
    assert not any(at.startswith("2026-04-17") for at, _ in timeline(incident))
    assert windows(incident) == [("2026-04-15T22:10:00Z", "2026-04-15T22:40:00Z")]


def test_announced_future_update_time_is_not_an_event():
    incident = extract_text(
        "# API errors\n\nAt 2024-03-05 10:05 UTC we began investigating elevated errors. "
        "We will provide an update by 11:00 UTC.\n"
    )
    assert [at for at, _ in timeline(incident)] == ["2024-03-05T10:05:00Z"]


# ---------------------------------------------------------------- status-page JSON


STATUSPAGE = {
    "page": {"name": "Acme"},
    "incident": {
        "name": "Elevated API errors",
        "started_at": "2024-04-02T10:00:00.000Z",
        "resolved_at": "2024-04-02T11:30:00.000Z",
        "incident_updates": [
            {"status": "resolved", "body": "This incident has been resolved.", "display_at": "2024-04-02T11:30:00.000Z"},
            {"status": "investigating", "body": "We are investigating elevated error rates on the API.", "display_at": "2024-04-02T10:12:00.000Z"},
            {"status": "identified", "body": "The issue has been identified and a fix is being implemented.", "display_at": "2024-04-02T10:40:00.000Z"},
            {"status": "monitoring", "body": "A fix has been implemented and we are monitoring the results.", "display_at": "2024-04-02T11:05:00.000Z"},
        ],
    },
}


def test_statuspage_updates_are_events_at_display_at_with_status_kinds():
    incident = extract_text(json.dumps(STATUSPAGE), name="acme.json")
    events = dict(timeline(incident))
    assert events["2024-04-02T10:12:00Z"] == "detection"
    assert events["2024-04-02T10:40:00Z"] == "response"
    assert events["2024-04-02T11:05:00Z"] == "mitigation"
    assert events["2024-04-02T11:30:00Z"] == "resolution"
    assert incident["document"]["organization"] == "Acme"


def test_statuspage_started_and_resolved_give_the_window_when_the_text_states_none():
    incident = extract_text(json.dumps(STATUSPAGE), name="acme.json")
    assert windows(incident) == [("2024-04-02T10:00:00Z", "2024-04-02T11:30:00Z")]
    assert incident["metrics"]["impact_minutes"] == 90
    assert incident["metrics"]["time_to_detect_minutes"] == 12


def test_statuspage_text_window_wins_over_started_and_resolved():
    data = json.loads(json.dumps(STATUSPAGE))
    data["incident"]["incident_updates"][0]["body"] = "Between 10:05 and 11:20 UTC some API requests failed. This incident has been resolved."
    incident = extract_text(json.dumps(data), name="acme.json")
    assert windows(incident) == [("2024-04-02T10:05:00Z", "2024-04-02T11:20:00Z")]


def test_statuspage_list_of_incidents_gives_one_incident_each():
    second = json.loads(json.dumps(STATUSPAGE["incident"]))
    second["name"] = "Delayed webhooks"
    payload = {"page": {"name": "Acme"}, "incidents": [STATUSPAGE["incident"], second]}
    incidents = extract_all(json.dumps(payload), name="acme.json")
    assert [i["document"]["title"] for i in incidents] == ["Elevated API errors", "Delayed webhooks"]


def test_google_cloud_json_begin_end_updates_and_pacific_text():
    incident = extract_text(
        json.dumps(
            {
                "begin": "2024-06-11T16:03:00+00:00",
                "end": "2024-06-11T18:20:00+00:00",
                "external_desc": "Cloud Storage elevated latency in us-east1",
                "updates": [
                    {"when": "2024-06-11T16:30:00+00:00", "status": "SERVICE_DISRUPTION", "text": "We are investigating elevated latency for Cloud Storage in us-east1."},
                    {"when": "2024-06-11T18:25:00+00:00", "status": "AVAILABLE", "text": "The issue with Cloud Storage has been resolved for all affected users as of Tuesday, 2024-06-11 11:20 US/Pacific."},
                ],
            }
        ),
        name="gcp.json",
    )
    ats = [at for at, _ in timeline(incident)]
    assert "2024-06-11T16:30:00Z" in ats and "2024-06-11T18:25:00Z" in ats
    assert "2024-06-11T18:20:00Z" in ats  # 11:20 US/Pacific in June is UTC-7
    assert windows(incident) == [("2024-06-11T16:03:00Z", "2024-06-11T18:20:00Z")]
    assert incident["document"]["format"] == "gcp"


# ---------------------------------------------------------------- impact windows


@pytest.mark.parametrize(
    "sentence, window",
    [
        ("On 2024-03-05 at 11:00 UTC the API was unavailable for 26 minutes.", ("2024-03-05T11:00:00Z", "2024-03-05T11:26:00Z")),
        ("On 2024-03-05 at 11:00 UTC the API was degraded for ~26 minutes.", ("2024-03-05T11:00:00Z", "2024-03-05T11:26:00Z")),
        ("On 2024-03-05 at 11:00 UTC customers saw errors for approximately 1 hour and 45 minutes.", ("2024-03-05T11:00:00Z", "2024-03-05T12:45:00Z")),
        ("On 2024-03-05 between 12:30 and 20:55 UTC, the dashboard was degraded for all customers.", ("2024-03-05T12:30:00Z", "2024-03-05T20:55:00Z")),
        ("On 2024-03-05 from 12:30 to 14:10 UTC, logins failed for some users.", ("2024-03-05T12:30:00Z", "2024-03-05T14:10:00Z")),
        ("On 2024-03-05, 12:30\u201314:10 UTC, logins failed for some users.", ("2024-03-05T12:30:00Z", "2024-03-05T14:10:00Z")),
        ("On 2024-03-05 between 23:40 and 00:25 UTC, uploads failed for all users.", ("2024-03-05T23:40:00Z", "2024-03-06T00:25:00Z")),
        ("On October 28, 2025 from 20:26 to 20:33 UTC users saw errors.", ("2025-10-28T20:26:00Z", "2025-10-28T20:33:00Z")),
    ],
    ids=["for-minutes", "tilde-minutes", "hour-and-minutes", "between", "from-to", "en-dash", "across-midnight", "month-name-date"],
)
def test_stated_impact_window(sentence, window):
    incident = extract_text(f"# Outage\n\n{sentence}\n")
    assert windows(incident) == [window]
    assert incident["metrics"]["rules"]["windows"] == "stated range"


def test_range_in_a_sentence_without_impact_words_is_not_a_window():
    incident = extract_text("# Maintenance\n\nOn 2024-03-05 between 12:30 and 13:00 UTC the team met to plan the upgrade.\n")
    assert windows(incident) == []


def test_window_evidence_is_the_sentence_that_states_it():
    text = "# Outage\n\nOn 2024-03-05 between 12:30 and 20:55 UTC, the dashboard was degraded for all customers.\n"
    incident = extract_text(text)
    (window,) = incident["impact_windows"]
    assert "between 12:30 and 20:55 UTC" in window["evidence"]["text"]
    assert window["duration_minutes"] == 505


def test_multi_phase_impact_gives_one_window_per_phase_and_merges_overlaps():
    incident = extract_text(
        "# Upload outage\n\n## Impact\n\n"
        "### Phase 1: Slow uploads (2024-03-05 10:00 UTC to 2024-03-05 11:30 UTC)\n\nUploads were slow for customers in Europe.\n\n"
        "### Phase 2: Upload outage (2024-03-05 11:00 to 11:45 UTC, ~45 minutes)\n\nUploads failed for all customers.\n"
    )
    assert windows(incident) == [
        ("2024-03-05T10:00:00Z", "2024-03-05T11:30:00Z"),
        ("2024-03-05T11:00:00Z", "2024-03-05T11:45:00Z"),
    ]
    labels = [w["label"] or "" for w in incident["impact_windows"]]
    assert labels[0].startswith("Phase 1") and labels[1].startswith("Phase 2")
    # 10:00-11:30 and 11:00-11:45 overlap: 105 minutes, not 90 + 45
    assert incident["metrics"]["impact_minutes"] == 105
    assert incident["metrics"]["impact_start"] == "2024-03-05T10:00:00Z"
    assert incident["metrics"]["impact_end"] == "2024-03-05T11:45:00Z"


def test_separate_windows_on_different_days_add_up():
    incident = extract_text(
        "# Loom-style degradation\n\nOn October 27, 2025 between 12:30 and 13:30 UTC, the player was degraded for all customers. "
        "Users also experienced short periods of degradation on October 28, 2025 from 20:26 to 20:33 UTC.\n"
    )
    assert windows(incident) == [
        ("2025-10-27T12:30:00Z", "2025-10-27T13:30:00Z"),
        ("2025-10-28T20:26:00Z", "2025-10-28T20:33:00Z"),
    ]
    assert incident["metrics"]["impact_minutes"] == 67


def test_window_derived_from_the_timeline_when_none_is_stated():
    incident = extract_text(
        "# Outage\n\nAll times in UTC.\n\n## Timeline\n\n"
        "- 2024-03-05 09:00 Engineers began investigating slow builds.\n"
        "- 2024-03-05 09:10 Users began to see failed checkouts.\n"
        "- 2024-03-05 09:30 We rolled back the release.\n"
        "- 2024-03-05 09:50 Checkout error rates returned to normal.\n"
    )
    assert windows(incident) == [("2024-03-05T09:10:00Z", "2024-03-05T09:50:00Z")]
    assert incident["impact_windows"][0]["label"] == "derived from the timeline"


# ---------------------------------------------------------------- metrics


def test_time_to_detect_and_mitigate_from_the_timeline():
    incident = extract_text(
        "# Outage\n\nOn 2024-03-05 between 10:00 and 11:00 UTC checkout requests failed for all customers.\n\n"
        "## Timeline\n\n- 2024-03-05 10:14 UTC Alerts fired for checkout errors.\n"
        "- 2024-03-05 10:37 UTC We rolled back the payment service.\n"
    )
    metrics = incident["metrics"]
    assert metrics["time_to_detect_minutes"] == 14
    assert metrics["time_to_mitigate_minutes"] == 37
    assert metrics["rules"]["detect"].startswith("first detection event")


def test_stated_time_to_detection_wins_over_the_timeline():
    incident = extract_text(
        "# Outage\n\nOn 2024-03-05 between 10:00 and 12:00 UTC the API returned errors.\n\n"
        "- 2024-03-05 10:14 UTC Alerts fired for API errors.\n\n"
        "Time to detection: 64 minutes. Time to mitigate: 1 hour 30 minutes.\n"
    )
    metrics = incident["metrics"]
    assert metrics["time_to_detect_minutes"] == 64
    assert metrics["time_to_mitigate_minutes"] == 90
    assert metrics["rules"]["detect"] == "stated in the text"


def test_no_times_at_all_gives_no_window_and_no_metrics():
    incident = extract_text("# Outage\n\nThe API was down for a while last week.\n")
    assert incident["impact_windows"] == [] and incident["timeline"] == []
    assert incident["metrics"]["impact_minutes"] is None
    assert "no-times" in {f["flag"] for f in incident["quality_flags"]}


# ---------------------------------------------------------------- durations and kinds


@pytest.mark.parametrize(
    "text, minutes",
    [
        ("for 26 minutes", 26),
        ("lasting ~26 minutes", 26),
        ("for approximately 1 hour and 45 minutes", 105),
        ("for about two hours", 120),
        ("for 1.5 hours", 90),
        ("for an hour", 60),
    ],
)
def test_parse_duration(text, minutes):
    assert parse_duration(text).total_seconds() == minutes * 60


def test_parse_duration_without_a_duration():
    assert parse_duration("as soon as possible") is None


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Error rates began to climb on the ingest nodes.", "onset"),
        ("The new load balancer configuration was deployed.", "trigger"),
        ("Users began to see 502 errors on the dashboard.", "impact_start"),
        ("The on-call engineer was paged by a latency alert.", "detection"),
        ("An incident was declared and the team assembled.", "response"),
        ("We rolled back the release to the previous version.", "mitigation"),
        ("Service fully restored for all customers.", "impact_end"),
        ("The incident was marked resolved.", "resolution"),
        ("The postmortem was published on the blog.", "followup"),
        ("The weekly sync happened as usual.", "other"),
    ],
)
def test_event_kind_from_cue_phrases(text, kind):
    assert classify_event(text) == kind


def test_customers_started_seeing_errors_is_impact_start():
    assert classify_event("Customers started seeing 502 errors on the dashboard.") == "impact_start"


@pytest.mark.parametrize(
    "status, kind",
    [("investigating", "detection"), ("identified", "response"), ("monitoring", "mitigation"), ("resolved", "resolution"), ("postmortem", "followup")],
)
def test_event_kind_from_statuspage_status(status, kind):
    assert classify_event("An update was posted.", status) == kind


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Postgres fell over and the site started throwing 500 errors for everyone.", "impact_start"),
        ("The checkout API started throwing timeouts at every caller.", "impact_start"),
        ("The site was loading again and you could post.", "impact_end"),
        ("Webhooks were delivering again within a few minutes.", "impact_end"),
        ("The dashboard is responding again for all tenants.", "impact_end"),
    ],
)
def test_more_wordings_of_impact_starting_and_ending(text, kind):
    assert classify_event(text) == kind


@pytest.mark.parametrize(
    "text, kind",
    [
        # impact starting when users stop getting something
        ("Around 2:15pm, editors stopped getting autocomplete suggestions in the web app.", "impact_start"),
        ("At 06:40 the branch tills stopped receiving price updates from head office.", "impact_start"),
        # a sentence that closes the impact told before it
        ("That lasted until about 3:50pm.", "impact_end"),
        ("The outage lasted until 11:20, when the second link came up.", "impact_end"),
        # the customer who told us is the detection
        ("We heard about it from a school in Leeds that phoned at 09:12.", "detection"),
        ("A customer in Ghent emailed support at 2:40pm to ask why her invoices were blank.", "detection"),
        # switching users back is mitigation, though the sentence says "started"
        ("By 3:05pm we knew what was going on and started switching everyone back.", "mitigation"),
        ("At 10:41 we switched the resolver back to the old cluster.", "mitigation"),
    ],
)
def test_wordings_of_a_founders_post_and_a_branch_network_notice(text, kind):
    assert classify_event(text) == kind


def test_switching_a_feature_back_on_is_not_switching_back():
    assert classify_event("At 10:41 we switched the cache back on.") != "mitigation"


@pytest.mark.parametrize(
    "text, kind",
    [
        ("checkout-api 5xx above 20 percent; fans in the queue cannot complete payment.", "impact_start"),
        ("Pupils couldn't log in to the homework portal.", "impact_start"),
        ("Error rate below 1 percent. Purchases completing normally.", "impact_end"),
        ("Label printers at both depots working normally.", "impact_end"),
    ],
)
def test_what_users_cannot_do_and_things_working_normally(text, kind):
    assert classify_event(text) == kind


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Sync error rate back to baseline.", "impact_end"),
        ("Checkout latency back to normal levels across all regions.", "impact_end"),
        ("Redis at its memory limit again; sync errors return.", "impact_start"),
        ("Timeouts reappeared on the EU cluster.", "impact_start"),
    ],
)
def test_rates_back_to_baseline_and_errors_returning(text, kind):
    assert classify_event(text) == kind
