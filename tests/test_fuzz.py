"""Hostile and broken input: a seeded mutation fuzzer over the seeds and the corpus, hypothesis
strategies for hostile front matter and JSON, and every distinct failure the fuzzer found kept
as a regression case.

Each document must end as extracted with the contract kept, or as a reader's one-line refusal:
never another exception, never a fact pointing at the wrong text. ``PMKB_FUZZ_N`` sets how many
mutated documents each fuzz test makes (300 by default; ``PMKB_FUZZ_SEED`` picks other ones).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile_run import contract_problems, outcome
from mutate import EDGE_DATES, FRONT_MATTER, base_documents, mutants

FUZZ_N = int(os.environ.get("PMKB_FUZZ_N", "300"))
FUZZ_SEED = int(os.environ.get("PMKB_FUZZ_SEED", "16"))
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
BODY = "# Outage\n\nAll times in UTC.\n\n## Timeline\n\n- 2024-03-05 10:00 Errors rose for all users.\n- 2024-03-05 10:45 We rolled back; errors ended.\n"


def assert_no_failure(cases) -> None:
    """Run every (name, bytes, ops) case; fail listing each one that was not kept or refused."""
    failures = []
    for name, data, ops in cases:
        result = outcome(name, data)
        if result.kind not in ("kept", "refused"):
            failures.append(f"{name} [{'+'.join(ops)}] {result.kind}: {result.detail}")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:20])


# --------------------------------------------------------------------------- the mutation fuzzer


def test_mutated_seeds(seeds_dir):
    """Runs in a user's clone too: the seeds and JSON documents made from them, mutated."""
    assert_no_failure(mutants(FUZZ_N, FUZZ_SEED, base_documents(seeds_dir)))


def test_mutated_corpus(seeds_dir, corpus_docs):
    bases = base_documents(seeds_dir, corpus_docs)
    assert len(bases) > 40
    assert_no_failure(mutants(FUZZ_N, FUZZ_SEED + 1, bases))


def test_the_fuzzer_is_seeded(seeds_dir):
    bases = base_documents(seeds_dir)
    first, again, other = (list(mutants(20, seed, bases)) for seed in (1, 1, 2))
    assert first == again and first != other


def test_the_contract_check_catches_each_kind_of_break():
    """The checker the fuzzer relies on can fail: each break it must see, seen."""
    text = "At 10:00 UTC errors rose.\n"
    evidence = {"text": "errors rose", "start": 13, "end": 24}
    good = {
        "document": {"published_at": None},
        "impact_windows": [{"start": "2024-01-01T10:00:00Z", "end": "2024-01-01T11:00:00Z", "evidence": evidence}],
        "timeline": [{"at": "2024-01-01T10:00:00Z", "timezone": "UTC", "evidence": evidence}],
        "causes": [],
        "corrective_actions": [],
    }
    assert contract_problems(text, [good]) == []
    breaks = [
        ("evidence", lambda i: i["timeline"][0].update(evidence={"text": "errors rose", "start": 12, "end": 23})),
        ("timezone", lambda i: i["timeline"][0].update(timezone=None)),
        ("timezone", lambda i: i["timeline"][0].update(at="2024-01-01T10:00:00", timezone="assumed")),
        ("mixes", lambda i: i["impact_windows"][0].update(end="2024-01-01T11:00:00")),
        ("after", lambda i: i["impact_windows"][0].update(start="2024-01-01T12:00:00Z")),
        ("UTF-8", lambda i: i["causes"].append({"text": "\ud800", "evidence": None})),
        ("ISO", lambda i: i["timeline"][0].update(at="10:00")),
    ]
    for word, spoil in breaks:
        incident = json.loads(json.dumps(good))
        spoil(incident)
        problems = contract_problems(text, [incident])
        assert problems and word in problems[0], (word, problems)


# --------------------------------------------------------------------------- hypothesis strategies

yaml_scalars = st.one_of(
    st.sampled_from(EDGE_DATES),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["true", "null", "~", "[]", "{}", "'\\ud800'", '"\\ud800"', "!!binary aGk=", "!!timestamp 0001-01-01", ".nan", ".inf"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20).map(json.dumps),
)


