"""Org-mode (``.org``, or a text file written in it): its outline rewritten in Markdown's
conventions, then read as Markdown.

``#+TITLE:`` becomes the ``#`` title and ``#+DATE:`` the publication date; ``* Section``
headings become ``##`` headings, except a heading that opens with a clock or a date
(``** 14:20 alias swapped``), which is a timeline entry, and a task heading
(``** DONE Add a check``), which is a follow-up item whose keyword says its status
(done keywords a ticked box, ``DOING``/``NEXT``/``WAITING`` in progress, other keywords an
open box). Property drawers become ``Key: value`` lines; planning lines (``CLOSED: […]``)
are dropped; ``=code=`` and ``~code~`` become backticks, ``[[url][text]]`` links Markdown
links and ``<2024-11-21 Thu 09:12>`` stamps plain dates. The outline is parsed by orgparse.
"""

from __future__ import annotations

import re
import textwrap

from ..document import Document
from ..read import Source
from .markdown import normalise_markdown

_ORG_KEYWORD = re.compile(r"(?mi)^#\+(?:title|author|date|startup|todo|options|filetags|tags|email|language):")
_OUTLINE = re.compile(r"(?m)^\*+ \S")
_STAMP = re.compile(r"[<\[](\d{4}-\d{2}-\d{2})(?: [A-Za-z]{2,3}\.?)?( \d{1,2}:\d{2})?(?:-\d{1,2}:\d{2})?(?: [.+-]+\d+[hdwmy])*[>\]]")
_CODE = re.compile(r"(?<![\w=~])([=~])(?=\S)([^\n]*?\S)\1(?![\w=~])")
_LINK = re.compile(r"\[\[([^\]]+)\](?:\[([^\]]+)\])?\]")
_PLANNING = re.compile(r"^\s*(?:(?:CLOSED|SCHEDULED|DEADLINE):\s*[<\[][^>\]]*[>\]]\s*)+$")
_DIRECTIVE = re.compile(r"^\s*#\+(\w+)(?::.*)?$")
_ENTRY_START = re.compile(r"^(?:\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})")
"""How a heading that is a timeline entry opens, once its Org stamps are plain dates."""
IN_PROGRESS_KEYWORDS = frozenset({"DOING", "NEXT", "STARTED", "WIP", "INPROGRESS", "IN-PROGRESS", "WAITING", "ACTIVE"})
"""Task keywords that mean the work is under way."""


def looks_like_org(text: str) -> bool:
    """Whether a text is an Org-mode file: an Org header keyword (``#+TITLE:``) and outline headings."""
    head = text[:5000]
    return bool(_ORG_KEYWORD.search(head)) and bool(_OUTLINE.search(text[:50000]))


def _inline(text: str) -> str:
    """Org inline markup as Markdown: code, links and timestamps."""
    text = _LINK.sub(lambda m: f"[{m.group(2)}]({m.group(1)})" if m.group(2) else m.group(1), text)
    text = _STAMP.sub(lambda m: m.group(1) + (m.group(2) or ""), text)
    return _CODE.sub(r"`\2`", text)


def _body(text: str) -> list[str]:
    """A node's own text, dedented, without planning lines and with its blocks as code fences."""
    out = []
    for line in textwrap.dedent(text).split("\n"):
        directive = _DIRECTIVE.match(line)
        if directive:
            name = directive.group(1).lower()
            if name in ("begin_src", "begin_example", "end_src", "end_example"):
                out.append("```")
            continue  # other #+ lines (header keywords, quote markers) carry no prose
        if not _PLANNING.match(line):
            out.append(_inline(line))
    return out


def _heading_line(node, done_keys: frozenset[str]) -> str:
    """A node's heading as Markdown: a task item, a timeline entry or a ``#`` heading."""
    heading = _inline(node.heading)
    if node.todo:
        if node.todo in done_keys:
            return f"- [x] {heading}"
        if node.todo.upper() in IN_PROGRESS_KEYWORDS:
            return f"- {heading} (in progress)"
        return f"- [ ] {heading}"
    if _ENTRY_START.match(heading):
        return f"- {heading}"
    return f"{'#' * min(node.level + 1, 6)} {heading}"


def org_to_markdown(text: str) -> tuple[str, str | None]:
    """Org-mode text as Markdown-shaped text, and its ``#+DATE:`` value (if any)."""
    import orgparse  # a parser is needed only for Org files

    root = orgparse.loads(text.replace("\r\n", "\n"))
    title = root.get_file_property("TITLE")
    date = root.get_file_property("DATE")
    out: list[str] = [f"# {_inline(title)}", ""] if title else []
    out.extend(_body(root.body))
    done_keys = frozenset(root.env.done_keys)
    for node in root[1:]:
        out.extend(["", _heading_line(node, done_keys)])
        properties = [f"{key.replace('_', ' ').capitalize()}: {_inline(str(value))}" for key, value in node.properties.items()]
        body = _body(node.body)
        if properties or any(line.strip() for line in body):
            out.append("")
        out.extend(properties)
        out.extend(body)
    date_match = _STAMP.search(date or "")
    return "\n".join(out).strip() + "\n", date_match.group(1) if date_match else (date or None)


def normalise_org(source: Source) -> Document:
    """Normalise Org-mode: rewritten as Markdown, its ``#+DATE:`` as publication date."""
    text, date = org_to_markdown(source.text)
    front = f"---\ndate: {date}\n---\n" if date else ""
    return normalise_markdown(Source(source.name, text=front + text, sha256=source.sha256), "org")
