"""Fixed-width tables of plain-text reports: a header line over a rule of dash runs, one run per
column ("No. Action   Owner" over "--- -------- -----"), rows whose cells wrap onto indented lines.
Each becomes a Markdown pipe table, one row per entry with its wrapped text joined, so that the
segmenter reads its columns (an action table's status, a chronology's times)."""

from __future__ import annotations

import re

_DASH_RUNS = re.compile(r"^[ \t]*-{2,}(?:[ \t]+-{2,})+[ \t]*$")
_MIN_COLUMNS = 2


def columns_of(rule: str) -> list[tuple[int, int]]:
    """The (start, end) character span of each dash run of a rule line."""
    return [m.span() for m in re.finditer(r"-{2,}", rule)]


def _cells(line: str, spans: list[tuple[int, int]]) -> list[str]:
    """A line cut at the columns' starts (a cell may run past its dashes to the next column)."""
    starts = [s for s, _ in spans]
    cells = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(line)
        cells.append(line[start:end].strip())
    return cells


def _fits(line: str, spans: list[tuple[int, int]]) -> bool:
    """Whether a line breaks only at column starts: nothing but spaces just before each column."""
    return all(start == 0 or start >= len(line) or line[start - 1] in " \t" for start, _ in spans[1:])


def fixed_width_to_pipes(text: str) -> str:
    """The text with every fixed-width table rewritten as a Markdown pipe table."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and lines[i].strip() and _DASH_RUNS.match(lines[i + 1]) and len(columns_of(lines[i + 1])) >= _MIN_COLUMNS:
            spans = columns_of(lines[i + 1])
            header = _cells(lines[i], spans)
            rows: list[list[str]] = []
            j = i + 2
            while j < len(lines) and lines[j].strip() and _fits(lines[j], spans):
                cells = _cells(lines[j], spans)
                if cells[0] or not rows:
                    rows.append(cells)
                else:
                    rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells)]  # a wrapped cell goes on
                j += 1
            if rows:
                out.append("| " + " | ".join(header) + " |")
                out.append("|" + "---|" * len(header))
                out.extend("| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in rows)
                i = j
                continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)
