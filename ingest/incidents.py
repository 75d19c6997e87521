"""Step 4f, incidents: split a document that reports several incidents into one result each.

A document reports several incidents when a run of sibling headings each
names a dated incident ("### October 21, 2025 - Redis Overload", "## Incident 2:
…") and each such section states times of its own. Windows, events, causes
and actions found inside a section belong to that incident; what the shared
sections say (summary, common root-cause analysis, remediation) stays with the
first incident, which is flagged so. Metrics, categories and components are
then worked out per incident.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from . import classify, metrics
from .segment import Block, text_of, result_of
from .headings import is_incident_heading


def incident_sections(text: str, blocks: list[Block], mentions: list) -> list[tuple[int, int, str]]:
    """(start, end, title) of each incident section, or [] when the text reports one incident."""
    headings = [b for b in blocks if b.kind == "heading"]
    best: list[tuple[int, int, str]] = []
    for level in sorted({h.level for h in headings}):
        run: list[Block] = []
        runs: list[list[Block]] = []
        for h in headings:
            if h.level < level:
                if len(run) >= 2:
                    runs.append(run)
                run = []
            elif h.level == level:
                if is_incident_heading(text[h.start:h.end]):
                    run.append(h)
                else:
                    if len(run) >= 2:
                        runs.append(run)
                    run = []
        if len(run) >= 2:
            runs.append(run)
        for run in runs:
            sections = []
            for i, h in enumerate(run):
                end = _section_end(headings, h, run[i + 1] if i + 1 < len(run) else None, len(text))
                timed = any(h.end <= m.start < end and m.has_clock for m in mentions)
                sections.append((h.start, end, text[h.start:h.end].strip(), timed))
            if sum(1 for s in sections if s[3]) >= 2 and len(sections) > len(best):
                best = [(s, e, t) for s, e, t, _ in sections]
        if best:
            return best
    return best


def _section_end(headings: list[Block], heading: Block, next_sibling: Block | None, text_end: int) -> int:
    if next_sibling is not None:
        return next_sibling.start
    for h in headings:
        if h.start > heading.start and h.level <= heading.level:
            return h.start
    return text_end


def split_result(doc: Doc, result: dict, sections: list[tuple[int, int, str]]) -> list[dict]:
    """One result dict per incident section; shared items go with the first."""
    text = text_of(doc)
    meta = doc._.pmkb_meta or {}

    def owner(item: dict) -> int:
        evidence = item.get("evidence")
        if not evidence:
            return 0
        for index, (s, e, _) in enumerate(sections):
            if s <= evidence["start"] < e:
                return index
        return 0

    parts = [{"title": title, "timeline": [], "impact_windows": [], "causes": [], "corrective_actions": []} for _, _, title in sections]
    for key in ("timeline", "impact_windows", "causes", "corrective_actions"):
        for item in result.get(key, []):
            parts[owner(item)][key].append(item)
    summary = classify._summary_text(doc)
    for index, (part, (s, e, title)) in enumerate(zip(parts, sections)):
        section_text = text[s:e]
        m = metrics.metrics(part["impact_windows"], part["timeline"], section_text)
        m["rules"]["windows"] = result.get("metrics", {}).get("rules", {}).get("windows")
        part["metrics"] = m
        part["categories"] = classify.incident_categories(part["causes"], summary, section_text)
        part["components"] = classify.incident_components(part["causes"], title, section_text)
        flags = list(result.get("quality_flags", []))
        if index == 0:
            flags.append({"flag": "shared-analysis", "detail": f"the document reports {len(sections)} incidents; causes and actions stated for all of them are stored with this one"})
        part["quality_flags"] = flags
    return parts


@Language.factory("pmkb_incidents", assigns=["doc._.pmkb_result"], requires=["doc._.pmkb_result", "doc._.pmkb_blocks", "doc._.pmkb_times"])
def make_incidents(nlp: Language, name: str) -> "IncidentsComponent":
    """Split ``doc._.pmkb_result`` into ``doc._.pmkb_result['incidents']`` (one entry per reported incident)."""
    return IncidentsComponent()


class IncidentsComponent:
    """Sets ``doc._.pmkb_result['incidents']``: a list of per-incident results (one item for most documents)."""

    def __call__(self, doc: Doc) -> Doc:
        result = result_of(doc)
        sections = incident_sections(text_of(doc), doc._.pmkb_blocks or [], doc._.pmkb_times or [])
        if len(sections) >= 2:
            result["incidents"] = split_result(doc, result, sections)
        else:
            single = {k: result.get(k) for k in ("timeline", "impact_windows", "causes", "corrective_actions", "metrics", "categories", "components", "quality_flags")}
            single["title"] = None
            result["incidents"] = [single]
        return doc
