"""Evidence highlighting: a document's text with each evidence span wrapped in ``<mark>``.

Spans may overlap or coincide (a timeline event often quotes the same
sentence as an impact window). Overlaps are nested where they nest and split
where they cross: a span that is still open when an inner one has to close is
closed and reopened around it, so the HTML is always well formed. The first
piece of every span carries its anchor id; the pieces after it carry
``data-ref`` pointing back to that id. All text is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

KINDS = ("window", "timeline", "cause", "action")
"""What a span can support, in legend order."""


@dataclass(frozen=True)
class Span:
    """One piece of evidence: ``text[start:end]`` supports a row of ``kind``."""

    start: int
    end: int
    kind: str
    row_id: int
    title: str = ""

    @property
    def anchor(self) -> str:
        """The id of the span's first ``<mark>``: ``ev-<kind>-<row id>``."""
        return f"ev-{self.kind}-{self.row_id}"


def usable_spans(spans: list[Span], length: int) -> list[Span]:
    """Spans clipped to ``[0, length]``, without empty or inverted ones."""
    kept = []
    for span in spans:
        start, end = max(0, span.start), min(length, span.end)
        if start < end:
            kept.append(Span(start, end, span.kind, span.row_id, span.title))
    return kept


def _open_tag(span: Span, first: bool) -> str:
    ref = f'id="{span.anchor}"' if first else f'data-ref="{span.anchor}"'
    title = f' title="{escape(span.title)}"' if span.title else ""
    return f'<mark class="ev ev-{escape(span.kind)}" {ref}{title}>'


def highlight(text: str, spans: list[Span]) -> Markup:
    """``text`` escaped, with every span wrapped in properly nested ``<mark>`` elements."""
    spans = usable_spans(spans, len(text))
    # Longer spans open first so that they enclose the shorter ones starting with them.
    order = sorted(range(len(spans)), key=lambda i: (spans[i].start, -spans[i].end, KINDS.index(spans[i].kind) if spans[i].kind in KINDS else len(KINDS), spans[i].row_id))
    starts: dict[int, list[int]] = {}
    for i in order:
        starts.setdefault(spans[i].start, []).append(i)
    boundaries = sorted({0, len(text)} | {s.start for s in spans} | {s.end for s in spans})
    out: list[str] = []
    stack: list[int] = []
    opened: set[int] = set()
    for position, following in zip(boundaries, boundaries[1:] + [None]):
        closing = [i for i in stack if spans[i].end == position]
        if closing:
            # Close down to the deepest span that ends here, then reopen the survivors.
            depth = min(stack.index(i) for i in closing)
            survivors = [i for i in stack[depth:] if spans[i].end != position]
            out.append("</mark>" * (len(stack) - depth))
            del stack[depth:]
            for i in survivors:
                out.append(_open_tag(spans[i], first=False))
                stack.append(i)
        for i in starts.get(position, []):
            out.append(_open_tag(spans[i], first=i not in opened))
            opened.add(i)
            stack.append(i)
        if following is not None:
            out.append(str(escape(text[position:following])))
    out.append("</mark>" * len(stack))
    return Markup("".join(out))
