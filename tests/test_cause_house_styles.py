"""Causes in house styles the first rules missed: effects and symptoms that are not causes,
narrative causal language without a "root cause" heading, and figure lines. Sentences are
written for the test in the shapes of several organizations (never copied from the gold)."""

from __future__ import annotations

import pytest

from ingest.causes import never_a_cause, word_share
from ingest.normalise import normalise
from ingest.pipeline import build_nlp, extract
from ingest.read import source_from_bytes
from ingest.segment import section_role


def causes(text: str) -> list[str]:
    incident = extract(normalise(source_from_bytes("x.md", text.encode(), None)))[0]
    return [c["text"] for c in incident["causes"]]


@pytest.mark.parametrize(
    "sentence",
    [
        "This resulted in roughly 53 minutes of downtime on July 15.",
        "The broken schedule resulted in validators not receiving their rewards for the epoch.",
        "As a result, it was impossible to merge any pull request for nine hours.",
        "As a result, the scheduler was never able to start on the new node.",
        "Each time, we saw the same issues resurface, with short periods of errors.",
        "These changes provided some short-term relief, but latency kept climbing.",
        "Block storage (us-east1-b): Customers may have seen elevated latency due to an issue in the storage layer.",
        "Users across the agency were unable to sign in due to the false positives.",
    ],
)
def test_effects_and_symptoms_are_not_causes(sentence):
    assert never_a_cause(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "**Block storage (us-east1-b):** Customers may have seen elevated latency due to an issue in the storage layer.",
        "__Mobile app__: Some users were unable to upload photos because of the queue backlog.",
    ],
)
def test_effects_in_emphasised_lead_ins_are_not_causes(sentence):
    """Status pages put the affected product in bold before the symptom: the marks do not hide the symptom."""
    assert never_a_cause(sentence)
    assert causes(f"# Outage\n\n## Summary\n\n{sentence}\n") == []


def test_as_a_result_that_names_a_cause_is_still_one():
    assert not never_a_cause("As a result, the payout window passed before the team was able to fix the relayer.")


@pytest.mark.parametrize(
    "sentence",
    [
        "Unfortunately, while cleaning up the replica we erroneously deleted the data directory of the primary.",
        "The database server had reached its connection limit, so new application servers could not connect.",
        "This meant that our production copy of the backup tool was outdated and lacked the fix.",
        "The Asia relay was underpowered for the traffic it received.",
        "While graphs recorded the growth, no alert was configured, so the full disk went unnoticed for a day.",
    ],
)
def test_narrative_causal_language_is_a_cause_outside_cause_sections(sentence):
    assert causes(f"# Outage\n\n## What happened\n\n{sentence}\n") == [sentence]


def test_figure_lines_are_not_causes():
    line = "Pool state before attack 1 (block 45098505): 64,995.42 USDC + 1,500.46 kHYPE (~$196,330)."
    assert word_share(line) < 0.6
    assert causes(f"# Exploit\n\n## Root cause\n\n- {line}\n- The oracle read a spot price that one swap could move.\n") == ["The oracle read a spot price that one swap could move."]


def test_the_figure_threshold_is_the_components_config():
    nlp = build_nlp()
    assert nlp.get_pipe_config("pmkb_causes")["min_word_share"] == 0.6


@pytest.mark.parametrize("heading", ["Q&A", "FAQ", "Frequently asked questions"])
def test_answers_in_a_questions_section_are_not_causes(heading):
    text = (
        f"# Outage\n\n## Root cause\n\nA bug in the transaction queue let it grow without bound, so validation fell behind.\n\n## {heading}\n\n"
        "Q: Why did my node drop off?\n\nA: Slow nodes fell out of sync as a result of the backlog, which made their farmers miss rewards.\n"
    )
    assert causes(text) == ["A bug in the transaction queue let it grow without bound, so validation fell behind."]


@pytest.mark.parametrize(
    "sentence",
    [
        "Because of this, customers with transit services over this switch had no connectivity from 10:47 until 11:09.",
        "Consequently, users were unable to open their mailboxes for most of the morning.",
        "Two other things made it worse.",
        "Three more factors contributed to the length of the outage.",
        "Scaling the pool did not help. It did not make things worse either.",
        "We want to be clear that the customer did nothing wrong by using the hooks.",
        "On November 28 that did not happen.",
    ],
)
def test_consequences_list_announcements_and_exonerations_are_not_causes(sentence):
    assert never_a_cause(sentence)


@pytest.mark.parametrize("adjective", ["direct", "immediate", "proximate", "primary", "main"])
def test_the_direct_cause_names_a_cause_in_a_summary(adjective):
    text = (f"# Tracking delayed\n\n## Summary\n\nTracking stopped for two hours on 18 February 2025.\n\n"
            f"The {adjective} cause was a retention change on the events topic, which filled the disks of two brokers.\n")
    assert any("retention change" in c for c in causes(text))


