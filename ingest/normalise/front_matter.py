"""YAML and TOML front matter at the top of a Markdown file, read within bounds.

YAML is read with the safe loader only after its events have been checked against
limits on size, nesting depth and alias expansion (a self-referencing anchor, or a
"billion laughs" of nested anchors, would otherwise recurse or expand without end);
TOML gets the same size and depth limits. Front matter over a limit, or malformed, is
left in the text, and the reason is returned for a quality flag.
"""

from __future__ import annotations

import re
from typing import Any

_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?(---|\+\+\+)[ \t]*\n(.*?)\n\1[ \t]*(?:\n|\Z)", re.S)

MAX_FRONT_MATTER_CHARS = 64 * 1024
"""Front matter longer than this is not read (real front matter is a few hundred characters)."""

MAX_DEPTH = 32
"""Deepest nesting of lists and mappings read."""

MAX_NODES = 10_000
"""Most values the front matter may hold once every alias is expanded."""


class FrontMatterLimit(Exception):
    """Front matter over one of the limits, with a one-line reason."""


def parse_front_matter(text: str) -> tuple[dict[str, Any], str, str | None]:
    """Split YAML (``---``) or TOML (``+++``) front matter from the body.

    Returns ``(data, body, problem)``: ``problem`` is a one-line reason when front
    matter was found but not read, because it is malformed or over a limit (then
    ``data`` is empty and ``body`` is the whole text)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, None
    fence, raw = match.group(1), match.group(2)
    try:
        if len(raw) > MAX_FRONT_MATTER_CHARS:
            raise FrontMatterLimit(f"front matter over {MAX_FRONT_MATTER_CHARS // 1024} KiB")
        data = _load_yaml(raw) if fence == "---" else _load_toml(raw)
    except FrontMatterLimit as limit:
        return {}, text, str(limit)
    except Exception:  # malformed front matter is kept as text, never fatal
        return {}, text, f"front matter: not valid {'YAML' if fence == '---' else 'TOML'}"
    if not isinstance(data, dict):
        return {}, text, None
    return data, text[match.end():], None


def _load_yaml(raw: str) -> Any:
    """Safe-load YAML once its events are within the depth and alias-expansion limits."""
    import yaml

    check_yaml_events(yaml.parse(raw, Loader=yaml.SafeLoader))
    return yaml.load(raw, Loader=yaml.SafeLoader)  # noqa: S506 - SafeLoader


def check_yaml_events(events) -> None:
    """Raise FrontMatterLimit when a YAML event stream nests too deep, refers an anchor to
    itself, or expands to more than ``MAX_NODES`` values (each alias counts its anchor's size)."""
    import yaml

    sizes: dict[str, int] = {}
    open_anchors: list[str | None] = []
    stack: list[int] = []
    total = 0
    for event in events:
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            open_anchors.append(event.anchor)
            stack.append(1)
            total += 1
            if len(stack) > MAX_DEPTH:
                raise FrontMatterLimit(f"front matter: YAML nests more than {MAX_DEPTH} levels deep")
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            size, anchor = stack.pop(), open_anchors.pop()
            if anchor is not None:
                sizes[anchor] = size
            if stack:
                stack[-1] += size
        elif isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
            if isinstance(event, yaml.AliasEvent) and event.anchor in open_anchors:
                raise FrontMatterLimit("front matter: a YAML anchor refers to itself")
            size = sizes.get(event.anchor, 1) if isinstance(event, yaml.AliasEvent) else 1
            if isinstance(event, yaml.ScalarEvent) and event.anchor is not None:
                sizes[event.anchor] = 1
            total += size
            if stack:
                stack[-1] += size
        if total > MAX_NODES:
            raise FrontMatterLimit("front matter: YAML anchors nest too deep")


def _load_toml(raw: str) -> Any:
    """Parse TOML whose brackets nest no deeper than ``MAX_DEPTH``."""
    import tomllib

    depth = deepest = 0
    for ch in re.sub(r"\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|#[^\n]*", "", raw):
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(depth - 1, 0)
    if deepest > MAX_DEPTH:
        raise FrontMatterLimit(f"front matter: TOML nests more than {MAX_DEPTH} levels deep")
    return tomllib.loads(raw)
