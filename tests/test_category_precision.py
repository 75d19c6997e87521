"""Words that name where an incident happened, or how it was fixed, without saying what went wrong.

A manual step in the recovery is not a manual operation gone wrong; a runbook that said too little
is a process gap, not a human error; a TLS handshake or a proxy is where the failure showed, not a
network fault. Sentences are written for the test in the shapes of several organizations; each
family has the sentences that must still match beside the ones that must not."""

from __future__ import annotations

import pytest

from ingest.classify import categorise


@pytest.mark.parametrize(
    "sentence",
    [
        "The standby controller needs a manual restart after a battery fault, so it stayed dark.",
        "Routing to the backup acquirer is a manual procedure, so it took until 21:32 to apply.",
        "The last part of the switchover did not complete and had to be finished manually.",
        "A full disk on a broker means manual recovery, and we had not practised it.",
        "The renewal was tracked manually in a spreadsheet owned by someone who had left.",
        "Obtaining the manual override from the release gate took 30 minutes.",
    ],
)
def test_manual_recovery_or_bookkeeping_is_no_human_operation(sentence):
    assert "human-operation" not in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The copy was only half done when I manually failed over to the new database.",
        "The archival job was restarted manually during business hours, when the scheduler is busiest.",
        "The manual cleanup deleted every image but the last five in each repository.",
        "When scheduling the job, the implementer entered 02:00 in the scheduler, which runs in UTC.",
        "The rollout was entered with a stage size of 0.5 where the tool expects a fraction.",
        "The step that refreshes statistics got lost when we rewrote the upgrade checklist.",
    ],
)
def test_a_hand_made_step_that_did_the_damage_is_human_operation(sentence):
    assert "human-operation" in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "We had no runbook for a full broker disk, so the on-call worked it out as they went.",
        "The failover runbook does not ask the engineer to check why the primary failed.",
        "The on-call runbook for ingest delays starts with restarting the ingest workers.",
    ],
)
def test_a_runbook_that_said_too_little_is_no_human_operation(sentence):
    assert "human-operation" not in categorise(sentence)


def test_a_runbook_not_followed_is_human_operation():
    assert "human-operation" in categorise("The engineer followed an outdated runbook and restarted both nodes at once.")


@pytest.mark.parametrize(
    "sentence",
    [
        "The client certificate used for mutual TLS to the card switch expired at midnight.",
        "With TLS required, each new connection paid for a full handshake and the cache nodes ran out of CPU.",
        "Proxy instances on the new release exhausted their memory and were restarted in a loop.",
        "Our origin sent the same cache-control header on errors as on successful responses.",
    ],
)
def test_tls_proxies_and_headers_are_no_network_fault(sentence):
    assert "network" not in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "A configuration push to our load balancers removed one of the three backend pools.",
        "The resolvers answered SERVFAIL for every signed zone after the DNS change.",
    ],
)
def test_load_balancers_and_dns_are_still_network(sentence):
    assert "network" in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The autoscaler made it worse: it added pods that each opened twenty connections.",
        "Our mobile clients made things worse by retrying every second with no backoff.",
        "A second problem made things worse: the alert went to a retired channel.",
        "Several things made it worse:",
    ],
)
def test_a_factor_that_made_it_worse_is_no_remediation(sentence):
    assert "remediation" not in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Then we made it worse: to free space quickly, we ran a parallel delete sweep.",
        "At 09:12 we ran a rolling restart of the API. This made things much worse.",
        "The failover at 06:26 bought only fourteen minutes and made things worse.",
        "One of our fixes during the afternoon actually made things worse for a while.",
        "Search latency got worse during the mitigation, as the shard moves competed with queries.",
    ],
)
def test_a_response_that_made_it_worse_is_remediation(sentence):
    assert "remediation" in categorise(sentence)
