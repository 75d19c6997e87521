"""Causes: cause sections, causal cues outside them, kinds, and what is kept out."""

from __future__ import annotations

import pytest

from ingest.causes import cause_kind, is_fault, is_problem, never_a_cause
from ingest.normalise import normalise
from ingest.pipeline import extract
from ingest.read import source_from_bytes


def extract_text(text: str, name: str = "x.md") -> dict:
    """The first incident extracted from a Markdown text."""
    return extract(normalise(source_from_bytes(name, text.encode(), None)))[0]


def causes_of(text: str) -> list[tuple[str, str]]:
    """(kind, text) of each cause found in a document."""
    return [(c["kind"], c["text"]) for c in extract_text(text)["causes"]]


def kinds_by_word(causes: list[tuple[str, str]], word: str) -> list[str]:
    return [kind for kind, text in causes if word in text]


# ---------------------------------------------------------------- cause sections


@pytest.mark.parametrize(
    "heading, kind",
    [
        ("## Root cause", "root"),
        ("## What went wrong", "root"),
        ("## Why did this happen?", "root"),
        ("## Trigger", "trigger"),
        ("## Contributing factors", "contributing"),
        ("**Root cause**", "root"),
        ("Contributing factors\n--------------------", "contributing"),
    ],
)
def test_each_bullet_of_a_cause_section_is_one_cause_of_the_section_kind(heading, kind):
    causes = causes_of(
        f"# Queue outage\n\n{heading}\n\n"
        "- The consumer pool was sized for half of the peak load.\n"
        "- A retry storm doubled the number of messages in flight.\n"
        "- Nobody owned the dead-letter queue.\n"
    )
    assert len(causes) == 3
    assert {k for k, _ in causes} == {kind}


def test_each_table_row_of_a_cause_section_is_one_cause():
    causes = causes_of(
        "# Queue outage\n\n## Contributing factors\n\n| # | Factor |\n|---|---|\n"
        "| 1 | Our runbook for failover was out of date and did not cover this region. |\n"
        "| 2 | Alerting thresholds were too high to fire early. |\n"
    )
    assert len(causes) == 2
    assert {k for k, _ in causes} == {"contributing"}
    assert any("runbook" in t for _, t in causes) and any("thresholds" in t for _, t in causes)


def test_sentences_of_a_cause_paragraph_are_separate_causes():
    causes = causes_of(
        "# Queue outage\n\n## Root cause\n\n"
        "The consumer pool was too small for the peak load. "
        "A retry storm then doubled the number of messages in flight.\n"
    )
    assert len(causes) == 2


def test_bold_label_paragraph_is_a_cause():
    causes = causes_of("# Queue outage\n\n**Root cause:** The consumer pool was too small for the peak load.\n")
    assert [k for k, _ in causes] == ["root"]
    assert "consumer pool" in causes[0][1]


def test_neutral_sentences_in_a_cause_section_are_not_causes():
    causes = causes_of(
        "# Queue outage\n\n## Root cause\n\n"
        "The queue service runs on three nodes in each region. "
        "The consumer pool was too small for the peak load.\n"
    )
    assert len(causes) == 1 and "consumer pool" in causes[0][1]


def test_response_steps_in_a_cause_section_are_not_causes():
    causes = causes_of(
        "# Queue outage\n\n## Root cause\n\n"
        "The consumer pool was too small for the peak load. "
        "We restarted the consumers and scaled the pool to twelve workers.\n"
    )
    assert len(causes) == 1 and "too small" in causes[0][1]


def test_trigger_word_inside_a_root_cause_section_gives_trigger_kind():
    causes = causes_of(
        "# Queue outage\n\n## Root cause\n\n"
        "- A config change that halved the consumer pool was deployed at noon.\n"
        "- The pool was too small for the peak load.\n"
    )
    assert kinds_by_word(causes, "config change") == ["trigger"]
    assert kinds_by_word(causes, "too small") == ["root"]


def test_list_intro_is_left_to_its_items():
    causes = causes_of(
        "# Queue outage\n\n## Root cause\n\nThe outage was caused by two failures:\n\n"
        "- The consumer pool was too small for the peak load.\n- A retry storm doubled the messages in flight.\n"
    )
    assert len(causes) == 2
    assert not any(t.endswith(":") for _, t in causes)


