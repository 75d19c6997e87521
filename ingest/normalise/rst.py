"""reStructuredText (``.rst``): its structure rewritten in Markdown's conventions, then read as Markdown.

Over- and underlined section titles become ``#`` headings (levels in order of first use, as
docutils assigns them), the docinfo field list before the first section its metadata
(``:Date: 2025-06-06``), definition-list entries (a term line over an indented text, the shape of
many timelines) one item each, ````literal```` spans Markdown code and ```text <url>`_`` links
their text; directives (``.. contents::``) are dropped but for admonitions, whose text stays.
"""

from __future__ import annotations

import re

from ..document import Document
from ..read import Source
from .markdown import normalise_markdown

_ADORNMENT = re.compile(r"^([=\-~^\"'`#*+:.])\1{2,}\s*$")
_FIELD = re.compile(r"^:([\w -]+):\s*(.*)$")
_DIRECTIVE = re.compile(r"^\.\.\s+(?:([\w-]+)::)?(.*)$")
_ADMONITIONS = {"note", "warning", "important", "tip", "attention", "caution", "danger", "hint", "admonition", "error"}
_LIST = re.compile(r"^\s*(?:[-*+•]|#\.|\d+[.)]|[a-z][.)])\s")
_LITERAL = re.compile(r"``([^`\n]+)``")
_LINK = re.compile(r"`([^`<\n]+?)\s*<[^>\n]+>`__?")
_ROLE = re.compile(r":[\w-]+:`([^`\n]+)`")


def rst_to_markdown(text: str) -> tuple[str, dict[str, str]]:
    """reStructuredText as Markdown-shaped text, and the docinfo fields."""
    lines = text.replace("\r\n", "\n").split("\n")
    styles: list[tuple[str, bool]] = []
    fields: dict[str, str] = {}
    out: list[str] = []
    titles = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        title = _title_at(lines, i)
        if title:
            text_line, style, used = title
            if style not in styles:
                styles.append(style)
            out.append(f"{'#' * min(styles.index(style) + 1, 6)} {text_line}")
            titles += 1
            i += used
            continue
        field = _FIELD.match(line)
        if field and titles <= 1:  # docinfo: the fields right after the document title
            fields[field.group(1).strip().lower()] = field.group(2).strip()
            out.append(f"{field.group(1).strip()}: {field.group(2).strip()}")
            i += 1
            continue
        directive = _DIRECTIVE.match(line)
        if directive:
            body, i = _indented(lines, i + 1)
            if (directive.group(1) or "").lower() in _ADMONITIONS:
                out.append(f"{directive.group(1).capitalize()}: {' '.join([directive.group(2).strip()] + body).strip()}")
            out.append("")
            continue
        if line.strip() and (i == 0 or not lines[i - 1].strip()) and not line[:1].isspace() and not _LIST.match(line) and not line.rstrip().endswith("::") and i + 1 < len(lines) and lines[i + 1][:1].isspace() and lines[i + 1].strip() and not _LIST.match(lines[i + 1]):
            body, i = _indented(lines, i + 1)
            out.extend([f"- {line.strip()} — {' '.join(body)}", ""])  # a definition-list entry: term, then its text
            continue
        out.append(re.sub(r"^(\s*)#\.(?=\s)", r"\g<1>1.", line))
        i += 1
    markdown = "\n".join(out)
    markdown = _LINK.sub(r"\1", _ROLE.sub(r"`\1`", _LITERAL.sub(r"`\1`", markdown)))
    return markdown, fields


def _title_at(lines: list[str], i: int) -> tuple[str, tuple[str, bool], int] | None:
    """A section title starting at line ``i``: (its text, its adornment style, lines used)."""
    over = _ADORNMENT.match(lines[i])
    if over and i + 2 < len(lines) and lines[i + 1].strip() and _ADORNMENT.match(lines[i + 2]) and lines[i + 2].strip()[0] == over.group(1):
        return lines[i + 1].strip(), (over.group(1), True), 3
    if lines[i].strip() and not lines[i][:1].isspace() and not over and i + 1 < len(lines):
        under = _ADORNMENT.match(lines[i + 1])
        if under and len(lines[i + 1].rstrip()) >= len(lines[i].rstrip()) and (i == 0 or not lines[i - 1].strip()):
            return lines[i].strip(), (under.group(1), False), 2
    return None


def _indented(lines: list[str], i: int) -> tuple[list[str], int]:
    """The stripped lines of the indented block starting at line ``i`` (option lines such as
    ``:depth: 1`` left out), and the index of the line after it."""
    body: list[str] = []
    while i < len(lines) and not (lines[i].strip() and not lines[i][:1].isspace()):
        if lines[i].strip() and not _FIELD.match(lines[i].strip()):
            body.append(lines[i].strip())
        i += 1
    return body, i


def normalise_rst(source: Source) -> Document:
    """Normalise reStructuredText: rewritten as Markdown, its docinfo ``:Date:`` as publication date."""
    text, fields = rst_to_markdown(source.text)
    front = f"---\ndate: {fields['date']}\n---\n" if fields.get("date") else ""
    return normalise_markdown(Source(source.name, text=front + text, sha256=source.sha256), "rst")
