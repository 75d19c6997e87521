"""Notion Markdown exports: ``Title <32 hex id>.md`` files whose property lines follow the title.

The property block (``Created: March 3, 2024 10:00 AM``, ``Status: Done``…)
is taken out of the text into ``meta['notion_properties']`` — it describes the
page, not the incident — and ``Created`` gives the publication time.
"""

from __future__ import annotations

import re

from ..document import Document
from ..read import Source
from .common import first_heading
from .markdown import normalise_markdown, parse_publication

_NOTION_NAME = re.compile(r"(?:^|/)([^/]+?) [0-9a-f]{32}\.md$")
_PROPERTY = re.compile(r"([A-Z][\w ]{0,40}): (\S.*)")


def looks_like_notion(name: str) -> bool:
    """True for a file named the way Notion's export names pages."""
    return _NOTION_NAME.search(name) is not None


def normalise_notion(source: Source) -> Document:
    """Normalise a Notion page export: Markdown less its property block."""
    document = normalise_markdown(source)
    text, properties = split_properties(document.text)
    if properties:
        document.text = text
        document.parts[0].end = len(text)
        document.meta["notion_properties"] = properties
        created = properties.get("Created") or properties.get("Created time")
        document.published_at = document.published_at or (parse_publication(created) if created else None)
    match = _NOTION_NAME.search(source.name)
    if match and not first_heading(document.text):
        document.title = match.group(1)  # the file name less Notion's page id
    document.format = "notion"
    return document


def split_properties(text: str) -> tuple[str, dict[str, str]]:
    """Take the ``Key: value`` lines right after the ``# Title`` out of the text; return (text, properties)."""
    match = re.match(r"# [^\n]+\n\n", text)
    if not match:
        return text, {}
    lines = text[match.end():].split("\n")
    properties: dict[str, str] = {}
    for line in lines:
        found = _PROPERTY.fullmatch(line.strip())
        if not found:
            break
        properties[found.group(1)] = found.group(2)
    if not properties or (len(lines) > len(properties) and lines[len(properties)].strip()):
        return text, {}  # not a property block: a paragraph that happens to start "Word: …"
    rest = "\n".join(lines[len(properties):]).lstrip("\n")
    return text[:match.end()] + rest, properties
