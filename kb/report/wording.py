"""The report's words: cause categories as phrases and nouns, quality flags as labels and explanations."""

from __future__ import annotations

from functools import lru_cache


def category_phrase(category: str) -> str:
    """A cause category in words, for '<phrase> in N of M incidents' (``labels`` in ``taxonomy.json``)."""
    label = _labels().get(category)
    return label["phrase"] if label else f"{category} was among the causes"


def category_noun(category: str) -> str:
    """A cause category as a plural noun ("Software bugs"), for sentences about category-and-component pairs."""
    label = _labels().get(category)
    return label["noun"] if label else category


@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[str, str]]:
    from ingest import rules

    return rules.taxonomy()["labels"]


FLAG_TEXT = {
    "timezone-missing": ("No time zone", "Times are given without a time zone, so they are stored as local times and may be hours off."),
    "list-announced-but-missing": ("Announced list missing", "The text announces a list (of actions, causes or events) whose items are not in the document."),
    "no-impact-window": ("No impact window", "No period of customer impact could be established, so impact duration is unknown."),
    "bad-metadata": ("Bad metadata", "A metadata field (front matter or manifest) could not be used, so it was dropped; the detail names it."),
    "timezone-conflict": ("Conflicting time zones", "The document labels its times with time zones that contradict each other."),
    "ambiguous-12h-clock": ("Ambiguous 12-hour clock", "Some times use a 12-hour clock without AM/PM, or disagree with one."),
    "no-times": ("No times", "The document states no times at all, so no timeline could be built."),
    "markdown-flattened": ("Structure flattened", "Headings and lists were flattened into running text and had to be recovered."),
    "no-cause-category": ("No cause category", "No cause could be assigned a category."),
}
"""Quality flags: short label and what it means for the reader."""

FLAG_ORDER = ("timezone-missing", "list-announced-but-missing", "no-impact-window")
"""Flags the data-quality section lists first."""

NARROW_HINT = "Narrow the report by organization, category or date to see others."
"""What a note on a capped list tells the reader to do."""
