"""AsciiDoc (``.adoc``): its structure rewritten in Markdown's conventions, then read as Markdown.

``= Title`` and ``== Section`` headings become ``#`` headings, the document header's attributes
(``:revdate: 2025-02-24``) its metadata, ``|===`` tables pipe rows (a cell per line or several on
one), ``*``/``.`` lists bullets and numbered items, ``*bold*`` lead-ins ``**bold**`` and
delimited listing blocks code fences; block attribute lines (``[cols="1,5"]``) are dropped.
"""

from __future__ import annotations

import re

from ..document import Document
from ..read import Source
from .markdown import normalise_markdown

_HEADING = re.compile(r"^(={1,6})\s+(\S.*?)\s*=*\s*$")
_ATTRIBUTE = re.compile(r"^:([\w-]+):\s*(.*)$")
_BLOCK_ATTRIBUTES = re.compile(r"^\[[^\]]*\]\s*$")
_LIST = re.compile(r"^(\*{1,5}|\.{1,5}|-)\s+(\S.*)$")
_DELIMITER = re.compile(r"^(-{4,}|\.{4,}|={4,}|\*{4,}|_{4,}|\+{4,})\s*$")
_BOLD = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_COLS = re.compile(r"cols\s*=\s*\"?([^\"\]]+)")
_PUBLISHED_KEYS = ("revdate", "date")


def asciidoc_to_markdown(text: str) -> tuple[str, dict[str, str]]:
    """AsciiDoc source as Markdown-shaped text, and the header's attributes."""
    attributes: dict[str, str] = {}
    out: list[str] = []
    table: list[str] | None = None
    columns = 0
    fence: str | None = None
    in_header = True
    for line in text.replace("\r\n", "\n").split("\n"):
        if fence is not None:
            out.append("```" if line.strip() == fence else line)
            fence = None if line.strip() == fence else fence
            continue
        if table is not None:
            if line.strip() == "|===":
                out.extend(_table_rows(table, columns))
                out.append("")
                table = None
            else:
                table.append(line)
            continue
        attribute = _ATTRIBUTE.match(line)
        if attribute and in_header:
            attributes[attribute.group(1).lower()] = attribute.group(2).strip()
            continue
        if line.strip() == "|===":
            table = []
            continue
        if _BLOCK_ATTRIBUTES.match(line):
            cols = _COLS.search(line)
            columns = len(re.split(r"[,;]", cols.group(1))) if cols else 0
            continue
        delimiter = _DELIMITER.match(line)
        if delimiter and delimiter.group(1)[0] in "-.":
            fence = line.strip()
            out.append("```")
            continue
        heading = _HEADING.match(line)
        if heading:
            in_header = len(heading.group(1)) == 1
            out.append(f"{'#' * len(heading.group(1))} {heading.group(2)}")
            continue
        if not line.strip():
            in_header = False
        item = _LIST.match(line)
        if item:
            marker = item.group(1)
            depth = len(marker) - 1 if marker != "-" else 0
            bullet = "1." if marker[0] == "." else "-"
            line = f"{'  ' * depth}{bullet} {item.group(2)}"
        out.append(_BOLD.sub(r"**\1**", line))
    if table is not None:
        out.extend(_table_rows(table, columns))
    return "\n".join(out), attributes


def _table_rows(lines: list[str], columns: int) -> list[str]:
    """An AsciiDoc table's cells (one or several per line) as Markdown rows of ``columns`` cells."""
    first = next((line for line in lines if line.strip()), "")
    width = columns or max(1, first.count("|"))
    cells: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        if line.lstrip().startswith("|"):
            cells.extend(cell.strip() for cell in line.strip().split("|")[1:])
        elif cells:
            cells[-1] = f"{cells[-1]} {line.strip()}"  # a cell's text running on
    rows = [cells[i:i + width] for i in range(0, len(cells), width)]
    out = []
    for index, row in enumerate(rows):
        out.append("| " + " | ".join(_BOLD.sub(r"**\1**", c) for c in row) + " |")
        if index == 0:
            out.append("|" + "---|" * len(row))
    return out


def normalise_asciidoc(source: Source) -> Document:
    """Normalise AsciiDoc: rewritten as Markdown, its header's ``:revdate:`` as publication date."""
    text, attributes = asciidoc_to_markdown(source.text)
    front = next((f"date: {attributes[k]}\n" for k in _PUBLISHED_KEYS if attributes.get(k)), "")
    markdown = Source(source.name, text=(f"---\n{front}---\n" if front else "") + text, sha256=source.sha256)
    return normalise_markdown(markdown, "asciidoc")
