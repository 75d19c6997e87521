"""Extraction split for the benchmark: time per stage, extract_many throughput, and dateparser for comparison.

``extraction_split`` charges each document's time to the stages of
:data:`STAGES` (the spaCy components through :class:`TimedNlp`),
``parallel_throughput`` runs ``extract_many`` with 1 and N processes (and
checks they agree), ``search_dates_times`` runs dateparser's
``search_dates`` over the same documents, the speed target's reference.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

STAGES = ("read", "normalise", "tokenise", "segment", "times", "causes/actions", "timeline/classify", "other", "store")
"""Extraction stages, in pipeline order, that the split reports."""

COMPONENT_STAGE = {
    "pmkb_structure": "segment",
    "pmkb_times": "times",
    "cue_ruler": "causes/actions",
    "pmkb_causes": "causes/actions",
    "pmkb_actions": "causes/actions",
    "pmkb_timeline": "timeline/classify",
    "pmkb_classify": "timeline/classify",
}
"""Which stage each spaCy component's time is charged to."""


class TimedNlp:
    """A spaCy pipeline proxy that charges the time of ``make_doc`` and of each component to a stage."""

    def __init__(self, nlp) -> None:
        self._nlp = nlp
        self.times: dict[str, float] = {}

    def __getattr__(self, name: str):
        return getattr(self._nlp, name)

    def _charge(self, stage: str, fn):
        def timed(*args, **kwargs):
            c = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.times[stage] = self.times.get(stage, 0.0) + time.perf_counter() - c

        return timed

    def make_doc(self, text: str):
        """The tokenizer, timed as ``tokenise``."""
        return self._charge("tokenise", self._nlp.make_doc)(text)

    @property
    def pipeline(self) -> list[tuple[str, Any]]:
        """The components, each timed as its stage in :data:`COMPONENT_STAGE`."""
        return [(name, self._charge(COMPONENT_STAGE.get(name, "timeline/classify"), proc)) for name, proc in self._nlp.pipeline]


def extraction_split(files: list[Path], db_path: Path) -> list[dict[str, float]]:
    """Per document, seconds spent in each of :data:`STAGES` (one pipeline, built before timing)."""
    from ingest import pipeline
    from ingest.normalise import normalise
    from ingest.read import read_file
    from kb import store

    nlp = pipeline.shared_nlp()
    db = store.open_db(db_path)
    rows = []
    for path in files:
        c0 = time.perf_counter()
        source = read_file(path)
        c1 = time.perf_counter()
        document = normalise(source)
        document.source = str(path.resolve())
        c2 = time.perf_counter()
        timed = TimedNlp(nlp)
        incidents = pipeline.extract(document, nlp=timed)
        c3 = time.perf_counter()
        store.store_document(db, document, incidents, pipeline.extractor_version())
        c4 = time.perf_counter()
        t = {stage: timed.times.get(stage, 0.0) for stage in STAGES}
        t.update(read=c1 - c0, normalise=c2 - c1, store=c4 - c3)
        t["other"] = (c3 - c2) - sum(timed.times.values())
        rows.append(t)
    db.close()
    return rows


def parallel_throughput(files: list[Path], processes: list[int]) -> tuple[dict[int, float], bool]:
    """Documents per second through ``extract_many`` for each process count; and whether all counts agree."""
    from ingest import pipeline
    from ingest.normalise import normalise
    from ingest.read import read_file

    pipeline.shared_nlp()
    rates, outputs = {}, []
    for n in processes:
        start = time.perf_counter()
        documents = (normalise(read_file(path)) for path in files)
        outputs.append([incidents for _, incidents in pipeline.extract_many(documents, processes=n)])
        rates[n] = len(files) / (time.perf_counter() - start)
    return rates, all(out == outputs[0] for out in outputs)


def search_dates_times(files: list[Path]) -> list[float]:
    """Seconds ``dateparser.search.search_dates`` takes over each document's normalised text."""
    from dateparser.search import search_dates

    from ingest.normalise import normalise
    from ingest.read import read_file

    search_dates("warm up on 3 March 2024 at 10:00 UTC", languages=["en"])
    out = []
    for path in files:
        text = normalise(read_file(path)).text
        c = time.perf_counter()
        search_dates(text, languages=["en"])
        out.append(time.perf_counter() - c)
    return out
