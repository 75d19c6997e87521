"""Summary statistics of durations: quantiles and distributions."""

from __future__ import annotations

import math
from typing import Any, Iterable


def quantile(values: list[float], q: float) -> float | None:
    """The q-quantile of ``values`` by linear interpolation between order statistics (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def distribution(values: Iterable[float | None]) -> dict[str, Any]:
    """N, median, p90, max (and quartiles, min, total) of the known values."""
    known = sorted(float(v) for v in values if v is not None)
    return {
        "n": len(known),
        "min": known[0] if known else None,
        "p25": quantile(known, 0.25),
        "median": quantile(known, 0.5),
        "p75": quantile(known, 0.75),
        "p90": quantile(known, 0.9),
        "max": known[-1] if known else None,
        "total": sum(known) if known else None,
        "values": known,
    }
