"""Step 6, serve: Datasette over the knowledge base, with pmkb's metadata, pages and plugin.

The database is opened read-only. ``public=True`` turns arbitrary SQL off;
the canned queries, the incident pages and the report stay. The charts
(datasette-dashboards) send their SQL from the browser, so they are only
offered when arbitrary SQL is allowed; in public mode the canned queries
``incidents_per_month`` and ``impact_by_category`` give the same numbers.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

from kb.resources import metadata_text, templates_dir

PLUGIN_NAME = "pmkb"
"""The plugin's name: its entry point in ``pyproject.toml`` and its key in the metadata's ``plugins``."""


@lru_cache(maxsize=1)
def _base_metadata() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(metadata_text())


def database_name(db_path: str | Path) -> str:
    """The name Datasette serves ``db_path`` under: its file stem."""
    return Path(db_path).stem


def metadata(database: str = "postmortems", public: bool = False) -> dict[str, Any]:
    """Datasette metadata for a pmkb database named ``database``; ``public`` turns arbitrary SQL off."""
    base = copy.deepcopy(_base_metadata())
    db_meta = base.pop("database")
    dashboards = base.pop("dashboards")
    queries = db_meta["queries"]
    for dashboard in dashboards.values():
        for chart in dashboard["charts"].values():
            chart["db"] = database
            chart["query"] = queries[chart.pop("query_name")]["sql"]
    meta: dict[str, Any] = {
        **base,
        "databases": {database: db_meta},
        "plugins": {PLUGIN_NAME: {"database": database}},
    }
    if public:
        meta["allow_sql"] = False
    else:
        meta["plugins"]["datasette-dashboards"] = dashboards
    return meta


def _read_only_database(ds, path: str | Path):
    """A Datasette database for ``path`` whose every connection, even the write one, is read-only."""
    from datasette.database import Database

    class ReadOnlyDatabase(Database):
        def connect(self, write: bool = False):
            return super().connect(write=False)

    return ReadOnlyDatabase(ds, str(path), is_mutable=True)


def check_plugin() -> None:
    """Raise RuntimeError unless Datasette found pmkb's plugin through its ``datasette`` entry point."""
    from datasette.plugins import pm

    if pm.get_plugin(PLUGIN_NAME) is None:
        raise RuntimeError("pmkb's Datasette plugin is not installed: reinstall pmkb (its 'datasette' entry point registers kb.datasette_pmkb)")


SETTINGS = {"sql_time_limit_ms": 3000, "suggest_facets": False, "facet_time_limit_ms": 40}
"""Datasette settings: facet suggestions cost most of a search at 50,000 incidents (bench/run.py),
and a facet slower than 40 ms is skipped with a note rather than slowing the page."""


def make_datasette(db_path: str | Path, public: bool = False):
    """A configured, read-only Datasette instance over ``db_path``."""
    from datasette.app import Datasette

    check_plugin()
    name = database_name(db_path)
    ds = Datasette(
        [],
        metadata=metadata(name, public),
        template_dir=str(templates_dir() / "datasette"),
        settings=SETTINGS,
    )
    ds.remove_database("_memory")
    ds.add_database(_read_only_database(ds, db_path), name=name)
    return ds


def pending_migrations(db_path: str | Path) -> list[str]:
    """Names of schema migrations the database at ``db_path`` lacks (a read-only check).

    Raises ValueError when the file is not a pmkb database.
    """
    import sqlite3

    import sqlite_utils

    from .migrations import migrations

    try:
        conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ValueError(f"{db_path}: cannot open ({exc})") from exc
    try:
        db = sqlite_utils.Database(conn)
        if "documents" not in db.table_names():
            raise ValueError(f"{db_path}: not a pmkb database (no documents table)")
        return [m.name for m in migrations.pending(db)]
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"{db_path}: not a SQLite database ({exc})") from exc
    finally:
        conn.close()


def upgrade_schema(db_path: str | Path) -> list[str]:
    """Apply the migrations an older pmkb database lacks; return their names (empty when current)."""
    from . import store

    pending = pending_migrations(db_path)
    if pending:
        store.open_db(db_path).close()
    return pending


def make_app(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001, public: bool = False, allow_hosts: tuple[str, ...] = ()):
    """The ASGI app ``serve`` runs: Datasette over ``db_path``; unless ``public``, behind a Host check
    (DNS rebinding) that answers only the bound address, localhost and ``allow_hosts``."""
    from .hostguard import allowed_hosts, host_guard

    app = make_datasette(db_path, public=public).app()
    return app if public else host_guard(app, allowed_hosts(host, port, allow_hosts))


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001, public: bool = False, allow_hosts: tuple[str, ...] = ()) -> None:
    """Run Datasette until interrupted."""
    import uvicorn

    uvicorn.run(make_app(db_path, host, port, public, allow_hosts), host=host, port=port, log_level="warning")
