"""BBCode (a forum post saved as text: ``[b]``, ``[list][*]``, ``[quote]``, ``[url]``): parsed
with the bbcode library and rewritten in Markdown's conventions, then read as Markdown.

``[b]``/``[i]``/``[s]`` become Markdown emphasis, ``[list]`` items bullets (numbered for
``[list=1]``), ``[quote]`` a ``>`` block, ``[code]`` a fenced block, ``[url=…]text[/url]`` a
link, ``[img]`` nothing; a ``[size]``, ``[h]`` or ``[h2]`` line that stands alone (a forum's way of
writing a heading) becomes a heading (of its level for ``[h1]``…``[h6]``). Other tags keep only their text; tags the
parser does not know are left as written.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..document import Document
from ..read import Source
from .markdown import normalise_markdown

_CLOSING_TAG = re.compile(r"\[/(?:b|i|u|s|list|quote|url|size|color|code|center|img|h\d?)\]", re.I)
_HEADING_MAX = 80
"""Longest text a standalone ``[size]`` line may have to be read as a heading."""


def looks_like_bbcode(text: str) -> bool:
    """Whether a text is written in BBCode: three or more closing tags such as ``[/b]`` or ``[/list]``."""
    return len(_CLOSING_TAG.findall(text[:20000])) >= 3


@lru_cache(maxsize=1)
def _parser():
    """The bbcode library's parser with Markdown renderers (built once: formatting keeps no state)."""
    import bbcode  # a parser is needed only for BBCode

    parser = bbcode.Parser(newline="\n", install_defaults=False, escape_html=False, replace_links=False, replace_cosmetic=False)

    def add(tag: str, render, **options) -> None:  # the text is Markdown, not HTML: nothing escaped
        parser.add_formatter(tag, render, escape_html=False, replace_cosmetic=False, **options)

    for tag, mark in (("b", "**"), ("i", "*"), ("s", "~~"), ("strike", "~~")):
        add(tag, lambda name, value, options, parent, context, mark=mark: f"{mark}{value}{mark}")
    for tag in ("u", "color", "font", "center", "left", "right", "sub", "sup", "spoiler"):
        add(tag, lambda name, value, options, parent, context: value)
    add("img", lambda *args: "", render_embedded=False)
    add("hr", lambda *args: "\n---\n", standalone=True)
    add("url", _render_url, replace_links=False)
    for tag in ("size", "h", "h1", "h2", "h3", "h4", "h5", "h6", "heading"):
        add(tag, _render_heading)
    add("list", _render_list, transform_newlines=False, strip=True, swallow_trailing_newline=True)
    add("*", _render_item, newline_closes=True, transform_newlines=False, same_tag_closes=True, strip=True)
    add("quote", _render_quote, strip=True, swallow_trailing_newline=True)
    add("code", _render_code, render_embedded=False, transform_newlines=False, swallow_trailing_newline=True)
    return parser


def _render_url(name, value, options, parent, context) -> str:
    href = (options or {}).get("url") or value
    return value if href == value else f"[{value}]({href})"


def _render_heading(name, value, options, parent, context) -> str:
    text = value.strip()
    if parent is None and text and "\n" not in text and len(text) <= _HEADING_MAX:
        level = int(name[1]) if re.fullmatch(r"h[1-6]", name) else 2
        return "\n" + "#" * level + " " + re.sub(r"^\*\*(.*)\*\*$", r"\1", text) + "\n"
    return value


def _render_list(name, value, options, parent, context) -> str:
    numbered = bool(options) and (options.get("list") or "").strip() in ("1", "01", "a", "A", "i", "I")
    items = [item for item in value.split("\x00") if item.strip()]
    marker = (lambda n: f"{n}. ") if numbered else (lambda n: "- ")
    return "\n" + "\n".join(marker(n) + item.strip().replace("\n", "\n  ") for n, item in enumerate(items, 1)) + "\n\n"


def _render_item(name, value, options, parent, context) -> str:
    return "\x00" + value if parent is not None and parent.tag_name == "list" else "- " + value


def _render_quote(name, value, options, parent, context) -> str:
    who = (options or {}).get("quote", "").strip().strip("\"'")
    lines = ([f"{who} wrote:"] if who else []) + value.strip().splitlines()
    return "\n" + "\n".join("> " + line for line in lines) + "\n\n"


def _render_code(name, value, options, parent, context) -> str:
    return "\n```\n" + value.strip("\n") + "\n```\n"


def bbcode_to_markdown(text: str) -> str:
    """BBCode as Markdown-shaped text."""
    out = _parser().format(text)
    return re.sub(r"\n{3,}", "\n\n", out.replace("\x00", "")).strip() + "\n"


def normalise_bbcode(source: Source) -> Document:
    """Normalise a BBCode forum post: rewritten as Markdown, then read as Markdown."""
    return normalise_markdown(Source(source.name, text=bbcode_to_markdown(source.text), sha256=source.sha256), "bbcode")
