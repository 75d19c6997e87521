"""The extraction pipeline: a blank English spaCy pipeline plus pmkb's own components.

``build_nlp()`` assembles, in order: a ``span_ruler`` of cue phrases from
``rules/*.jsonl``, ``pmkb_structure`` (blocks and sentence starts),
``pmkb_times``, ``pmkb_timeline``, ``pmkb_causes``,
``pmkb_actions``, ``pmkb_roles`` (only with a trained sentence-role model: see
``roles.configured_model``) and ``pmkb_classify``. ``extract()`` runs it over a normalised
document, one Doc per incident part, and returns the extraction contract.
"""

from __future__ import annotations

import multiprocessing
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import spacy
from spacy.language import Language

from . import actions, causes, classify, incidents, roles, rules, segment, timeline, times  # noqa: F401  (register factories)
from .document import Document, Part
from .normalise import normalise
from .organization import find_organization, respell_title
from .read import ReadError, Source, read_file
from .workers import DEFAULT_TIME_BUDGET, Failed, WorkerPool

@lru_cache(maxsize=1)
def extractor_version() -> str:
    """A short hash of the extraction code and rule files (everything under ``ingest/``) and of
    the sentence-role model in use, if any:
    any change to what extraction can output changes it, so ``pmkb ingest --reextract``
    redoes the documents stored by another version."""
    import hashlib

    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".json", ".jsonl", ".cfg", ".txt")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    model = roles.configured_model()
    if model is not None:  # a sentence-role model changes extraction as much as a rule file
        digest.update(roles.model_fingerprint(model).encode())
    return digest.hexdigest()[:12]


def __getattr__(name: str):
    """``EXTRACTOR_VERSION``, computed on first use (reading files is no import-time work)."""
    if name == "EXTRACTOR_VERSION":
        return extractor_version()
    raise AttributeError(name)


class LongRunTokenizer:
    """spaCy's tokenizer, except that a run of over 256 characters without a space becomes
    256-character tokens (the stock tokenizer strips affixes one by one: quadratic on such runs).

    The Doc keeps the text it was made from, for ``segment.text_of``."""

    run = re.compile(r"\S{257,}")

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str):
        doc = self._tokenize(text)
        doc.user_data["pmkb_text"] = text  # what segment.text_of would rebuild token by token
        return doc

    def _tokenize(self, text: str):
        if not self.run.search(text):
            return self.tokenizer(text)
        from spacy.tokens import Doc

        words: list[str] = []
        spaces: list[bool] = []
        pos = 0
        for match in [*self.run.finditer(text), None]:
            end = match.start() if match else len(text)
            if end > pos:
                for token in self.tokenizer(text[pos:end]):
                    words.append(token.text)
                    spaces.append(bool(token.whitespace_))
            if match:
                words.extend(text[i:min(i + 256, match.end())] for i in range(match.start(), match.end(), 256))
                spaces.extend(False for _ in range(match.start(), match.end(), 256))
                pos = match.end()
        return Doc(self.tokenizer.vocab, words=words, spaces=spaces)


def drop_whitespace_special_cases(tokenizer) -> None:
    """Remove the tokenizer's special cases for whitespace ("\\n", "\\t", " ", no-break space).

    They tokenise exactly as without them, but every newline token then goes
    through the special-case matcher and a Python-level retokenise: more than
    half of tokenising a postmortem, which has a newline every few words.
    """
    tokenizer.rules = {k: v for k, v in tokenizer.rules.items() if k.strip() and not any(ch.isspace() for ch in k)}


MAX_TEXT_CHARS = 500_000
"""Longest normalised text extracted (``nlp.max_length``). Extraction is linear, about 2.5 s per
million characters on an idle core and twice that on a busy one, so this keeps every document
under 5 s; the longest document of the corpus has 43,000 characters."""


