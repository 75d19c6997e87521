"""Step 6, serve: Datasette over the knowledge base, with pmkb's metadata and templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pmkb import templates_dir


def metadata(public: bool = False) -> dict[str, Any]:
    """Datasette metadata: titles, descriptions, and (in public mode) no arbitrary SQL."""
    meta: dict[str, Any] = {
        "title": "pmkb: postmortem knowledge base",
        "description": "Impact windows, timelines, causes and corrective actions extracted from postmortems.",
    }
    if public:
        meta["allow_sql"] = False
    return meta


def make_datasette(db_path: str | Path, public: bool = False):
    """A configured Datasette instance over ``db_path``."""
    from datasette.app import Datasette

    return Datasette(
        [str(db_path)],
        metadata=metadata(public),
        template_dir=str(templates_dir() / "datasette"),
        settings={"sql_time_limit_ms": 3000},
    )


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001, public: bool = False) -> None:
    """Run Datasette until interrupted."""
    import uvicorn

    ds = make_datasette(db_path, public=public)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")
