"""The pipeline's components declare what they read and write, keep their tunables in
``default_config``, and can be run alone on a Doc, as spaCy's own components can."""

from __future__ import annotations

from ingest.extensions import EXTENSIONS, ensure_extensions
from ingest.pipeline import build_nlp


def test_every_requirement_is_assigned_by_an_earlier_component():
    analysis = build_nlp().analyze_pipes(pretty=False)
    assert all(problems == [] for problems in analysis["problems"].values()), analysis["problems"]
    summary = analysis["summary"]
    assert "doc._.pmkb_times" in summary["pmkb_times"]["assigns"]
    assert "doc._.pmkb_times" in summary["pmkb_timeline"]["requires"]


def test_a_component_reading_what_nothing_assigns_is_reported():
    nlp = build_nlp()
    nlp.remove_pipe("pmkb_times")
    problems = nlp.analyze_pipes(pretty=False)["problems"]
    assert "doc._.pmkb_times" in problems["pmkb_timeline"]


def test_extensions_carry_the_pmkb_prefix_and_register_once():
    from spacy.tokens import Doc

    ensure_extensions()
    ensure_extensions()
    assert all(name.startswith("pmkb_") and Doc.has_extension(name) for name in EXTENSIONS)


def test_tunables_are_configured_and_change_behaviour():
    nlp = build_nlp()
    assert nlp.get_pipe_config("pmkb_timeline")["derived_max_hours"] == 24.0
    assert nlp.get_pipe_config("pmkb_classify")["component_max"] == 3
    text = "# Outage\n\n## Summary\n\nThe database, the cache, the queue, the DNS and the CDN all failed: database errors, cache misses, queue backlog, DNS timeouts, CDN errors.\n"
    one = _components(nlp, text)
    nlp.replace_pipe("pmkb_classify", "pmkb_classify", config={"component_max": 1})
    assert len(_components(nlp, text)) == 1 < len(one)


def test_one_component_runs_alone_on_its_own_doc():
    nlp = build_nlp()
    doc = nlp.make_doc("# Outage\n\nOn 2024-05-04 at 10:00 UTC the API failed.\n")
    doc._.pmkb_meta = {}
    for name in ("pmkb_structure", "pmkb_times"):
        doc = nlp.get_pipe(name)(doc)
    assert [m.iso() for m in doc._.pmkb_times if m.has_clock] == ["2024-05-04T10:00:00Z"]
    assert doc._.pmkb_result is None  # the times component writes only its own extension


def _components(nlp, text: str) -> list[str]:
    from ingest.normalise import normalise
    from ingest.pipeline import extract
    from ingest.read import source_from_bytes

    return extract(normalise(source_from_bytes("x.md", text.encode(), None)), nlp)[0]["components"]