# ---------------------------------------------------------------- causal language outside sections


@pytest.mark.parametrize(
    "sentence, kind",
    [
        ("The outage was caused by an expired certificate on the payment gateway.", "root"),
        ("Requests failed due to a full disk on the primary search node.", "root"),
        ("Error rates rose because the connection pool was exhausted by retries.", "root"),
        ("A stuck replication job led to stale search results for most tenants.", "root"),
        ("The failover resulted in a split-brain between the two index clusters.", "root"),
        ("The root cause was a misconfigured health check on the load balancer.", "root"),
        ("A routine schema migration triggered lock contention on the orders table.", "trigger"),
        ("A missing alert on disk usage contributed to the slow detection.", "contributing"),
    ],
    ids=["caused-by", "due-to", "because", "led-to", "resulted-in", "root-cause-was", "triggered", "contributed"],
)
def test_causal_cue_in_a_summary_sentence(sentence, kind):
    causes = causes_of(f"# Search outage\n\n## Summary\n\nSearch was unavailable for an hour. {sentence}\n")
    assert len(causes) == 1
    assert causes[0][0] == kind
    assert causes[0][1] == sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "Users saw slow page loads and 502 errors on the dashboard for an hour.",
        "We apologize to every customer affected by this incident.",
        "We are still investigating the root cause of the slowdown.",
        "Could a canary deploy have caught this earlier?",
        "No user data was lost due to this incident.",
    ],
    ids=["symptom", "apology", "investigating-the-cause", "question", "same-incident"],
)
def test_symptoms_apologies_and_open_questions_are_not_causes(sentence):
    assert causes_of(f"# Search outage\n\n## Summary\n\n{sentence}\n") == []


def test_causal_cue_in_timeline_or_action_sections_is_not_a_cause():
    causes = causes_of(
        "# Search outage\n\n## Timeline\n\n- 2024-03-05 10:00 UTC We rolled back because the release caused errors.\n\n"
        "## Action items\n\n- Add a canary stage, because bad releases should not reach every node.\n"
    )
    assert causes == []


def test_fault_statement_in_a_summary_without_a_cue_is_a_cause():
    causes = causes_of("# Search outage\n\n## Summary\n\nA misconfigured health check removed every search node from the pool.\n")
    assert [k for k, _ in causes] == ["root"]


def test_causes_are_one_per_sentence_never_lumped():
    causes = causes_of(
        "# Search outage\n\nThe outage was caused by an expired certificate. "
        "The retry loop resulted in twice the normal load. "
        "A missing alert contributed to the slow detection.\n"
    )
    assert [k for k, _ in causes] == ["root", "root", "contributing"]


def test_cause_evidence_points_at_the_sentence():
    text = "# Search outage\n\nSearch was down. The outage was caused by an expired certificate.\n"
    incident = extract_text(text)
    (cause,) = incident["causes"]
    ev = cause["evidence"]
    assert ev["text"] == "The outage was caused by an expired certificate."
    assert ev["start"] == text.index("The outage")


# ---------------------------------------------------------------- the term predicates


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The disk on the replica was full.", True),
        ("The consumer could not reach the broker.", True),
        ("The queue service runs on three nodes.", False),
    ],
)
def test_is_problem(text, expected):
    assert is_problem(text) is expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("A misconfigured health check removed every node.", True),
        ("The connection pool was exhausted.", True),
        ("Customers saw errors on the dashboard.", False),
    ],
)
def test_is_fault(text, expected):
    assert is_fault(text) is expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Thank you for your patience.", True),
        ("We are investigating the cause of the errors.", True),
        ("Why did the alert not fire?", True),
        ("The alert did not fire because it was muted.", False),
    ],
)
def test_never_a_cause(text, expected):
    assert never_a_cause(text) is expected


@pytest.mark.parametrize(
    "text, default, kind",
    [
        ("The new release was deployed to every region.", "root", "trigger"),
        ("Slow alerting also prolonged the outage.", "root", "contributing"),
        ("The root cause also involved a stale cache.", "root", "root"),
        ("The pool was too small.", "contributing", "contributing"),
    ],
)
def test_cause_kind(text, default, kind):
    assert cause_kind(text, default) == kind
