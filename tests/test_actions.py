"""Corrective actions: action sections and action language, one item each, with a status."""

from __future__ import annotations

import pytest

from ingest.actions import action_status
from ingest.normalise import normalise
from ingest.pipeline import extract
from ingest.read import source_from_bytes


def extract_text(text: str, name: str = "x.md") -> dict:
    """The first incident extracted from a Markdown text."""
    return extract(normalise(source_from_bytes(name, text.encode(), None)))[0]


def actions_of(text: str) -> list[tuple[str, str]]:
    """(status, text) of each corrective action found in a document."""
    return [(a["status"], a["text"]) for a in extract_text(text)["corrective_actions"]]


def status_of(actions: list[tuple[str, str]], word: str) -> str:
    (status,) = [s for s, t in actions if word in t]
    return status


# ---------------------------------------------------------------- action sections


@pytest.mark.parametrize(
    "heading",
    [
        "## Action items",
        "## Follow-up",
        "## Next steps",
        "## Corrective and preventative measures",
        "## Remediation and prevention",
        "**Action items**",
        "Follow-up actions:",
    ],
)
def test_each_bullet_under_an_action_heading_is_one_action(heading):
    actions = actions_of(
        f"# Queue outage\n\n{heading}\n\n"
        "- Alert on consumer lag above five minutes\n"
        "- Document the broker failover procedure\n"
        "- Load-test the queue at twice the peak rate\n"
    )
    assert len(actions) == 3


def test_each_table_row_under_an_action_heading_is_one_action():
    actions = actions_of(
        "# Queue outage\n\n## Action items\n\n| Action | Owner |\n|---|---|\n"
        "| Alert on consumer lag above five minutes | SRE |\n"
        "| Document the broker failover procedure | Platform |\n"
    )
    assert [t for _, t in actions] == ["Alert on consumer lag above five minutes", "Document the broker failover procedure"]


def test_status_cell_of_an_action_table_gives_the_status():
    actions = actions_of(
        "# Queue outage\n\n## Action items\n\n| Action | Owner | Status |\n|---|---|---|\n"
        "| Alert on consumer lag above five minutes | SRE | Done |\n"
        "| Document the broker failover procedure | Platform | In progress |\n"
    )
    assert status_of(actions, "consumer lag") == "done"
    assert status_of(actions, "failover") == "in_progress"


@pytest.mark.parametrize(
    "done_cell, progress_cell, planned_cell",
    [
        # a logistics firm's review exported from a document editor
        ("Done (26-01-2023)", "In progress, target March 2023", "Planned for Q3 2023"),
        # an analytics company's SRE review
        ("Done, shipped in v2.31.1 on 2023-11-06", "In progress - PR open", "Open: needs an owner"),
    ],
)
def test_a_status_cell_with_a_date_or_a_detail_after_its_word_gives_the_status(done_cell, progress_cell, planned_cell):
    actions = actions_of(
        "# Queue outage\n\n## Action items\n\n| Action | Owner | Status |\n|---|---|---|\n"
        f"| Alert on consumer lag above five minutes | SRE | {done_cell} |\n"
        f"| Document the broker failover procedure | Platform | {progress_cell} |\n"
        f"| Review every alert's distribution list | Security | {planned_cell} |\n"
    )
    assert [status_of(actions, k) for k in ("consumer lag", "failover", "distribution list")] == ["done", "in_progress", "planned"]


def test_an_action_cell_opening_with_an_imperative_status_word_is_no_status():
    actions = actions_of(
        "# Queue outage\n\n## Action items\n\n| Action | Owner |\n|---|---|\n"
        "| Complete the runbook for broker failover | Platform |\n"
        "| Done-checklist for every release: add a capacity estimate | SRE |\n"
    )
    assert status_of(actions, "runbook") == "planned" and status_of(actions, "capacity estimate") != "done"


def test_list_intro_and_thanks_under_an_action_heading_are_not_actions():
    actions = actions_of(
        "# Queue outage\n\n## Next steps\n\nWe have identified the following improvements:\n\n"
        "- Alert on consumer lag above five minutes\n\nThank you for your patience while we work on these.\n"
    )
    assert [t for _, t in actions] == ["Alert on consumer lag above five minutes"]


def test_nested_lists_under_an_action_heading_keep_one_action_per_item():
    actions = actions_of(
        "# Queue outage\n\n## Action items\n\n- Monitoring\n  - Alert on consumer lag above five minutes\n  - Page the queue owners directly\n"
    )
    assert sum(1 for _, t in actions if "consumer lag" in t or "queue owners" in t) == 2


# ---------------------------------------------------------------- action language outside sections


@pytest.mark.parametrize(
    "sentence, status",
    [
        ("We will add an alert on replication lag to prevent this from happening again.", "planned"),
        ("We are adding a canary stage to the deploy pipeline so that bad builds are caught earlier.", "in_progress"),
        ("We have added a disk usage alert to prevent a recurrence.", "done"),
    ],
)
def test_action_language_in_a_summary(sentence, status):
    actions = actions_of(f"# Search outage\n\n## Summary\n\nOn 2024-03-05 search was down for an hour. {sentence}\n")
    assert actions == [(status, sentence)]


@pytest.mark.parametrize(
    "sentence",
    [
        "We will provide an update by 16:00 UTC.",
        "We restarted the search nodes and the service recovered.",
        "The search cluster runs on three nodes.",
    ],
)
def test_status_updates_and_incident_steps_are_not_actions(sentence):
    assert actions_of(f"# Search outage\n\n## Summary\n\nSearch was down for an hour. {sentence}\n") == []


