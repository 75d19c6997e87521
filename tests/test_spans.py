"""SpanIndex: the spans inside a range, as a scan over every span would find them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ingest.spans import SpanIndex

spans = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 20), st.sampled_from("abcd")).map(lambda t: (t[0], t[0] + t[1], t[2])), max_size=30)


@given(spans, st.integers(0, 80), st.integers(0, 40))
def test_keys_within_equal_a_scan(items, start, length):
    end = start + length
    assert SpanIndex(items).keys_within(start, end) == [k for s, e, k in items if s >= start and e <= end]


def test_keys_keep_the_order_the_spans_came_in():
    index = SpanIndex([(5, 6, "late"), (1, 2, "early"), (5, 5, "empty"), (3, 9, "long")])
    assert index.keys_within(0, 6) == ["late", "early", "empty"]
    assert index.keys_within(5, 5) == ["empty"] and index.keys_within(7, 8) == []
