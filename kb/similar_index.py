"""The similarity index: one FTS5 row per incident (its causes, its impact and timeline text, its organization).

``incident_text_fts`` is an FTS5 table whose rowid is the incident id, with three
columns: ``causes`` (every cause sentence), ``context`` (title, impact window
labels and timeline text) and ``org`` (one token naming the organization, so
a search can be narrowed to one organization inside FTS5). Its default rank
is BM25 with the weights of ``WEIGHTS``. ``incident_text_fts_vocab`` (fts5vocab,
``row``) gives each term's document frequency.
"""

from __future__ import annotations

import sqlite3
from typing import Iterable

TABLE = "incident_text_fts"
VOCAB = "incident_text_fts_vocab"

WEIGHTS = (2.0, 1.0, 0.0)
"""BM25 column weights: a shared cause term counts twice a shared timeline term; the organization token counts nothing."""

BM25 = f"bm25({TABLE}, {', '.join(str(w) for w in WEIGHTS)})"
"""The SQL of the ranking function (lower is better, as FTS5 ranks)."""

ROWS_SQL = """
select i.id,
  coalesce((select group_concat(c.text, ' ') from causes c where c.incident_id = i.id), ''),
  coalesce(i.title, '') || ' '
    || coalesce((select group_concat(w.label, ' ') from impact_windows w where w.incident_id = i.id), '') || ' '
    || coalesce((select group_concat(t.text, ' ') from timeline_events t where t.incident_id = i.id), ''),
  case when i.organization is null then '' else 'o' || lower(hex(i.organization)) end
from incidents i
"""
"""Each incident's row of the index, computed from the stored incident (``where`` appended by callers)."""


def org_token(organization: str | None) -> str | None:
    """The ``org`` column's token for an organization (the same as ``ROWS_SQL`` computes), None when unknown."""
    return "o" + organization.encode("utf-8").hex() if organization else None


def create(conn: sqlite3.Connection) -> None:
    """Create the index and its vocabulary table, and fill the index from every stored incident."""
    conn.execute(f"create virtual table if not exists [{TABLE}] using fts5(causes, context, org, tokenize = 'porter')")
    conn.execute(f"insert into [{TABLE}] ([{TABLE}], rank) values ('rank', ?)", (BM25.replace(f"{TABLE}, ", "", 1),))
    conn.execute(f"create virtual table if not exists [{VOCAB}] using fts5vocab([{TABLE}], 'row')")
    conn.execute(f"delete from [{TABLE}]")
    conn.execute(f"insert into [{TABLE}] (rowid, causes, context, org) {ROWS_SQL}")


def has_index(conn: sqlite3.Connection) -> bool:
    """Whether this database has the similarity index (a database older than the migration has not)."""
    return conn.execute("select 1 from sqlite_master where name = ?", (TABLE,)).fetchone() is not None


def index_above(conn: sqlite3.Connection, mark: int) -> None:
    """Index, in one statement, every incident whose id is above ``mark``."""
    conn.execute(f"insert into [{TABLE}] (rowid, causes, context, org) {ROWS_SQL} where i.id > ?", (mark,))


def unindex_document(conn: sqlite3.Connection, document_id: int) -> None:
    """Remove the index rows of a document's incidents (before they are deleted)."""
    conn.execute(f"delete from [{TABLE}] where rowid in (select id from incidents where document_id = ?)", (document_id,))


def document_frequencies(conn: sqlite3.Connection, terms: Iterable[str]) -> dict[str, int]:
    """How many indexed incidents contain each of ``terms`` (absent terms are left out)."""
    terms = list(dict.fromkeys(terms))
    found: dict[str, int] = {}
    for start in range(0, len(terms), 500):
        chunk = terms[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        found.update(conn.execute(f"select term, doc from [{VOCAB}] where term in ({marks})", chunk).fetchall())
    return found


def indexed_count(conn: sqlite3.Connection) -> int:
    """How many incidents the index holds (the N of inverse document frequency)."""
    return conn.execute("select count(*) from incidents").fetchone()[0]
