"""Word, PDF, reStructuredText and AsciiDoc files made by real tools (tests/formats/make.sh: pandoc,
Chromium) extract like their Markdown originals."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from ingest.normalise import NormaliseError, normalise
from ingest.normalise.docx import docx_html
from ingest.normalise.wikitext import looks_like_wikitext
from ingest.read import Source, read_file

from conftest import extraction_facts

FORMATS = Path(__file__).parent / "formats"
CONVERTED = sorted(p for p in FORMATS.iterdir() if p.suffix in (".docx", ".pdf", ".rst", ".adoc") and p.stem != "nested")
"""Converted corpus postmortems (nested.docx has its own Markdown original beside it)."""


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


def test_docx_nested_items_keep_their_parents_role_and_task_status():
    from ingest.pipeline import extract

    def items(path: Path) -> tuple[list, list]:
        incident = extract(normalise(read_file(path)))[0]
        return [(c["kind"], c["text"]) for c in incident["causes"]], [(a["text"], a["status"]) for a in incident["corrective_actions"]]

    causes, actions = items(FORMATS / "nested.docx")
    assert (causes, actions) == items(FORMATS / "nested.md")
    assert [kind for kind, _ in causes] == ["trigger"] * 3  # the nested items under "**Trigger:**"
    assert ("Rotate the leaked token", "done") in actions
    assert "\n  - Add an alert on sweeper throughput\n" in normalise(read_file(FORMATS / "nested.docx")).text


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


ASCIIDOC = """= PIR-7: Delayed tracking events
Platform Engineering
:revdate: 2025-02-24

NOTE: All times in this document are UTC.

== Timeline

[cols="1,5",options="header"]
|===
|Time (UTC) |Event

|18 Feb 06:12
|Broker 4 shuts down. Customer impact starts.

|08:05
|Producers succeed again.
|===

== Contributing factors

. *Change review did not look at capacity.* A retention change can multiply disk use.

== Action items

* Add a disk footprint estimate to topic change requests.
"""


def test_asciidoc_headings_header_attributes_tables_and_lists():
    document = normalise(Source("pir.adoc", text=ASCIIDOC, format_hint="asciidoc"))
    assert document.format == "asciidoc" and document.title == "PIR-7: Delayed tracking events"
    assert document.published_at.startswith("2025-02-24")
    assert "| 18 Feb 06:12 | Broker 4 shuts down. Customer impact starts. |" in document.text
    assert "1. **Change review did not look at capacity.**" in document.text and "[cols" not in document.text
    from ingest.pipeline import extract

    incident = extract(document)[0]
    assert [e["at"][:16] for e in incident["timeline"]] == ["2025-02-18T06:12", "2025-02-18T08:05"]
    assert [a["text"] for a in incident["corrective_actions"]] == ["Add a disk footprint estimate to topic change requests."]


RST = """==========================================
Postmortem: mirror downloads failing
==========================================

:Authors: Infra team
:Date: 2025-06-06

.. contents::
   :local:

Timeline
========

All times are UTC.

2025-06-03T02:41:19Z
    The new index is published on origin before the packages reach the mirrors.

2025-06-03T07:05:33Z
    Redirector switched to ``tier1-only`` mode; downloads work again.

Follow-ups
==========

* Make the stage order explicit in ``push-mirrors``.
"""


def test_rst_titles_docinfo_definition_list_timelines_and_literals():
    document = normalise(Source("pm.rst", text=RST, format_hint="rst"))
    assert document.format == "rst" and document.title == "Postmortem: mirror downloads failing"
    assert document.published_at.startswith("2025-06-06")
    assert "- 2025-06-03T02:41:19Z — The new index is published" in document.text
    assert "contents::" not in document.text and "``" not in document.text
    from ingest.pipeline import extract

    incident = extract(document)[0]
    assert [e["at"][:16] for e in incident["timeline"]] == ["2025-06-03T02:41", "2025-06-03T07:05"]
    assert [a["text"] for a in incident["corrective_actions"]] == ["Make the stage order explicit in push-mirrors."]


WIKITEXT = """{{Incident report
|status    = final
|published = 2025-05-09
}}
'''Search outage on the community wiki farm, 6 May 2025'''

== Summary ==
Between 09:14 and 10:02 UTC on 6 May 2025 search returned no results on every wiki.<ref>Measured at the load balancer.</ref>

== Timeline ==
''6 May 2025''
* 09:14 – Index alias switched to an empty index.
* 10:02 – Alias switched back; search works again.

== Action items ==
{| class="wikitable"
! Action !! Owner !! Status
|-
| Refuse an alias switch to an index with no documents || [[Team:Search|Search team]] || Done
|}

[[Category:Incidents]]
"""


@pytest.mark.parametrize("name, hint", [("search.wiki", "wikitext"), ("search.txt", None)])
def test_wikitext_headings_emphasis_lists_and_tables(name, hint):
    document = normalise(Source(name, text=WIKITEXT, format_hint=hint))
    assert document.format == "wikitext" and document.published_at.startswith("2025-05-09")
    assert "## Timeline" in document.text and "- 09:14 – Index alias" in document.text
    assert "| Refuse an alias switch to an index with no documents | Search team | Done |" in document.text
    assert "Category" not in document.text and "<ref>" not in document.text and "Measured at" not in document.text
    from ingest.pipeline import extract

    incident = extract(document)[0]
    assert {e["at"][:16] for e in incident["timeline"] if "T" in e["at"]} == {"2025-05-06T09:14", "2025-05-06T10:02"}
    assert [(a["text"], a["status"]) for a in incident["corrective_actions"]] == [("Refuse an alias switch to an index with no documents", "done")]


def test_two_equals_sign_lines_make_a_text_wikitext_but_one_does_not():
    assert looks_like_wikitext("== Summary ==\nIt broke.\n== Cause ==\nA disk.\n")
    assert not looks_like_wikitext("Summary\n=======\nIt broke.\n\n== Note ==\n")
