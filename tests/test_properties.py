"""Property-based tests (hypothesis): over arbitrary and mutated postmortem text the extractor never
raises, keeps every evidence span inside the text and equal to it, orders every window, emits only
valid ISO times, and finishes on long runs of digits, colons and spaces."""

from __future__ import annotations

import re
import signal
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.normalise import normalise
from ingest.pipeline import extract
from hostile_run import contract_problems
from ingest.read import ReadError, Source

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?")
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# characters postmortem times and structure are made of, so arbitrary text hits the time rules often
TIME_ALPHABET = st.sampled_from(list("0123456789:- .,/\nTZ+#*|()") + ["UTC", "PST", "AM", "PM", "Jan", "March", "2024", "10:00", "## ", "- ", "between", " and ", "to"])


@lru_cache(maxsize=None)
def seed_texts() -> tuple[str, ...]:
    return tuple(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))


def parse_iso(value: str) -> datetime:
    assert ISO.fullmatch(value), value
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if "T" in value else datetime.fromisoformat(value + "T00:00")


def check_extraction(name: str, text: str) -> None:
    """Normalise and extract ``text``; assert the extraction contract's invariants (hostile_run's checks)."""
    try:
        document = normalise(Source(name, text=text))
    except ReadError:
        return  # refused in one line: allowed, not a crash
    incidents = extract(document)
    assert contract_problems(document.text, incidents) == []
    for incident in incidents:
        for key in ("impact_start", "impact_end"):
            if incident["metrics"].get(key):
                parse_iso(incident["metrics"][key])


@st.composite
def mutated_postmortems(draw) -> str:
    """A seed postmortem with slices deleted, duplicated or replaced by time-like noise."""
    text = draw(st.sampled_from(seed_texts()))
    for _ in range(draw(st.integers(1, 6))):
        a = draw(st.integers(0, len(text)))
        b = draw(st.integers(a, min(len(text), a + 400)))
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "replace"]))
        noise = draw(st.lists(TIME_ALPHABET, max_size=12).map("".join))
        if op == "delete":
            text = text[:a] + text[b:]
        elif op == "duplicate":
            text = text[:b] + text[a:b] + text[b:]
        elif op == "insert":
            text = text[:a] + noise + text[a:]
        else:
            text = text[:a] + noise + text[b:]
    return text


@SETTINGS
@given(st.text(max_size=400))
def test_arbitrary_text(text):
    check_extraction("arbitrary.md", text)


@SETTINGS
@given(st.lists(TIME_ALPHABET, max_size=120).map("".join))
def test_time_shaped_noise(text):
    check_extraction("noise.txt", text)


@settings(SETTINGS, max_examples=30)
@given(mutated_postmortems())
def test_mutated_postmortems(text):
    check_extraction("mutated.txt", text)


@settings(SETTINGS, max_examples=15)
@given(mutated_postmortems())
def test_mutated_postmortems_as_html(text):
    markup = "<html><body>" + "".join(f"<p>{line}</p>" for line in text.split("\n")) + "</body></html>"
    check_extraction("mutated.html", markup)


class Overrun(Exception):
    pass


@pytest.mark.parametrize(
    "text",
    [
        "1" * 20_000,
        ":" * 20_000,
        " " * 20_000,
        "x" + ":" * 20_000,
        "1:" * 10_000,
        "12 " * 7_000,
        "10:00 " * 3_000,
        ": " * 10_000,
        "10:00-" * 3_000,
        "2024-01-01 10:00:00 " * 1_000,
        "1 2 3 4 5 6 7 8 9 0 " * 1_000,
        "## 10:00\n" * 2_000,
        "- 10:00 - 11:00 UTC: x\n" * 1_000,
        "Between 10:00 and " * 1_000,
    ],
    ids=lambda t: f"{t[:12]!r}x{len(t)}",
)
def test_long_runs_terminate(text):
    """No catastrophic backtracking: each takes well under a second today; the alarm only catches a hang."""

    def overrun(signum, frame):
        raise Overrun("extraction did not finish within 60 s")

    previous = signal.signal(signal.SIGALRM, overrun)
    signal.alarm(60)
    try:
        check_extraction("long.txt", text)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
