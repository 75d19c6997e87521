"""One hostile document through read → normalise → extract, and what came of it.

``outcome(name, data)`` classifies a document as ``kept`` (extracted, contract held),
``broken`` (extracted, but the output breaks the contract: ``contract_problems`` says how),
``refused`` (a reader's one-line error), ``internal`` (any other exception) or ``hang``
(over the alarm). ``python tests/hostile_run.py N [SEED]`` fuzzes N mutated documents
and prints the table of outcomes, with how many took over 5 s.
"""

from __future__ import annotations

import io
import json
import re
import signal
import sys
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime

ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}Z?)?")
EXCEPTION_NAME = re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception)\b")
ALLOWED_CONTROLS = {"\n", "\t"}
SLOW_SECONDS = 5.0


@dataclass
class Outcome:
    """What one document came to: its kind, a one-line detail and the seconds it took."""

    kind: str
    detail: str
    seconds: float


class Hang(Exception):
    """The document overran the alarm."""


def _utc_aware(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if "T" in value else datetime.fromisoformat(value + "T00:00")


def _utf8_problem(label: str, value: object) -> str | None:
    try:
        json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError) as exc:
        return f"{label} does not encode as UTF-8 JSON ({type(exc).__name__})"
    return None


def text_problems(text: str) -> list[str]:
    """What is wrong with a stored text: control characters other than newline and tab."""
    bad = sorted({ch for ch in text if unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROLS})
    return [f"stored text holds control characters {[hex(ord(c)) for c in bad]}"] if bad else []


def contract_problems(text: str, incidents: list[dict]) -> list[str]:
    """Every way the extraction of a document whose stored text is ``text`` breaks the contract."""
    problems: list[str] = []
    if not incidents:
        problems.append("no incident")
    for label, value in (("output", incidents), ("stored text", text)):
        problem = _utf8_problem(label, value)
        if problem:
            problems.append(problem)
    for n, incident in enumerate(incidents):
        for key in ("impact_windows", "timeline", "causes", "corrective_actions"):
            for item in incident[key]:
                evidence = item.get("evidence")
                if evidence is None:
                    continue
                start, end = evidence["start"], evidence["end"]
                if not (0 <= start <= end <= len(text)) or text[start:end] != evidence["text"]:
                    problems.append(f"incident {n} {key}: evidence {start}-{end} is not the stored text there")
        for event in incident["timeline"]:
            at = event["at"]
            if not (isinstance(at, str) and ISO.fullmatch(at)):
                problems.append(f"incident {n} timeline: {at!r} is not ISO 8601")
            elif at.endswith("Z") != (event["timezone"] is not None):
                problems.append(f"incident {n} timeline: {at} with timezone {event['timezone']!r}")
        windows = incident["impact_windows"]
        for window in windows:
            start, end = window["start"], window["end"]
            if not (isinstance(start, str) and isinstance(end, str) and ISO.fullmatch(start) and ISO.fullmatch(end)):
                problems.append(f"incident {n} window: {start!r} to {end!r} is not ISO 8601")
            elif "T" in start and "T" in end and start.endswith("Z") != end.endswith("Z"):  # a date-only end has no zone
                problems.append(f"incident {n} window: {start} to {end} mixes zone conventions")
            elif _utc_aware(start.rstrip("Z")) > _utc_aware(end.rstrip("Z")):
                problems.append(f"incident {n} window: {start} after {end}")
        starts = [w["start"].rstrip("Z") for w in windows if isinstance(w["start"], str)]
        if starts != sorted(starts):
            problems.append(f"incident {n}: windows out of order {starts[:4]}")
        stamps = [e["at"].rstrip("Z") for e in incident["timeline"] if isinstance(e["at"], str)]
        if stamps != sorted(stamps):
            problems.append(f"incident {n}: timeline out of order")
        published = incident["document"]["published_at"]
        if published is not None and not ISO.fullmatch(published):
            problems.append(f"incident {n}: published_at {published!r} is not ISO 8601")
    return problems


def _on_alarm(signum, frame):
    raise Hang()


def outcome(name: str, data: bytes, alarm: int = 60) -> Outcome:
    """Read, normalise and extract one document (from memory, as stdin is read) and classify the result."""
    from ingest.normalise import normalise
    from ingest.pipeline import extract
    from ingest.read import ReadError, read_stream

    began = time.perf_counter()
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(alarm)
    try:
        source = read_stream(io.BytesIO(data), name=name)  # the format from the name's suffix, as for a file
        document = normalise(source)
        incidents = extract(document)
    except ReadError as exc:
        reason = str(exc)
        kind = "broken" if ("\n" in reason or EXCEPTION_NAME.search(reason)) else "refused"
        return Outcome(kind, reason[:300], time.perf_counter() - began)
    except Hang:
        return Outcome("hang", f"over {alarm} s", time.perf_counter() - began)
    except Exception as exc:  # noqa: BLE001 - an internal error is what the fuzzer looks for
        return Outcome("internal", f"{type(exc).__name__}: {str(exc)[:200]}", time.perf_counter() - began)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    problems = contract_problems(document.text, incidents) + text_problems(document.text)
    for label in ("title", "organization", "original_url", "published_at"):
        problem = _utf8_problem(label, getattr(document, label))
        if problem:
            problems.append(problem)
    seconds = time.perf_counter() - began
    return Outcome("broken", "; ".join(problems[:3]), seconds) if problems else Outcome("kept", "", seconds)


def main(argv: list[str]) -> int:
    """Fuzz ``argv[1]`` documents (seed ``argv[2]``) and print the table of outcomes."""
    from collections import Counter
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from mutate import base_documents, mutants

    root = Path(__file__).resolve().parents[1]
    count, seed = int(argv[1]), int(argv[2]) if len(argv) > 2 else 16
    bases = base_documents(root / "seeds", root.parent / "shared" / "corpus" / "docs")
    kinds: Counter[str] = Counter()
    details: Counter[str] = Counter()
    slow, slowest = 0, 0.0
    for i, (name, data, ops) in enumerate(mutants(count, seed, bases)):
        result = outcome(name, data)
        kinds[result.kind] += 1
        slow += result.seconds > SLOW_SECONDS
        slowest = max(slowest, result.seconds)
        if result.kind != "kept":
            reason = result.detail.split(": ", 1)[-1] if result.kind == "refused" else result.detail
            details[f"{result.kind}: {re.sub(r'[0-9][0-9,.]*', 'N', reason)[:100]}"] += 1
        if result.kind in ("broken", "internal", "hang") or result.seconds > SLOW_SECONDS / 2:
            print(f"#{i} {name} {'+'.join(ops)} {len(data):,} bytes {result.seconds:.2f} s {result.kind}: {result.detail[:200]}", file=sys.stderr)
    print(f"| outcome | count |\n|---|---:|")
    for kind, label in (("kept", "extracted, contract kept"), ("broken", "extracted, but the contract broken"), ("refused", "refused with a named reason"), ("internal", "internal error"), ("hang", "over the 60 s alarm")):
        print(f"| {label} | {kinds[kind]:,} |")
    print(f"| slower than {SLOW_SECONDS:g} s | {slow:,} (slowest {slowest:.2f} s) |")
    for detail, n in details.most_common(30):
        print(f"{n:6d}  {detail}")
    return 1 if (kinds["broken"] or kinds["internal"] or kinds["hang"] or slow) else 0


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    raise SystemExit(main(sys.argv))
