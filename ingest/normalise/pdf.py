"""PDF with a text layer, through pdfminer.six's layout analysis, as Markdown-shaped text.

Lines are read top to bottom per page. Lines set larger than the body text
become headings (the largest size ``#``, the next ``##``…); a line that starts
with a bullet glyph, or beside a small drawn disc (how browsers print list
markers), starts a ``-`` item; lines in two or more aligned columns become
``|`` table rows. Wrapped lines join their paragraph. A PDF with no text layer
(a scan) is refused with one line.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field

from ..document import Document, Part
from ..read import Source
from .common import NormaliseError, first_heading, title_from_source

_BULLETS = "•◦▪‣∙●○■–"
_NUMBERED = re.compile(r"\d{1,3}[.)]\s")
MAX_PAGES = 500
"""Pages read at most: a longer PDF is refused (no postmortem comes near)."""


@dataclass
class Line:
    """One printed line: its text, left and right edges, top, font size and whether a marker precedes it."""

    text: str
    x0: float
    x1: float
    top: float
    size: float
    bullet: bool = False
    cells: list["Line"] = field(default_factory=list)


def normalise_pdf(source: Source) -> Document:
    """Normalise a PDF to Markdown-shaped text; refuse one without a text layer."""
    pages = _read_pages(source)
    lines = [line for page in pages for line in page]
    if not any(line.text.strip() for line in lines):
        raise NormaliseError(source.name, "PDF has no text layer (a scanned image?): pmkb reads only PDFs with text; run OCR first")
    text = render_lines(pages)
    title = _metadata_title(source) or first_heading(text) or title_from_source(source.name)
    return Document(source=source.name, format="pdf", text=text, sha256=source.sha256, title=title, parts=[Part(0, len(text), title=title)])


def _read_pages(source: Source) -> list[list[Line]]:
    """Each page's lines in reading order (rows of table cells as one line with ``cells``)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams

    pages: list[list[Line]] = []
    try:  # boxes_flow=None: no box ordering, since lines are put in order here (a quarter faster)
        for number, layout in enumerate(extract_pages(io.BytesIO(source.data), laparams=LAParams(boxes_flow=None))):
            if number >= MAX_PAGES:
                raise NormaliseError(source.name, f"PDF has more than {MAX_PAGES} pages: refused")
            pages.append(_page_lines(layout))
    except NormaliseError:
        raise
    except Exception as exc:  # pdfminer raises many kinds on a broken or encrypted file
        reason = "encrypted PDF: remove the password first" if re.search(r"ncrypt|assword", type(exc).__name__ + str(exc)) else "broken PDF: its structure cannot be read"
        raise NormaliseError(source.name, reason) from None
    return pages


def _page_lines(layout) -> list[Line]:
    """A page's text lines, top to bottom, each marked when a small drawn disc sits just left of it."""
    from pdfminer.layout import LTChar, LTCurve, LTTextContainer, LTTextLine

    lines: list[Line] = []
    discs: list[tuple[float, float, float]] = []
    stack = list(layout)
    while stack:
        element = stack.pop()
        if isinstance(element, LTTextLine):
            chars = [c for c in element if isinstance(c, LTChar)]
            text = element.get_text().strip()
            if not text or not chars:
                continue
            sizes = Counter(round(c.size, 1) for c in chars)
            lines.append(Line(text, element.x0, element.x1, element.y1, sizes.most_common(1)[0][0]))
        elif isinstance(element, LTTextContainer):
            stack.extend(element)
        elif isinstance(element, LTCurve) and element.width < 8 and element.height < 8:
            discs.append((element.x1, (element.y0 + element.y1) / 2, element.x0))
    for line in lines:
        if any(x1 <= line.x0 and line.x0 - x1 < 20 and line.top - line.size * 1.2 <= mid <= line.top for x1, mid, _ in discs):
            line.bullet = True
        elif line.text[0] in _BULLETS and line.text[1:2].isspace():
            line.bullet, line.text = True, line.text[1:].strip()
    lines.sort(key=lambda line: (-round(line.top), line.x0))
    return _rows(lines)


def _rows(lines: list[Line]) -> list[Line]:
    """Lines that share a baseline band and stand apart merged into one row of cells."""
    rows: list[Line] = []
    for line in lines:
        last = rows[-1] if rows else None
        if last is not None and abs(last.top - line.top) < 2 and line.x0 - last.x1 > 12:
            if not last.cells:
                last.cells = [Line(last.text, last.x0, last.x1, last.top, last.size)]
            last.cells.append(line)
            last.x1 = line.x1
            continue
        rows.append(line)
    return rows


