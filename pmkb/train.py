"""``pmkb train``: teach the sentence-role model (``ingest/roles.py``) from gold annotations.

Each gold-annotated document goes through pmkb's own reading, normalising,
segmenting and rule extraction; every sentence unit is then labelled by the
gold evidence it matches, with the matching rule of ``pmkb eval``: a cause's
kind (root, trigger, contributing) and ``cause``, ``action`` for a corrective action,
``response`` for timeline evidence of kind mitigation or response, ``impact``
for an impact window's evidence or an impact_start/impact_end event. A unit
that matches nothing is ``boilerplate`` when its text occurs more than once in
the document (status-page updates repeat it), else ``none``; a unit matching
only optional gold is left out. Training is seeded, so the same gold gives the
same model.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from spacy.language import Language
from ingest.extensions import text_of

from ingest import roles
from ingest.document import Document
from ingest.normalise import normalise
from ingest.pipeline import build_nlp, part_docs
from ingest.read import ReadError, read_file

from .eval_groups import organization_key
from .evaluate import _quotes, _words_match, content_words, load_gold_file, resolve_document

RESPONSE_KINDS = ("mitigation", "response")
IMPACT_KINDS = ("impact_start", "impact_end")
DEFAULT_EPOCHS = 10
"""Training passes over the units: enough for the bag-of-words model, a second or two on one core."""
RULE_STEPS_END = "pmkb_actions"
"""The last rule component whose results the role model adjusts."""


@dataclass
class GoldDocument:
    """One gold annotation, its normalised document, and its parts run through the rules."""

    gold: dict
    document: Document
    parts: list = field(default_factory=list)
    """(Part, Doc after the rule components up to ``pmkb_actions``, rules' result snapshot)."""

    @property
    def organization(self) -> str:
        """The gold's organization, the unit of cross-validation (grouped as ``--by-organization`` does)."""
        return organization_key(self.gold.get("organization"), str(self.gold.get("document") or "?"))


def rule_steps(nlp: Language) -> tuple[list, list]:
    """The pipeline's components up to ``pmkb_actions``, and those after it (without ``pmkb_roles``)."""
    names = [name for name, _ in nlp.pipeline if name != "pmkb_roles"]
    cut = names.index(RULE_STEPS_END) + 1
    procs = dict(nlp.pipeline)
    return [procs[n] for n in names[:cut]], [procs[n] for n in names[cut:]]


def run_rules(nlp: Language, document: Document) -> list:
    """Each part of a document as (Part, Doc) after the rule components up to ``pmkb_actions``."""
    before, _ = rule_steps(nlp)
    out = []
    for part, doc in part_docs(nlp, document):
        for proc in before:
            doc = proc(doc)
        out.append((part, doc))
    return out


def gold_files(gold_dir: Path, warn: Callable[[str], None]) -> tuple[list[dict], int]:
    """Every gold annotation in ``gold_dir`` that parses (as ``evaluate.load_gold`` gives them), and
    how many files were skipped, each reported as one line to ``warn``."""
    out, skipped = [], 0
    for path in sorted(Path(gold_dir).glob("*.json"), key=lambda p: p.name):
        try:
            out.extend(load_gold_file(path))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            warn(f"{path}: skipped, not a gold annotation ({str(exc).splitlines()[0][:200]})")
            skipped += 1
    return out, skipped


def load_gold_documents(
    gold_dir: Path, root: Path | None = None, nlp: Language | None = None, warn: Callable[[str], None] | None = None
) -> tuple[list[GoldDocument], int]:
    """Every gold document that can be read, run through the rules; and how many gold files or
    documents were skipped (each reported as one line to ``warn``)."""
    nlp = nlp or build_nlp()
    warn = warn or (lambda line: print(line, file=sys.stderr))
    golds, skipped = gold_files(Path(gold_dir), warn)
    out = []
    for gold in golds:
        path = resolve_document(gold, Path(gold_dir), root)
        try:
            document = normalise(read_file(path))
        except (ReadError, OSError, ValueError) as exc:
            warn(f"{gold['_path']}: skipped, its document {path} cannot be read ({exc})")
            skipped += 1
            continue
        out.append(GoldDocument(gold, document, run_rules(nlp, document)))
    return out, skipped


def _quote_sets(items: Iterable, required: bool) -> list[list[frozenset[str]]]:
    return [
        [content_words(q) for q in _quotes(item.get("evidence"))]
        for item in items
        if isinstance(item, dict) and bool(item.get("optional")) != required
    ]


def gold_targets(gold: dict) -> dict[str, list[list[frozenset[str]]]]:
    """Per label, the content-word sets of the gold evidence quotes that give it (one list per item)."""
    targets: dict[str, list] = {label: [] for label in roles.LABELS}
    for kind in roles.CAUSE_LABELS:
        targets[kind] = _quote_sets((c for c in gold.get("causes") or [] if isinstance(c, dict) and c.get("kind") == kind), True)
    targets["cause"] = [q for kind in roles.CAUSE_LABELS for q in targets[kind]]
    targets["action"] = _quote_sets(gold.get("corrective_actions") or [], True)
    events = [e for e in gold.get("timeline") or [] if isinstance(e, dict)]
    targets["response"] = _quote_sets((e for e in events if e.get("kind") in RESPONSE_KINDS), True)
    impact = [w for w in gold.get("impact_windows") or [] if isinstance(w, dict)]
    impact += [e for e in events if e.get("kind") in IMPACT_KINDS]
    targets["impact"] = _quote_sets(impact, True)
    targets["optional"] = _quote_sets(gold.get("causes") or [], False) + _quote_sets(gold.get("corrective_actions") or [], False)
    return targets


def _matches(words: frozenset[str], items: list[list[frozenset[str]]]) -> bool:
    return any(_words_match(words, q) for quotes in items for q in quotes)


def unit_labels(text: str, units: list[roles.Unit], gold: dict) -> list[set[str] | None]:
    """The gold roles of each unit (see the module docstring); None for a unit left out of training."""
    targets = gold_targets(gold)
    seen: dict[str, int] = {}
    plain = [" ".join(text[u.start:u.end].split()).lower() for u in units]
    for p in plain:
        seen[p] = seen.get(p, 0) + 1
    out: list[set[str] | None] = []
    for unit, p in zip(units, plain):
        words = content_words(text[unit.start:unit.end])
        labels = {label for label in roles.LABELS if targets[label] and _matches(words, targets[label])}
        if labels:
            out.append(labels)
        elif _matches(words, targets["optional"]):
            out.append(None)
        else:
            out.append({"boilerplate" if seen[p] > 1 else "none"})
    return out


def training_pairs(documents: Iterable[GoldDocument]) -> list[tuple[str, set[str]]]:
    """(model input, gold roles) of every labelled unit of the documents."""
    pairs = []
    for gd in documents:
        for _, doc in gd.parts:
            units = roles.units_of(doc)
            for feature, labels in zip(roles.unit_features(doc, units), unit_labels(text_of(doc), units, gd.gold)):
                if labels is not None:
                    pairs.append((feature, labels))
    return pairs


def train_model(pairs: list[tuple[str, set[str]]], epochs: int = DEFAULT_EPOCHS, seed: int = 0, config: dict | None = None) -> Language:
    """A sentence-role model trained on (input, roles) pairs: seeded, ``epochs`` shuffled passes."""
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    config = {**roles.DEFAULTS, **(config or {})}
    fix_random_seed(seed)
    model = roles.blank_model(config["bow_length"], config["ngram_size"])
    examples = [
        Example.from_dict(model.make_doc(text), {"cats": {label: float(label in labels) for label in roles.LABELS}})
        for text, labels in pairs
    ]
    optimizer = model.initialize(lambda: examples)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=32):
            model.update(batch, sgd=optimizer, drop=0.0)
    return model


def save_model(model: Language, out_dir: Path, meta: dict) -> None:
    """Write a trained model folder that ``roles.load_model`` reads."""
    model.meta.update({"name": "pmkb_roles", "description": "pmkb sentence roles (see ingest/roles.py)", **meta})
    model.to_disk(out_dir)


def label_counts(pairs: list[tuple[str, set[str]]]) -> dict[str, int]:
    """How many training units carry each role."""
    return {label: sum(1 for _, labels in pairs if label in labels) for label in roles.LABELS}

