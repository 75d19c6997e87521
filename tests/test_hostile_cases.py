"""Every distinct failure the fuzzer (tests/test_fuzz.py) found, kept as a regression case:
each input, what it once did, and what it must do now."""

from __future__ import annotations

import pytest

from hostile_run import contract_problems, outcome, text_problems
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


CONTROLS = "\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\x85"


@pytest.mark.parametrize(
    "name, text",
    [
        ("nul.md", "# Outage\x00\n\nAll times in UTC.\n\n## Timeline\n\n- 2024-03-05 10:00\x00\x00 Errors rose" + CONTROLS + " for all users.\r\n- 2024-03-05\x1b 10:45 Errors ended.\r"),
        ("nul.html", "<html><body><h1>Outage</h1><p>At 2024-03-05 10:00 UTC\x00 errors &#1;rose&#x7f;.</p><p>\x1b10:45 UTC errors ended.</p></body></html>"),
        ("escapes.json", '{"incident": {"name": "API\\u0000 errors\\ud800", "incident_updates": [{"status": "resolved\\u001b", "body": "Errors \\udfffrose\\u0007 at 10:45 UTC.", "display_at": "2024-03-05T10:45:00Z"}]}}'),
    ],
    ids=["markdown", "html", "json-escapes"],
)
def test_control_characters_and_lone_surrogates_are_gone_before_offsets(name, text):
    # was: NUL and other controls stored (evidence offsets then pointed past them), and
    # UnicodeEncodeError on lone surrogates from JSON escapes
    document, incidents = extracted(name, text)
    assert not any(ch in document.text for ch in CONTROLS + "\r") and "\ud800" not in document.text
    assert contract_problems(document.text, incidents) == [] and text_problems(document.text) == []
    (document.title or "").encode("utf-8")
    assert "rose" in document.text.replace("\ufffd", "") and incidents[0]["timeline"]
