"""Google Docs HTML exports ("Download as web page"): styles by class, lists by ``lst-kix`` classes.

Google Docs marks bold with CSS classes and the title with ``p.title``; this
module turns those back into ``**bold**`` lead-ins and a ``#`` title and
unwraps ``google.com/url?q=`` redirect links before the HTML renderer runs
(nested list items come out as items, their depth not kept).
"""

from __future__ import annotations

import re

from ..document import Document, Part
from ..read import Source
from .common import NormaliseError, first_heading, title_from_source
from .html import html_depth_over, html_to_markdown

_BOLD_CLASS = re.compile(r"\.(c\d+)\{[^}]*font-weight:\s*(?:700|bold)")


def looks_like_gdocs(text: str) -> bool:
    """True for an HTML page exported from Google Docs."""
    head = text[:20000]
    return "lst-kix_" in head or 'class="doc-content' in head or bool(re.search(r'<body class="c\d+(?: doc-content)?"', head))


def normalise_gdocs(source: Source) -> Document:
    """Normalise a Google Docs HTML export."""
    from bs4 import BeautifulSoup

    if html_depth_over(source.text):
        raise NormaliseError(source.name, "HTML nested too deeply: refused")
    soup = BeautifulSoup(source.text, "html.parser")
    bold = set(_BOLD_CLASS.findall(" ".join(style.get_text() for style in soup.find_all("style"))))
    for node in soup.select("p.title"):
        node.name = "h1"
    for paragraph in soup.find_all(["p", "li"]):
        first = next((c for c in paragraph.children if getattr(c, "name", None) == "span" or str(c).strip()), None)
        if getattr(first, "name", None) == "span" and bold & set(first.get("class") or []) and first.get_text(strip=True):
            words = first.get_text()
            first.clear()
            first.append(f"**{words.strip()}**" + (" " if words != words.rstrip() else ""))
    for link in soup.find_all("a", href=re.compile(r"^https://www\.google\.com/url\?q=")):
        link.unwrap()
    title_tag = soup.find("title")
    text, _ = html_to_markdown(str(soup.body or soup))
    if not text.strip():
        raise NormaliseError(source.name, "Google Docs page has no text")
    title = first_heading(text) or (title_tag.get_text(strip=True) if title_tag else None) or title_from_source(source.name)
    return Document(source=source.name, format="gdocs", text=text, sha256=source.sha256, title=title, parts=[Part(0, len(text), title=title)])