def build_nlp() -> Language:
    """A fresh pipeline: blank English tokenizer, cue ruler and pmkb components."""
    nlp = spacy.blank("en")
    nlp.max_length = MAX_TEXT_CHARS
    drop_whitespace_special_cases(nlp.tokenizer)
    nlp.tokenizer = LongRunTokenizer(nlp.tokenizer)
    # first, so that its few thousand phrase patterns go through the tokenizer alone
    ruler = nlp.add_pipe("span_ruler", name="cue_ruler", config={"spans_key": "cues", "phrase_matcher_attr": "LOWER", "validate": True})
    ruler.add_patterns(rules.ruler_patterns("cause_cues.jsonl", "action_cues.jsonl"))
    nlp.add_pipe("pmkb_structure")
    nlp.add_pipe("pmkb_times")
    nlp.add_pipe("pmkb_timeline")
    nlp.add_pipe("pmkb_causes")
    nlp.add_pipe("pmkb_actions")
    model = roles.configured_model()
    if model is not None:
        nlp.add_pipe("pmkb_roles", config={"model": str(model)})
    nlp.add_pipe("pmkb_classify")
    nlp.add_pipe("pmkb_incidents")
    return nlp


@lru_cache(maxsize=1)
def shared_nlp() -> Language:
    """One pipeline per process, built on first use."""
    return build_nlp()


class TextTooLong(ReadError):
    """A normalised text longer than the pipeline's ``max_length``: refused in one line, before spaCy's own error."""


def check_length(nlp: Language, document: Document) -> None:
    """Refuse a document whose text is longer than ``nlp.max_length`` characters (``MAX_TEXT_CHARS``)."""
    if len(document.text) > nlp.max_length:
        raise TextTooLong(document.source, f"text too long to extract: {len(document.text):,} characters after normalising, over the {nlp.max_length:,} supported (split the document)")


def part_docs(nlp: Language, document: Document) -> list[tuple[Part, object]]:
    """One unprocessed Doc per incident part of a normalised document, with its metadata."""
    segment.ensure_extensions()
    check_length(nlp, document)
    parts = document.parts or [Part(0, len(document.text), title=document.title)]
    out = []
    for part in parts:
        doc = nlp.make_doc(document.text[part.start:part.end])
        doc._.pmkb_meta = {
            "published_at": document.published_at,
            "started_at": part.started_at,
            "resolved_at": part.resolved_at,
            "title": part.title or document.title,
            "flags": list(document.flags),
            "offset": part.start,
            "filename_date": filename_date(document.source),
            "default_zone": document.meta.get("default_zone"),
            "skip_spans": [(s - part.start, e - part.start) for s, e in document.meta.get("skip_spans", [])],
        }
        out.append((part, doc))
    return out


def filename_date(source: str) -> str | None:
    """A YYYY-MM-DD date in a source's file name (postmortem files are often named by incident date)."""
    match = re.search(r"(?<!\d)((?:19|20)\d{2})-([01]\d)-([0-3]\d)(?!\d)", Path(source).name)
    return "-".join(match.groups()) if match else None


def extract(document: Document, nlp: Language | None = None) -> list[dict]:
    """The extraction contract for a normalised document: one dict per incident."""
    nlp = nlp or shared_nlp()
    incidents = []
    for part, doc in part_docs(nlp, document):
        for _, proc in nlp.pipeline:
            doc = proc(doc)
        incidents.extend(contracts(document, part, doc))
    return incidents


