"""Times and days written in words: clocks ("twenty past two in the afternoon", "a quarter to six",
"four o'clock") and ordinal days ("the fourth of February"), the scanner's patterns for them and
their values."""

from __future__ import annotations

import re

HOURS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
MINUTES = {"quarter": 15, "half": 30, "five": 5, "ten": 10, "twenty": 20, "twenty-five": 25, "twenty five": 25}
_NUMBERS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
COUNTED_MINUTES = {w: i + 1 for i, w in enumerate(_NUMBERS)} | {f"twenty-{w}": 21 + i for i, w in enumerate(_NUMBERS[:9])}
"""Minutes counted out before "minutes past" ("twelve minutes past six"); never before "to", where
"raised the threshold from two minutes to five" is a duration."""

_HOUR = "|".join(HOURS)
_COUNTED = "|".join(sorted(COUNTED_MINUTES, key=len, reverse=True))
_LEAD = ("at", "by", "from", "until", "till", "to", "around", "about", "before", "after", "since", "between", "and", "approximately", "roughly", "nearly", "almost", "just")
"""A spelled-out time is read only after one of these words ("at half past three", "by four
o'clock"): "from ten to twelve servers" is no time, and neither is "five past incidents"."""


def pattern() -> str:
    """The scanner alternative for a clock in words (groups ``wt``, ``wmin``, ``wrel``, ``wh``, ``wh2``, ``wdp``)."""
    return (
        r"(?P<wt>(?:(?P<wmin>(?:a\s+)?quarter|half|(?:" + _COUNTED + r")\s+minutes?(?=\s+(?:past|after)\b)|twenty[- ]five|twenty|five|ten)\s+(?P<wrel>past|after|to)\s+(?P<wh>" + _HOUR + r")"
        + r"|(?P<wh2>" + _HOUR + r")\s+o'clock)(?![\w'-])(?!\s+(?:people|percent|per|more|of|[a-z]+s)\b)(?:\s+(?:in\s+the|that|this|on\s+[a-z]+day)\s+(?P<wdp>morning|afternoon|evening|night))?)"
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
        words = re.sub(r"^a\s+", "", groups["wmin"].lower())
        counted = re.match(r"([a-z-]+)\s+minutes?$", words)
        minute = COUNTED_MINUTES[counted.group(1)] if counted else MINUTES[words.replace("-", " ").replace("twenty five", "twenty-five")]
        if groups["wrel"].lower() == "to":
            hour, minute = (hour - 1) or 12, 60 - minute
    part = (groups.get("wdp") or "").lower()
    ampm = "am" if part == "morning" else "pm" if part in ("afternoon", "evening") or (part == "night" and hour >= 6) else None
    return hour, minute, ampm


ANCHOR = re.compile(r"(?i)\b(?:quarter|half|twenty|ten|five)[- ](?:five\s+)?(?:past|after|to)\s+(?:" + _HOUR + r")\b|\bminutes?\s+(?:past|after)\s+(?:" + _HOUR + r")\b|o'clock")
"""Where a clock in words may be: the scanner, which searches only near digits, also searches here."""


_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
ORDINAL_DAYS = {w: i + 1 for i, w in enumerate(_UNITS + ["tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth"])}
ORDINAL_DAYS |= {f"twenty-{w}": 21 + i for i, w in enumerate(_UNITS)} | {f"twenty {w}": 21 + i for i, w in enumerate(_UNITS)}
ORDINAL_DAYS |= {"thirtieth": 30, "thirty-first": 31, "thirty first": 31}


def ordinal_pattern(month: str) -> str:
    """The scanner alternative for a day in words before its month ("the fourth of February",
    groups ``dwo``, ``dwn``, ``dwm``, ``dwy``); ``month`` is the scanner's month-name pattern."""
    words = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(ORDINAL_DAYS, key=len, reverse=True))
    return r"(?P<dwo>\bthe\s+(?P<dwn>" + words + r")\s+of\s+(?P<dwm>" + month + r")(?![a-z])(?:,?\s+(?P<dwy>(?:19|20)\d{2})(?!\d))?)"


def ordinal_day(word: str) -> int:
    """The day of the month an ordinal word names ("fourth" → 4)."""
    return ORDINAL_DAYS[re.sub(r"\s+", " ", word.lower()).replace("twenty ", "twenty-").replace("thirty ", "thirty-")]


ORDINAL_ANCHOR = re.compile(r"(?i)\bthe\s+(?:" + "|".join(sorted(ORDINAL_DAYS, key=len, reverse=True)).replace(" ", r"\s+") + r")\s+of\s+[a-z]")
"""Where a day in words may be, for the scanner, which searches only near digits."""