@st.composite
def yaml_front_matter(draw) -> str:
    """YAML front matter: known keys with hostile values, anchors and aliases, nesting, or a hostile fixture."""
    if draw(st.booleans()):
        return draw(st.sampled_from(FRONT_MATTER))
    lines = []
    for key in draw(st.lists(st.sampled_from(["title", "date", "resolvedWhen", "severity", "url", "organization", "tags"]), min_size=1, max_size=5)):
        shape = draw(st.sampled_from(["scalar", "anchor", "alias", "nested", "list"]))
        value = draw(yaml_scalars)
        if shape == "anchor":
            value = f"&{key} [{value}]"
        elif shape == "alias" and lines:
            anchors = draw(st.integers(1, 12))
            value = "[" + ", ".join(["*a0"] * anchors) + "]"
            lines.insert(0, "a0: &a0 [x, x, x, x, x, x, x, x]")
        elif shape == "nested":
            depth = draw(st.integers(1, 200))
            value = "[" * depth + value + "]" * depth
        elif shape == "list":
            value = "[" + ", ".join(draw(st.lists(yaml_scalars, max_size=4))) + "]"
        lines.append(f"{key}: {value}")
    return "\n".join(lines) + "\n"


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=12), st.sampled_from(EDGE_DATES), st.just("\ud800")),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)


@st.composite
def statuspage_json(draw) -> bytes:
    """A Statuspage or Google Cloud incident whose fields may hold any JSON value."""
    field = lambda default: draw(st.one_of(st.just(default), json_values))  # noqa: E731
    update = lambda: {"status": field("investigating"), "body": field("Errors at 10:00 UTC."), "display_at": field("2024-04-01T10:00:00Z"), "created_at": field("2024-04-01T10:00:00Z")}  # noqa: E731
    if draw(st.booleans()):
        incident = {"name": field("API errors"), "started_at": field("2024-04-01T10:00:00Z"), "resolved_at": field("2024-04-01T11:00:00Z"), "incident_updates": [update() for _ in range(draw(st.integers(1, 3)))]}
        payload = {"page": field({"name": "Acme", "time_zone": "Etc/UTC"}), "incident": incident}
    else:
        payload = {"begin": field("2024-04-01T10:00:00Z"), "end": field("2024-04-01T11:00:00Z"), "external_desc": field("API errors"), "updates": field([{"when": field("2024-04-01T10:00:00Z"), "text": field("Errors at 10:00 UTC.")}])}
    return json.dumps(payload).encode()


@SETTINGS
@given(yaml_front_matter(), st.sampled_from(["---", "+++"]))
def test_hostile_front_matter(front, fence):
    result = outcome("hostile.md", f"{fence}\n{front}{fence}\n{BODY}".encode("utf-8", "surrogatepass"), alarm=30)
    assert result.kind in ("kept", "refused"), result


@SETTINGS
@given(statuspage_json())
def test_hostile_json(data):
    result = outcome("hostile.json", data, alarm=30)
    assert result.kind in ("kept", "refused"), result


# --------------------------------------------------------------------------- through the ingest


@pytest.mark.slow
def test_ingest_stores_every_mutated_document_or_names_it_once(tmp_path, seeds_dir):
    """`pmkb ingest` over a folder of mutants: each is stored, or named once in one line that says
    what is wrong with it (never 'extraction failed', never a Python exception name)."""
    import re

    from click.testing import CliRunner

    from kb import store
    from pmkb.cli import cli

    folder = tmp_path / "mutants"
    folder.mkdir()
    names = []
    for i, (name, data, _) in enumerate(mutants(60, FUZZ_SEED + 2, base_documents(seeds_dir))):
        path = folder / f"{i:03d}-{name}"
        path.write_bytes(data)
        names.append(str(path))
    db_path = tmp_path / "kb.db"
    result = CliRunner().invoke(cli, ["ingest", "--db", str(db_path), "--json", "-p", "1", str(folder)])
    assert result.exit_code in (0, 1), result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    for line in summary["errors"]:
        assert "\n" not in line and "extraction failed" not in line and not re.search(r"\b[A-Z]\w*(?:Error|Exception)\b", line), line
    named = {line.split(": ", 1)[0] for line in summary["errors"]}
    db = store.open_db(db_path, migrate=False)
    stored = {Path(r["source"]).name for r in db.query("select source from documents")}
    assert summary["skipped"] == len(named) == len(summary["errors"])
    assert summary["new"] + summary["unchanged"] + summary["skipped"] == len(names)
    assert {Path(n).name for n in named} | stored == {Path(n).name for n in names}
    assert store.integrity_problems(db) == []