def render_lines(pages: list[list[Line]]) -> str:
    """Join lines into Markdown blocks: headings by size, items by marker, table rows by columns, wrapped lines joined."""
    lines = [line for page in pages for line in page]
    weights: Counter = Counter()
    for line in lines:
        weights[line.size] += len(line.text)
    body = weights.most_common(1)[0][0]
    heading_sizes = sorted({line.size for line in lines if line.size > body * 1.1}, reverse=True)[:6]
    right = max((line.x1 for line in lines if line.size == body and not line.cells), default=0)
    blocks: list[str] = []
    columns: list[float] = []
    for number, page in enumerate(pages):
        previous: Line | None = None
        for line in page:
            gap = previous.top - line.top if previous is not None else (body * 1.5 if number and line.text[:1].islower() else body * 9)
            if line.size in heading_sizes and not line.cells:
                marker = "#" * (heading_sizes.index(line.size) + 1) + " "
                if previous is not None and previous.size == line.size and blocks[-1].startswith(marker) and gap < line.size * 2:
                    blocks[-1] += " " + line.text
                else:
                    blocks.append(marker + line.text)
                previous, columns = line, []
                continue
            if line.cells or (columns and any(abs(line.x0 - x) < 3 for x in columns) and gap < body * 3.5):
                columns = _table_row(blocks, line, columns, gap >= body * 1.6)
                previous = line
                continue
            columns = []
            starts_new = (
                not blocks
                or line.bullet
                or (previous is not None and previous.size in heading_sizes)
                or gap > body * 1.9
                or (previous is not None and abs(line.x0 - previous.x0) > 3 and not (previous.bullet or blocks[-1].startswith("- ")))
                or (previous is not None and previous.x1 < right - 4 * body and not line.text[:1].islower())
                or _NUMBERED.match(line.text) is not None
            )
            if starts_new:
                blocks.append(("- " if line.bullet else "") + line.text)
            else:
                blocks[-1] = _join(blocks[-1], line.text)
            previous = line
    return _assemble(blocks)


def _table_row(blocks: list[str], line: Line, columns: list[float], new_row: bool) -> list[float]:
    """Add a row, or a wrapped line of its cells, to the table being built; return the column positions."""
    cells = line.cells or [line]
    if len(cells) >= len(columns):  # a full row places the columns (a header's may be centred)
        columns = [cell.x0 for cell in cells]
    if new_row or not blocks or not blocks[-1].startswith("|"):
        row = [""] * len(columns)
        blocks.append("")
    else:
        row = [c.strip() for c in blocks[-1][1:-1].split(" | ")]
        row += [""] * (len(columns) - len(row))
    for cell in cells:
        index = min(range(len(columns)), key=lambda i: abs(columns[i] - cell.x0))
        row[index] = _join(row[index], cell.text.replace("|", "/"))
    blocks[-1] = "| " + " | ".join(row) + " |"
    return columns


def _join(text: str, more: str) -> str:
    """Join a wrapped line to its paragraph (a hyphen or slash at a break joins without a space)."""
    if not text:
        return more
    if text.endswith(("/", "?", "=", "&")) and not more[:1].isspace():
        return text + more
    return text + " " + more


def _assemble(blocks: list[str]) -> str:
    """Blocks separated by blank lines, except consecutive list items and table rows."""
    out: list[str] = []
    for block in blocks:
        if out:
            same = (block.startswith("- ") and out[-1].startswith("- ")) or (block.startswith("|") and out[-1].startswith("|"))
            out.append("\n" if same else "\n\n")
        out.append(block)
    return "".join(out).strip() + "\n"


def _metadata_title(source: Source) -> str | None:
    """The document information's Title, when it is more than a file name."""
    try:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfparser import PDFParser

        info = PDFDocument(PDFParser(io.BytesIO(source.data))).info
    except Exception:  # a title is optional: a broken info dictionary is no reason to refuse
        return None
    for entry in info or []:
        value = entry.get("Title")
        if isinstance(value, bytes):
            value = value.decode("utf-16" if value.startswith(b"\xfe\xff") else "latin-1", errors="replace")
        if isinstance(value, str) and value.strip() and not re.search(r"\.(html?|md|docx?)$|^[\w-]+$", value.strip()):
            return value.strip()
    return None