def fork_pool(processes: int, budget: float | None = DEFAULT_TIME_BUDGET) -> WorkerPool | None:
    """A pool of up to ``processes`` forked workers that inherit this process's built pipeline, end
    when it dies, and give each document ``budget`` seconds; None where ``fork`` is not available."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    shared_nlp()  # build before forking, so workers inherit it instead of rebuilding it
    extract(normalised(Source("warm-up.md", text="# Warm-up\n\nOn 2024-01-05 from 10:00 to 10:30 UTC the API failed.\n")))
    return WorkerPool(processes, budget)  # ...and the caches a first document fills, which would count against its budget


def extract_many(
    documents: Iterable[Document], nlp: Language | None = None, batch_size: int = 32, processes: int = 1
) -> Iterator[tuple[Document, list[dict]]]:
    """Extract many documents in order, streaming Docs through ``nlp.pipe`` in batches.

    With ``processes`` > 1 (and the ``fork`` start method available), that many
    forked workers share the work, each inheriting the parent's built pipeline
    (``nlp`` must then be None). Forking pays for itself only over a few dozen
    documents or more. Errors propagate, as with one process.
    """
    pool = fork_pool(processes, budget=None) if nlp is None and processes > 1 else None
    if pool is not None:
        with pool:
            documents = list(documents)
            for document, result in zip(documents, pool.run(_extract_pair, documents)):
                if isinstance(result, Failed):
                    raise RuntimeError(f"{document.source}: {result.reason}")
                yield result
        return
    nlp = nlp or shared_nlp()

    def docs():
        for document in documents:
            pairs = part_docs(nlp, document)
            for i, (part, doc) in enumerate(pairs):
                doc.user_data["pmkb_ctx"] = (document, part, i, len(pairs))
                yield doc

    pending: list[dict] = []
    for doc in nlp.pipe(docs(), batch_size=batch_size):
        document, part, i, n = doc.user_data.pop("pmkb_ctx")
        pending.extend(contracts(document, part, doc))
        if i == n - 1:
            yield document, pending
            pending = []


def _extract_pair(document: Document) -> tuple[Document, list[dict]]:
    return document, extract(document)


def extract_path(path: str | Path) -> list[dict]:
    """Read, normalise and extract one file (what ``pmkb extract`` does)."""
    return extract(normalised(read_file(Path(path))))


def normalised(source: Source) -> Document:
    """``normalise(source)``, refusing (ReadError) a document with no text besides its metadata (front matter only)."""
    document = normalise(source)
    if not document.text.strip():
        raise ReadError(source.name, "no text besides its front matter or metadata")
    return document


def _shift(evidence: dict | None, offset: int) -> dict | None:
    if evidence is None or not offset:
        return evidence
    return {"text": evidence["text"], "start": evidence["start"] + offset, "end": evidence["end"] + offset}


def contracts(document: Document, part: Part, doc) -> list[dict]:
    """The contract dicts of every incident a processed part reports."""
    results = (doc._.pmkb_result or {}).get("incidents") or [doc._.pmkb_result or {}]
    return [_contract(document, part, result) for result in results]


@lru_cache(maxsize=8)
def _organization(text: str, source: str, declared: str | None, url: str | None) -> str | None:
    """The document's organization, once per document however many incidents it reports."""
    if url is None and re.match(r"(?i)https?://", source or ""):
        url = source
    return find_organization(text, source, declared, url)


def _contract(document: Document, part: Part, result: dict) -> dict:
    """Shape one incident's extraction as the JSON contract (offsets into the whole text)."""
    offset = part.start
    organization = _organization(document.text, document.source, document.organization, document.original_url)
    title = result.get("title") or part.title or document.title
    if title and re.search(r"\d{4}-\d{2}-\d{2}$", title):
        title = respell_title(title, organization)  # a title made from the file name

    def strip(items: list[dict], keys: tuple[str, ...]) -> list[dict]:
        out = []
        for item in items:
            row = {k: item.get(k) for k in keys}
            row["evidence"] = _shift(item.get("evidence"), offset)
            out.append(row)
        return out

    return {
        "document": {
            "title": title,
            "organization": organization,
            "published_at": document.published_at,
            "format": document.format,
            "sha256": document.sha256,
            "source": document.source,
        },
        "impact_windows": strip(result.get("impact_windows", []), ("start", "end", "duration_minutes", "label")),
        "timeline": strip(result.get("timeline", []), ("at", "precision", "timezone", "kind", "text")),
        "causes": strip(result.get("causes", []), ("kind", "category", "text")),
        "corrective_actions": strip(result.get("corrective_actions", []), ("text", "status")),
        "categories": result.get("categories", []),
        "components": result.get("components", []),
        "quality_flags": result.get("quality_flags", []),
        "metrics": result.get("metrics", {}),
    }
