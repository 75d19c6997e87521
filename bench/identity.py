"""Extraction identity check for refactoring commits.

``python bench/identity.py save DIR`` writes the extraction JSON of every seed and
``../shared/corpus/docs`` document into DIR; ``python bench/identity.py check DIR``
extracts again and lists every document whose JSON differs (exit 1 if any).
A refactoring commit must leave ``check`` silent.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sources() -> list[Path]:
    """The seeds and, when ../shared is beside the project, the corpus documents."""
    docs = ROOT.parent / "shared" / "corpus" / "docs"
    found = sorted((ROOT / "seeds").iterdir())
    if docs.is_dir():
        found += sorted(docs.iterdir())
    return [p for p in found if p.is_file()]


def dump(path: Path) -> str:
    """One document's extraction as canonical JSON (or the error it raised)."""
    from ingest.pipeline import extract_path

    try:
        return json.dumps(extract_path(path), sort_keys=True, ensure_ascii=False, indent=1)
    except Exception as exc:  # noqa: BLE001 - the error is part of the behaviour compared
        return f"ERROR {type(exc).__name__}: {exc}"


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in {"save", "check"}:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out = Path(argv[2])
    out.mkdir(parents=True, exist_ok=True)
    differ = 0
    for path in sources():
        target = out / (path.name + ".json")
        text = dump(path)
        if argv[1] == "save":
            target.write_text(text, encoding="utf-8")
        elif not target.exists() or target.read_text(encoding="utf-8") != text:
            differ += 1
            print(f"differs: {path.name}")
    print(f"{len(sources())} documents, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv))
