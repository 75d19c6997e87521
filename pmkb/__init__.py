"""pmkb: a postmortem knowledge base.

Data flows one way: ``ingest.read`` → ``ingest.normalise`` → ``ingest.segment``
→ ``ingest.extract`` (spaCy components) → ``kb.store`` → ``kb.serve`` /
``kb.report``. This package holds the command line and the resource paths.
"""

from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"


def _resource_dir(name: str) -> Path:
    """The folder of a bundled resource (templates, seeds), installed or in a checkout."""
    here = Path(__file__).resolve().parent
    installed = here / name
    if installed.is_dir():
        return installed
    return here.parent / name


def templates_dir() -> Path:
    """Where the packaged Jinja2 and Datasette templates live."""
    return _resource_dir("templates")


def seeds_dir() -> Path:
    """Where the bundled sample postmortems live."""
    return _resource_dir("seeds")
