"""Hostile shapes stay linear (issue 17): work per heading is bounded by what the heading holds.
Timings live in bench/run.py (its hostile shapes); these tests count work instead."""

from __future__ import annotations

import sys
from pathlib import Path

from ingest import units
from ingest.normalise import normalise
from ingest.pipeline import extract
from ingest.read import Source

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from scaling import long_line, many_headings  # noqa: E402


def test_each_heading_is_checked_against_its_own_time_mentions_only(monkeypatch):
    seen = []
    real = units._only_times

    def counting(title, offset, inside):
        seen.append(len(inside))
        return real(title, offset, inside)

    monkeypatch.setattr(units, "_only_times", counting)
    [incident] = extract(normalise(Source("many.md", text=many_headings(200))))
    assert len(seen) == 200 and sum(seen) == 0  # "## Update 7" holds no time: no heading looks at the 400 mentions below
    assert len(incident["timeline"]) >= 200


def test_a_long_line_without_spaces_is_extracted_around(monkeypatch):
    [incident] = extract(normalise(Source("blob.md", text=long_line(200_000))))
    assert incident["timeline"] and incident["timeline"][0]["at"].startswith("2024-01-05T10:00")
