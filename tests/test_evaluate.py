"""Tests of the `pmkb eval` scoring rules on synthetic gold and predictions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmkb.evaluate import (
    FIELDS,
    aggregate,
    content_words,
    format_table,
    load_gold,
    resolve_document,
    run_eval,
    score_document,
    texts_match,
)

# ---------------------------------------------------------------- helpers


def gold(**fields) -> dict:
    """A gold annotation with every field empty unless given."""
    base = {
        "document": "docs/x.txt",
        "impact_windows": [],
        "timeline": [],
        "optional_timestamps": [],
        "causes": [],
        "categories": [],
        "components": [],
        "corrective_actions": [],
        "quality_flags": [],
    }
    base.update(fields)
    return base


def window(start: str, end: str) -> dict:
    return {"start": start, "end": end, "duration_minutes": None, "label": "", "evidence": None}


def event(at: str, precision: str = "minute") -> dict:
    return {"at": at, "precision": precision, "timezone": None, "kind": "other", "text": "", "evidence": None}


def cause(text: str, evidence: str | None = None) -> dict:
    ev = {"text": evidence, "start": 0, "end": len(evidence)} if evidence else None
    return {"kind": "root", "category": None, "text": text, "evidence": ev}


def action(text: str, status: str = "unknown", evidence: str | None = None) -> dict:
    ev = {"text": evidence, "start": 0, "end": len(evidence)} if evidence else None
    return {"text": text, "status": status, "evidence": ev}


def counts(scores: dict, field: str) -> tuple[int, int, int]:
    c = scores[field]
    return c["tp"], c["fp"], c["fn"]


GOLD_WINDOW = {"start": "2025-03-04T12:30Z", "end": "2025-03-04T13:00Z", "evidence": "q"}


# ---------------------------------------------------------------- content words


def test_content_words_drop_stop_words_and_punctuation():
    assert content_words("The DB-01 was down, and we restarted it!") == {"db", "01", "restarted"}


def test_texts_without_content_words_never_match():
    assert content_words("it was the one") == frozenset()
    assert not texts_match("it was the one", "it was the one")
    assert not texts_match("", "")


def test_texts_match_needs_both_thresholds():
    gold_quote = "The database connection pool was exhausted by a retry storm."
    assert texts_match("Retry storm exhausted the database connection pool", gold_quote)
    long_quote = ("During the nightly batch window the primary database connection pool "
                  "was exhausted by a retry storm from the workers.")
    # all predicted words shared (small-set overlap 1.0) but under a quarter of the union
    assert len(content_words(long_quote)) >= 9
    assert not texts_match("connection pool", long_quote)
    assert texts_match("connection pool", "connection pool exhausted")
    # 3 of 6 words shared: over the smaller set only 0.5
    assert not texts_match("database pool exhausted after TLS certificate expired", gold_quote)


# ---------------------------------------------------------------- impact windows


def test_window_within_one_minute_matches():
    s = score_document([{"impact_windows": [window("2025-03-04T12:31:00Z", "2025-03-04T12:59:00Z")]}],
                       gold(impact_windows=[GOLD_WINDOW]))
    assert counts(s, "impact_windows") == (1, 0, 0)


def test_window_two_minutes_off_does_not_match():
    s = score_document([{"impact_windows": [window("2025-03-04T12:32:00Z", "2025-03-04T13:00:00Z")]}],
                       gold(impact_windows=[GOLD_WINDOW]))
    assert counts(s, "impact_windows") == (0, 1, 1)
    assert s["details"]["impact_windows"]["missed"] == [{"start": GOLD_WINDOW["start"], "end": GOLD_WINDOW["end"]}]


def test_window_seconds_are_truncated_before_comparing():
    s = score_document([{"impact_windows": [window("2025-03-04T12:31:59Z", "2025-03-04T13:00:00Z")]}],
                       gold(impact_windows=[GOLD_WINDOW]))
    assert counts(s, "impact_windows") == (1, 0, 0)


def test_windows_are_matched_one_to_one():
    preds = [window("2025-03-04T12:30:00Z", "2025-03-04T13:00:00Z"),
             window("2025-03-04T12:31:00Z", "2025-03-04T13:00:00Z")]
    s = score_document([{"impact_windows": preds}], gold(impact_windows=[GOLD_WINDOW]))
    assert counts(s, "impact_windows") == (1, 1, 0)


def test_window_assignment_is_optimal_not_greedy():
    # P1 is closest to G1 but also fits G2; P2 fits only G1. Both can be matched.
    g1 = {"start": "2025-03-04T12:30Z", "end": "2025-03-04T13:00Z"}
    g2 = {"start": "2025-03-04T12:31Z", "end": "2025-03-04T13:01Z"}
    p1 = window("2025-03-04T12:30:00Z", "2025-03-04T13:00:00Z")
    p2 = window("2025-03-04T12:29:00Z", "2025-03-04T12:59:00Z")
    s = score_document([{"impact_windows": [p1, p2]}], gold(impact_windows=[g1, g2]))
    assert counts(s, "impact_windows") == (2, 0, 0)


def test_day_precision_gold_window_matches_same_dates():
    g = {"start": "2025-03-04", "end": "2025-03-05"}
    hit = score_document([{"impact_windows": [window("2025-03-04T08:00:00Z", "2025-03-05")]}],
                         gold(impact_windows=[g]))
    miss = score_document([{"impact_windows": [window("2025-03-03T23:00:00Z", "2025-03-05T01:00:00Z")]}],
                          gold(impact_windows=[g]))
    assert counts(hit, "impact_windows") == (1, 0, 0)
    assert counts(miss, "impact_windows") == (0, 1, 1)


def test_minute_gold_window_not_matched_by_dates_only():
    s = score_document([{"impact_windows": [window("2025-03-04", "2025-03-04")]}],
                       gold(impact_windows=[GOLD_WINDOW]))
    assert counts(s, "impact_windows") == (0, 1, 1)


def test_zone_less_gold_window_compared_as_written():
    g = {"start": "2025-03-04T06:00", "end": "2025-03-04T07:00"}
    as_written = score_document([{"impact_windows": [window("2025-03-04T06:00:00", "2025-03-04T07:00:00")]}],
                                gold(impact_windows=[g]))
    with_zone = score_document([{"impact_windows": [window("2025-03-04T06:00:00Z", "2025-03-04T07:00:00Z")]}],
                               gold(impact_windows=[g]))
    assert counts(as_written, "impact_windows") == (1, 0, 0)
    assert counts(with_zone, "impact_windows") == (0, 1, 1)


def test_windows_pooled_across_incidents_and_duplicates_counted_once():
    g2 = {"start": "2025-03-05T10:00Z", "end": "2025-03-05T10:20Z"}
    w1 = window("2025-03-04T12:30:00Z", "2025-03-04T13:00:00Z")
    w2 = window("2025-03-05T10:00:00Z", "2025-03-05T10:20:00Z")
    s = score_document([{"impact_windows": [w1]}, {"impact_windows": [w1, w2]}],
                       gold(impact_windows=[GOLD_WINDOW, g2]))
    assert counts(s, "impact_windows") == (2, 0, 0)


# ---------------------------------------------------------------- timeline


def test_day_level_gold_stamp_needs_day_level_prediction():
    g = gold(timeline=[{"at": "2025-03-04", "kind": "detection", "evidence": "q"}])
    timed = score_document([{"timeline": [event("2025-03-04T09:00:00Z")]}], g)
    dated = score_document([{"timeline": [event("2025-03-04", "day")]}], g)
    dated_with_midnight = score_document([{"timeline": [event("2025-03-04T00:00:00Z", "day")]}], g)
    assert counts(timed, "timeline") == (0, 1, 1)
    assert counts(dated, "timeline") == (1, 0, 0)
    assert counts(dated_with_midnight, "timeline") == (1, 0, 0)


def test_day_level_prediction_does_not_match_minute_gold():
    g = gold(timeline=[{"at": "2025-03-04T09:00Z", "kind": "onset", "evidence": "q"}])
    s = score_document([{"timeline": [event("2025-03-04", "day")]}], g)
    assert counts(s, "timeline") == (0, 1, 1)


def test_zone_is_part_of_a_stamp():
    g = gold(timeline=[{"at": "2025-03-04T06:00", "kind": "onset", "evidence": "q"},
                       {"at": "2025-03-04T07:00Z", "kind": "resolution", "evidence": "q"}])
    s = score_document([{"timeline": [event("2025-03-04T06:00:00Z"), event("2025-03-04T07:00:00")]}], g)
    assert counts(s, "timeline") == (0, 2, 2)
    s = score_document([{"timeline": [event("2025-03-04T06:00:00"), event("2025-03-04T07:00:00Z")]}], g)
    assert counts(s, "timeline") == (2, 0, 0)


def test_offsets_are_converted_to_utc():
    g = gold(timeline=[{"at": "2025-03-04T12:30Z", "kind": "onset", "evidence": "q"}])
    s = score_document([{"timeline": [event("2025-03-04T14:30:00+02:00")]}], g)
    assert counts(s, "timeline") == (1, 0, 0)


def test_timeline_seconds_truncated_and_stamps_distinct():
    g = gold(timeline=[{"at": "2025-03-04T12:30Z", "kind": "onset", "evidence": "a"},
                       {"at": "2025-03-04T12:30Z", "kind": "detection", "evidence": "b"},
                       {"at": "2025-03-04T12:45Z", "kind": "mitigation", "evidence": "c"}])
    preds = [event("2025-03-04T12:30:59Z"), event("2025-03-04T12:30:00Z"), event("2025-03-04T12:46:00Z")]
    s = score_document([{"timeline": preds}], g)
    assert counts(s, "timeline") == (1, 1, 1)
    assert s["details"]["timeline"] == {"missed": ["2025-03-04T12:45Z"], "spurious": ["2025-03-04T12:46Z"]}


def test_optional_stamps_are_ignored_on_both_sides():
    g = gold(timeline=[{"at": "2025-03-04T12:30Z", "kind": "onset", "evidence": "q"}],
             optional_timestamps=["2025-03-09T10:00Z", "2025-03-04"])
    s = score_document([{"timeline": [event("2025-03-04T12:30:00Z"), event("2025-03-09T10:00:00Z"),
                                      event("2025-03-04", "day")]}], g)
    assert counts(s, "timeline") == (1, 0, 0)
    # an optional stamp left out is not a false negative either
    s = score_document([{"timeline": [event("2025-03-04T12:30:00Z")]}], g)
    assert counts(s, "timeline") == (1, 0, 0)


def test_missing_optional_timestamps_key_is_fine():
    g = gold(timeline=[{"at": "2025-03-04T12:30Z", "kind": "onset", "evidence": "q"}])
    del g["optional_timestamps"]
    s = score_document([{"timeline": [event("2025-03-04T12:30:00Z")]}], g)
    assert counts(s, "timeline") == (1, 0, 0)


# ---------------------------------------------------------------- causes


CAUSE_POOL = {"kind": "root", "evidence": "The database connection pool was exhausted by a retry storm."}
CAUSE_CERT = {"kind": "trigger", "evidence": ["An expired TLS certificate broke the load balancer health checks.",
                                              "the certificate presented by the load balancer had expired overnight"]}
CAUSE_ALERTS = {"kind": "contributing", "optional": True,
                "evidence": "Monitoring alerts were routed to an unmonitored channel."}


def test_cause_lumping_two_gold_items_matches_neither():
    lumped = cause("Pool exhaustion and an expired certificate")
    s = score_document([{"causes": [lumped]}], gold(causes=[CAUSE_POOL, CAUSE_CERT]))
    assert counts(s, "causes") == (0, 1, 2)
    assert s["causes"]["tp_pred"] == 0


def test_separate_causes_each_match():
    preds = [cause("Retry storm exhausted the database connection pool"),
             cause("TLS certificate expired, breaking load balancer health checks")]
    s = score_document([{"causes": preds}], gold(causes=[CAUSE_POOL, CAUSE_CERT]))
    assert counts(s, "causes") == (2, 0, 0)


def test_gold_evidence_alternatives_any_one_counts():
    s = score_document([{"causes": [cause("balancer certificate expired")]}], gold(causes=[CAUSE_CERT]))
    assert counts(s, "causes") == (1, 0, 0)


def test_predicted_evidence_text_is_an_alternative_to_its_text():
    p = cause("Pool problem", evidence="the database connection pool was exhausted by a retry storm")
    s = score_document([{"causes": [p]}], gold(causes=[CAUSE_POOL]))
    assert counts(s, "causes") == (1, 0, 0)


def test_match_only_with_optional_gold_is_ignored():
    preds = [cause("Alerts routed to an unmonitored channel"), cause("Cosmic rays flipped a bit")]
    s = score_document([{"causes": preds}], gold(causes=[CAUSE_POOL, CAUSE_ALERTS]))
    # the alerts cause is neither a TP nor an FP; the optional gold is not a FN
    assert counts(s, "causes") == (0, 1, 1)
    assert s["causes"]["tp_pred"] == 0
    assert s["details"]["causes"]["ignored"] == ["Alerts routed to an unmonitored channel"]
    assert s["details"]["causes"]["spurious"] == ["Cosmic rays flipped a bit"]


def test_two_predictions_of_one_gold_cause_both_count_for_precision():
    preds = [cause("Retry storm exhausted the database connection pool"),
             cause("database connection pool exhausted")]
    s = score_document([{"causes": preds}], gold(causes=[CAUSE_POOL, CAUSE_CERT]))
    assert counts(s, "causes") == (1, 0, 1)
    assert s["causes"]["tp_pred"] == 2
    summary = aggregate([s])
    assert summary["causes"]["precision"] == 1.0
    assert summary["causes"]["recall"] == 0.5


# ---------------------------------------------------------------- corrective actions


ACT_RATE = {"status": ["planned", "in_progress"], "evidence": "We will add rate limiting to the public API gateway."}
ACT_PAGER = {"status": ["done"], "evidence": ["We fixed the pager escalation policy.",
                                              "Escalation policy for paging now corrected"]}


def test_action_status_accuracy_counts_acceptable_statuses():
    preds = [action("Add rate limiting to the public API gateway", "in_progress"),
             action("Fix the pager escalation policy", "planned")]
    s = score_document([{"corrective_actions": preds}], gold(corrective_actions=[ACT_RATE, ACT_PAGER]))
    assert counts(s, "corrective_actions") == (2, 0, 0)
    assert s["action_status"] == {"correct": 1, "total": 2}
    assert len(s["details"]["action_status"]) == 1
    assert aggregate([s])["action_status"]["accuracy"] == 0.5


def test_action_status_uses_best_matching_prediction():
    close = action("Add rate limiting to the public API gateway", "planned")
    loose = action("Rate limiting on the API", "done")
    assert texts_match(loose["text"], ACT_RATE["evidence"])
    s = score_document([{"corrective_actions": [loose, close]}], gold(corrective_actions=[ACT_RATE]))
    assert s["action_status"] == {"correct": 1, "total": 1}
    close["status"], loose["status"] = "done", "planned"
    s = score_document([{"corrective_actions": [loose, close]}], gold(corrective_actions=[ACT_RATE]))
    assert s["action_status"] == {"correct": 0, "total": 1}


def test_action_status_ignores_optional_gold_actions():
    opt = dict(ACT_PAGER, optional=True)
    s = score_document([{"corrective_actions": [action("Fix the pager escalation policy", "planned")]}],
                       gold(corrective_actions=[opt]))
    assert s["action_status"] == {"correct": 0, "total": 0}
    assert aggregate([s])["action_status"]["accuracy"] is None


# ---------------------------------------------------------------- label sets


def test_categories_components_and_flags_are_sets():
    preds = [{"categories": ["change", "capacity"], "components": ["database"],
              "quality_flags": [{"flag": "timezone-missing", "detail": "x"}]},
             {"categories": ["change", "network"], "components": ["cache"], "quality_flags": []}]
    g = gold(categories=["change", "capacity", "dependency"], components=["database"],
             quality_flags=["timezone-missing", "date-typo"])
    s = score_document(preds, g)
    assert counts(s, "categories") == (2, 1, 1)
    assert counts(s, "components") == (1, 1, 0)
    assert counts(s, "quality_flags") == (1, 0, 1)
    assert s["details"]["categories"] == {"missed": ["dependency"], "spurious": ["network"]}


def test_score_document_reports_every_field():
    s = score_document([], gold())
    assert set(FIELDS) <= set(s)
    assert "action_status" in s and "details" in s


# ---------------------------------------------------------------- aggregation


def test_micro_average_differs_from_macro():
    g1 = gold(timeline=[{"at": "2025-03-04T12:30Z", "kind": "onset", "evidence": "q"}])
    d1 = score_document([{"timeline": [event("2025-03-04T12:30:00Z")]}], g1)
    g2 = gold(timeline=[{"at": f"2025-03-05T10:0{i}Z", "kind": "other", "evidence": "q"} for i in range(3)])
    d2 = score_document([{"timeline": [event("2025-03-05T10:00:00Z"), event("2025-03-05T11:00:00Z"),
                                       event("2025-03-05T12:00:00Z"), event("2025-03-05T13:00:00Z")]}], g2)
    summary = aggregate([d1, d2])["timeline"]
    assert (summary["tp"], summary["fp"], summary["fn"]) == (2, 3, 2)
    assert summary["precision"] == pytest.approx(2 / 5)
    assert summary["recall"] == pytest.approx(2 / 4)
    assert summary["f1"] == pytest.approx(2 * 0.4 * 0.5 / 0.9)
    macro_precision = (1.0 + 1 / 4) / 2
    assert summary["precision"] != pytest.approx(macro_precision)


def test_zero_denominators():
    empty = aggregate([score_document([], gold())])["impact_windows"]
    assert (empty["precision"], empty["recall"], empty["f1"]) == (1.0, 1.0, 1.0)
    only_pred = aggregate([score_document([{"impact_windows": [window("2025-03-04T12:30:00Z",
                                                                       "2025-03-04T13:00:00Z")]}], gold())])
    assert (only_pred["impact_windows"]["precision"], only_pred["impact_windows"]["recall"]) == (0.0, 0.0)
    only_gold = aggregate([score_document([], gold(impact_windows=[GOLD_WINDOW]))])["impact_windows"]
    assert (only_gold["precision"], only_gold["recall"], only_gold["f1"]) == (0.0, 0.0, 0.0)


def test_format_table_lists_fields_accuracy_and_documents():
    preds = [{"categories": ["change"],
              "corrective_actions": [action("Add rate limiting to the public API gateway", "planned"),
                                     action("Fix the pager escalation policy", "planned")]}]
    s = score_document(preds, gold(categories=["change"], corrective_actions=[ACT_RATE, ACT_PAGER]))
    text = format_table(aggregate([s]), [("docs/x.txt", s)])
    for field in FIELDS:
        assert field in text
    assert "action status accuracy: 0.50 (1/2)" in text
    assert "docs/x.txt" in text
    plain = format_table(aggregate([s]))
    assert "docs/x.txt" not in plain


# ---------------------------------------------------------------- files and run_eval


def write_gold(gold_dir: Path, name: str, data: dict) -> None:
    gold_dir.mkdir(parents=True, exist_ok=True)
    (gold_dir / name).write_text(json.dumps(data), encoding="utf-8")


def test_load_gold_sorted_with_path_and_skips_readme(tmp_path):
    gdir = tmp_path / "gold"
    write_gold(gdir, "b.json", gold(document="docs/b.txt"))
    write_gold(gdir, "a.json", gold(document="docs/a.txt"))
    (gdir / "README.md").write_text("# notes", encoding="utf-8")
    (gdir / "README.json").write_text("{}", encoding="utf-8")
    loaded = load_gold(gdir)
    assert [g["document"] for g in loaded] == ["docs/a.txt", "docs/b.txt"]
    assert loaded[0]["_path"] == gdir / "a.json"


def test_resolve_document_with_and_without_root(tmp_path):
    gdir = tmp_path / "shared" / "gold"
    gdir.mkdir(parents=True)
    g = gold(document="seeds/x.txt")
    assert resolve_document(g, gdir, None) == (tmp_path / "shared" / "seeds" / "x.txt").resolve()
    assert resolve_document(g, gdir, tmp_path / "other") == tmp_path / "other" / "seeds" / "x.txt"


def test_run_eval_scores_documents_and_survives_missing_or_failing_ones(tmp_path):
    shared = tmp_path / "shared"
    gdir = shared / "gold"
    (shared / "docs").mkdir(parents=True)
    (shared / "docs" / "ok.txt").write_text("ok", encoding="utf-8")
    (shared / "docs" / "boom.txt").write_text("boom", encoding="utf-8")
    tl = [{"at": "2025-03-04T12:30Z", "kind": "onset", "evidence": "q"}]
    write_gold(gdir, "1-ok.json", gold(document="docs/ok.txt", timeline=tl, categories=["change"]))
    write_gold(gdir, "2-missing.json", gold(document="docs/missing.txt", timeline=tl, categories=["change"],
                                            impact_windows=[GOLD_WINDOW]))
    write_gold(gdir, "3-boom.json", gold(document="docs/boom.txt", categories=["network"]))
    calls: list[Path] = []

    def extract(path: Path) -> list[dict]:
        calls.append(path)
        if path.name == "boom.txt":
            raise RuntimeError("parser exploded")
        return [{"timeline": [event("2025-03-04T12:30:00Z")], "categories": ["change"]}]

    summary, per_doc = run_eval(gdir, extract)
    assert [p.name for p in calls] == ["ok.txt", "boom.txt"]
    names = [name for name, _ in per_doc]
    assert names == ["docs/ok.txt", "docs/missing.txt", "docs/boom.txt"]
    by_name = dict(per_doc)
    assert "error" not in by_name["docs/ok.txt"]
    assert "not found" in by_name["docs/missing.txt"]["error"]
    assert "parser exploded" in by_name["docs/boom.txt"]["error"]
    assert counts(by_name["docs/missing.txt"], "timeline") == (0, 0, 1)
    assert counts(by_name["docs/missing.txt"], "impact_windows") == (0, 0, 1)
    assert summary["timeline"]["tp"] == 1 and summary["timeline"]["fn"] == 1
    assert (summary["categories"]["tp"], summary["categories"]["fn"]) == (1, 2)
    assert summary["documents"] == 3 and summary["errors"] == 2
    assert "error: " in format_table(summary, per_doc)


def test_run_eval_uses_root_when_given(tmp_path):
    gdir = tmp_path / "gold"
    root = tmp_path / "elsewhere"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "x.txt").write_text("x", encoding="utf-8")
    write_gold(gdir, "x.json", gold(document="docs/x.txt", categories=["change"]))
    summary, per_doc = run_eval(gdir, lambda p: [{"categories": ["change"]}], root=root)
    assert "error" not in per_doc[0][1]
    assert summary["categories"]["f1"] == 1.0


def test_by_organization_groups_documents_and_puts_the_worst_first():
    from pmkb.eval_groups import by_organization, format_by_organization, organization_key

    perfect = {f: {"tp": 1, "fp": 0, "fn": 0, "tp_pred": 1} for f in ("impact_windows", "timeline", "causes", "corrective_actions", "categories", "components", "quality_flags")}
    poor = {**perfect, "causes": {"tp": 0, "fp": 2, "fn": 1, "tp_pred": 0}}
    per_document = [
        ("corpus/docs/acme-2024-01-01-a.md", {**perfect, "gold_organization": "Acme (Acme Cloud)"}),
        ("corpus/docs/acme-2024-02-01-b.md", {**perfect, "gold_organization": "Acme (Acme Cloud)"}),
        ("corpus/docs/initech-2024-01-01-c.md", {**poor, "gold_organization": None}),
    ]
    rows = by_organization(per_document)
    assert [(r["organization"], r["documents"]) for r in rows] == [("initech", 1), ("Acme", 2)]
    assert rows[0]["summary"]["causes"]["f1"] == 0.0
    assert organization_key(None, "x/foo-bar-2020-01-01-y.md") == "foo-bar"
    assert "Acme" in format_by_organization(rows).splitlines()[-1]


def test_organization_is_scored_when_the_gold_names_one():
    gold = {"organization": "Rust Project", "impact_windows": [], "timeline": []}
    right = score_document([{"document": {"organization": "Rust"}}], gold)
    wrong = score_document([{"document": {"organization": "Kubernetes"}}], gold)
    assert right["organization"] == {"correct": 1, "total": 1}
    assert wrong["organization"] == {"correct": 0, "total": 1}
    assert aggregate([right, wrong])["organization"]["accuracy"] == 0.5
