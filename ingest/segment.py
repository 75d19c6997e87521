"""Step 3, segment: find a normalised text's blocks, sections and sentences.

:func:`segment_text` is a pure line parser over Markdown-shaped text: it
returns :class:`Block` objects (headings, paragraphs, list items, table rows,
code) with character offsets and the role of the section each one sits in
(root cause, actions, timeline…). The ``pmkb_structure`` spaCy component
stores those blocks on the Doc and sets its sentences: every block starts
one, so no sentence crosses a block boundary, and inside a block a sentence
ends at sentence-final punctuation, as spaCy's Sentencizer decides.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

import numpy
from spacy.attrs import IDX, IS_PUNCT, ORTH, SENT_START
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.strings import hash_string
from spacy.tokens import Doc

from .extensions import ensure_extensions, result_of, sentence_spans, text_of  # noqa: F401  (shared Doc helpers, re-exported)

from . import rules
from .asides import mark_asides
from .tables import ROW, ROW_SEPARATOR, labels_only, next_is_row, row_cells
from .headings import is_document_type, names_action_table, normalise_heading, section_role  # noqa: F401  (re-exported)
from .time_mentions import MONTH

_ATX = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_SETEXT = re.compile(r"^(=+|-{2,})[ \t]*$")
_RULE = re.compile(r"^\s*(?:-{3,}|={3,}|\*{3,}|_{3,})\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_ITEM = re.compile(r"^([ \t]*)([-*+•]|\d{1,2}\.\d{1,2}[.)]?|\d{1,3}[.)]|[a-z][.)])[ \t]+(?:(\[[ xX✓✔]?\])[ \t]*)?")
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(.{1,100}?)(?:\*\*|__)\s*:?\s*$")
_BOLD_LABEL = re.compile(r"^\s*(?:\*\*|__)([^*_\n]{1,60}?)(?::\s*)?(?:\*\*|__)\s*:?\s*(?=\S)")
_BARE_LABEL = re.compile(r"^([A-Z][A-Za-z /&'()-]{1,50}):\s*$")
_PLAIN_LABEL = re.compile(r"^([A-Z][A-Za-z /&'-]{1,40}):\s+(?=\S)")
_LABEL_LINE = re.compile(r"^([A-Za-z][A-Za-z /&'()-]{1,50}):\s*$")  # "Next steps:", "and the actual follow-ups:"
_DATE_HEADING = re.compile(
    r"^(?:[A-Za-z]+day,?\s+)?(?:\d{4}-\d{2}-\d{2}|" + MONTH + r" \d{1,2}(?:st|nd|rd|th)?(?:,? \d{4})?|\d{1,2}(?:st|nd|rd|th)? " + MONTH + r"(?:,? \d{4})?|day \d+)\b[^a-z]{0,20}$",
    re.I,
)
_CAPS_LINE = re.compile(r"^(?:\d{1,2}\.\s+)?(?=(?:[^A-Za-z]*[A-Z]){4})[A-Z][A-Z'’&/ -]*[A-Z]:?(?:\s+\([^()\n]{1,80}\))?$")
"""A line in capitals ("WHAT HAPPENED", "WHAT WE'RE DOING ABOUT IT"): a plain-text section heading."""
_TIME_LED = re.compile(r"^(?:\d{1,2}:\d{2}(?::\d{2})?|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2})(?:[ T]\d{1,2}:\d{2})?(?:\s+[A-Z]{2,5})?(?:\s{2,}|\s[-–—]\s)\S")
"""A line that opens with a time or date in its own column ("06:35       Change implemented"): a timeline entry."""
RECORD_ID = re.compile(r"^[A-Z][A-Z0-9]{1,9}-?\d{2,}\s+[-–—:]\s+(?=\S)")
"""A ticket or problem-record id opening a line ("PRB0012345 - Replace the module - Owner: …"): one item of a list."""
_LINE_LABEL = re.compile(r"^\s*(?:\*\*)?[A-Z][A-Za-z/&' -]{1,30}(?:\*\*)?:(?:\*\*)?\s+\S")
_CHECKED = {"[x]", "[X]", "[✓]", "[✔]"}


@dataclass
class Block:
    """A structural unit of the text: its kind, its content span and its section."""

    kind: str
    """heading, paragraph, item, row, or code."""
    start: int
    end: int
    level: int = 0
    section: str | None = None
    """Role of the innermost enclosing section that has one (root_cause, actions, timeline…)."""
    heading: str | None = None
    """Text of the innermost enclosing heading."""
    headings: tuple[str, ...] = ()
    """Texts of all enclosing headings, outermost first."""
    marker: str = ""
    checkbox: str | None = None
    """``done`` or ``open`` for ``[x]`` / ``[ ]`` items."""
    label: str | None = None
    """An inline bold or plain label such as ``Root cause:``, without markup."""
    label_role: str | None = None
    label_start: int | None = None
    """Where the block's text began before its label was cut off (the label may carry a status)."""
    cells: list[tuple[int, int]] = field(default_factory=list)
    row_index: int = 0
    header_cells: tuple[str, ...] = ()

    @property
    def role(self) -> str | None:
        """The role that governs this block: its own label's, else its section's."""
        return self.label_role or self.section


