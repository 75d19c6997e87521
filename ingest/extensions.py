"""The Doc extensions pmkb's components share, registered once, and the helpers that read them.

``doc._.pmkb_blocks`` (segment blocks), ``doc._.pmkb_meta`` (what the document
says about itself), ``doc._.pmkb_times`` (resolved time mentions) and
``doc._.pmkb_result`` (the extraction results every component adds to).
"""

from __future__ import annotations

from spacy.tokens import Doc

EXTENSIONS = ("pmkb_blocks", "pmkb_meta", "pmkb_times", "pmkb_result")


def ensure_extensions() -> None:
    """Register the Doc extensions pmkb components use (idempotent)."""
    for attr in EXTENSIONS:
        if not Doc.has_extension(attr):
            Doc.set_extension(attr, default=None)


def result_of(doc: Doc) -> dict:
    """The extraction results a Doc carries (``doc._.pmkb_result``), created empty on first use."""
    if doc._.pmkb_result is None:
        doc._.pmkb_result = {}
    return doc._.pmkb_result


def text_of(doc: Doc) -> str:
    """A Doc's text, built once (``Doc.text`` joins every token on each access)."""
    cached = doc.user_data.get("pmkb_text")
    if cached is None:
        cached = doc.text
        doc.user_data["pmkb_text"] = cached
    return cached


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """(start_char, end_char) of every sentence, computed once per Doc (``Span.sents`` rescans the Doc)."""
    cached = doc.user_data.get("pmkb_sentence_spans")
    if cached is None:
        cached = [(sent.start_char, sent.end_char) for sent in doc.sents] if len(doc) else []
        doc.user_data["pmkb_sentence_spans"] = cached
    return cached
