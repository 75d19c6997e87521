"""Working sets for the benchmark: replicated postmortems and synthesised databases.

``make_working_set`` copies the public corpus (and the seeds) to N unique files,
so content hashing cannot skip any of them. ``grow_db`` copies stored documents,
incidents and their child rows inside SQLite until a database holds a target
number of incidents, without extracting anything, and full-text indexes the
copies as the store does.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

from kb import similar_index
from kb.store import index_fts, tables_indexed_by_store, top_ids

SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".json")
"""Files picked up from the source folders."""

CHILD_TABLES = ("impact_windows", "timeline_events", "causes", "corrective_actions", "components", "categories")
"""Tables keyed by ``incident_id`` only (quality_flags also carries ``document_id``)."""


def base_files(folders: list[Path]) -> list[Path]:
    """The postmortems to replicate, sorted within each folder."""
    files: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            files.extend(sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES))
    return files


def unique_copy(data: bytes, suffix: str, n: int) -> bytes:
    """The bytes of copy ``n``: a realistic reference line (or JSON field) that makes its hash unique."""
    if suffix.lower() == ".json":
        value = json.loads(data)
        if isinstance(value, dict):
            value["bench_copy"] = n
        else:
            value = {"incidents": value, "bench_copy": n}
        return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")
    if suffix.lower() in (".html", ".htm"):
        return data + f"\n<p>Internal reference: INC-{100000 + n}</p>\n".encode()
    if suffix.lower() == ".pdf":
        return data + f"\n% copy {n}\n".encode()  # a PDF reader ignores bytes after %%EOF
    if suffix.lower() in (".docx", ".zip"):
        return _rezip(data, n)
    return data.rstrip() + f"\n\nInternal reference: INC-{100000 + n}\n".encode()


def _rezip(data: bytes, n: int) -> bytes:
    """A .docx or zip with one extra entry, of a kind never read as a postmortem."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr(f"customXml/copy{n}.xml", str(n))
    return out.getvalue()


def make_working_set(dest: Path, count: int, sources: list[Path], manifest: Path | None = None) -> Path:
    """Write ``count`` unique copies of ``sources`` into ``dest`` plus a ``manifest.tsv``; return the manifest path."""
    dest.mkdir(parents=True, exist_ok=True)
    orgs = _organizations(manifest) if manifest else {}
    rows = []
    for n in range(count):
        src = sources[n % len(sources)]
        name = f"{src.stem}-{n:06d}{src.suffix}"
        (dest / name).write_bytes(unique_copy(src.read_bytes(), src.suffix, n))
        rows.append({"file": name, "organization": orgs.get(src.name) or src.stem.split("-")[0]})
    out = dest.parent / f"{dest.name}-manifest.tsv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["file", "organization"], dialect="excel-tab")
        writer.writeheader()
        writer.writerows(rows)
    return out


def _organizations(manifest: Path) -> dict[str, str]:
    if not manifest.exists():
        return {}
    with manifest.open(encoding="utf-8") as fh:
        return {row["file"]: row.get("organization") or "" for row in csv.DictReader(fh, dialect="excel-tab")}


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")]


def count_incidents(path: Path) -> int:
    """Incidents stored in the database at ``path``."""
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("select count(*) from incidents").fetchone()[0]
    finally:
        conn.close()


def grow_db(path: Path, target: int) -> int:
    """Copy whole documents (with incidents and child rows) until ``path`` holds ≥ ``target`` incidents; return the count."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        have = conn.execute("select count(*) from incidents").fetchone()[0]
        if have == 0:
            raise ValueError(f"{path}: no incidents to copy")
        doc_max = conn.execute("select max(id) from documents").fetchone()[0]
        inc_max = conn.execute("select max(id) from incidents").fetchone()[0]
        tables = {t: conn.execute(f"select coalesce(max(id), 0) from [{t}]").fetchone()[0] for t in (*CHILD_TABLES, "quality_flags")}
        per_doc = conn.execute("select document_id, count(*) from incidents group by document_id order by document_id").fetchall()
        k = 0
        while have < target:
            k += 1
            need, cutoff = target - have, 0
            for doc_id, n in per_doc:
                cutoff = doc_id
                need -= n
                if need <= 0:
                    break
            doc_off, inc_off = doc_max * k, inc_max * k
            conn.execute("BEGIN")
            unindexed = top_ids(conn, tables_indexed_by_store(conn))
            cols = _columns(conn, "documents")
            sel = ", ".join({"id": f"id + {doc_off}", "source": f"source || '#copy{k}'", "sha256": f"sha256 || '-{k}'"}.get(c, f"[{c}]") for c in cols)
            conn.execute(f"insert into documents ({', '.join(f'[{c}]' for c in cols)}) select {sel} from documents where id <= ? and id <= ?", [doc_max, cutoff])
            cols = _columns(conn, "incidents")
            sel = ", ".join({"id": f"id + {inc_off}", "document_id": f"document_id + {doc_off}"}.get(c, f"[{c}]") for c in cols)
            conn.execute(f"insert into incidents ({', '.join(f'[{c}]' for c in cols)}) select {sel} from incidents where id <= ? and document_id <= ?", [inc_max, cutoff])
            for table, top in tables.items():
                cols = _columns(conn, table)
                moves = {"id": f"id + {top * k}", "incident_id": f"incident_id + {inc_off}", "document_id": f"document_id + {doc_off}"}
                sel = ", ".join(moves.get(c, f"[{c}]") for c in cols)
                conn.execute(
                    f"insert into [{table}] ({', '.join(f'[{c}]' for c in cols)}) select {sel} from [{table}] "
                    f"where id <= ? and incident_id in (select id from incidents where id <= ? and document_id <= ?)",
                    [top, inc_max, cutoff],
                )
            index_fts(conn, unindexed)
            if similar_index.has_index(conn):
                similar_index.index_above(conn, inc_off)  # the copies' similarity rows (their recurrences are not copied)
            conn.execute("COMMIT")
            have = conn.execute("select count(*) from incidents").fetchone()[0]
        return have
    finally:
        conn.close()
