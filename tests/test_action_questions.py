"""Follow-ups in the question-headed review (Azure-style PIRs: "How did we respond?", "How are we
making incidents like this less likely…?") and in chat and tracker shorthand: the heading names the
section however long the question, a bold-only HTML paragraph is a heading, and advice to readers,
regrets and chat stamps are no follow-ups. Sentences are written for the test, in the shapes of
several organizations."""

from __future__ import annotations

import pytest

from ingest.actions import action_status, is_boilerplate, is_preventive, is_skipped
from ingest.normalise import normalise
from ingest.pipeline import extract
from ingest.read import source_from_bytes
from ingest.segment import section_role


def actions(name: str, text: str) -> list[tuple[str, str]]:
    incident = extract(normalise(source_from_bytes(name, text.encode(), None)))[0]
    return [(a["text"], a["status"]) for a in incident["corrective_actions"]]


@pytest.mark.parametrize(
    "heading, role",
    [
        ("How are we making incidents like this less likely or less impactful?", "actions"),
        ("What are we doing to make incidents like this less likely to happen again?", "actions"),
        ("How did we respond?", "resolution"),
        ("How we responded", "resolution"),
        ("How can customers make incidents like this less impactful?", "other"),
        ("What can customers do to reduce the impact of a regional outage?", "other"),
    ],
)
def test_review_questions_name_their_sections(heading, role):
    assert section_role(heading) == role


def test_a_long_statement_that_mentions_a_section_name_is_no_heading():
    assert section_role("The team went through the action items at the weekly review on Monday afternoon") is None


PIR_PAGE = """<html><body><h2>3 March 2025</h2>
<p><strong>What happened?</strong></p>
<p>Between 08:10 and 09:05 UTC, customers in the Frankfurt region could not create new volumes.</p>
<p><strong>How did we respond?</strong></p>
<ul><li>08:10 UTC: Customer impact began.</li><li>08:40 UTC: We rolled back the placement change.</li></ul>
<p><strong>How are we making incidents like this less likely or less impactful?</strong></p>
<ul><li>We are adding a validation step that rejects placement maps with empty zones. (Estimated completion: April 2025)</li>
<li>We have paused automatic placement rebalancing until that validation ships. (Completed)</li></ul>
</body></html>"""


def test_a_bold_only_html_paragraph_is_kept_as_a_bold_line():
    text = normalise(source_from_bytes("pir.html", PIR_PAGE.encode(), None)).text
    assert "**How did we respond?**" in text
    assert "**Between" not in text


def test_follow_ups_under_a_bold_question_heading_keep_their_in_progress_status():
    found = actions("pir.html", PIR_PAGE)
    assert ("We are adding a validation step that rejects placement maps with empty zones. (Estimated completion: April 2025)", "in_progress") in found
    assert ("We have paused automatic placement rebalancing until that validation ships. (Completed)", "done") in found
    assert not any("rolled back" in t for t, _ in found)


@pytest.mark.parametrize(
    "sentence",
    ["If you still see failed uploads, please reach out to support and quote the request ID.",
     "Customers with questions can reach out to your account manager.",
     "We'll keep an eye on it over the weekend."],
)
def test_advice_to_contact_support_and_watching_it_are_boilerplate(sentence):
    assert is_boilerplate(sentence)


@pytest.mark.parametrize(
    "item",
    ["In hindsight we should have paused the rollout when the first alert fired.",
     "I should have checked the replica lag before starting the migration.",
     "[10:46 AM] @dana: rolling the deploy back now",
     "[22:03] priya.k: ok, paging the storage on-call"],
)
def test_regrets_and_chat_stamped_lines_are_no_follow_ups(item):
    assert is_skipped(item)


def test_a_should_have_that_names_a_thing_to_have_is_kept():
    assert not is_skipped("We should have a second reviewer on every schema migration.")


@pytest.mark.parametrize(
    "sentence",
    ["We are adding a canary stage to the configuration rollout.",
     "The team built per-tenant rate limits into the ingest gateway.",
     "We're writing a runbook for failing over the message broker."],
)
def test_adding_a_safeguard_is_preventive(sentence):
    assert is_preventive(sentence)


def test_adding_capacity_during_the_incident_is_not_preventive():
    assert not is_preventive("We added four more nodes to the cluster at 14:20.")


@pytest.mark.parametrize(
    "item",
    ["Add a lint rule for unbounded retries (PR is up)",
     "Move the nightly export to the new scheduler — PR in review",
     "Cap the webhook queue per tenant (in code review)"],
)
def test_a_pull_request_up_or_in_review_is_in_progress(item):
    assert action_status(item) == "in_progress"


def test_extended_is_a_done_verb_in_prose():
    text = ("# Checkout errors\n\n## What went wrong\n\nA config push removed the payment region.\n\n"
            "## Afterwards\n\nWe have since extended the canary stage to thirty minutes so that a bad push is caught before it spreads.\n")
    assert ("We have since extended the canary stage to thirty minutes so that a bad push is caught before it spreads.", "done") in actions("x.md", text)
