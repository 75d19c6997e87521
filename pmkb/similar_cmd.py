"""``pmkb similar ID|FILE``: the stored incidents most like a stored incident or a postmortem not yet ingested."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .options import db_option, json_option


def _profiles_of_file(path: str) -> list:
    """The similarity profile of each incident a postmortem file reports (ClickException when it cannot be read)."""
    from kb.similar import extracted_profile

    from .one_file import extract_file

    return [extracted_profile(incident) for incident in extract_file(path)]


def _connect(db_path: str):
    """A connection to rank with: a plain one when the database already has the similarity index (sqlite-utils,
    which migrations need, is then never imported), else the store's, which migrates an older database first."""
    from kb import similar_index
    from kb.connection import connect

    conn = connect(db_path)
    if similar_index.has_index(conn):
        return conn
    conn.close()
    from kb import store

    db = store.open_db(db_path)
    return db.conn


def _text(match: dict) -> str:
    lines = [f"incident {match['incident_id']}  score {match['score']:.2f}  {match['organization'] or '?'}  {(match['started'] or '')[:10]}  {match['title'] or ''}"]
    if match["shared_terms"]:
        lines.append(f"    shared terms: {', '.join(match['shared_terms'])}")
    for pair in match["evidence"]:
        lines.append(f"    this:  {pair['this']['text'][:160]}")
        lines.append(f"    other: {pair['other']['text'][:160]}")
    return "\n".join(lines)


@click.command()
@click.argument("target")
@db_option()
@click.option("--limit", type=click.IntRange(min=1, max=100), default=5, show_default=True, help="How many similar incidents to list.")
@json_option("Print a JSON list, best first.")
def similar(target, db_path, limit, as_json):
    """List the stored incidents most like TARGET: an incident id, or a postmortem file (or - for stdin) not yet ingested.

    Incidents are ranked by how alike their causes, impact and timeline text
    are (BM25, scored against the incident's own text, so 1.00 says all of it
    again); shared cause categories and components only break ties. Each
    match shows the cause sentences that match on both sides and the shared
    terms.
    """
    import sqlite3

    from kb.similar import similar as rank
    from kb.similar import stored_profile

    if not Path(db_path).exists():
        raise click.ClickException(f"{db_path}: no such database (run pmkb ingest first)")
    if target.isdigit() and not Path(target).exists():
        profiles = None
    else:
        profiles = _profiles_of_file(target)
    try:
        conn = _connect(db_path)
    except sqlite3.Error as exc:
        raise click.ClickException(f"{db_path}: cannot open the database ({exc})")
    try:
        if profiles is None:
            profile = stored_profile(conn, int(target))
            if profile is None:
                raise click.ClickException(f"{db_path}: no incident {target}")
            profiles = [profile]
        best: dict[int, dict] = {}
        for profile in profiles:
            for match in rank(conn, profile, limit):
                row = dict(match.as_dict(), query=profile.title)
                if match.incident_id not in best or row["score"] > best[match.incident_id]["score"]:
                    best[match.incident_id] = row
    finally:
        conn.close()
    rows = sorted(best.values(), key=lambda r: (-r["score"], -r["bm25"], r["incident_id"]))[:limit]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not rows:
        click.echo("No similar incident found.")
    else:
        click.echo("\n\n".join(_text(row) for row in rows))
