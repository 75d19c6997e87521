"""Cause categories from prose that never names its category: a defect told as what the code did
("silently clamped", "stopped after the first page instead of following the cursor"), an operator's
hand in the cause ("the implementer entered 02:00"), and a third party told by its role ("the bank
rotated its host key", "the trigger was external"). Sentences are written for the test in the shapes
of several organizations; each family has a near miss that must not match."""

from __future__ import annotations

import pytest

from ingest.classify import categorise


@pytest.mark.parametrize(
    "sentence",
    [
        "The traffic tool accepted an out-of-range weight and silently clamped it to the maximum.",
        "The new cache, however, had no upper bound.",
        "The receipt consumer could not parse receipts once the status code arrived as a number.",
        "The agent never cleared its temporary directory, so it grew until the disk was full.",
        "The update was meant to hold slots longer, but a mistake in it kept holds that should have been released.",
        "Its lock helper treats a connection error as \"lock acquired\", so both nodes sent the batch.",
        "The new pagination code stopped after the first page instead of following the cursor to the end.",
    ],
)
def test_a_defect_told_as_what_the_code_did_is_software_bug(sentence):
    assert "software-bug" in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "We silently dropped the idea of a second region in 2023 for cost reasons.",
        "The queue has an upper limit of 10,000 messages, which we raised to 50,000.",
    ],
)
def test_near_misses_are_no_software_bug(sentence):
    assert "software-bug" not in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "On Wednesday night the bank rotated the host key on its file-transfer server.",
        "Our peer had removed a prefix list during maintenance on their edge routers.",
        "The trigger was external: the network halted and stopped accepting transactions.",
        "At 05:38 the mobile carrier that carries most of our trackers lost its core network.",
        "The quarterly patch provided by the records vendor rebuilt every index at once.",
    ],
)
def test_a_third_party_told_by_its_role_is_dependency(sentence):
    assert "dependency" in categorise(sentence)


def test_our_own_bank_transfer_job_is_no_dependency():
    assert "dependency" not in categorise("Our bank transfer job retried every payment three times.")


@pytest.mark.parametrize(
    "sentence",
    [
        "The renewal charge was declined because the company card held by the vendor had expired.",
        "On Saturday morning the old certificate simply ran out, and every scanner refused the site.",
        "The clocks went from 1:59:59 EST straight to 3:00:00 EDT, and the scheduler could not compute its next run.",
        "It was the night daylight saving ended, so the two o'clock hour happened twice.",
        "The timezone library raised a nonexistent time error and the worker exited.",
    ],
)
def test_expiry_told_by_its_thing_and_clock_changes_are_time(sentence):
    assert "time" in categorise(sentence)


def test_a_time_zone_named_in_passing_is_no_time_category():
    assert "time" not in categorise("Our support team works in the Pacific time zone and saw the tickets first.")


@pytest.mark.parametrize(
    "sentence",
    [
        "His first move, restarting the service on the theory that it had hung, turned out to be the wrong one.",
        "The restart threw away the queue of segments confirmed while the server was locked.",
    ],
)
def test_a_response_that_turned_out_wrong_is_remediation(sentence):
    assert "remediation" in categorise(sentence)
