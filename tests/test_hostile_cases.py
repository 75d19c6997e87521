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


BODY = "# Outage\n\nAll times in UTC.\n\n## Timeline\n\n- 2024-03-05 10:00 Errors rose for all users.\n- 2024-03-05 10:45 We rolled back; errors ended.\n"
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi")
)


def flags_of(incident: dict) -> dict[str, str]:
    return {f["flag"]: f["detail"] for f in incident["quality_flags"]}


@pytest.mark.parametrize(
    "fence, front, reason",
    [
        ("---", "a: &a [*a]\n", "a YAML anchor refers to itself"),  # was: RecursionError
        ("---", "a: &a {b: *a}\n", "a YAML anchor refers to itself"),
        ("---", LAUGHS, "YAML anchors nest too deep"),  # was: ran until killed
        ("---", "title: " + "[" * 5000 + "]" * 5000 + "\n", "YAML nests more than 32 levels deep"),  # was: RecursionError
        ("---", "title: x\n" * 10000, "over 64 KiB"),
        ("+++", "title = " + "[" * 3000 + "]" * 3000 + "\n", "TOML nests more than 32 levels deep"),
        ("---", "!!python/object/apply:os.system ['echo hi']\n", "not valid YAML"),  # the safe loader has no such tag
    ],
    ids=["self-list", "self-map", "billion-laughs", "deep-yaml", "huge", "deep-toml", "python-tag"],
)
def test_hostile_front_matter_is_not_read_and_says_why(fence, front, reason):
    result = outcome("hostile.md", f"{fence}\n{front}{fence}\n{BODY}".encode(), alarm=30)
    assert result.kind == "kept", result
    document, incidents = extracted("hostile.md", f"{fence}\n{front}{fence}\n{BODY}")
    detail = flags_of(incidents[0])["bad-metadata"]
    assert reason in detail and detail.startswith("front matter") and "left in the text" in detail
    assert [e["at"] for e in incidents[0]["timeline"]][-2:] == ["2024-03-05T10:00:00Z", "2024-03-05T10:45:00Z"]


def test_a_lone_surrogate_in_a_front_matter_title_becomes_a_replacement_character():
    # was: UnicodeEncodeError when the title was stored or printed
    document, incidents = extracted("title.md", '---\ntitle: "Outage \\ud800 here"\n---\n' + BODY)
    assert document.title == "Outage \ufffd here" and incidents[0]["document"]["title"].encode("utf-8")


def test_front_matter_within_the_limits_is_still_read():
    front = "title: Checkout outage\nanchors: &base {team: payments}\nowner: *base\ndate: 2024-03-06T09:00:00+01:00\n"
    document, incidents = extracted("ok.md", f"---\n{front}---\n{BODY}")
    assert document.title == "Checkout outage" and document.published_at == "2024-03-06T08:00:00Z"
    assert "bad-metadata" not in flags_of(incidents[0]) and not document.text.startswith("---")


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-05:00", "0001-01-01", "2024-02-30", "[1, 2]"])
def test_a_front_matter_date_at_the_edge_of_the_calendar_is_dropped_and_flagged(value):
    # was: OverflowError converting to UTC; '2024-02-30' and lists were dropped silently
    for extra in ("", "severity: major\nresolvedWhen: 9999-12-31T23:59:59-05:00\n"):
        document, incidents = extracted("edge.md", f"---\ntitle: Edge\ndate: {value}\n{extra}---\n{BODY}")
        assert document.published_at is None and document.parts[0].started_at is None
        detail = flags_of(incidents[0])["bad-metadata"]
        assert incidents[0]["timeline"]
        if value == "2024-02-30":  # YAML itself refuses the date: the whole front matter is not read
            assert detail.startswith("front matter: not valid YAML") and document.title == "Outage"
        else:
            assert detail.startswith("front matter date: ") and document.title == "Edge"


STATUSPAGE = {
    "page": {"name": "Acme", "time_zone": "Etc/UTC"},
    "incident": {
        "name": "API errors", "started_at": "2024-04-01T10:00:00Z", "resolved_at": "2024-04-01T11:00:00Z",
        "incident_updates": [
            {"status": "investigating", "body": "Errors rose for all users.", "display_at": "2024-04-01T10:05:00Z"},
            {"status": "resolved", "body": "Errors ended.", "display_at": "2024-04-01T11:00:00Z"},
        ],
    },
}
GCP = {"begin": "2024-04-01T10:00:00Z", "end": "2024-04-01T11:00:00Z", "external_desc": "API errors", "updates": [{"when": "2024-04-01T10:05:00Z", "status": "SERVICE_OUTAGE", "text": "Errors rose."}]}


@pytest.mark.parametrize(
    "payload, path, value, field",
    [
        (STATUSPAGE, ("incident", "started_at"), "0001-01-01T00:00:00+14:00", "started_at"),  # was: OverflowError
        (STATUSPAGE, ("incident", "resolved_at"), "9999-12-31T23:59:59-05:00", "resolved_at"),
        (STATUSPAGE, ("incident", "incident_updates", 0, "display_at"), 10**40, "update display_at"),
        (STATUSPAGE, ("incident", "name"), ["a", {"b": 1}], "name"),
        (STATUSPAGE, ("incident", "incident_updates", 0, "body"), {"html": "<p>x</p>"}, "update body"),
        (STATUSPAGE, ("page", "name"), [1], "page name"),
        (GCP, ("begin",), "9999-12-31T23:59:59-05:00", "begin"),
        (GCP, ("updates",), 1.5, None),  # was: TypeError 'float' object is not iterable
        (GCP, ("updates",), 7, None),  # was: TypeError 'int' object is not iterable
        (GCP, ("updates", 0, "text"), ["x"], "update text"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_json_fields_of_the_wrong_type_are_dropped_and_flagged(payload, path, value, field):
    import copy
    import json

    data = copy.deepcopy(payload)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    document, incidents = extracted("wrong.json", json.dumps(data))
    assert incidents and contract_problems(document.text, incidents) == []
    if field is None:  # no updates: nothing to flag, the incident is still there
        assert document.parts[0].title == "API errors"
    else:
        assert f"{field}: " in flags_of(incidents[0])["bad-metadata"]


def test_json_with_raw_line_breaks_inside_strings_is_read():
    # was: refused as "malformed JSON: Invalid control character" after CR/CRLF mutations
    import json

    text = json.dumps(STATUSPAGE).replace("Errors rose for all users.", "Errors rose\r\nfor all\tusers.")
    document, incidents = extracted("raw.json", text)
    assert "Errors rose\nfor all\tusers." in document.text and contract_problems(document.text, incidents) == []
