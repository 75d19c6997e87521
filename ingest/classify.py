"""Step 4e, classify: cause categories, components and quality flags of an incident.

Categories and components come from the lexicons in ``rules/taxonomy.json``
(one regex list per label), applied to the cause statements (categories) and
to causes, title and summary (components). Quality flags record what the text
itself gets wrong: lists announced but missing, no zone, guessed am/pm,
mistyped years, conflicting zones, no times at all.
"""

from __future__ import annotations

import re
from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc

from .segment import text_of, result_of
from . import rules


def categorise(text: str) -> list[str]:
    """The cause categories whose lexicon matches ``text``, in taxonomy order."""
    text = text.lower()
    return [label for label, rx in rules.compiled_lexicon("taxonomy.json", "categories").items() if rx.search(text)]


def category_of(text: str) -> str:
    """The single best category for one cause statement (most lexicon hits), or unknown."""
    text = text.lower()
    hits = {label: len(rx.findall(text)) for label, rx in rules.compiled_lexicon("taxonomy.json", "categories").items()}
    top = max(hits.values(), default=0)
    if not top:
        return "unknown"
    order = rules.taxonomy()["tie_break"]
    return min((label for label, n in hits.items() if n == top), key=order.index)


def components_in(text: str, min_hits: int = 1) -> list[str]:
    """Components whose lexicon matches ``text`` at least ``min_hits`` times."""
    out = []
    text = text.lower()
    for label, rx in rules.compiled_lexicon("taxonomy.json", "components").items():
        if len(rx.findall(text)) >= min_hits:
            out.append(label)
    return out


def incident_categories(causes: list[dict], summary: str, text: str = "", title: str = "") -> list[str]:
    """Incident-level categories: those of its causes (or, when no cause names one, of its
    title and summary), plus ``remediation`` when the text says the response made it worse;
    else unknown."""
    found: list[str] = []
    for cause in causes:
        for label in categorise(cause["text"]):
            if label not in found:
                found.append(label)
    if not found:
        found = [label for label in categorise(f"{title}\n{summary}") if label != "remediation"]
    remediation = rules.compiled_lexicon("taxonomy.json", "categories").get("remediation")
    if remediation is not None and "remediation" not in found and remediation.search(text.lower()):
        found.append("remediation")
    order = list(rules.taxonomy()["categories"])
    return sorted(found, key=order.index) if found else ["unknown"]


COMPONENT_WEIGHTS = {"causes": 2, "title": 2, "summary": 1}
"""How much a lexicon hit counts, by where it is found."""
COMPONENT_MIN_SCORE = 2
COMPONENT_MAX = 3


def component_scores(causes: list[dict], title: str, summary: str) -> dict[str, int]:
    """Weighted lexicon hits per component over causes, title and summary."""
    sources = {"causes": " ".join(c["text"] for c in causes).lower(), "title": (title or "").lower(), "summary": (summary or "").lower()}
    scores: dict[str, int] = {}
    for label, rx in rules.compiled_lexicon("taxonomy.json", "components").items():
        score = sum(COMPONENT_WEIGHTS[name] * len(rx.findall(text)) for name, text in sources.items())
        if score:
            scores[label] = score
    return scores


def incident_components(causes: list[dict], title: str, summary: str, min_score: int = COMPONENT_MIN_SCORE, most: int = COMPONENT_MAX) -> list[str]:
    """Incident-level components: the best-scoring few (at most ``most``), each scoring ``min_score``
    (named in a cause or the title, or twice in the summary)."""
    scores = component_scores(causes, title, summary)
    kept = [label for label, score in sorted(scores.items(), key=lambda kv: -kv[1]) if score >= min_score][:most]
    order = list(rules.taxonomy()["components"])
    return sorted(kept, key=order.index)


def announced_but_missing(doc: Doc) -> list[str]:
    """Sentences that end with a colon announcing a list (or code, or a quote) that never comes."""
    blocks = doc._.pmkb_blocks or []
    text = text_of(doc)
    missing = []
    for i, block in enumerate(blocks):
        if block.kind != "paragraph":
            continue
        lines = text[block.start:block.end].split("\n")
        for k, line in enumerate(lines):
            line = line.rstrip()
            if not line.endswith(":"):
                continue
            if k == len(lines) - 1:
                nxt = blocks[i + 1] if i + 1 < len(blocks) else None
                if nxt is not None and (nxt.kind in ("item", "row", "header_row", "code") or text[nxt.start:nxt.end].lstrip()[:1] in "->*•|"):
                    continue
            elif lines[k + 1].lstrip()[:1] in "->*•|" or re.match(r"\s*\d+[.)]\s", lines[k + 1]):
                continue
            last_sentence = re.split(r"(?<=[.!?])\s+", line)[-1]
            if len(last_sentence.split()) >= 4:
                missing.append(last_sentence)
    return missing


def time_flags(doc: Doc) -> list[tuple[str, str]]:
    """Flags raised while resolving times, one per kind, with a count."""
    counts: Counter = Counter()
    examples: dict[str, str] = {}
    for m in doc._.pmkb_times or []:
        for flag in m.flags:
            counts[flag] += 1
            examples.setdefault(flag, m.text)
    out = []
    for flag in ("timezone-missing", "timezone-conflict", "ambiguous-12h-clock", "date-typo"):
        if counts[flag]:
            out.append((flag, f"{counts[flag]} time(s), e.g. {examples[flag]!r}"))
    if not any(m.has_clock for m in doc._.pmkb_times or []):
        out.append(("no-times", "the text states no clock time"))
    return out


@Language.factory(
    "pmkb_classify",
    assigns=["doc._.pmkb_result"],
    requires=["doc._.pmkb_result", "doc._.pmkb_blocks", "doc._.pmkb_times"],
    default_config={"component_min_score": COMPONENT_MIN_SCORE, "component_max": COMPONENT_MAX},
)
def make_classify(nlp: Language, name: str, component_min_score: int, component_max: int) -> "ClassifyComponent":
    """Add categories, components and quality flags to ``doc._.pmkb_result``."""
    return ClassifyComponent(component_min_score, component_max)


class ClassifyComponent:
    """Adds ``categories``, ``components`` and ``quality_flags``; categorises each cause."""

    def __init__(self, component_min_score: int = COMPONENT_MIN_SCORE, component_max: int = COMPONENT_MAX) -> None:
        self.component_min_score = component_min_score
        self.component_max = component_max

    def __call__(self, doc: Doc) -> Doc:
        result = result_of(doc)
        meta = doc._.pmkb_meta or {}
        causes = result.get("causes", [])
        for cause in causes:
            cause["category"] = category_of(cause["text"])
        summary = _summary_text(doc)
        title = meta.get("title") or ""
        result["categories"] = incident_categories(causes, summary, text_of(doc), title)
        result["components"] = incident_components(causes, title, summary, self.component_min_score, self.component_max)
        flags = [(f, d) for f, d in meta.get("flags", [])]
        for sentence in announced_but_missing(doc):
            flags.append(("list-announced-but-missing", sentence))
        flags.extend(time_flags(doc))
        result["quality_flags"] = [{"flag": f, "detail": d} for f, d in flags]
        return doc


def _summary_text(doc: Doc) -> str:
    text = text_of(doc)
    parts = [text[b.start:b.end] for b in (doc._.pmkb_blocks or []) if b.role in ("summary", "impact") and b.kind != "code"]
    if not parts:
        parts = [text[:1500]]
    return " ".join(parts)[:5000]
