"""Step 3, tables: Markdown-shaped table rows, their cells, and whether a first row is a header (column
names). Used by :mod:`ingest.segment`."""

from __future__ import annotations

import re

ROW = re.compile(r"^\s*\|.*\|\s*$|^[^|\n]+(?:\|[^|\n]*){2,}$")
ROW_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def labels_only(cells: tuple[str, ...]) -> bool:
    """Whether a table's first row reads as column names: two or more short cells without figures
    ("| Action Item | Kind | Due Date | Status |"), a header even with no separator row below it."""
    return len(cells) >= 2 and all(c and len(c.split()) <= 4 and not re.search(r"\d", c) for c in cells)


def next_is_row(lines, i: int) -> bool:
    """Whether the line after ``i`` is a table row."""
    return i + 1 < len(lines) and bool(ROW.match(lines[i + 1][1]))


def row_cells(line: str, pos: int) -> list[tuple[int, int]]:
    """Offsets of a table row's cells (pipes at the edges optional)."""
    cells = []
    start = 0
    stripped_left = len(line) - len(line.lstrip())
    inner_start = stripped_left + 1 if line.lstrip().startswith("|") else stripped_left
    inner_end = len(line.rstrip())
    if line.rstrip().endswith("|"):
        inner_end -= 1
    start = inner_start
    for k in range(inner_start, inner_end + 1):
        if k == inner_end or (line[k] == "|" and (k == 0 or line[k - 1] != "\\")):
            s, e = start, k
            while s < e and line[s].isspace():
                s += 1
            while e > s and line[e - 1].isspace():
                e -= 1
            cells.append((pos + s, pos + e))
            start = k + 1
    return cells
