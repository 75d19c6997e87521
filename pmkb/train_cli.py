"""What ``pmkb train`` and ``pmkb eval --cv-by-organization`` do, as functions that return an exit status."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .crossval import beats_rules, cross_validate, format_cv
from .train import label_counts, load_gold_documents, save_model, train_model, training_pairs


def _warn(line: str) -> None:
    click.echo(line, err=True)


def run_train(gold_dir: Path, output: Path, root: Path | None, epochs: int, seed: int, as_json: bool) -> int:
    """Train the sentence-role model on every readable gold document and write it to ``output``.

    Exit status 0, or 1 when a gold file or document was skipped or nothing could be learnt."""
    documents, skipped = load_gold_documents(gold_dir, root, warn=_warn)
    pairs = training_pairs(documents)
    counts = label_counts(pairs)
    if not pairs or not (counts["cause"] or counts["action"]):
        _warn(f"{gold_dir}: no gold causes or corrective actions found in any readable document; no model written")
        return 1
    model = train_model(pairs, epochs=epochs, seed=seed)
    meta = {"pmkb": {"documents": len(documents), "units": len(pairs), "labels": counts, "epochs": epochs, "seed": seed}}
    try:
        save_model(model, output, meta)
    except OSError as exc:
        _warn(f"{output}: cannot write the model ({exc.strerror or exc})")
        return 1
    if as_json:
        click.echo(json.dumps({"output": str(output), "skipped": skipped, **meta["pmkb"]}, indent=2))
    else:
        shown = ", ".join(f"{k} {v}" for k, v in counts.items())
        click.echo(f"Wrote {output}: {len(pairs)} sentence units from {len(documents)} documents ({shown})")
        click.echo(f"Use it with PMKB_ROLES_MODEL={output} pmkb ingest … (or pmkb extract …)")
    return 1 if skipped else 0


def run_cv(gold_dir: Path, root: Path | None, as_json: bool, folds: int | None = None) -> int:
    """Print the leave-one-organization-out table (or JSON); exit status 1 when something was skipped."""
    progress = None if as_json else (lambda org: click.echo(f"fold: {org}", err=True))
    result = cross_validate(gold_dir, root, warn=_warn, progress=progress, folds=folds)
    if not result["organizations"]:
        _warn(f"{gold_dir}: no readable gold document to cross-validate")
        return 1
    result["combination_beats_rules"] = beats_rules(result["overall"])
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
    else:
        click.echo(format_cv(result), nl=False)
        verdict = "beats" if result["combination_beats_rules"] else "does not beat"
        click.echo(f"rules+model {verdict} the rules alone (causes and actions micro-F1, action status)")
    return 1 if result["skipped"] else 0
