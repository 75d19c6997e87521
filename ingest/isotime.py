"""ISO 8601 times, one way: ``…Z`` in UTC when the zone is known, no offset when it is not."""

from __future__ import annotations

from datetime import datetime, timezone


def iso(value: datetime) -> str:
    """A time as ISO 8601 to the second: UTC with ``Z`` when it has a zone, as written when not."""
    if value.tzinfo is not None:
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def parse_iso(value: str) -> datetime | None:
    """An ISO 8601 time (``Z`` or an offset, or none), or None when it is not one."""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError, TypeError):
        return None


def naive(value: datetime) -> datetime:
    """A time without its zone, in UTC when it had one (for comparing zoned and zone-less times)."""
    return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value
