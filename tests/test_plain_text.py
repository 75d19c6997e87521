"""ingest.plain_text: the one clean-up of extracted cause, action and event text."""

from __future__ import annotations

import pytest

from ingest.plain_text import EMPHASIS_MARKS, plain_text


@pytest.mark.parametrize(
    "text,expected",
    [
        ("  **Root cause:** a `config`\n  change  ", "Root cause: a config change"),
        ("snake_case__name", "snakecasename"),
        ("a | b", "a | b"),
        ("", ""),
    ],
)
def test_marks_are_dropped_and_white_space_folded(text, expected):
    assert plain_text(text) == expected


def test_marks_can_become_a_separator():
    assert plain_text("| 10:05 | **Paged** the on-call |", EMPHASIS_MARKS + "|", " ") == "10:05 Paged the on-call"
