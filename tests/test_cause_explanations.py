"""In a cause section, a sentence that explains (a limit, a negation, a contrast, a consequence)
is a cause even with no problem word; a sentence saying what a system is stays background.
Sentences are written for the test, each in a different house style."""

from __future__ import annotations

import pytest

from ingest.causes import explains
from ingest.normalise import normalise
from ingest.pipeline import extract
from ingest.read import source_from_bytes

EXPLANATIONS = [
 ("Root cause", "The order service calls the tax service synchronously, even when the basket is empty."),
 ("Root cause", "All tenants share a single pool of render workers."),
 ("Contributing factors", "Our staging load test ran the API at 12 pods, not the 60 that production runs."),
 ("Contributing factors", "The new parser had unit tests, but none of them used payloads over 64 KB."),
 ("Why it happened", "Switching traffic to the standby region is a manual procedure, so it took forty minutes to start."),
 ("Root cause", "The schema check compared table names only, not the columns inside them."),
 ("Contributing factors", "Only one engineer knew how the legacy VPN concentrator was configured."),
 ("Why it happened", "Our uptime probe loads the marketing site, which never touched the affected database."),
]

BACKGROUND = [
 ("Root cause", "The ledger service is a distributed system that records every card payment in three regions."),
 ("Root cause", "The scheduler needs to write each job's state to disk before it hands the job to a worker."),
 ("Root cause", "Each morning the export job copies the previous day's orders into the warehouse."),
]


def _causes(heading: str, sentence: str) -> list[str]:
    text = f"# Outage on the checkout\n\n## {heading}\n\nThe day began as usual. {sentence}\n\n## Timeline\n\n- 09:00 Alert fired\n"
    return [c["text"] for c in extract(normalise(source_from_bytes("x.md", text.encode(), None)))[0]["causes"]]


@pytest.mark.parametrize("heading, sentence", EXPLANATIONS)
def test_an_explaining_sentence_in_a_cause_section_is_a_cause(heading, sentence):
    assert sentence in _causes(heading, sentence)


@pytest.mark.parametrize("heading, sentence", BACKGROUND)
def test_a_description_of_a_system_in_a_cause_section_is_background(heading, sentence):
    assert sentence not in _causes(heading, sentence)


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("The relay keeps one connection per tenant and never closes it.", True),
        ("The mirror was resynchronised, and so the second copy lagged for a day.", True),
        ("Pipelines don't retry a failed upload.", True),
        ("docs.example needs to store every build before it uploads it.", False),
        ("The billing API is a managed service run by the payments team, but we host its database.", False),
        ("Only one left.", False),  # too short to explain anything
    ],
)
def test_explains(sentence, expected):
    assert explains(sentence) is expected
