"""Word and PDF files made by real tools (tests/formats/make.sh: pandoc, Chromium) extract like their Markdown originals."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from ingest.normalise import NormaliseError, normalise
from ingest.normalise.docx import docx_html
from ingest.read import Source, read_file

from conftest import extraction_facts

FORMATS = Path(__file__).parent / "formats"
CONVERTED = sorted(p for p in FORMATS.iterdir() if p.suffix in (".docx", ".pdf"))


@pytest.mark.parametrize("converted", CONVERTED, ids=lambda p: p.name)
def test_converted_document_extracts_like_its_markdown_original(converted, corpus_docs):
    original = corpus_docs / (converted.stem + ".md")
    assert extraction_facts(converted) == extraction_facts(original)


@pytest.mark.parametrize("converted", CONVERTED, ids=lambda p: p.name)
def test_evidence_points_into_the_stored_text(converted):
    from ingest.pipeline import extract

    document = normalise(read_file(converted))
    incident = extract(document)[0]
    spans = [item["evidence"] for key in ("timeline", "causes", "corrective_actions") for item in incident[key] if item.get("evidence")]
    assert spans
    for span in spans:
        assert document.text[span["start"]:span["end"]] == span["text"]


def test_pdf_keeps_headings_list_items_and_table_rows_apart():
    text = normalise(read_file(FORMATS / "dfds-2021-08-26-traefik-v2-ingress-outage.pdf")).text
    assert "\n## Timeline\n" in text
    assert "\n| 2021-08-26 08:22 | AWS Load Balancers were updated to route requests to the new Traefik v2 reverse proxy. |\n" in text
    assert "\n- Unreasonable long detection time caused complete loss of online bookings for a bit over 1 hour.\n" in text


def test_docx_keeps_headings_and_list_items():
    document = normalise(read_file(FORMATS / "2i2c-2025-07-11-cloudbank-health-check-fail.docx"))
    assert document.format == "docx"
    assert document.title.startswith("Incident report July 11 2025")
    assert "\n### 1:06 PM\n" in document.text
    assert "\n- Engineer notices PagerDuty alerts for health-check failures come in.\n" in document.text


def test_docx_leaves_out_comments_headers_footers_and_deletions():
    document = normalise(read_file(FORMATS / "bad" / "edited.docx"))
    assert "Kept sentence" in document.text and "inserted words" in document.text
    for hidden in ("REVIEWER COMMENT", "deleted words", "HEADER TEXT", "FOOTER TEXT"):
        assert hidden not in document.text


def test_docx_checkboxes_and_bold_lead_ins():
    markup = '<ul><li><input type="checkbox" checked="checked" />Rotate keys</li><li><input type="checkbox" />Add alert</li></ul><p><strong>Root cause:</strong> a bad deploy.</p>'
    assert docx_html(markup) == "<ul><li>[x] Rotate keys</li><li>[ ] Add alert</li></ul><p>**Root cause:** a bad deploy.</p>"


@pytest.mark.parametrize(
    "name, reason",
    [
        ("protected.docx", "password-protected"),
        ("truncated.docx", "truncated or corrupt .docx"),
        ("scan.pdf", "no text layer"),
        ("protected.pdf", "encrypted PDF"),
    ],
)
def test_bad_files_get_one_clear_line(name, reason):
    with pytest.raises(NormaliseError) as caught:
        normalise(read_file(FORMATS / "bad" / name))
    message = str(caught.value)
    assert message.startswith(str(FORMATS / "bad" / name) + ": ") and reason in message
    assert "\n" not in message and "Traceback" not in message


def test_a_docx_that_unpacks_too_large_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (8 * 1024 * 1024))
    with pytest.raises(NormaliseError, match="zip bomb"):
        normalise(Source("bomb.docx", data=buffer.getvalue(), format_hint="docx"))


def test_binary_formats_are_sniffed_without_a_suffix():
    data = (FORMATS / "posthog-2024-02-28-feature-flags-decide-down.docx").read_bytes()
    assert normalise(Source("<stdin>", data=data)).format == "docx"
    data = (FORMATS / "posthog-2024-02-28-feature-flags-decide-down.pdf").read_bytes()
    assert normalise(Source("<stdin>", data=data)).format == "pdf"
