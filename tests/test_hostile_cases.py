"""Every distinct failure the fuzzer (tests/test_fuzz.py) found, kept as a regression case:
each input, what it once did, and what it must do now."""

from __future__ import annotations

import pytest

from hostile_run import outcome
from ingest.normalise import normalise
from ingest.pipeline import extract, shared_nlp
from ingest.read import ReadError, Source


def extracted(name: str, text: str) -> tuple[object, list[dict]]:
    """The normalised document and its extraction."""
    document = normalise(Source(name, text=text))
    return document, extract(document)


def test_a_zone_that_cannot_be_resolved_leaves_the_time_zone_less():
    # was: '2024-03-05T10:00:00' with timezone 'assumed' (a zone was named but had no offset)
    text = "# Outage\n\n## Timeline\n\n- 2024-03-05 09:00 UTC Deploy.\n- at 10:00 UTC, 10:00 PST and 10:00 errors rose.\n- 2024-03-05 10:00 UTC+14 x\n"
    _, incidents = extracted("zones.md", text)
    events = incidents[0]["timeline"]
    assert events
    for event in events:
        assert event["at"].endswith("Z") == (event["timezone"] is not None), event


def test_a_text_over_the_supported_length_is_refused_in_one_line():
    # was: spaCy's ValueError [E088] for texts over nlp.max_length
    limit = shared_nlp().max_length
    text = "# Outage\n\n" + "Errors rose at 10:00 UTC. " * (limit // 26 + 10)
    document = normalise(Source("long.md", text=text))
    with pytest.raises(ReadError) as caught:
        extract(document)
    message = str(caught.value)
    assert message.startswith("long.md: text too long to extract") and f"{limit:,} supported" in message
    assert outcome("long.md", text.encode()).kind == "refused"
