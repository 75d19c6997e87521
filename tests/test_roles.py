"""The sentence-role layer: units and features, the rules+model combination, the pmkb_roles component."""

from __future__ import annotations

import pytest

from ingest import roles
from ingest.normalise import normalise
from ingest.pipeline import build_nlp, extract, part_docs
from ingest.read import source_from_bytes
from ingest.segment import Block
from pmkb.train import rule_steps, train_model

TEXT = """# Outage of the upload API

## Root cause
A configuration change removed the upload queue. Nobody noticed for an hour.

## Timeline
- 10:00 UTC We rolled back the change.

## Action items
| Action | Status |
|---|---|
| Add a canary stage for configuration changes | Planned |
"""


def processed(text: str):
    """A Doc after pmkb's rule components, for a Markdown text."""
    nlp = build_nlp()
    before, _ = rule_steps(nlp)
    _, doc = part_docs(nlp, normalise(source_from_bytes("x.md", text.encode(), None)))[0]
    for proc in before:
        doc = proc(doc)
    return doc


def test_units_are_sentences_items_and_a_rows_longest_cell_with_their_section():
    doc = processed(TEXT)
    units = [(doc.text[u.start:u.end], u.role, u.block.kind) for u in roles.units_of(doc)]
    assert ("A configuration change removed the upload queue.", "root_cause", "paragraph") in units
    assert ("Nobody noticed for an hour.", "root_cause", "paragraph") in units
    assert ("Add a canary stage for configuration changes", "actions", "row") in units
    assert not any(text.startswith("#") or text == "Action" for text, _, _ in units)  # headings, header rows


def test_features_carry_section_kind_cues_and_normalised_words():
    feature = roles.feature_text("Deploy 42 Failed  badly", "root_cause", "item", ["cue_cause_root"], "What Went Wrong")
    assert feature.startswith("section_root_cause block_item cue_cause_root heading_what heading_went heading_wrong ")
    assert feature.endswith("deploy 00 failed badly")
    assert roles.feature_text("x", None, "paragraph").startswith("section_none ")


def _unit(start: int, end: int, section: str | None, headings: tuple[str, ...] = ()) -> roles.Unit:
    return roles.Unit(start, end, Block("paragraph", start, end, section=section, headings=headings))


def _scores(**given: float) -> dict[str, float]:
    return {label: given.get(label, 0.0) for label in roles.LABELS}


COMBINE_TEXT = "The disk filled up. We will continue to provide updates. We will add disk alerts. Restarted the node."
#               0                  19 20                                   56 57                  79 80            99
CONFIG = {**roles.DEFAULTS, "veto_threshold": 0.8, "add_threshold": 0.8}


def _span(sentence: str) -> tuple[int, int]:
    start = COMBINE_TEXT.index(sentence)
    return start, start + len(sentence)


def _item(sentence: str, **extra) -> dict:
    s, e = _span(sentence)
    return {"text": sentence, "evidence": {"text": sentence, "start": s, "end": e}, **extra}


def test_combine_vetoes_confident_non_items_and_keeps_the_rest():
    units = [_unit(*_span("We will continue to provide updates."), "summary"), _unit(*_span("We will add disk alerts."), "summary")]
    scores = [_scores(boilerplate=0.95, action=0.1), _scores(none=0.9, action=0.5)]
    rule_actions = [_item("We will continue to provide updates.", status="planned"), _item("We will add disk alerts.", status="planned")]
    _, actions = roles.combine(COMBINE_TEXT, units, scores, [], rule_actions, CONFIG)
    assert [a["text"] for a in actions] == ["We will add disk alerts."]  # its own score is not low enough to veto


def test_combine_adds_confident_units_only_in_add_roles_and_not_twice():
    units = [
        _unit(*_span("The disk filled up."), None),
        _unit(*_span("We will add disk alerts."), "actions", ("Follow-up",)),
        _unit(*_span("Restarted the node."), "timeline"),
    ]
    scores = [_scores(cause=0.9, trigger=0.7, root=0.2), _scores(action=0.95), _scores(cause=0.99, action=0.99)]
    causes, actions = roles.combine(COMBINE_TEXT, units, scores, [], [], CONFIG)
    assert [(c["kind"], c["text"]) for c in causes] == [("trigger", "The disk filled up.")]
    assert [(a["status"], a["text"]) for a in actions] == [("planned", "We will add disk alerts.")]
    again, _ = roles.combine(COMBINE_TEXT, units, scores, causes, [], CONFIG)
    assert len(again) == 1


