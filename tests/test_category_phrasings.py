"""Cause categories in more of the words postmortems use: partners and carriers named as such
(dependency), fibre cuts (network), wrong picks, steps never undone and procedures not followed
(human-operation), and a response that backfired (remediation). Sentences are written for the
test in the shapes of several organizations; each family also has a near miss that must not match."""

from __future__ import annotations

import pytest

from ingest.classify import categorise


@pytest.mark.parametrize(
    "sentence",
    [
        "Card payments were declined because one of our card processing partners lost its connection to the schemes.",
        "One of the carriers we send through rejected every message with a throttling error.",
        "The backup route belongs to our wholesale partner and was down for their maintenance that night.",
        "The provider confirmed that a faulty release on their side caused the resolver timeouts.",
        "A carrier aggregator changed the format of its receipts without notice.",
    ],
)
def test_partners_carriers_and_their_side_are_dependency(sentence):
    assert "dependency" in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The identity provider configuration in our own login service had the wrong audience.",
        "We asked our cloud account team for a larger quota during the incident.",
    ],
)
def test_a_provider_we_run_or_merely_talk_to_is_no_dependency(sentence):
    assert "dependency" not in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "A digger cut the fibre cable between the two exchanges.",
        "Traffic was lost when the fiber link to the north ring was severed.",
        "The cable was damaged by roadworks near the depot.",
    ],
)
def test_a_cut_fibre_is_network(sentence):
    assert "network" in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The on-call engineer picked the wrong process ID from the list and stopped the vacuum instead.",
        "The storage links were plugged into the wrong ports when the rack was rebuilt.",
        "The queue had been switched off for the maintenance and was not switched back on before opening.",
        "The replacement card was inserted without its configuration, contrary to the vendor procedure.",
        "I improvised a cleanup command on the live server without a dry run.",
        "We erroneously deleted the data directory on the primary.",
    ],
)
def test_wrong_picks_undone_steps_and_skipped_procedures_are_human_operation(sentence):
    assert "human-operation" in categorise(sentence)


def test_a_wrong_value_in_code_is_no_human_operation():
    assert "human-operation" not in categorise("The parser returned the wrong offset for multi-byte characters.")


@pytest.mark.parametrize(
    "sentence",
    [
        "Scaling the workers backfired: the email provider started refusing our connections.",
        "The second outage was our own doing while cleaning up after the first.",
        "Our standard rollback procedure failed because of a permissions error.",
        "Growing the volumes one node at a time lengthened the outage by forty minutes.",
        "Restarting the booking service at 10:05 made the second outage longer, because every kiosk had to log in again.",
        "Rolling back the schema change by hand made things worse: the old code could not read the new rows.",
    ],
)
def test_a_response_that_backfired_is_remediation(sentence):
    assert "remediation" in categorise(sentence)


def test_clients_retrying_is_no_remediation():
    assert "remediation" not in categorise("The app's retry loop turned a slow database into a full outage.")
    assert "remediation" not in categorise("The full disk made the outage longer than it had to be.")
