"""pmkb: a postmortem knowledge base.

Data flows one way: ``ingest.read`` → ``ingest.normalise`` → ``ingest.segment``
→ ``ingest.extract`` (spaCy components) → ``kb.store`` → ``kb.serve`` /
``kb.report``. This package holds the command line and the bundled seeds' path.
"""

from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"


def seeds_dir() -> Path:
    """Where the bundled sample postmortems live: inside the installed package, else the checkout's seeds/."""
    installed = Path(__file__).resolve().parent / "seeds"
    return installed if installed.is_dir() else installed.parent.parent / "seeds"
