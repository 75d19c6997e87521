"""Seeded mutations of postmortem documents, as an adversarial user would send them.

``base_documents`` gathers what to mutate (the seeds, small Statuspage and Google Cloud
JSON documents built from the seeds, and ``../shared/corpus/docs`` when present);
``mutants`` yields ``count`` mutated ``(name, bytes, operations)`` triples, the same ones
for the same seed. Each operation is a pure function of a ``random.Random``, the bytes and
the pool of base documents.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Callable, Iterator

Base = tuple[str, bytes]
Mutation = Callable[[random.Random, bytes, list[Base]], bytes]

EDGE_DATES = [
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-05:00",
    "0001-01-01",
    "9999-12-31T23:59:59Z",
    "0000-00-00T00:00:00Z",
    "2024-02-30T10:00:00Z",
    "2024-13-01",
    "99999-01-01T00:00:00Z",
    "2024-01-01T24:61:00Z",
    "-0001-01-01",
]
"""Dates at, past or outside the edge of the calendar (and ``datetime``'s range)."""

TEXT_TIMES = [
    "0001-01-01 00:00 +14:00", "9999-12-31 23:59 UTC", "Dec 31, 9999 11:59 PM PST", "Jan 1, 0001 12:00 AM",
    "Feb 30, 2024 10:00 UTC", "24:61 UTC", "99:99", "2024-00-00", "Between 9999-12-31 23:00 and 00:30 UTC",
    "from 23:59 UTC+14 to 00:01 UTC-12", "at 10:00 UTC, 10:00 PST and 10:00", "year 10000", "12:00 PM 13:00 AM",
]
"""Time-shaped text at the edges: fed to the times stage, not the front matter."""

CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\u200b", "\ufffe"]

FRONT_MATTER = [
    "a: &a [*a]\n",
    "a: &a {b: *a}\n",
    'a: &a ["x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n'
    'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n'
    'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n',
    "title: " + "[" * 5000 + "]" * 5000 + "\n",
    "title: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
    "date: 0001-01-01T00:00:00+14:00\n",
    "date: 9999-12-31T23:59:59-05:00\n",
    "date: 0001-01-01\nresolvedWhen: 9999-12-31T23:59:59-05:00\nseverity: major\n",
    "date: [1, 2]\ntitle: {a: b}\nurl: 12\n",
    "title: 12\ndate: true\nseverity: [x]\nresolvedWhen: {}\n",
    "date: 2024-02-30\n",
    'title: "\\ud800 lone"\n',
    "!!python/object/apply:os.system ['echo hi']\n",
    "title: !!binary aGVsbG8=\ndate: !!timestamp 2024-01-01\n",
    "? [a, b]\n: c\n",
    "- just\n- a list\n",
    "title: x\n" * 20000,
]
"""Hostile YAML front matter: self-referencing and exponential anchors, deep nesting, edge dates, wrong types."""

TOML_FRONT_MATTER = [
    "date = 0001-01-01T00:00:00+14:00\n",
    "date = 9999-12-31T23:59:59-05:00\n",
    "date = 1979-05-27\ntitle = 5\n",
    "title = " + "[" * 3000 + "]" * 3000 + "\n",
    "date = [1, 2]\n[title]\na = 1\n",
]

WRONG_VALUES: list[object] = [None, 0, -1, 10**40, 1.5e308, float("nan"), True, "", "x" * 3, [], [1, [2]], {}, {"a": {"b": 1}}, *EDGE_DATES]
"""Values of the wrong type (or at the calendar's edge) for any JSON field."""


def seed_json_documents(seed_texts: list[str]) -> list[Base]:
    """A Statuspage and a Google Cloud incident document made from each seed text's paragraphs."""
    out: list[Base] = []
    for i, text in enumerate(seed_texts):
        paragraphs = [p for p in text.split("\n\n") if p.strip()][:6] or ["Errors were elevated."]
        updates = [
            {"status": status, "body": body, "display_at": f"2024-04-0{i + 1}T1{k}:00:00Z", "created_at": f"2024-04-0{i + 1}T1{k}:00:00Z"}
            for k, (status, body) in enumerate(zip(["investigating", "identified", "monitoring", "resolved", "update", "update"], paragraphs))
        ]
        statuspage = {"page": {"name": "Acme", "time_zone": "Etc/UTC"}, "incident": {"name": paragraphs[0][:80], "created_at": updates[0]["created_at"], "resolved_at": updates[-1]["created_at"], "incident_updates": updates}}
        gcp = {
            "begin": updates[0]["created_at"], "end": updates[-1]["created_at"], "external_desc": paragraphs[0][:80],
            "updates": [{"when": u["created_at"], "status": u["status"].upper(), "text": u["body"]} for u in updates],
        }
        out.append((f"statuspage-seed-{i}.json", json.dumps(statuspage, indent=1).encode()))
        out.append((f"gcp-seed-{i}.json", json.dumps(gcp, indent=1).encode()))
    return out


def base_documents(seeds: Path, corpus: Path | None = None) -> list[Base]:
    """The seeds, JSON documents made from them, and the corpus documents when ``corpus`` exists."""
    seed_paths = sorted(p for p in seeds.iterdir() if p.is_file())
    bases: list[Base] = [(p.name, p.read_bytes()) for p in seed_paths]
    bases += seed_json_documents([p.read_text(encoding="utf-8") for p in seed_paths])
    if corpus is not None and corpus.is_dir():
        bases += [(p.name, p.read_bytes()) for p in sorted(corpus.iterdir()) if p.is_file()]
    return bases


# --------------------------------------------------------------------------- byte and line mutations


def _at(rng: random.Random, data: bytes) -> int:
    return rng.randint(0, len(data))


def flip_bytes(rng: random.Random, data: bytes, pool: list[Base]) -> bytes:
    """Overwrite a few bytes with random ones."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 24)):
        if buf:
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def truncate(rng: random.Random, data: bytes, pool: list[Base]) -> bytes:
    """Cut the document anywhere, even inside a UTF-8 sequence."""
    return data[: _at(rng, data)]


def splice(rng: random.Random, data: bytes, pool: list[Base]) -> bytes:
    """This document's head on another document's tail."""
    other = rng.choice(pool)[1]
    return data[: _at(rng, data)] + other[_at(rng, other):]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def duplicate_lines(rng: random.Random, data: bytes, pool: list[Base]) -> bytes:
    """Repeat a stretch of lines, up to a hundred times."""
    lines = _lines(data)
    a = rng.randrange(len(lines))
    b = min(len(lines), a + rng.randint(1, 20))
    return b"\n".join(lines[:b] + lines[a:b] * rng.randint(1, 100) + lines[b:])


def shuffle_lines(rng: random.Random, data: bytes, pool: list[Base]) -> bytes:
    """Shuffle a stretch of lines."""
    lines = _lines(data)
    a = rng.randrange(len(lines))
    b = min(len(lines), a + rng.randint(2, 200))
    middle = lines[a:b]
    rng.shuffle(middle)
    return b"\n".join(lines[:a] + middle + lines[b:])


def long_line(rng: random.Random, data: bytes, pool: list[Base]) -> bytes:
    """Insert a line of up to 1 MiB: words, one unbroken run, or time-shaped noise."""
    size = rng.choice([4096, 65536, 1 << 20])
    unit = rng.choice([b"word ", b"x", b"10:00 ", b"| a ", b"- ", b"# ", b"2024-01-01 "])
    line = (unit * (size // len(unit) + 1))[:size]
    at = _at(rng, data)
    return data[:at] + b"\n" + line + b"\n" + data[at:]


def oversize(rng: random.Random, data: bytes, pool: list[Base]) -> bytes:
    """Repeat the document to near or past the 250,000 characters extracted, past spaCy's 1,000,000, or to 4 MB (under the 5 MiB read limit)."""
    target = rng.choice([240_000, 260_000, 1_000_001, 4_000_000])
    return (data + b"\n\n") * (target // (len(data) + 2) + 1)


def control_characters(rng: random.Random, data: bytes, pool: list[Base]) -> bytes:
    """Insert NUL, other C0/C1 controls, line and paragraph separators and stray BOMs."""
    text = data.decode("utf-8", "replace")
    for _ in range(rng.randint(1, 40)):
        at = rng.randint(0, len(text))
        text = text[:at] + rng.choice(CONTROL) * rng.randint(1, 3) + text[at:]
    return text.encode("utf-8")


def line_endings(rng: random.Random, data: bytes, pool: list[Base]) -> bytes:
    """Every line ending as CR, CRLF, or a mix."""
    style = rng.choice([b"\r", b"\r\n", b"mixed"])
    if style != b"mixed":
        return data.replace(b"\r\n", b"\n").replace(b"\n", style)
    return b"".join(line + rng.choice([b"\r", b"\r\n", b"\n", b"\n\r"]) for line in _lines(data))


def deep_nesting(rng: random.Random, data: bytes, pool: list[Base]) -> bytes:
    """Insert deeply nested lists, quotes, emphasis or brackets."""
    depth = rng.choice([50, 500, 5000])
    shape = rng.choice(["list", "quote", "emphasis", "brackets", "headings"])
    if shape == "list":
        block = b"".join(b"  " * d + b"- item 10:0%d\n" % (d % 10) for d in range(depth))
    elif shape == "quote":
        block = b"> " * depth + b"quoted at 10:00 UTC\n"
    elif shape == "emphasis":
        block = b"*_" * depth + b"text" + b"_*" * depth + b"\n"
    elif shape == "brackets":
        block = b"[" * depth + b"(" * depth + b"x" + b")" * depth + b"]" * depth + b"\n"
    else:
        block = b"#" * depth + b" heading\n"
    at = _at(rng, data)
    return data[:at] + b"\n" + block + data[at:]


def time_noise(rng: random.Random, data: bytes, pool: list[Base]) -> bytes:
    """Insert dates and times at the edge of the calendar into the text."""
    text = data.decode("utf-8", "replace")
    for _ in range(rng.randint(1, 8)):
        at = rng.randint(0, len(text))
        text = text[:at] + rng.choice(["\n- ", " ", "\n## ", "\n"]) + rng.choice(TEXT_TIMES) + " " + text[at:]
    return text.encode("utf-8")


def as_broken_html(rng: random.Random, data: bytes, pool: list[Base]) -> bytes:
    """Wrap the text in HTML, then break it: unclosed tags, stray closers, bad entities."""
    text = data.decode("utf-8", "replace")
    body = "".join(rng.choice(["<p>", "<li>", "<h2>", "<td>", "<div>", ""]) + line + rng.choice(["</p>", "", "</div>", "</li></ul>", "<br>"]) for line in text.split("\n"))
    breaks = ["<", "</", "<p", "&#xD800;", "&#0;", "&#99999999;", "&amp", "<script>", "<!--", "<![CDATA[", "<table><tr>", "</html>", "<body>"]
    for _ in range(rng.randint(1, 10)):
        at = rng.randint(0, len(body))
        body = body[:at] + rng.choice(breaks) + body[at:]
    return ("<html><head><title>T</title></head><body>" + body).encode("utf-8")


def reencode(rng: random.Random, data: bytes, pool: list[Base]) -> bytes:
    """The text in another encoding: Latin-1, Windows-1252, UTF-16 with a BOM, or UTF-8 with surrogates."""
    text = data.decode("utf-8", "replace")
    kind = rng.choice(["latin-1", "cp1252", "utf-16", "surrogates"])
    if kind == "surrogates":
        at = rng.randint(0, len(text))
        return (text[:at] + "\ud800x\udfff" + text[at:]).encode("utf-8", "surrogatepass")
    return text.encode(kind, "replace")


def hostile_front_matter(rng: random.Random, data: bytes, pool: list[Base]) -> bytes:
    """Put hostile YAML or TOML front matter before the body (replacing any there was)."""
    body = data.decode("utf-8", "replace")
    if body.startswith(("---\n", "+++\n")):
        fence = body[:3]
        end = body.find("\n" + fence, 4)
        body = body[end + 4:] if end > 0 else body
    if rng.random() < 0.25:
        return ("+++\n" + rng.choice(TOML_FRONT_MATTER) + "+++\n" + body).encode("utf-8")
    return ("---\n" + rng.choice(FRONT_MATTER) + "---\n" + body).encode("utf-8")


# --------------------------------------------------------------------------- JSON mutations


def _paths(value: object, prefix: tuple = ()) -> Iterator[tuple]:
    """Every path to a value inside parsed JSON."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _replace(value: object, path: tuple, new: object) -> object:
    if not path:
        return new
    head, rest = path[0], path[1:]
    value[head] = _replace(value[head], rest, new)  # type: ignore[index]
    return value


def json_wrong_types(rng: random.Random, data: bytes, pool: list[Base]) -> bytes:
    """Replace some fields of a JSON document with values of the wrong type, edge dates or lone surrogates."""
    try:
        value = json.loads(data)
        paths = list(_paths(value))[1:]
        for _ in range(rng.randint(1, 6)):
            if not paths:
                break
            path = rng.choice(paths)
            try:
                value = _replace(value, path, rng.choice([*WRONG_VALUES, "\ud800", "x\udfffy"]))
            except (KeyError, IndexError, TypeError):
                continue  # a parent was replaced already
            paths = list(_paths(value))[1:]
        return json.dumps(value, ensure_ascii=True).encode()  # \ud800 escapes survive as text
    except (ValueError, RecursionError):  # not JSON, or nested deeper than this mutation walks
        return data


MUTATIONS: dict[str, tuple[Mutation, float]] = {
    "flip_bytes": (flip_bytes, 1.0),
    "truncate": (truncate, 1.0),
    "splice": (splice, 1.0),
    "duplicate_lines": (duplicate_lines, 1.0),
    "shuffle_lines": (shuffle_lines, 1.0),
    "long_line": (long_line, 0.15),
    "oversize": (oversize, 0.03),
    "control_characters": (control_characters, 1.0),
    "line_endings": (line_endings, 0.7),
    "deep_nesting": (deep_nesting, 0.5),
    "time_noise": (time_noise, 1.0),
    "as_broken_html": (as_broken_html, 0.6),
    "reencode": (reencode, 0.6),
    "hostile_front_matter": (hostile_front_matter, 1.0),
    "json_wrong_types": (json_wrong_types, 1.0),
}
"""Each mutation and its relative weight (the slow, large ones are rarer)."""


def mutate(rng: random.Random, base: Base, pool: list[Base]) -> tuple[str, bytes, list[str]]:
    """One to three weighted mutations of ``base``; JSON documents get wrong types more often."""
    name, data = base
    names = list(MUTATIONS)
    weights = [MUTATIONS[n][1] * (4 if n == "json_wrong_types" and name.endswith(".json") else 1) for n in names]
    ops = rng.choices(names, weights=weights, k=rng.choice([1, 1, 2, 3]))
    for op in ops:
        data = MUTATIONS[op][0](rng, data, pool)
    if "as_broken_html" in ops and rng.random() < 0.7:
        name = name.rsplit(".", 1)[0] + ".html"
    return name, data, ops


def mutants(count: int, seed: int, bases: list[Base]) -> Iterator[tuple[str, bytes, list[str]]]:
    """``count`` mutated documents, the same ones for the same ``seed`` and bases."""
    rng = random.Random(seed)
    for _ in range(count):
        yield mutate(rng, rng.choice(bases), bases)
