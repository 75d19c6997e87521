"""Clock times written in words ("twenty past two in the afternoon", "a quarter to six", "four
o'clock"): the scanner's pattern for them and their hour and minute."""

from __future__ import annotations

import re

HOURS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
MINUTES = {"quarter": 15, "half": 30, "five": 5, "ten": 10, "twenty": 20, "twenty-five": 25, "twenty five": 25}

_HOUR = "|".join(HOURS)
_LEAD = ("at", "by", "from", "until", "till", "to", "around", "about", "before", "after", "since", "between", "and", "approximately", "roughly", "nearly", "almost", "just")
"""A spelled-out time is read only after one of these words ("at half past three", "by four
o'clock"): "from ten to twelve servers" is no time, and neither is "five past incidents"."""


def pattern() -> str:
    """The scanner alternative for a clock in words (groups ``wt``, ``wmin``, ``wrel``, ``wh``, ``wh2``, ``wdp``)."""
    return (
        r"(?P<wt>(?:(?P<wmin>(?:a\s+)?quarter|half|twenty[- ]five|twenty|five|ten)\s+(?P<wrel>past|after|to)\s+(?P<wh>" + _HOUR + r")"
        + r"|(?P<wh2>" + _HOUR + r")\s+o'clock)(?![\w'-])(?!\s+(?:people|percent|per|more|of|[a-z]+s)\b)(?:\s+(?:in\s+the|that|this)\s+(?P<wdp>morning|afternoon|evening|night))?)"
    )


_LEAD_BEFORE = re.compile(r"(?i)\b(?:" + "|".join(_LEAD) + r")\s+$")


def led_in(text: str, start: int) -> bool:
    """Whether the clock in words at ``start`` follows one of the words that lead a time."""
    return bool(_LEAD_BEFORE.search(text, max(0, start - 16), start))


def clock(groups: dict) -> tuple[int, int, str | None]:
    """Hour (1-12), minute and "am"/"pm" (from "in the afternoon", else None) of a matched clock in words."""
    if groups.get("wh2"):
        hour, minute = HOURS[groups["wh2"].lower()], 0
    else:
        hour = HOURS[groups["wh"].lower()]
        minute = MINUTES[re.sub(r"^a\s+", "", groups["wmin"].lower()).replace("-", " ").replace("twenty five", "twenty-five")]
        if groups["wrel"].lower() == "to":
            hour, minute = (hour - 1) or 12, 60 - minute
    part = (groups.get("wdp") or "").lower()
    ampm = "am" if part == "morning" else "pm" if part in ("afternoon", "evening") or (part == "night" and hour >= 6) else None
    return hour, minute, ampm


ANCHOR = re.compile(r"(?i)\b(?:quarter|half|twenty|ten|five)[- ](?:five\s+)?(?:past|after|to)\s+(?:" + _HOUR + r")\b|o'clock")
"""Where a clock in words may be: the scanner, which searches only near digits, also searches here."""
