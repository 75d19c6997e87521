"""pmkb train and pmkb eval --cv-by-organization: labels from gold, the model folder, the CV table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest import roles
from pmkb.cli import cli
from pmkb.crossval import beats_rules, cross_validate, organization_folds
from pmkb.evaluate import run_eval
from pmkb.train import unit_labels

DOC_A = """# Upload outage

## Summary
Uploads failed for an hour. We will continue to provide updates. We will continue to provide updates.

## Root cause
A configuration change removed the upload queue from the load balancer pool.

## Timeline
- 10:05 UTC We rolled back the configuration change.

## Action items
- Add a canary stage for configuration changes.
- Review the paging rota.
"""

DOC_B = """# Search outage

## What happened
Search returned errors for two hours because the index disk filled up.

## Follow-up
- Alert on index disk usage above 80 percent.
"""

GOLD_A = {
    "organization": "Alpha Corp",
    "causes": [{"kind": "trigger", "evidence": "A configuration change removed the upload queue from the load balancer pool."}],
    "corrective_actions": [
        {"status": ["planned"], "evidence": "Add a canary stage for configuration changes."},
        {"status": ["planned"], "optional": True, "evidence": "Review the paging rota."},
    ],
    "timeline": [{"at": "10:05", "kind": "mitigation", "evidence": "We rolled back the configuration change."}],
    "impact_windows": [],
}
GOLD_B = {
    "organization": "Beta Inc",
    "causes": [{"kind": "root", "evidence": "Search returned errors for two hours because the index disk filled up."}],
    "corrective_actions": [{"status": ["planned"], "evidence": "Alert on index disk usage above 80 percent."}],
}


@pytest.fixture()
def gold_dir(tmp_path: Path) -> Path:
    """A gold folder of two documents from two organizations, in the shared/gold layout."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "gold").mkdir()
    for name, text, gold in (("a", DOC_A, GOLD_A), ("b", DOC_B, GOLD_B)):
        (tmp_path / "docs" / f"{name}.md").write_text(text)
        (tmp_path / "gold" / f"{name}.json").write_text(json.dumps({"document": f"docs/{name}.md", **gold}))
    return tmp_path / "gold"


def _labels_by_text(gold_dir: Path) -> dict[str, set | None]:
    from ingest.pipeline import build_nlp
    from pmkb.train import load_gold_documents

    (gd, *_), _ = load_gold_documents(gold_dir, nlp=build_nlp())
    _, doc = gd.parts[0]
    units = roles.units_of(doc)
    return {doc.text[u.start:u.end]: labels for u, labels in zip(units, unit_labels(doc.text, units, gd.gold))}


def test_units_are_labelled_by_the_gold_they_match(gold_dir):
    labels = _labels_by_text(gold_dir)
    assert labels["A configuration change removed the upload queue from the load balancer pool."] == {"cause", "trigger"}
    assert labels["Add a canary stage for configuration changes."] == {"action"}
    assert labels["10:05 UTC We rolled back the configuration change."] == {"response"}
    assert labels["We will continue to provide updates."] == {"boilerplate"}  # repeated, matches no gold
    assert labels["Uploads failed for an hour."] == {"none"}
    assert labels["Review the paging rota."] is None  # optional gold only: not trained on


def test_train_writes_a_model_the_component_loads(gold_dir, tmp_path):
    out = tmp_path / "model"
    result = CliRunner().invoke(cli, ["train", str(gold_dir), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["documents"] == 2 and summary["labels"]["cause"] == 2 and summary["labels"]["action"] == 2
    model = roles.load_model(out)
    assert model is not None and set(model.get_pipe("textcat_multilabel").labels) == set(roles.LABELS)


def test_train_skips_a_bad_gold_file_with_one_line_and_exit_status_1(gold_dir, tmp_path):
    (gold_dir / "broken.json").write_text("{not json")
    (gold_dir / "lost.json").write_text(json.dumps({"document": "docs/missing.md", "organization": "X"}))
    result = CliRunner().invoke(cli, ["train", str(gold_dir), "-o", str(tmp_path / "model")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "skipped" in line]
    assert len(lines) == 2 and "broken.json" in lines[0] and "lost.json" in lines[1]
    assert "Traceback" not in result.output and "Error:" not in result.output
    assert (tmp_path / "model" / "config.cfg").is_file()  # the good documents were still learnt from


def test_train_on_nothing_fails_cleanly(tmp_path):
    result = CliRunner().invoke(cli, ["train", str(tmp_path), "-o", str(tmp_path / "model")])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "model").exists()


def test_cv_leaves_each_organization_out_and_its_rules_column_is_pmkb_eval(gold_dir):
    from ingest.pipeline import extract_path

    result = cross_validate(gold_dir)
    assert set(result["organizations"]) == {"Alpha Corp", "Beta Inc"}
    plain, _ = run_eval(gold_dir, extract_path)
    for field in ("causes", "corrective_actions"):
        assert result["overall"]["rules"][field]["f1"] == plain[field]["f1"]
    assert result["overall"]["rules"]["action_status"] == plain["action_status"]


def test_cv_command_prints_rules_model_and_combined(gold_dir):
    result = CliRunner().invoke(cli, ["eval", str(gold_dir), "--cv-by-organization", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert set(payload["overall"]) == {"rules", "model", "combined"}
    assert payload["combination_beats_rules"] == beats_rules(payload["overall"])
    text = CliRunner().invoke(cli, ["eval", str(gold_dir), "--cv-by-organization"]).output
    assert "Alpha Corp" in text and "micro-average" in text and "rules+model" in text


def test_beats_rules_needs_both_fields_better_and_status_kept():
    def summary(c: float, a: float, s: float) -> dict:
        return {"causes": {"f1": c}, "corrective_actions": {"f1": a}, "action_status": {"accuracy": s}}

    assert beats_rules({"rules": summary(0.7, 0.7, 0.9), "combined": summary(0.8, 0.75, 0.9)})
    assert not beats_rules({"rules": summary(0.7, 0.7, 0.9), "combined": summary(0.8, 0.7, 0.9)})
    assert not beats_rules({"rules": summary(0.7, 0.7, 0.9), "combined": summary(0.8, 0.8, 0.85)})


def test_train_into_an_unwritable_place_fails_in_one_line(gold_dir, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(cli, ["train", str(gold_dir), "-o", str(blocker / "model")])
    assert result.exit_code == 1 and "cannot write the model" in result.output
    assert "Traceback" not in result.output


def test_folds_hold_every_organization_out_exactly_once():
    names = [f"Org {i}" for i in range(7)]
    folds = organization_folds(list(reversed(names)), 3)
    assert len(folds) == 3 and sorted(n for fold in folds for n in fold) == names
    assert max(map(len, folds)) - min(map(len, folds)) <= 1
    assert organization_folds(names, None) == [[n] for n in names] == organization_folds(names, 10)


def test_cv_in_folds_scores_every_organization_by_a_model_that_never_saw_it(gold_dir):
    one_by_one, folded = cross_validate(gold_dir), cross_validate(gold_dir, folds=2)
    assert set(folded["organizations"]) == set(one_by_one["organizations"])
    assert folded["overall"]["rules"] == one_by_one["overall"]["rules"]
    result = CliRunner().invoke(cli, ["eval", str(gold_dir), "--folds", "2"])
    assert result.exit_code == 2 and "--cv-by-organization" in result.output
