"""Names made safe to print and to store: terminal escapes, newlines and bidi overrides in a file name
are shown as backslash escapes, and bytes of a name that are not UTF-8 become ``\\xe9``-style text."""

from __future__ import annotations

import re

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""Characters a terminal acts on or a line would break at: controls (ESC, newline), bidi overrides, lone surrogates."""


def printable(text: str) -> str:
    """``text`` safe to print on one terminal line: control, bidi and undecodable characters as backslash escapes."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return match.group().encode("unicode_escape").decode("ascii")


def fs_text(name: str) -> str:
    """A file name as storable text: bytes that are not UTF-8 (Latin-1 names of old file shares) as ``\\xe9`` escapes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