@pytest.mark.parametrize("heading", ["Why it got this bad", "Why did the failover not work?", "Why the disk filled up"])
def test_a_heading_that_asks_why_is_a_cause_section(heading):
    text = (f"# Survival crash\n\nThe server went down on Saturday.\n\n**{heading}**\n\n"
            "1. The cleanup line pointed at the old folder, so it silently deleted nothing.\n"
            "2. The backups sit on the same SSD as the worlds, so they filled the disk the worlds need.\n")
    found = causes(text)
    assert any("silently deleted nothing" in c for c in found) and any("same SSD" in c for c in found)


def test_a_heading_that_says_why_we_write_is_no_cause_section():
    assert section_role("Why we are sharing this") is None


def test_a_five_whys_answer_is_the_cause_without_its_question():
    text = ("# Sequencer halt\n\nThe chain stopped on 10 February 2026.\n\n## 5 Whys\n\n"
            "1. **Why did the chain stop producing blocks?** All three sequencer replicas panicked while deriving the next block.\n")
    assert causes(text) == ["All three sequencer replicas panicked while deriving the next block."]


def test_how_questions_of_a_review_template_stay_out_of_the_causes():
    text = ("# Disk full\n\n## Root cause\n\n"
            "1. **How was the root cause diagnosed?** By checking the replication slots on the primary and finding an inactive one.\n")
    assert not any(c.startswith("By checking") for c in causes(text))


def test_a_list_announcement_with_another_verb_is_no_cause():
    assert never_a_cause("Two things stretched the outage.")


@pytest.mark.parametrize(
    "line",
    ["CONFIDENTIAL Root Cause Analysis KP-RCA-2025-007 Rev. 1.0",
     "ROOT CAUSE ANALYSIS REPORT Outbound Transfer Failure and Duplicate Transfers",
     "Regulatory: the regulator was notified within one hour. This report is the root cause analysis due within 14 days."],
)
def test_the_name_of_the_report_is_no_cause(line):
    assert never_a_cause(line)


def test_a_root_cause_analysis_label_with_its_finding_is_still_a_cause():
    assert not never_a_cause("Root cause analysis: the renewal job's token had been revoked as dormant.")


@pytest.mark.parametrize(
    "sentence",
    [
        "In closing, we apologise for the disruption this caused to every team on the platform.",
        "Once again, we sincerely apologize for the inconvenience to our subscribers.",
        "For many of you this meant invoices going out a day late, and we are sorry for that.",
        "We know it cost several of you a full day of builds.",
        "For some of you this meant a missed train and no warning on the app.",
        "A lot of you found that your dashboards showed no data on Sunday morning.",
        "I want to explain exactly what went wrong, because you deserve more than a vague apology.",
        "We would like to be transparent about how this happened.",
        "This was not a cyber attack, and no customer data was accessed.",
        "The disruption was not caused by a security breach.",
        "If you installed 2.4.1 during that window, assume any token in the environment was exposed and rotate it.",
        "If you use the old mobile client, please update to version 6.2 to reconnect.",
        "Customers were informed through the website and the app from 10:35.",
        "Passengers on the affected lines were notified by text message.",
        "The incident was classified as P1 because of the number of stations affected.",
        "The outage was declared a SEV-2 at 09:14.",
    ],
)
def test_apologies_reader_impact_exonerations_advice_and_notices_are_not_causes(sentence):
    """How a post talks to its readers (sorry, what it meant for you, what to do, how we told you)
    is never the cause, wherever the sentence sits."""
    assert never_a_cause(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Many of the retries came from clients with no backoff, which kept the queue full.",
        "The attack traffic was not filtered because the scrubbing profile covered only UDP.",
        "Users who had set a custom domain were routed to the old load balancer by a stale record.",
    ],
)
def test_causes_that_merely_mention_readers_attacks_or_users_stay_causes(sentence):
    assert not never_a_cause(sentence)


@pytest.mark.parametrize("heading", ["3. Incident notes", "Notes on the incident"])
def test_incident_notes_are_the_narrative_not_meta_notes(heading):
    assert section_role(heading) == "summary"
    assert section_role("Notes") == "other"  # a bare "Notes" section stays aside


def test_a_quarterly_report_s_incident_notes_give_their_causes():
    text = (
        "# Quarterly reliability report\n\n## 3. Incident notes\n\n### Incident 1: Booking errors (October 7)\n\n"
        "On October 7, 2025 online booking failed for 48 minutes.\n\nVersion 2.8 of the booking service was deployed at "
        "10:09 a.m. It changed how slot availability is cached, and a null check was missing for clinics with no vet rostered that day.\n"
    )
    assert any("null check was missing" in c for c in causes(text))
