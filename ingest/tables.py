"""Step 3, tables: Markdown-shaped table rows, their cells, whether a first row is a header (column
names), and which column a cell of the text stands in (:mod:`ingest.segment`, the window and time rules)."""

from __future__ import annotations

import re
from bisect import bisect_right

ROW = re.compile(r"^\s*\|.*\|\s*$|^[^|\n]+(?:\|[^|\n]*){2,}$")
ROW_SEPARATOR = re.compile(r"^\s*[|+]?\s*:?-{2,}:?\s*(?:[|+]\s*:?-{2,}:?\s*)*[|+]?\s*$")  # Markdown's "|---|---|" and ASCII tables' "----+----"


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


def column_cells(blocks: list) -> list[tuple[int, int, str]]:
    """(start, end, header) of every table cell under a header row, in text order: a cell's column
    names what it holds."""
    cells = []
    for block in blocks:
        if block.kind == "row" and block.header_cells and len(block.header_cells) == len(block.cells):
            cells.extend((s, e, h) for (s, e), h in zip(block.cells, block.header_cells))
    return sorted(cells)


def cell_at(cells: list[tuple[int, int, str]], starts: list[int], offset: int) -> tuple[int, str] | None:
    """(start, header) of the cell holding ``offset``, if any (``cells`` from :func:`column_cells`,
    ``starts`` their starts)."""
    i = bisect_right(starts, offset) - 1
    if i >= 0 and cells[i][0] <= offset < cells[i][1]:
        return cells[i][0], cells[i][2]
    return None


START_LABEL = re.compile(r"(?i)\b(?:(?:incident|outage|impact|disruption|degradation)\s*)?(?:start(?:ed)?|began|begin(?:ning)?|start of (?:the )?(?:incident|outage|impact|disruption)|(?:first|initial) impact|(?:link|service|services|circuit|site|pop) down|went down)(?:\s+(?:time|at|date))?\s*(?:\([^()\n]{1,24}\)\s*)?[*_]*\s*[:=|]\s*\**\s*$")
"""A field or column label naming where a span starts ("Incident start:", "| Link Down |")."""

END_LABEL = re.compile(r"(?i)\b(?:(?:incident|outage|impact|disruption|degradation)\s*)?(?:end(?:ed)?|resolved|recovered|mitigated|end of (?:the )?(?:incident|outage|impact|disruption)|recovery|(?:link|service|services|circuit|site|pop) (?:up|restored)|restored|came (?:back )?up)(?:\s+(?:time|at|date))?\s*(?:\([^()\n]{1,24}\)\s*)?[*_]*\s*[:=|]\s*\**\s*$")
"""A field or column label naming where a span ends ("Resolved at:", "| Link Up |")."""


def spans_columns(header_cells: tuple[str, ...]) -> bool:
    """Whether a table's header has a start column and a different end column ("Link Down | Link Up",
    "Start | End"): each row states a span of its own."""
    starts = {i for i, cell in enumerate(header_cells) if START_LABEL.search(cell + ":")}
    ends = {i for i, cell in enumerate(header_cells) if END_LABEL.search(cell + ":")}
    return bool(starts and ends and (starts - ends) and (ends - starts))
