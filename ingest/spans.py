"""Character spans indexed by where they start, to find those inside a range without a scan."""

from __future__ import annotations

from bisect import bisect_left
from typing import Hashable, Iterable


class SpanIndex:
    """``(start, end, key)`` spans; ``keys_within(s, e)`` lists the keys of those inside ``[s, e]``,
    in the order the spans were given, in time logarithmic in the spans plus the number found."""

    def __init__(self, spans: Iterable[tuple[int, int, Hashable]]) -> None:
        self.spans = list(spans)
        self.order = sorted(range(len(self.spans)), key=lambda i: self.spans[i][0])
        self.starts = [self.spans[i][0] for i in self.order]

    def keys_within(self, start: int, end: int) -> list:
        """Keys of the spans with ``start <= span start`` and ``span end <= end``."""
        found = []
        for pos in range(bisect_left(self.starts, start), len(self.starts)):
            if self.starts[pos] > end:
                break
            i = self.order[pos]
            if self.spans[i][1] <= end:
                found.append(i)
        return [self.spans[i][2] for i in sorted(found)]
