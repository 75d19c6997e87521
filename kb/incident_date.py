"""An incident's date, one rule everywhere: its impact start, else its earliest timeline time, else its document's publication date.

``incident_started`` computes it for the store, which writes it as
``incidents.started``; ``started_sql`` spells the same rule in SQL for the
migrations that fill in older rows and for the report's date filter and order.
"""

from __future__ import annotations

from typing import Iterable


def incident_started(impact_start: str | None, event_times: Iterable[str | None], published_at: str | None) -> str | None:
    """The incident's date from its impact start, its timeline times and its document's publication date (None when all are unknown)."""
    earliest = min((t for t in event_times if t is not None), default=None)
    return next((value for value in (impact_start, earliest, published_at) if value is not None), None)


def started_sql(incident: str, published_at: str) -> str:
    """``incident_started`` as a SQL expression over the ``incidents`` row named ``incident`` (a table or alias) and ``published_at``, an expression for its document's publication date."""
    earliest = f"(select min(t.at) from timeline_events t where t.incident_id = {incident}.id)"
    return f"coalesce({incident}.impact_start, {earliest}, {published_at})"
