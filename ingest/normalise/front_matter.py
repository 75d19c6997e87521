"""YAML and TOML front matter at the top of a Markdown file."""

from __future__ import annotations

import re
from typing import Any

_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?(---|\+\+\+)[ \t]*\n(.*?)\n\1[ \t]*(?:\n|\Z)", re.S)


def parse_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split YAML (``---``) or TOML (``+++``) front matter from the body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    fence, raw = match.group(1), match.group(2)
    data: Any = {}
    try:
        if fence == "---":
            import yaml

            data = yaml.safe_load(raw)
        else:
            import tomllib

            data = tomllib.loads(raw)
    except Exception:  # malformed front matter is kept as text, never fatal
        return {}, text
    if not isinstance(data, dict):
        return {}, text
    return data, text[match.end():]

