"""Time zones as postmortems write them: the names in ``rules/timezones.json`` (fixed offsets,
zone pairs such as PST/PDT, IANA names), their offset on a given day, how a converted time is
labelled, and a text's own statement of the zone its times are in ("All times in UTC")."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from . import rules


@lru_cache(maxsize=1)
def city_zones() -> dict[str, str]:
    """Every city of the IANA database as written ("Lisbon", "Sao Paulo") → its zone, less the rules'
    ``not_cities`` (region names, and names that are also words)."""
    data = rules.timezones()
    regions, excluded = set(data["city_regions"]), set(data["not_cities"])
    out: dict[str, str] = {}
    for zone in sorted(available_timezones()):
        region, _, city = zone.partition("/")
        if region in regions and city and "/" not in city and city not in excluded:
            out.setdefault(city.replace("_", " "), zone)
    return out


@lru_cache(maxsize=1)
def country_zones() -> dict[str, str]:
    """Every country the IANA database gives a single zone, by its name there ("Nepal" →
    Asia/Kathmandu), for "Nepal time"; names with a qualifier ("Korea (South)") are left out."""
    from importlib.resources import files

    try:
        folder = files("tzdata").joinpath("zoneinfo")
        names = _tab_rows(folder.joinpath("iso3166.tab").read_text(encoding="utf-8"))
        zones = _tab_rows(folder.joinpath("zone.tab").read_text(encoding="utf-8"))
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return {}
    per_country: dict[str, list[str]] = {}
    for row in zones:
        if len(row) >= 3:
            per_country.setdefault(row[0], []).append(row[2])
    excluded = set(rules.timezones()["not_cities"])
    return {row[1]: per_country[row[0]][0] for row in names if len(row) >= 2 and len(per_country.get(row[0], [])) == 1 and re.fullmatch(r"[A-Z][a-z]+(?: [A-Z][a-z]+)?", row[1]) and row[1] not in excluded}


def _tab_rows(text: str) -> list[list[str]]:
    """The tab-separated rows of a tz database table, comments left out."""
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def city_pattern() -> str:
    """A regex alternation of the IANA city names, as capitalised in the database ("Lisbon")."""
    names = sorted(city_zones(), key=len, reverse=True)
    return r"(?=[A-Z])(?:" + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names) + r")"


@lru_cache(maxsize=1)
def zone_pattern() -> str:
    """A regex alternation of every zone name in the rules (abbreviations case-sensitive), and
    "<City> time" for the cities of the IANA database ("Lisbon time")."""
    data = rules.timezones()
    names = sorted(set(data["fixed"]) | set(data["named"]), key=len, reverse=True)
    long_names = [re.escape(n).replace(r"\ ", r"\s+") for n in names if len(n) > 4 or "/" in n]
    short = [re.escape(n) for n in names if not (len(n) > 4 or "/" in n) and n != "Z"]
    # a bare ±HH:MM offset only right after seconds: "17:39-18:12" is a range
    offset = r"(?:UTC|GMT)\s?[+\-−]\s?\d{1,2}(?::?\d{2})?|(?:(?<=\d:\d\d:\d\d)|(?<=\.\d\d\d)|(?<=\.\d{6}))[+-]\d{2}:?\d{2}(?!\d)"
    countries = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(country_zones(), key=len, reverse=True))
    places = city_pattern() + (r"|(?=[A-Z])(?:" + countries + ")" if countries else "")
    city = r"(?=[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2}\s+[Tt]ime\b)(?:" + places + r")\s+[Tt]ime"  # the cities and countries tried only before "time"
    return r"(?:" + offset + r"|(?i:" + "|".join(long_names) + r")|" + city + "|" + "|".join(short) + r"|(?<=\d)Z)(?![A-Za-z0-9/])"


@lru_cache(maxsize=1)
def zone_regex() -> re.Pattern:
    """``zone_pattern`` compiled: zone names and offsets anywhere in a text."""
    return re.compile(zone_pattern())


@lru_cache(maxsize=1)
def header_zone_pattern() -> re.Pattern:
    """Statements that set a zone for the whole text: "All times in UTC", "Time (CET)", "Timeline (UTC)"."""
    zone = zone_pattern()
    return re.compile(
        r"(?i:(?:all\s+)?(?:times?|timings?|timestamps?|dates?(?:\s+and\s+times?)?|hours|timeline|chronology|(?:sequence\s+of\s+|key\s+)?events)\s+(?:(?:in|of|throughout)\s+this\s+(?:report|post|document|update|page|timeline|write-?up|ticket|issue|email|notice|note|article|thread|message|review|postmortem|post-mortem|letter|log)\s+)?(?:are\s+|is\s+|listed\s+|shown\s+|given\s+|below\s+|here\s+|mentioned\s+|quoted\s+|stated\s+)*(?:in\s+|as\s+)?(?:the\s+)?(?:[A-Z][a-z]+\s+time,?\s+(?:i\.e\.,?\s+|that\s+is,?\s+|or\s+))?)[*_]{0,2}\(?(?P<zone>" + zone + r")\)?"
    )


def zone_offset(name: str, on: datetime) -> timedelta | None:
    """The UTC offset of a zone name on a given local date-time, or None if unknown."""
    name = re.sub(r"\s+", " ", name.strip().upper().replace("−", "-"))
    data = rules.timezones()
    if name in data["fixed"]:
        return timedelta(minutes=data["fixed"][name])
    if name in data["named"]:
        return ZoneInfo(data["named"][name]).utcoffset(on)
    city = _places_upper().get(re.sub(r" TIME$", "", name))
    if city:
        return ZoneInfo(city).utcoffset(on)
    if "/" in name:
        try:
            return ZoneInfo(_iana_case(name)).utcoffset(on)
        except (KeyError, ValueError, OSError):
            return None
    match = re.fullmatch(r"(?:UTC|GMT)?\s?([+-])\s?(\d{1,2})(?::?(\d{2}))?", name)
    if match:
        minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
        return timedelta(minutes=minutes if match.group(1) == "+" else -minutes)
    return None


@lru_cache(maxsize=1)
def _places_upper() -> dict[str, str]:
    """``city_zones`` and ``country_zones`` keyed by the upper-cased name, for lookup."""
    return {name.upper(): zone for name, zone in {**country_zones(), **city_zones()}.items()}


def _iana_case(name: str) -> str:
    """'AMERICA/NEW_YORK' → 'America/New_York' (IANA names are case-sensitive)."""
    return "/".join("_".join(w.capitalize() if w.upper() not in ("UTC", "GMT", "UCT") else w.upper() for w in part.split("_")) for part in name.split("/"))


def zone_label(name: str | None) -> str | None:
    """How a zone is shown on a timeline event: ``UTC`` or ``PST→UTC``."""
    if name is None:
        return None
    upper = name.upper()
    if upper in ("UTC", "GMT", "Z", "UCT", "ZULU", "+00:00", "+0000", "UTC+0", "GMT+0"):
        return "UTC"
    return f"{name}→UTC"


@lru_cache(maxsize=1)
def _pairs() -> dict[str, str]:
    """Each abbreviation of a daylight-saving pair ("CET", "CEST") → the pair's name ("CET/CEST")."""
    out: dict[str, str] = {}
    for name in rules.timezones()["named"]:
        halves = name.split("/")
        if len(halves) == 2 and all(h in rules.timezones()["fixed"] for h in halves):
            for half in halves:
                out.setdefault(half, name)
    return out


