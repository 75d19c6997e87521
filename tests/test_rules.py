"""Rule files: token cue patterns are matched as the phrases they spell, with the same spans."""

from __future__ import annotations

import pytest
import spacy

from ingest import rules
from ingest.pipeline import shared_nlp

CUE_FILES = ("cause_cues.jsonl", "action_cues.jsonl")


def test_optional_and_repeated_words_are_spelled_out():
    pattern = [{"LOWER": {"IN": ["we", "team"]}}, {"LOWER": "have", "OP": "?"}, {"LOWER": {"IN": ["also", "already"]}, "OP": "*"}, {"LOWER": "added"}]
    phrases = set(rules.phrases_of(pattern, max_repeat=2))
    assert {"we added", "team have added", "we also added", "we have already also added", "team already already added"} <= phrases
    assert "we have have added" not in phrases and "added" not in phrases
    assert len(phrases) == 2 * 2 * (1 + 2 + 4)


def test_patterns_that_are_not_plain_words_stay_token_patterns():
    assert rules.phrases_of([{"LOWER": {"REGEX": "^caus"}}]) is None
    assert rules.phrases_of([{"POS": "VERB"}]) is None
    assert rules.phrases_of([{"LOWER": "fixed", "OP": "{2}"}]) is None


def test_every_cue_file_pattern_is_a_phrase_for_the_ruler():
    """A token pattern left in the ruler tries every token of every document: a tenfold slower ruler."""
    assert all(isinstance(p["pattern"], str) for p in rules.ruler_patterns(*CUE_FILES))


def token_matcher_spans(text: str) -> set[tuple[int, int, str, str]]:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("span_ruler", config={"spans_key": "cues", "phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([p for name in CUE_FILES for p in rules.load_patterns(name)])
    doc = nlp(text)
    return {(s.start_char, s.end_char, s.label_, s.id_) for s in doc.spans["cues"]}


@pytest.mark.parametrize(
    "text",
    [
        "The outage was caused by a bad config push. We have also added a canary stage and we are currently migrating the database.",
        "Alerting has been improved. The team is reviewing the runbooks. We've rotated the leaked token.",
        "We also fixed the retry loop, and engineers are still investigating why the cache was cold.",
    ],
)
def test_phrases_find_what_the_token_patterns_find(text):
    doc = shared_nlp()(text)
    found = {(s.start_char, s.end_char, s.label_, s.id_) for s in doc.spans["cues"]}
    assert found == token_matcher_spans(text)
    assert found


LOWERED = [("taxonomy", "categories"), ("taxonomy", "components"), ("event_kinds", "kinds"), ("cause_terms", None), ("impact_words", None)]
"""Rule tables matched against lowered text without IGNORECASE."""


@pytest.mark.parametrize("table, key", LOWERED)
def test_terms_matched_on_lowered_text_are_lower_case(table, key):
    """An upper-case letter in such a term would never match (escapes such as \\W are fine)."""
    import re

    data = getattr(rules, table)() if hasattr(rules, table) else rules.load_json(f"{table}.json")
    for label, terms in (data[key] if key else data).items():
        if label.startswith("_"):
            continue
        for term in terms:
            assert not re.search(r"(?<!\\)[A-Z]", term), (label, term)


def test_event_kinds_match_text_of_any_case():
    from ingest.timeline import classify_event

    assert classify_event("THE ISSUE HAS BEEN RESOLVED.") == classify_event("The issue has been resolved.") == "resolution"
    assert classify_event("WE ARE INVESTIGATING ELEVATED ERRORS") == "response"


def test_lexicons_match_text_of_any_case():
    from ingest.classify import category_of, components_in

    assert category_of("The PostgreSQL primary ran out of DISK space") == category_of("the postgresql primary ran out of disk space") != "unknown"
    assert "database" in components_in("Our POSTGRES cluster failed over")


def test_impact_words_match_text_of_any_case():
    from ingest.units import is_impact, is_not_impact

    assert is_impact("CUSTOMERS COULD NOT CHECK OUT") == is_impact("customers could not check out") is True
    assert is_not_impact("During BUSINESS HOURS the team met") == is_not_impact("during business hours the team met") is True


@pytest.mark.parametrize(
    "regex, bar",
    [(r"a|b", True), (r"(?:a|b)c", False), (r"[|]x", False), (r"\|x", False), (r"^a(?:b|c)|d", True), (r"[\]|]", False)],
)
def test_a_top_level_bar_is_told_from_one_inside_a_group_or_class(regex, bar):
    assert rules.has_top_level_bar(regex) is bar


def test_only_a_single_branch_gives_up_its_anchor():
    assert rules.leading_anchor(r"\bfoo") == (r"\b", "foo")
    assert rules.leading_anchor(r"^\W*we") == ("^", r"\W*we")
    assert rules.leading_anchor(r"^a|b") == ("", r"^a|b")  # the anchor belongs to the first branch only


SENTENCES = [
    "We apologise for the disruption this caused.",
    "Customers may have seen errors when paying.",
    "The upstream provider's certificate expired at 02:00.",
    "as a result, users were unable to log in\nand retried",
    "It was not a factor.",
    "nothing here",
    "mid-word matches such as unfailing must not count for a bounded term",
]


@pytest.mark.parametrize("key", ["not_cause", "problem", "reasoning", "actionish"])
def test_a_grouped_alternation_matches_where_a_plain_one_does(key):
    """Sharing anchors between terms changes speed, never whether a sentence matches."""
    import re

    terms = rules.load_json("cause_terms.json")[key]
    plain = []
    for term in terms:
        prefix = r"\b" if re.match(r"[A-Za-z(]", term) else ""
        suffix = r"(?!\w)" if re.search(r"[A-Za-z0-9*?)]$", term) and not term.endswith("\\?") else ""
        plain.append(f"{prefix}(?:{term}){suffix}")
    joined = re.compile("|".join(plain), re.M)
    grouped = rules.compiled_terms("cause_terms.json", key, re.M)
    assert grouped.pattern != joined.pattern
    for sentence in SENTENCES + [t.replace("\\", "") for t in terms[:10]]:
        text = sentence.lower()
        assert bool(grouped.search(text)) == bool(joined.search(text)), (key, sentence)


def test_grouped_terms_keep_their_own_anchors():
    import re

    rx = rules.alternation([r"^we", r"\bfail", "!$", r"^a|zz"], re.M)
    assert rx.search("first line\nwe retried") and not rx.search("so we retried")
    assert rx.search("it failed") and not rx.search("unfailing")
    assert rx.search("buzz") and rx.search("stop!") and not rx.search("b a")