@pytest.mark.parametrize("sentence", [
    "Yesterday, I took down the API and failed over to a new follower database.",  # a response step, first person
    "We then restarted the ingest workers and rolled back the release.",
    "We will add an alert on replication lag.",  # a follow-up
    "We apologise for the disruption this caused.",
])
def test_combine_never_adds_what_the_rules_say_is_no_cause(sentence):
    causes, _ = roles.combine(sentence, [_unit(0, len(sentence), "root_cause")], [_scores(cause=0.99, root=0.99)], [], [], CONFIG)
    assert causes == []


def test_combine_adds_a_confident_narrative_cause():
    sentence = "The retry loop had no backoff, so every client reconnected at once."
    causes, _ = roles.combine(sentence, [_unit(0, len(sentence), None)], [_scores(cause=0.95, contributing=0.9)], [], [], CONFIG)
    assert [(c["kind"], c["text"]) for c in causes] == [("contributing", sentence)]


def test_model_alone_takes_every_unit_at_its_threshold():
    units = [_unit(*_span("The disk filled up."), None), _unit(*_span("Restarted the node."), "timeline")]
    causes, actions = roles.model_items(COMBINE_TEXT, units, [_scores(cause=0.4, root=0.3), _scores(cause=0.3, response=0.9)], 0.35)
    assert [c["text"] for c in causes] == ["The disk filled up."] and actions == []


ACTIONS = ["We will add alerting on queue depth.", "We will add a canary stage to deploys.", "We will add retries to the client."]
OTHERS = ["The queue filled up at noon.", "Customers saw errors on upload.", "The team met to discuss it."]


def _tiny_model():
    pairs = [(roles.feature_text(t, "actions", "item"), {"action"}) for t in ACTIONS]
    pairs += [(roles.feature_text(t, "summary", "paragraph"), {"none"}) for t in OTHERS]
    return train_model(pairs * 3, epochs=10, seed=1)


def test_training_learns_and_is_seeded():
    model = _tiny_model()
    feats = [roles.feature_text("We will add alerting on retries.", "actions", "item"), roles.feature_text("The team saw errors at noon.", "summary", "paragraph")]
    action_like, other = roles.score_units(model, feats)
    assert action_like["action"] > 0.5 > other["action"]
    assert roles.score_units(_tiny_model(), feats) == [action_like, other]


def test_default_pipeline_has_no_roles_component_without_a_model(monkeypatch):
    monkeypatch.setenv(roles.MODEL_ENV, "")
    assert "pmkb_roles" not in build_nlp().pipe_names


def test_a_trained_model_named_by_the_environment_joins_after_the_rules(monkeypatch, tmp_path):
    _tiny_model().to_disk(tmp_path / "model")
    monkeypatch.setenv(roles.MODEL_ENV, str(tmp_path / "model"))
    names = build_nlp().pipe_names
    assert names.index("pmkb_actions") < names.index("pmkb_roles") < names.index("pmkb_classify")


def test_the_component_replaces_items_in_model_mode(tmp_path):
    _tiny_model().to_disk(tmp_path / "model")
    nlp = build_nlp()
    nlp.add_pipe("pmkb_roles", after="pmkb_actions", config={"model": str(tmp_path / "model"), "mode": "model", "model_threshold": 0.5})
    text = "# Outage\n\n## Follow-up\n- We will add alerting on retries.\n\n## Summary\nThe team met at noon.\n"
    got = extract(normalise(source_from_bytes("x.md", text.encode(), None)), nlp)[0]
    assert [a["text"] for a in got["corrective_actions"]] == ["We will add alerting on retries."]


def test_the_component_refuses_an_unknown_mode():
    with pytest.raises(ValueError, match="mode"):
        build_nlp().add_pipe("pmkb_roles", config={"mode": "sometimes"})


def test_the_extractor_version_changes_with_the_model_in_use(monkeypatch, tmp_path):
    from ingest.pipeline import extractor_version

    def version() -> str:
        extractor_version.cache_clear()
        return extractor_version()

    monkeypatch.setenv(roles.MODEL_ENV, "")
    rules_only = version()
    _tiny_model().to_disk(tmp_path / "model")
    monkeypatch.setenv(roles.MODEL_ENV, str(tmp_path / "model"))
    with_model = version()
    (tmp_path / "model" / "meta.json").write_text("{}")
    assert len({rules_only, with_model, version()}) == 3
    extractor_version.cache_clear()
