"""``pmkb demo``'s database: made fresh on every run, and only ever replaced when ``pmkb demo`` made it.

A demo database carries ``DEMO_APPLICATION_ID`` in SQLite's ``application_id``
header field. A run may delete a database (and its -wal and -shm files) that
carries it; any other file at that path is left alone and the run refuses.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

DEMO_APPLICATION_ID = 0x706D6B64  # "pmkd"
"""SQLite ``application_id`` of a database made by ``pmkb demo``."""

SIDE_FILES = ("-wal", "-shm")


class NotADemoDatabase(ValueError):
    """The demo's database path holds a file that ``pmkb demo`` did not make."""


def made_by_demo(path: Path) -> bool:
    """True when ``path`` is a SQLite database that ``pmkb demo`` created (read-only check)."""
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        return conn.execute("PRAGMA application_id").fetchone()[0] == DEMO_APPLICATION_ID
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def clear_demo_database(path: Path) -> None:
    """Make room for a fresh demo database at ``path``: delete the previous one, or raise NotADemoDatabase if the file there is not one."""
    if path.exists() or path.is_symlink():
        if path.is_symlink() or not path.is_file() or not made_by_demo(path):
            raise NotADemoDatabase(f"{path}: exists and was not made by pmkb demo, so it is left as it is")
        for suffix in ("", *SIDE_FILES):
            Path(str(path) + suffix).unlink(missing_ok=True)


def create_demo_database(path: Path) -> None:
    """Create an empty SQLite database at ``path`` marked as made by ``pmkb demo`` (before any table is in it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path))
    try:
        conn.execute(f"PRAGMA application_id = {DEMO_APPLICATION_ID}")
        conn.commit()
    finally:
        conn.close()