def test_mitigation_steps_in_a_timeline_are_not_actions():
    actions = actions_of(
        "# Search outage\n\n## Timeline\n\n"
        "- 2024-03-05 10:00 UTC We restarted the search nodes to mitigate the impact.\n"
        "- 2024-03-05 10:20 UTC We have increased the disk size to prevent a recurrence.\n"
        "- 2024-03-05 10:40 UTC We will monitor the cluster for another hour.\n"
    )
    assert actions == []


def test_steps_in_a_resolution_section_are_not_actions_unless_planned():
    actions = actions_of(
        "# Search outage\n\n## Resolution\n\n"
        "We restarted the search nodes and increased the disk size. "
        "We are monitoring the cluster closely. "
        "We will add an alert on disk usage to prevent this from happening again.\n"
    )
    assert [s for s, _ in actions] == ["planned"]


# ---------------------------------------------------------------- status


def test_statuses_from_markers_in_an_action_list():
    actions = actions_of(
        "# Search outage\n\n## Action items\n\n"
        "- [x] Rotate the expired certificate\n"
        "- [ ] Automate certificate renewal\n"
        "- DONE: Add a runbook for index failover\n"
        "- Add a dashboard for queue depth (done)\n"
        "- Migrating the index to the new storage class (in progress)\n"
        "- Review the on-call escalation policy\n"
    )
    assert [s for s, _ in actions] == ["done", "planned", "done", "done", "in_progress", "planned"]


def test_todo_label_marks_an_item_planned():
    actions = actions_of("# Search outage\n\n## Action items\n\n- TODO: Load-test the new cluster\n")
    assert [s for s, _ in actions] == ["planned"]


def test_status_from_the_heading_the_actions_sit_under():
    actions = actions_of(
        "# Search outage\n\n## Action items\n\n### Immediate Actions (Completed)\n\n- Increase the connection pool size\n\n"
        "### Long-term actions\n\n- Split the search cluster by tenant\n"
    )
    assert status_of(actions, "connection pool") == "done"
    assert status_of(actions, "search cluster") == "planned"


def test_bold_lead_in_items_stay_actions():
    actions = actions_of(
        "# Queue outage\n\n## Action items\n\n"
        "- **Fix the retry loop.** Cap retries at three per job.\n"
        "- **Response time.** Page the database team directly.\n"
    )
    assert len(actions) == 2


@pytest.mark.parametrize(
    "text, status",
    [
        ("[x] Rotate the key", "done"),
        ("Rotate the key (done)", "done"),
        ("DONE Rotate the key", "done"),
        ("Rotate the key ✅", "done"),
        ("Rotate the key (in progress)", "in_progress"),
        ("WIP: rotate the key", "in_progress"),
        ("[ ] Rotate the key", "planned"),
        ("TODO rotate the key", "planned"),
        ("Status: open. Rotate the key", "planned"),
        ("We will rotate every deploy key.", "planned"),
        ("We plan to rotate every deploy key.", "planned"),
        pytest.param(
            "We are rotating every deploy key.",
            "in_progress"
        ),
        ("We are adding key rotation to the deploy pipeline.", "in_progress"),
        ("Key rotation is being automated.", "in_progress"),
        ("We have rotated every deploy key.", "done"),
        ("Key rotation was automated last week.", "done"),
        ("Rotated every deploy key.", "done"),
        ("Automate key rotation.", "planned"),
        ("Implementing automated key rotation.", "in_progress"),
        ("Key rotation for deploy keys.", "unknown"),
    ],
)
def test_action_status(text, status):
    assert action_status(text) == status


def test_done_wording_is_not_read_as_a_done_marker_in_lower_case():
    # markers are case-sensitive: 'done' inside a sentence is not DONE
    assert action_status("Make sure the migration is done before the freeze.") == "planned"


def test_checkbox_wins_over_the_wording():
    assert action_status("We will rotate every deploy key.", checkbox="done") == "done"
    assert action_status("Rotate every deploy key.", checkbox="open") == "planned"


def test_heading_status_applies_when_the_item_has_no_marker():
    assert action_status("Increase the pool size", headings=("Action items", "Completed")) == "done"
    assert action_status("Increase the pool size (in progress)", headings=("Action items", "Completed")) == "in_progress"


@pytest.mark.parametrize(
    "item, expected",
    [
        # what now happens, told in the present: a DNS host's RFO, a news site's blog
        ("- Synthetic monitoring now performs full DNSSEC validation from every edge location.", "done"),
        ("- The live blog now renders incrementally, one post at a time.", "done"),
        ("- The login waiting queue is now switched on automatically after every maintenance.", "done"),
        # a named colleague at work on it: a hosting co-op, a university IT team
        ("- ruth is writing a \"restore a whole host\" runbook from saturday's notes.", "in_progress"),
        ("- The identity team is testing a second signing certificate on the staging portal.", "in_progress"),
        # a participle line, the hardware swapped
        ("- both disks on birch replaced with new ones from a different batch.", "done"),
        # an unticked box whose words say the work is under way, and one that says nothing of it
        ("- [ ] We're setting up our servers to present a certificate every hub generation trusts. This is under way.", "in_progress"),
        ("- [ ] Add an alert on the number of connected hubs per generation.", "planned"),
    ],
)
def test_status_from_the_words_of_a_follow_up(item, expected):
    actions = actions_of(f"# Hub outage\n\n## Follow-ups\n\n{item}\n")
    assert [s for s, _ in actions] == [expected]


def test_a_heading_naming_two_statuses_leaves_each_action_to_its_own_words():
    actions = actions_of(
        "# Card payments declined\n\n## What we have done and what is in progress\n\n"
        "- We have checked every setting that changed during the data centre move.\n"
        "- We are moving the declined-payments alert so that it reaches the colleagues on duty at weekends.\n"
    )
    assert status_of(actions, "checked every setting") == "done" and status_of(actions, "declined-payments alert") == "in_progress"
