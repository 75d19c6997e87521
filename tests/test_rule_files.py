"""The rule files themselves: every file loads, says what it is for, and every regex in it
compiles; phrases are not listed twice; each section phrase names one role; zone names resolve."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from ingest import rules
from ingest.times import zone_offset

RULES = Path(rules.__file__).parent
JSON_FILES = sorted(p.name for p in RULES.glob("*.json"))


def _strings(value):
    """Every string in a rule file's data (keys excluded), with the path to it."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "_doc":
                yield from _strings(item)


@pytest.mark.parametrize("name", JSON_FILES)
def test_every_rule_file_loads_and_documents_itself(name):
    data = json.loads((RULES / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict) and len(data.get("_doc", "")) > 40


@pytest.mark.parametrize("name", [n for n in JSON_FILES if n not in ("timezones.json", "sections.json", "organization.json")])
def test_every_regex_in_a_rule_file_compiles(name):
    for pattern in _strings(rules.load_json(name)):
        re.compile(pattern)


@pytest.mark.parametrize("name", JSON_FILES)
def test_no_list_repeats_an_entry(name):
    def lists(value):
        if isinstance(value, list):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from lists(v)

    for entries in lists(rules.load_json(name)):
        plain = [json.dumps(e, sort_keys=True) for e in entries]
        assert len(plain) == len(set(plain)), [e for e in plain if plain.count(e) > 1][:3]


def test_each_section_phrase_names_one_role():
    roles = rules.sections()["roles"]
    seen: dict[str, str] = {}
    for role, phrases in roles.items():
        for phrase in phrases:
            assert phrase not in seen, f"{phrase!r} is both {seen[phrase]} and {role}"
            seen[phrase] = role
    assert set(rules.sections()["order"]) == set(roles)


def test_every_zone_name_has_an_offset():
    data = rules.timezones()
    on = datetime(2024, 1, 15, 12, 0)
    for name in [*data["fixed"], *data["named"]]:
        assert zone_offset(name, on) is not None, name


def test_organization_patterns_name_a_group():
    for pattern in rules.organization()["self_patterns"]:
        assert "NAME" in re.compile(pattern).groupindex


def test_status_families_name_known_statuses():
    data = rules.statuses()
    known = {"done", "in_progress", "planned", "unknown"}
    for family in ("markers", "tense", "imperative", "before_headings", "headings", "cell_words"):
        assert set(data[family]) <= known, family
    assert data["section_default"] in known


def test_every_category_has_display_labels_and_every_label_a_category():
    taxonomy = rules.taxonomy()
    named = set(taxonomy["categories"]) - {"unknown"}
    assert set(taxonomy["labels"]) == named
    assert all(label["phrase"] and label["noun"][0].isupper() for label in taxonomy["labels"].values())
