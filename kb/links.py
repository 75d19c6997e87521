"""Which stored URLs may become links: only http and https ones (a ``javascript:`` or ``data:`` URL
from front matter or a manifest is shown as text, never as a link that runs in the page's origin)."""

from __future__ import annotations

import urllib.parse

LINK_SCHEMES = ("http", "https")


def web_url(value: object) -> str | None:
    """``value`` when it is an absolute http(s) URL with a host, else None (to be shown as text)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if any(ord(ch) < 0x20 or ch == "\x7f" for ch in text):
        return None  # browsers drop tabs and newlines inside a scheme ("java\tscript:")
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme.lower() in LINK_SCHEMES and parts.netloc else None
