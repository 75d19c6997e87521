"""How well the similar-incident ranking finds annotated pairs: precision at k and recall, against a label-counting baseline.

A pairs file (``tests/similar_pairs.tsv``) names incident pairs ``same``
(the same problem happening again) or ``label`` (they only share a cause
category or component). Every annotated incident is a query; its top ``k``
results are judged by the annotated pairs they form with it:

- recall: the share of (incident, same-problem partner) directions whose
  partner is in the incident's top ``k``;
- precision at k: of the annotated pairs found in top-``k`` lists, the share
  that are ``same`` (pairs nobody annotated are not judged).
"""

from __future__ import annotations

import csv
import os
import sqlite3
from pathlib import Path
from typing import Callable

from kb import similar

Ranker = Callable[[sqlite3.Connection, int, int], list[int]]
"""(connection, incident id, k) → the ids of the k most similar other incidents, best first."""


def read_pairs(path: str | Path) -> list[dict[str, str]]:
    """The rows (kind, a, b, why) of a pairs file; ``#`` lines are comments."""
    lines = [line for line in Path(path).read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines, dialect="excel-tab"))


def incident_ids(conn: sqlite3.Connection) -> dict[str, int]:
    """Every stored incident by name: its document's file name, and ``name#N`` for its N-th incident."""
    names: dict[str, int] = {}
    for source, seq, incident_id in conn.execute("select d.source, i.seq, i.id from incidents i join documents d on d.id = i.document_id"):
        base = os.path.basename(source)
        names[f"{base}#{seq}"] = incident_id
        if seq == 0:
            names[base] = incident_id
    return names


def content_ranker(conn: sqlite3.Connection, incident_id: int, k: int) -> list[int]:
    """``kb.similar``'s ranking."""
    profile = similar.stored_profile(conn, incident_id)
    return [m.incident_id for m in similar.similar(conn, profile, k, evidence=False)] if profile else []


def label_ranker(conn: sqlite3.Connection, incident_id: int, k: int) -> list[int]:
    """The ranking pmkb had before content similarity: most shared category and component labels first."""
    rows = conn.execute(
        """
        with mine as (select 'c:' || category as label from categories where incident_id = :id
                      union select 'm:' || component from components where incident_id = :id),
        theirs as (select incident_id, 'c:' || category as label from categories
                   union select incident_id, 'm:' || component from components)
        select t.incident_id from theirs t join mine using (label) where t.incident_id != :id
        group by t.incident_id order by count(*) desc, t.incident_id limit :k
        """,
        {"id": incident_id, "k": k},
    )
    return [r[0] for r in rows]


def evaluate(conn: sqlite3.Connection, pairs: list[dict[str, str]], ranker: Ranker, k: int = 3) -> dict:
    """Precision at ``k`` and recall of ``ranker`` on ``pairs`` (names missing from the database are listed, not scored)."""
    names = incident_ids(conn)
    missing = sorted({p[side] for p in pairs for side in ("a", "b") if p[side] not in names})
    kinds: dict[frozenset[int], str] = {}
    for p in pairs:
        if p["a"] in names and p["b"] in names:
            kinds[frozenset((names[p["a"]], names[p["b"]]))] = p["kind"]
    queries = sorted({i for pair in kinds for i in pair})
    tops = {q: ranker(conn, q, k) for q in queries}
    found = {pair for q in queries for other in tops[q] if (pair := frozenset((q, other))) in kinds}
    directions = [(q, next(iter(pair - {q}))) for pair, kind in kinds.items() if kind == "same" for q in pair]
    hits = sum(partner in tops[q] for q, partner in directions)
    same_found = sum(kinds[pair] == "same" for pair in found)
    return {
        "k": k,
        "same_pairs": sum(kind == "same" for kind in kinds.values()),
        "label_pairs": sum(kind == "label" for kind in kinds.values()),
        "precision_at_k": same_found / len(found) if found else 0.0,
        "recall": hits / len(directions) if directions else 0.0,
        "judged_found": len(found),
        "label_pairs_in_top_k": sorted(tuple(sorted(p)) for p in found if kinds[p] == "label"),
        "missing": missing,
    }


RANKERS = {"content (kb.similar)": content_ranker, "labels (baseline)": label_ranker}
"""The rankings compared, by the name printed."""


def corpus_database(path: Path, shared: Path) -> sqlite3.Connection:
    """The seeds plus ``shared``/corpus/docs (with its manifest) ingested into a new database at ``path``, as the tests' corpus fixture does."""
    from kb import load, store

    root = Path(__file__).resolve().parents[1]
    db = store.open_db(path)
    manifest = load.read_manifest(shared / "corpus" / "SOURCES.tsv")
    load.ingest(db, [str(root / "seeds"), str(shared / "corpus" / "docs")], manifest=manifest)
    db.close()
    return sqlite3.connect(path)


def main(argv: list[str] | None = None) -> None:
    """``python -m kb.similar_quality``: precision at k and recall of the content ranking and the label baseline on the corpus."""
    import argparse
    import json
    import tempfile

    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(prog="python -m kb.similar_quality", description=main.__doc__)
    parser.add_argument("--db", type=Path, help="a database to judge (default: the seeds and ../shared/corpus/docs, ingested into a temporary one)")
    parser.add_argument("--shared", type=Path, default=root.parent / "shared", help="the shared folder holding corpus/docs (default: ../shared)")
    parser.add_argument("--pairs", type=Path, default=root / "tests" / "similar_pairs.tsv", help="the annotated pairs (default: tests/similar_pairs.tsv)")
    parser.add_argument("-k", type=int, default=3, help="how many results of each query are judged (default: 3)")
    parser.add_argument("--json", action="store_true", help="print the evaluation of each ranking as JSON")
    args = parser.parse_args(argv)
    pairs = read_pairs(args.pairs)
    with tempfile.TemporaryDirectory(prefix="pmkb-quality-") as temp:
        conn = sqlite3.connect(args.db) if args.db else corpus_database(Path(temp) / "corpus.db", args.shared)
        try:
            results = {name: evaluate(conn, pairs, ranker, args.k) for name, ranker in RANKERS.items()}
        finally:
            conn.close()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    first = next(iter(results.values()))
    print(f"{first['same_pairs']} same-problem and {first['label_pairs']} label-only pairs ({args.pairs.name}); top {args.k} of each annotated incident")
    print(f"| ranking | precision@{args.k} | recall | annotated pairs in top {args.k} |\n|---|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['precision_at_k']:.2f} | {r['recall']:.2f} | {r['judged_found']} |")
    if first["missing"]:
        print(f"not in the database: {', '.join(first['missing'])}")


if __name__ == "__main__":
    main()
