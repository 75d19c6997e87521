"""Shared fixtures: paths to the bundled seeds and (when present) ../shared, and seeded databases."""

from __future__ import annotations

import contextlib
import http.server
import threading
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The bundled sample postmortems."""
    return SEEDS


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the project; tests that need it skip when it is absent (a user's clone)."""
    if not (SHARED / "corpus" / "docs").is_dir():
        pytest.skip("../shared is not beside the project (only CI and developers have it)")
    return SHARED


@pytest.fixture(scope="session")
def corpus_docs(shared_dir: Path) -> Path:
    """The public postmortems of ../shared/corpus/docs."""
    return shared_dir / "corpus" / "docs"


@pytest.fixture(scope="session")
def seeded_db_path(tmp_path_factory) -> Path:
    """A database holding the two seeds (built once per session; treat it as read-only)."""
    from kb import load, store

    path = tmp_path_factory.mktemp("seeded") / "seeds.db"
    db = store.open_db(path)
    load.ingest(db, [str(SEEDS)])
    db.close()
    return path


@pytest.fixture(scope="session")
def corpus_db_path(tmp_path_factory, shared_dir: Path) -> Path:
    """A database holding the seeds plus ../shared/corpus/docs with its manifest (read-only)."""
    from kb import load, store

    path = tmp_path_factory.mktemp("corpus") / "corpus.db"
    db = store.open_db(path)
    manifest = load.read_manifest(shared_dir / "corpus" / "SOURCES.tsv")
    load.ingest(db, [str(SEEDS), str(shared_dir / "corpus" / "docs")], manifest=manifest)
    db.close()
    return path


@contextlib.contextmanager
def local_server(handler) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 (a free port) answering with ``handler``; yields its base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def extraction_facts(path: Path) -> tuple[list, int, int, int]:
    """What a converted document must share with its original: the first incident's impact windows (start, end)
    and how many timeline stamps, causes and corrective actions it has."""
    from ingest.pipeline import extract_path

    incident = extract_path(path)[0]
    windows = [(w["start"], w["end"]) for w in incident["impact_windows"]]
    return windows, len(incident["timeline"]), len(incident["causes"]), len(incident["corrective_actions"])
