"""MediaWiki wikitext (``.wiki``, ``.mediawiki``, or a text file written in it): parsed with
mwparserfromhell and rewritten in Markdown's conventions, then read as Markdown.

``== Section ==`` headings become ``#`` headings, ``'''bold'''`` and ``''italic''`` Markdown
emphasis, ``*``/``#`` lists bullets and numbered items, ``{| … |}`` tables pipe rows, links
their text; templates, comments, references and category links are dropped, except that a
template's ``date``/``published`` parameter is the publication date.
"""

from __future__ import annotations

import re

from ..document import Document
from ..read import Source
from .markdown import normalise_markdown

_HEADING_LINE = re.compile(r"(?m)^(={2,6})[^=\n].*?\1[^\S\n]*$")
_PUBLISHED_PARAMS = ("published", "date", "publication_date")
_DROPPED_LINKS = ("category:", "file:", "image:", "media:")
_EMPHASIS = {"b": "**", "i": "*"}


def looks_like_wikitext(text: str) -> bool:
    """Whether a text is written in MediaWiki markup: two or more ``== Heading ==`` lines."""
    return len(_HEADING_LINE.findall(text[:20000])) >= 2


def wikitext_to_markdown(text: str) -> tuple[str, dict[str, str]]:
    """Wikitext as Markdown-shaped text, and the parameters of its templates."""
    import mwparserfromhell  # a parser is needed only for wikitext

    params: dict[str, str] = {}
    out = _nodes(mwparserfromhell.parse(text).nodes, params)
    out = re.sub(r"(?m)^(- |1\. )[^\S\n]+", r"\1", out)  # "* item": the marker's own space only
    return re.sub(r"\n{3,}", "\n\n", out).strip() + "\n", params


def _nodes(nodes, params: dict[str, str]) -> str:
    return "".join(_node(n, params) for n in nodes)


def _node(node, params: dict[str, str]) -> str:
    """One parsed node as Markdown text."""
    from mwparserfromhell import nodes

    if isinstance(node, nodes.Text):
        return str(node)
    if isinstance(node, nodes.Heading):
        return "\n" + "#" * node.level + " " + _nodes(node.title.nodes, params).strip() + "\n"
    if isinstance(node, nodes.Wikilink):
        if str(node.title).strip().lower().startswith(_DROPPED_LINKS):
            return ""
        return _nodes((node.text or node.title).nodes, params)
    if isinstance(node, nodes.ExternalLink):
        return _nodes(node.title.nodes, params) if node.title else str(node.url)
    if isinstance(node, nodes.Template):
        for p in node.params:
            params.setdefault(str(p.name).strip().lower(), p.value.strip_code().strip())
        return ""
    if isinstance(node, nodes.HTMLEntity):
        return node.normalize()
    if isinstance(node, nodes.Tag):
        return _tag(node, params)
    return ""  # comments, arguments


def _tag(node, params: dict[str, str]) -> str:
    """A tag node: emphasis, list markers, tables; other tags keep only their contents."""
    tag = str(node.tag).lower()
    inner = _nodes(node.contents.nodes, params) if node.contents is not None else ""
    if tag in _EMPHASIS and node.wiki_markup:
        mark = _EMPHASIS[tag]
        return f"{mark}{inner.strip()}{mark}" if inner.strip() else ""
    if tag == "li":
        return "- " if node.wiki_markup == "*" else "1. "
    if tag in ("dt", "dd"):
        return ""
    if tag == "table":
        return "\n" + _table(node, params) + "\n"
    if tag in ("ref", "references", "br"):
        return "" if tag != "br" else "\n"
    return inner


def _table(node, params: dict[str, str]) -> str:
    """A ``{| … |}`` table as pipe rows, a separator after its first row."""
    from mwparserfromhell.nodes import Tag

    def is_tag(n, *names: str) -> bool:
        return isinstance(n, Tag) and str(n.tag).lower() in names

    groups: list[list] = [[]]  # the first row's cells may come with no "|-" before them
    for child in node.contents.nodes:
        if is_tag(child, "tr"):
            groups.append([c for c in child.contents.nodes if is_tag(c, "td", "th")])
        elif is_tag(child, "td", "th"):
            groups[-1].append(child)
    rows: list[str] = []
    for cells in filter(None, groups):
        texts = [" ".join(_nodes(c.contents.nodes, params).split()).replace("|", "/") for c in cells]
        rows.append("| " + " | ".join(texts) + " |")
        if len(rows) == 1:
            rows.append("|" + "---|" * len(texts))
    return "\n".join(rows)


def normalise_wikitext(source: Source) -> Document:
    """Normalise wikitext: rewritten as Markdown, a template's date as publication date."""
    text, params = wikitext_to_markdown(source.text)
    front = next((f"date: {params[k]}\n" for k in _PUBLISHED_PARAMS if params.get(k)), "")
    markdown = Source(source.name, text=(f"---\n{front}---\n" if front else "") + text, sha256=source.sha256)
    return normalise_markdown(markdown, "wikitext")