def pair_half(zone: str | None) -> bool:
    """Whether a zone is one half of a daylight-saving pair (CET of CET/CEST, EDT of EST/EDT)."""
    return (zone or "") in _pairs()


def seasonal_zone(zone: str | None, named: set[str]) -> str | None:
    """The zone pair ("CET/CEST", which follows daylight saving) for a text's zone when the text also
    names the pair's other half (winter CET and summer CEST in one report), else the zone itself."""
    pair = _pairs().get(zone or "")
    if pair and any(half != zone and half in named for half in pair.split("/")):
        return pair
    return zone


def find_header_zone(text: str) -> tuple[str | None, int]:
    """The zone a text declares for all its times, and where it says so (or None, -1)."""
    match = header_zone_pattern().search(text)
    if match:
        return re.sub(r"\s+", " ", match.group("zone")).upper(), match.start()
    return None, -1


def zone_readings(text: str) -> dict[str, str]:
    """Abbreviations this text means otherwise than the rules' fixed offset, and the IANA zone it
    means ("IST" in a text about Ireland → Europe/Dublin), from the rules' ``ambiguous`` hints."""
    out: dict[str, str] = {}
    lowered = None
    for abbreviation, readings in rules.timezones()["ambiguous"].items():
        if abbreviation.startswith("_") or abbreviation not in text or not re.search(rf"\b{abbreviation}\b", text):
            continue
        lowered = lowered or text.lower()
        for reading in readings:
            if any(re.search(rf"\b{re.escape(hint)}\b", lowered) for hint in reading["hints"]):
                out[abbreviation] = reading["zone"].upper()
                break
    return out
