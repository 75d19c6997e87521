"""A chat channel's export (Slack's JSON: a list of messages with an epoch ``ts``, a ``user``
and a ``text``): one list item per message, oldest first, each opening with its UTC date
and time and its author, then read as Markdown.

Slack's markup is read as text: ``<@U123>`` becomes the member's name (from the profiles
the export carries), ``<url|label>`` the label, ``<#C1|ops>`` ``#ops``, ``&amp;`` ``&``;
join and leave notices are dropped.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from typing import Any

from ..document import Document
from ..read import Source
from .markdown import normalise_markdown

MIN_MESSAGES = 3
"""Fewest messages a list must hold to be read as a channel's export."""
DROPPED_SUBTYPES = frozenset({"channel_join", "channel_leave", "group_join", "group_leave", "bot_add", "bot_remove", "pinned_item", "reminder_add"})
"""Message subtypes that are notices about the channel, not what anyone said."""
_TS = re.compile(r"^\d{9,11}(?:\.\d+)?$")
_MENTION = re.compile(r"<@(\w+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#\w+\|([^>]*)>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(\w+)(?:\|[^>]*)?>")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])")
_BULLET = re.compile(r"^\s*[•◦▪‣-]\s+")
LONG_MESSAGE_LINES = 4
"""Lines from which a message is a write-up whose lines are paragraphs and lists, not one item."""


def _bold(line: str) -> str:
    """Slack's ``*bold*`` as Markdown's ``**bold**``."""
    return _BOLD.sub(r"**\1**", line)


def is_chat_export(data: Any) -> bool:
    """Whether JSON data is a chat channel's export: a list of messages with an epoch ``ts`` and a ``text``."""
    if not isinstance(data, list) or len(data) < MIN_MESSAGES:
        return False
    messages = [m for m in data if isinstance(m, dict)]
    timed = [m for m in messages if isinstance(m.get("text"), str) and _TS.match(str(m.get("ts", "")))]
    return len(timed) >= MIN_MESSAGES and len(timed) >= 0.8 * len(data)


def _names(messages: list[dict]) -> dict[str, str]:
    """Member id → the name to show, from the profiles the messages carry."""
    names: dict[str, str] = {}
    for message in messages:
        profile = message.get("user_profile")
        if isinstance(profile, dict) and message.get("user"):
            name = profile.get("real_name") or profile.get("display_name") or profile.get("name")
            if isinstance(name, str) and name.strip():
                names.setdefault(str(message["user"]), name.strip())
    return names


def plain_message(text: str, names: dict[str, str]) -> str:
    """A message's Slack markup as plain text."""
    text = _MENTION.sub(lambda m: "@" + (names.get(m.group(1)) or m.group(2) or m.group(1)), text)
    text = _CHANNEL.sub(r"#\1", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _SPECIAL.sub(r"@\1", text)
    return html.unescape(text)


def chat_markdown(data: list) -> str:
    """A channel export as Markdown: a title and one timed item per message, oldest first."""
    messages = sorted((m for m in data if isinstance(m, dict) and _TS.match(str(m.get("ts", "")))), key=lambda m: float(m["ts"]))
    names = _names(messages)
    lines = []
    for message in messages:
        if message.get("subtype") in DROPPED_SUBTYPES or not str(message.get("text") or "").strip():
            continue
        at = datetime.fromtimestamp(float(message["ts"]), tz=timezone.utc)
        who = names.get(str(message.get("user") or "")) or message.get("username") or message.get("user") or "someone"
        first, *rest = plain_message(str(message["text"]), names).strip().splitlines()
        lines.append(f"- {at:%Y-%m-%d %H:%M} UTC {who}: {_bold(first)}")
        if len(rest) >= LONG_MESSAGE_LINES - 1:  # a write-up posted in the channel: its own paragraphs and lists
            lines.append("\n" + "\n".join(_BULLET.sub("- ", _bold(line)) for line in rest) + "\n")
        elif rest:
            lines[-1] += "".join("\n  " + _bold(line) for line in rest)
    first = datetime.fromtimestamp(float(messages[0]["ts"]), tz=timezone.utc) if messages else None
    title = f"# Channel log, {first:%Y-%m-%d}" if first else "# Channel log"
    return title + "\n\n" + "\n".join(lines) + "\n"


def normalise_chat_export(source: Source, data: list) -> Document:
    """Normalise a chat channel's export: its messages as timed items, read as Markdown."""
    return normalise_markdown(Source(source.name, text=chat_markdown(data), sha256=source.sha256), "chat")
