"""HTML pages rendered as Markdown-shaped text (headings, bullets, table rows)."""

from __future__ import annotations

import re
from typing import Any

from ..document import Document, Part
from ..read import Source
from .common import NormaliseError, clean_characters, first_heading, title_from_source


def looks_like_html(text: str) -> bool:
    """True when the text starts like an HTML page."""
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text)


_BLOCK_TAGS = {"p", "div", "section", "article", "main", "header", "footer", "blockquote", "pre", "br", "hr", "tr", "table", "ul", "ol", "dl", "dt", "dd", "figure", "details", "summary"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head", "nav", "iframe", "button", "form"}
_CHROME = re.compile(r"(?i)(?:^|[\s_-])(?:related|share|sharing|social|newsletter|subscribe|sidebar|cookies?|breadcrumbs?|comments|promo|site-footer|site-header|masthead)(?:$|[\s_-])")
"""Class, id or role words of page chrome around a post (related posts, share buttons, sign-up boxes)."""
_CHROME_ROLES = {"navigation", "complementary", "contentinfo", "banner"}


def _unwrap_layout_tables(soup: Any) -> None:
    """Read the tables an HTML email lays its page out with (``role="presentation"``) as blocks, not rows."""
    layout = [t for t in soup.find_all("table") if (t.get("role") or "").lower() in ("presentation", "none")]
    own = [(cell, cell.find_parent("table")) for t in layout for cell in t.find_all(("tr", "td", "th", "tbody", "thead", "tfoot"))]
    for cell, table in own:
        if table in layout:
            cell.name = "div"
    for t in layout:
        t.name = "div"


def _mark_bold_paragraphs(soup: Any) -> None:
    """Keep a paragraph that is all bold (``<p><strong>How did we respond?</strong></p>``) as a
    ``**bold line**``: pages built in a rich-text editor make their section headings that way."""
    from bs4.element import NavigableString, Tag

    for para in soup.find_all("p"):
        parts = [c for c in para.children if not (isinstance(c, NavigableString) and not c.strip())]
        if len(parts) != 1 or not isinstance(parts[0], Tag) or parts[0].name not in ("strong", "b"):
            continue
        text = parts[0].get_text(" ", strip=True)
        if 0 < len(text) <= 100 and "*" not in text:
            parts[0].insert(0, NavigableString("**"))
            parts[0].append(NavigableString("**"))


def is_chrome(tag: Any) -> bool:
    """Whether an element is page chrome rather than the post: a landmark role or a chrome class or id."""
    if (tag.get("role") or "").lower() in _CHROME_ROLES:
        return True
    names = " ".join([*(tag.get("class") or []), tag.get("id") or ""])
    return bool(names.strip() and _CHROME.search(names))


_INDENT = "\ue000"
"""Stands for one indenting space of a nested item until the whitespace clean-up is done."""


def html_to_markdown(markup: str, nested_indent: bool = False) -> tuple[str, str | None]:
    """Render HTML as Markdown-shaped text (headings, bullets, table rows); also return its title.

    With ``nested_indent`` an item of a nested list is indented two spaces a level, as in Markdown.
    """
    from bs4 import BeautifulSoup
    from bs4.element import NavigableString, Tag

    soup = BeautifulSoup(markup, "html.parser")
    _unwrap_layout_tables(soup)
    _mark_bold_paragraphs(soup)
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else None
    out: list[str] = []
    # iterative walk: deeply nested markup cannot blow the recursion limit
    stack: list[tuple[Any, bool]] = [(soup, False)]
    row_cells: list[str] | None = None
    header_row = False  # the open row has only <th> cells so far
    depth = 0  # lists open around the node
    while stack:
        node, closing = stack.pop()
        if isinstance(node, NavigableString):
            if type(node).__name__ in ("Comment", "Doctype", "Declaration", "ProcessingInstruction", "CData"):
                continue
            text = re.sub(r"\s+", " ", str(node))
            if row_cells is not None and row_cells:
                row_cells[-1] += text
            else:
                out.append(text)
            continue
        if not isinstance(node, Tag):
            continue
        name = (node.name or "").lower()
        if closing:
            if name in ("td", "th") and row_cells is not None:
                row_cells[-1] = row_cells[-1].strip()
            elif name == "tr" and row_cells is not None:
                while out and not out[-1].strip(" ") and not out[-1].endswith("\n"):
                    out.pop()  # the whitespace between two rows
                lead = "" if out and out[-1].endswith("\n") else "\n"  # rows of one table stay together
                out.append(lead + "| " + " | ".join(c.replace("|", "/") for c in row_cells) + " |\n")
                if header_row and row_cells:
                    out.append("|" + "---|" * len(row_cells) + "\n")  # a row of <th> cells is the header
                row_cells = None
            elif re.fullmatch(r"h[1-6]", name) or name in _BLOCK_TAGS or name == "li":
                out.append("\n\n" if name not in ("li", "tr") else "\n")
            depth -= name in ("ul", "ol")
            continue
        if name in _SKIP_TAGS or (name == "title") or (name not in ("html", "body", "main", "article") and is_chrome(node)):
            continue
        if re.fullmatch(r"h[1-6]", name):
            out.append("\n\n" + "#" * int(name[1]) + " ")
        elif name == "li":
            out.append("\n" + _INDENT * 2 * max(depth - 1, 0) * nested_indent + "- ")
        elif name == "tr":
            row_cells, header_row = [], True
        elif name in ("td", "th") and row_cells is not None:
            row_cells.append("")
            header_row = header_row and name == "th"
        elif name == "br":
            out.append("\n")
        elif name in _BLOCK_TAGS:
            out.append("\n\n")
        depth += name in ("ul", "ol")
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node.children)))
    text = "".join(out)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n[ \t]+(?=[^\s])", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = re.sub(r"(?m)^(#{1,6}|-) +", r"\1 ", text)
    if nested_indent:
        text = text.replace(_INDENT, " ")
    return text.strip() + "\n", title


MAX_HTML_DEPTH = 1000
"""HTML nested deeper than this is refused (no real page comes near; parsing it costs seconds)."""

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^<>]*?(/?)>")
_NOT_NESTING = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    "p", "li", "td", "th", "tr", "dt", "dd", "option",  # closed implicitly by their next sibling
}


def html_depth_over(markup: str, limit: int = MAX_HTML_DEPTH) -> bool:
    """True when the markup's open tags nest deeper than ``limit``."""
    depth = 0
    for match in _TAG.finditer(markup):
        if match.group(3) or match.group(2).lower() in _NOT_NESTING:
            continue
        depth = max(depth - 1, 0) if match.group(1) else depth + 1
        if depth > limit:
            return True
    return False


def normalise_html(source: Source) -> Document:
    """Normalise an HTML page to Markdown-shaped text."""
    markup = clean_characters(source.text)
    if html_depth_over(markup):
        raise NormaliseError(source.name, f"HTML nested more than {MAX_HTML_DEPTH:,} levels deep: refused")
    try:
        text, title = html_to_markdown(markup)
    except RecursionError:
        raise NormaliseError(source.name, "HTML nested too deeply to read") from None
    except Exception as exc:  # bs4 is forgiving; anything left is a broken document
        raise NormaliseError(source.name, "malformed HTML: the parser gave up on it") from None
    text = clean_characters(text)  # entities may decode to control characters
    if not text.strip():
        raise NormaliseError(source.name, "HTML page has no text")
    title = title or first_heading(text) or title_from_source(source.name)
    return Document(source=source.name, format="html", text=text, sha256=source.sha256, title=title, parts=[Part(0, len(text), title=title)])