def _lines(text: str):
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        yield pos, body
        pos += len(line)


def segment_text(text: str) -> list[Block]:
    """Split Markdown-shaped text into blocks with content offsets and section roles."""
    blocks: list[Block] = []
    stack: list[tuple[int, str | None, str]] = []  # (level, role, heading text)
    lines = list(_lines(text))
    i = 0
    in_code = False
    code_start = 0
    para: list[tuple[int, str]] = []
    header_cells: tuple[str, ...] = ()
    row_index = 0
    item_roles: list[tuple[int, str, str]] = []  # (indent, role, label) of labelled parent items
    numbered = numbered_headings(lines)

    def context() -> tuple[str | None, str | None, tuple[str, ...]]:
        role = next((r for _, r, _ in reversed(stack) if r), None)
        heading = stack[-1][2] if stack else None
        return role, heading, tuple(h for _, _, h in stack)

    def add(kind: str, start: int, end: int, **kw) -> Block:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        role, heading, headings = context()
        block = Block(kind, start, end, section=role, heading=heading, headings=headings, **kw)
        if kind in ("paragraph", "item"):
            _apply_label(block, text)
        blocks.append(block)
        return block

    def flush_para() -> None:
        nonlocal para
        if para:
            add("paragraph", para[0][0], para[-1][0] + len(para[-1][1]))
            para = []

    def push_heading(level: int, title: str) -> None:
        item_roles.clear()
        replaced = None
        while stack and stack[-1][0] >= level:
            replaced = stack.pop()
        parent = next((r for _, r, _ in reversed(stack) if r), None)
        # inside a named section, a sub-heading changes the role only by naming one outright or
        # by its first words ("Incident response and monitoring:" stays in "Improvements")
        role = section_role(title, contained=parent is None) if (level > 1 or blocks) else None  # the opening '# Title' names no section
        if is_document_type(title) and not any(b.kind == "heading" or text[b.start:b.end].rstrip().endswith((".", "!", "?")) for b in blocks):
            role = None  # "ROOT CAUSE ANALYSIS" under a letterhead, over a report's header fields, is its title
        if role is None and replaced is not None and replaced[0] == level and _DATE_HEADING.match(title.strip()):
            role = replaced[1]  # "## May 13" continues the "## Timeline" it follows
        stack.append((level, role, title.strip()))

    while i < len(lines):
        pos, line = lines[i]
        stripped = line.strip()
        if _FENCE.match(line):
            flush_para()
            if in_code:
                add("code", code_start, pos + len(line))
                in_code = False
            else:
                in_code, code_start = True, pos
            i += 1
            continue
        if in_code:
            i += 1
            continue
        if not stripped:
            flush_para()
            header_cells, row_index = (), 0 if not next_is_row(lines, i) else row_index
            i += 1
            continue
        atx = _ATX.match(line)
        if atx:
            flush_para()
            level = len(atx.group(1))
            title_start = pos + atx.start(2)
            title = atx.group(2)
            push_heading(level, title)
            add("heading", title_start, title_start + len(title), level=level)
            i += 1
            continue
        if not para and _RULE.match(line):
            i += 1  # a rule line that opens no paragraph ("-----" above a boxed "WHAT HAPPENS NEXT"): no text
            continue
        if i + 1 < len(lines) and not para and _SETEXT.match(lines[i + 1][1]) and not _ITEM.match(line) and len(stripped) < 120 and "|" not in line:
            level = 1 if lines[i + 1][1].strip().startswith("=") else 2
            push_heading(level, stripped)
            add("heading", pos, pos + len(line), level=level)
            i += 2
            continue
        after = lines[i + 1][1] if i + 1 < len(lines) else ""
        caps = _CAPS_LINE.match(stripped) and not after.strip() and len(stripped.split("(")[0].split()) <= 7
        over_list = _short_line(stripped) and _ITEM.match(_next_text_line(lines, i)) and not _ITEM.match(line) and section_role(stripped)  # "What we're doing about it" over its bullets
        if not para and (((_stands_alone(lines, i) or _short_line(stripped)) and section_role(stripped, strict=True)) or caps or over_list or i in numbered):
            push_heading(7, stripped)  # a plain-text report's "Action Items" or "WHAT WE'RE DOING ABOUT IT" line
            add("heading", pos, pos + len(line), level=7)
            i += 1
            continue
        bold = _BOLD_LINE.match(line)
        label_line = _LABEL_LINE.match(stripped) if not bold else None
        title = bold.group(1) if bold else label_line.group(1) if label_line else ""
        if (bold or (label_line and section_role(title))) and (not para or _names_a_section(line)):
            flush_para()
            push_heading(7, title)
            add("heading", pos, pos + len(line), level=7)
            i += 1
            continue
        if ROW.match(line) and ("|" in stripped[:1] or stripped.count("|") >= 2):
            flush_para()
            if ROW_SEPARATOR.match(line):
                i += 1
                continue
            cells = row_cells(line, pos)
            texts = tuple(text[s:e].strip() for s, e in cells)
            is_header = row_index == 0 and i + 1 < len(lines) and (ROW_SEPARATOR.match(lines[i + 1][1]) or (ROW.match(lines[i + 1][1]) and labels_only(texts)))
            if is_header:
                header_cells = texts
            block = add("row", pos, pos + len(line), marker="|", cells=cells, row_index=row_index, header_cells=header_cells)
            if is_header:
                block.kind = "header_row"
            elif block.section != "timeline" and names_action_table(header_cells):
                block.label_role = "actions"  # a row of an action table ("| Action Item | Owner | Status |")
            row_index += 1
            i += 1
            continue
        item = _ITEM.match(line)
        if item:
            flush_para()
            start = pos + item.end()
            end = pos + len(line)
            indent = len(item.group(1).expandtabs(4))
            j = i + 1
            while j < len(lines):
                npos, nline = lines[j]
                if not nline.strip() or _ITEM.match(nline) or _ATX.match(nline) or _FENCE.match(nline) or ROW.match(nline) or _names_a_section(nline):
                    break
                if len(nline) - len(nline.lstrip()) < indent + 1 and indent > 0:
                    break
                end = npos + len(nline)
                j += 1
            box = item.group(3)
            checkbox = None if box is None else ("done" if box in _CHECKED else "open")
            while item_roles and item_roles[-1][0] >= indent:
                item_roles.pop()
            block = add("item", start, end, level=indent // 2, marker=item.group(2), checkbox=checkbox)
            if item_roles:
                block.section = item_roles[-1][1]
                block.headings = block.headings + (item_roles[-1][2],)
            if block.label_role:
                item_roles.append((indent, block.label_role, block.label or ""))
            i = j
            continue
        if para and (_LINE_LABEL.match(line) or any(rx.match(line) and rx.match(para[0][1]) for rx in (_TIME_LED, RECORD_ID))):
            flush_para()  # "Description: …" on its own line, or the next "06:35      …" entry of a fixed-width timeline, starts a new statement
        para.append((pos, line))
        i += 1
    flush_para()
    if in_code:
        add("code", code_start, len(text))
    return blocks


_NUMBERED_TITLE = re.compile(r"^(\d{1,2})\.?\s+[A-Z][^\s.]*(?:\s+\S+){0,6}$")


def numbered_headings(lines: list[tuple[int, str]]) -> set[int]:
    """Indices of the lines of a numbered section sequence ("1. Incident overview", "2. Impact on
    clients"…): short standalone numbered lines followed by prose, not by another list item, whose
    number is one more or one less than another such line's."""
    found: dict[int, int] = {}
    for i, (_, line) in enumerate(lines):
        match = _NUMBERED_TITLE.match(line.strip())
        if match and _stands_alone(lines, i) and not line.rstrip().endswith((":", ",", ";")) and not _ITEM.match(_next_text_line(lines, i)):
            found[i] = int(match.group(1))
    numbers = set(found.values())
    return {i for i, n in found.items() if n + 1 in numbers or n - 1 in numbers}


def _stands_alone(lines: list[tuple[int, str]], i: int) -> bool:
    """Whether line ``i`` is a short line with a blank line (or the end) after it and no final stop."""
    after = lines[i + 1][1].strip() if i + 1 < len(lines) else ""
    return not after and _short_line(lines[i][1].strip())


def _next_text_line(lines: list[tuple[int, str]], i: int) -> str:
    """The first non-blank line after line ``i`` (or "")."""
    return next((line for _, line in lines[i + 1:i + 3] if line.strip()), "")


def _short_line(line: str) -> bool:
    """A line of at most six words with no final stop: a heading, if it names a section."""
    return len(line.split()) <= 6 and not line.endswith((".", ",", ";", "|"))


def _names_a_section(line: str) -> bool:
    """A whole bold line that is a section name ("**Remediation and Prevention:**"): it ends the
    paragraph or list item above it even without a blank line (status updates use single newlines)."""
    bold = _BOLD_LINE.match(line)
    return bool(bold and section_role(bold.group(1), strict=True))


def _apply_label(block: Block, text: str) -> None:
    """Recognise an inline ``**Label:**`` or ``Label:`` at the start of a block."""
    content = text[block.start:block.end]
    whole = _BOLD_LINE.match(content) if block.kind == "item" else None
    if whole:  # "- **Why it happened**" over nested items: a section of its own
        role = section_role(whole.group(1), strict=True) or section_role(whole.group(1), contained=False)
        if role:
            block.label, block.label_role = whole.group(1).strip().rstrip(":"), role
        return
    match = _BOLD_LABEL.match(content) or _BARE_LABEL.match(content)
    plain = not match
    if match:
        label = match.group(1).strip().rstrip(":")
    else:
        match = _PLAIN_LABEL.match(content)
        if not match or len(match.group(1).split()) > 6:
            return
        label = match.group(1).strip()
    role = section_role(label, strict=True)
    if block.section == "actions" and label.lower() in rules.sections()["action_record_fields"]["text"]:
        role = "actions"  # "Description:  Reconcile the firewall rule register…" in an action record
    if role is None and plain and len(label.split()) >= 4:
        role = section_role(label, contained=False)  # "What we are doing about it: Tallyrail has moved …"
    block.label = label
    if role:
        block.label_role = role
        block.label_start = block.start
        block.start += match.end()


@lru_cache(maxsize=1)
def _sentence_end_hashes() -> numpy.ndarray:
    return numpy.array(sorted(hash_string(ch) for ch in Sentencizer.default_punct_chars), dtype="uint64")


def punctuation_sentence_starts(doc: Doc) -> numpy.ndarray:
    """Which tokens spaCy's Sentencizer would start a sentence at: the first token, and the first
    token that is not punctuation after a sentence-final mark (``.``, ``!``, ``?``, ``。``…).

    The same rule, computed over token arrays instead of Token objects.
    """
    attrs = doc.to_array([ORTH, IS_PUNCT])
    final = numpy.isin(attrs[:, 0], _sentence_end_hashes())
    plain = ~final & (attrs[:, 1] == 0)
    seen = numpy.concatenate(([0], numpy.cumsum(final)))  # sentence-final marks before each token
    at = numpy.flatnonzero(plain)
    starts = numpy.zeros(len(doc), dtype=bool)
    if len(at):
        since = seen[at] - numpy.concatenate(([0], seen[at[:-1] + 1]))  # marks since the previous plain token
        starts[at[since > 0]] = True
    if len(doc):
        starts[0] = True
    return starts


@Language.factory("pmkb_structure", assigns=["doc._.pmkb_blocks", "token.is_sent_start"])
def make_structure(nlp: Language, name: str) -> "StructureComponent":
    """Segment a Doc's text into blocks and set sentence starts: at every block start and after sentence-final punctuation."""
    return StructureComponent()


class StructureComponent:
    """Sets ``doc._.pmkb_blocks`` and every sentence start: block starts (and table cells), then punctuation inside blocks."""

    def __call__(self, doc: Doc) -> Doc:
        ensure_extensions()
        text = text_of(doc)
        blocks = mark_asides(text, segment_text(text))
        doc._.pmkb_blocks = blocks
        if not len(doc):
            return doc
        starts = set()
        for block in blocks:
            starts.add(block.start)
            starts.add(block.end)
            for s, _ in block.cells:
                starts.add(s)
        # set every sentence start at once: assigning token.is_sent_start one token at a
        # time rescans the whole Doc each time (quadratic; minutes on a long run of ':')
        idx = doc.to_array(IDX)  # token start offsets, without building Token objects
        at_block = numpy.isin(idx, numpy.fromiter(starts, dtype=idx.dtype, count=len(starts)))
        values = numpy.where(at_block | punctuation_sentence_starts(doc), 1, -1).astype("uint64").reshape(-1, 1)  # -1: not a start
        doc.from_array([SENT_START], values)
        return doc


def block_sentences(doc: Doc, block: Block) -> list[tuple[int, int]]:
    """Character spans of the sentences inside one block (its cells for a table row)."""
    if block.cells:
        return [(s, e) for s, e in block.cells if e > s]
    sents = sentence_spans(doc)
    text = text_of(doc)  # a property that rebuilds the string: read it once
    spans = []
    k = max(bisect_right(sents, (block.start, float("inf"))) - 1, 0)
    while k < len(sents) and sents[k][0] < block.end:
        s, e = max(sents[k][0], block.start), min(sents[k][1], block.end)
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
        k += 1
    return spans or [(block.start, block.end)]
