"""Word documents (.docx, and Google Docs' "Download as .docx") through mammoth, then the HTML renderer.

mammoth keeps headings, numbered and bulleted lists (nested), tables and bold
runs, and leaves out comments, headers, footers and tracked deletions.
Checkboxes become ``[x]``/``[ ]`` and a bold lead-in stays ``**bold**`` so the
segmenter sees the same labels as in a Markdown original.
"""

from __future__ import annotations

import io
import re
import zipfile

from ..document import Document, Part
from ..read import Source
from .common import NormaliseError, first_heading, title_from_source
from .html import html_to_markdown
from .zip_limits import ZipLimitError, check_zip

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""An OLE compound file: an encrypted (password-protected) .docx, or an old binary .doc."""

_STYLE_MAP = """
p[style-name='Title'] => h1:fresh
p[style-name='Subtitle'] => p:fresh
p[style-name='Block Text'] => blockquote > p:fresh
"""
"""Styles Word and pandoc use that mammoth does not map by default."""

_CHECKBOX = re.compile(r"<input\b[^>]*\btype=\"checkbox\"[^>]*>", re.I)
_LEAD_IN = re.compile(r"(<(?:p|li)>)<strong>(.*?)</strong>")
_BALLOT = re.compile(r"(<li>)\s*([\u2610\u2611\u2612])\s*")
"""A ballot-box glyph opening an item (☐ ☑ ☒: how pandoc and Word users write task items)."""


def normalise_docx(source: Source) -> Document:
    """Normalise a .docx file to Markdown-shaped text; its title from the document properties or first heading."""
    import mammoth

    data = source.data
    if data.startswith(OLE_MAGIC):
        raise NormaliseError(source.name, "password-protected or encrypted .docx (or an old binary .doc): save it as an unprotected .docx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(archive)
            if "word/document.xml" not in archive.namelist():
                raise NormaliseError(source.name, "not a Word document: the zip has no word/document.xml")
            title = _core_title(archive)
    except zipfile.BadZipFile:
        raise NormaliseError(source.name, "truncated or corrupt .docx: not a readable zip") from None
    except ZipLimitError as exc:
        raise NormaliseError(source.name, f".docx refused: {exc}") from None
    try:
        result = mammoth.convert_to_html(io.BytesIO(data), style_map=_STYLE_MAP, convert_image=mammoth.images.img_element(lambda image: {}))
    except Exception:  # mammoth raises assorted errors on broken XML
        raise NormaliseError(source.name, "unreadable .docx: its XML cannot be parsed") from None
    text = html_to_markdown(docx_html(result.value), nested_indent=True)[0]
    if not text.strip():
        raise NormaliseError(source.name, ".docx has no text")
    title = title or first_heading(text) or title_from_source(source.name)
    return Document(source=source.name, format="docx", text=text, sha256=source.sha256, title=title, parts=[Part(0, len(text), title=title)])


def docx_html(markup: str) -> str:
    """mammoth's HTML with checkboxes and ballot boxes as ``[x]``/``[ ]`` and bold lead-ins kept as ``**…**``."""
    markup = _CHECKBOX.sub(lambda m: "[x] " if re.search(r"\bchecked\b", m.group(0)) else "[ ] ", markup)
    markup = _BALLOT.sub(lambda m: m.group(1) + ("[ ] " if m.group(2) == "\u2610" else "[x] "), markup)
    return _LEAD_IN.sub(r"\1**\2**", markup)


def _core_title(archive: zipfile.ZipFile) -> str | None:
    """The title in docProps/core.xml, or None."""
    try:
        core = archive.read("docProps/core.xml").decode("utf-8", errors="replace")
    except KeyError:
        return None
    match = re.search(r"<dc:title>([^<]+)</dc:title>", core)
    if not match:
        return None
    import html

    return html.unescape(match.group(1)).strip() or None
