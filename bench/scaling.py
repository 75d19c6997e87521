"""Hostile shapes for the benchmark: documents that grow along one axis (headings, one line without spaces),
extracted at two sizes, to show that every stage stays linear in its input (issue 17)."""

from __future__ import annotations

import math
import time
from typing import Callable


def many_headings(n: int) -> str:
    """A postmortem of ``n`` sections, each a heading and a timed sentence (a status-page history taken to the extreme)."""
    return "\n\n".join(f"## Update {i}\n\nAt 10:{i % 60:02d} UTC on 2024-01-{i % 28 + 1:02d} the queue backlog grew again." for i in range(n))


def long_line(n: int) -> str:
    """A postmortem whose body is one line of ``n`` characters without a space (a pasted blob)."""
    return "# Outage\n\nOn 2024-01-05 at 10:00 UTC the API failed.\n\n" + ("a1," * (n // 3 + 1))[:n] + "\n"


SHAPES: dict[str, tuple[Callable[[int], str], int, int]] = {
    "headings": (many_headings, 188, 3_000),  # 3,000 sections: about 220,000 characters, under the 250,000 extracted
    "line without spaces": (long_line, 100_000, 200_000),
}
"""Shape → (document maker, small size, large size)."""


def extraction_seconds(text: str, name: str = "hostile.md") -> float:
    """Seconds to normalise and extract ``text`` in this process (the pipeline built beforehand)."""
    from ingest.normalise import normalise
    from ingest.pipeline import extract, shared_nlp
    from ingest.read import Source

    shared_nlp()
    started = time.perf_counter()
    extract(normalise(Source(name, text=text)))
    return time.perf_counter() - started


def scaling(scale: float = 1.0) -> dict[str, dict[str, float]]:
    """Per shape: seconds at the small and large size and the growth exponent (1 = linear, 2 = quadratic).

    ``scale`` shrinks both sizes alike (the quick run)."""
    out = {}
    for shape, (make, small, large) in SHAPES.items():
        sizes = (max(1, int(small * scale)), max(2, int(large * scale)))
        seconds = [extraction_seconds(make(n)) for n in sizes]
        out[shape] = {
            "small": sizes[0], "large": sizes[1], "small_s": seconds[0], "large_s": seconds[1],
            "exponent": math.log(max(seconds[1], 1e-6) / max(seconds[0], 1e-6)) / math.log(sizes[1] / sizes[0]),
        }
    return out
