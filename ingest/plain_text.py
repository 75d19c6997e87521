"""Extracted text as pmkb stores it: inline Markdown marks dropped and white space folded."""

from __future__ import annotations

import re

EMPHASIS_MARKS = "*_`"
"""Markdown emphasis and code marks: never part of a stored cause, action or event text."""


def plain_text(text: str, marks: str = EMPHASIS_MARKS, replacement: str = "") -> str:
    """``text`` with each run of ``marks`` replaced by ``replacement`` and white space folded to single spaces."""
    text = re.sub(f"[{re.escape(marks)}]+", replacement, text)
    return re.sub(r"\s+", " ", text).strip()
