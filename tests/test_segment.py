"""Segment: section roles from headings in every shape postmortems use, and one block per item."""

from __future__ import annotations

import pytest

from ingest.normalise import normalise
from ingest.pipeline import extract
from ingest.read import source_from_bytes
from ingest.segment import normalise_heading, section_role, segment_text

ROLE_HEADINGS = [
    ("Root cause", "root_cause"),
    ("In short", "summary"),
    ("The short version", "summary"),
    ("At a glance", "summary"),
    ("Root Causes", "root_cause"),
    ("Root Cause Analysis", "root_cause"),
    ("Trigger", "trigger"),
    ("Contributing factors", "contributing"),
    ("What went wrong", "root_cause"),
    ("Why did this happen?", "root_cause"),
    ("Resolution", "resolution"),
    ("Action items", "actions"),
    ("Follow-up", "actions"),
    ("Next steps", "actions"),
    ("Corrective and preventative measures", "actions"),
    ("Remediation and prevention", "actions"),
    ("Immediate Actions (Completed)", "actions"),
    ("Lessons learned", "lessons"),
    ("Timeline", "timeline"),
    ("Impact", "impact"),
    ("Summary", "summary"),
]


def roles(text: str) -> list[tuple[str, str | None, str]]:
    """(kind, role, content) of every block."""
    return [(b.kind, b.role, text[b.start:b.end]) for b in segment_text(text)]


def role_of(text: str, content: str) -> str | None:
    """The role of the block whose content is ``content``."""
    return next(role for _, role, c in roles(text) if c == content)


@pytest.mark.parametrize("heading, role", ROLE_HEADINGS)
def test_section_role_of_a_heading(heading, role):
    assert section_role(heading) == role


@pytest.mark.parametrize("heading", ["## 3. Root Cause", "**Root cause:**", "II. Root cause", "[Root cause](#root-cause)"])
def test_section_role_ignores_numbering_markup_and_links(heading):
    assert section_role(heading) == "root_cause"


@pytest.mark.parametrize("heading", ["Our database cluster", "Why we love Postgres and what we learned building a queue on it for years", ""])
def test_headings_that_name_no_section_have_no_role(heading):
    assert section_role(heading) is None


def test_normalise_heading_strips_markup_numbers_and_trailing_parentheses():
    assert normalise_heading("## 2.1 **Timeline** (UTC):") == "timeline"


@pytest.mark.parametrize("heading, role", [(h, r) for h, r in ROLE_HEADINGS if r != "summary"])
def test_markdown_heading_gives_its_section_to_the_paragraph_below(heading, role):
    text = f"# Outage\n\n## {heading}\n\nThe replica ran out of disk space.\n"
    assert role_of(text, "The replica ran out of disk space.") == role


@pytest.mark.parametrize("heading, role", [("Root cause", "root_cause"), ("Action items", "actions"), ("Lessons learned", "lessons")])
def test_bold_line_heading(heading, role):
    text = f"# Outage\n\n**{heading}**\n\n- The replica ran out of disk space.\n"
    assert role_of(text, "The replica ran out of disk space.") == role


@pytest.mark.parametrize("underline", ["-------", "======="])
def test_setext_heading(underline):
    text = f"Outage\n\nContributing factors\n{underline}\n\nThe replica ran out of disk space.\n"
    assert role_of(text, "The replica ran out of disk space.") == "contributing"


def test_plain_label_line_heading():
    text = "Outage report\n\nNext steps:\n\n- Add an alert on replica disk usage.\n"
    assert role_of(text, "Add an alert on replica disk usage.") == "actions"


def test_bold_inline_label_sets_the_role_of_its_paragraph_and_is_cut_from_it():
    text = "# Outage\n\n**Root cause:** The replica ran out of disk space.\n\nCustomers saw errors.\n"
    blocks = segment_text(text)
    labelled = next(b for b in blocks if b.label == "Root cause")
    assert labelled.role == "root_cause"
    assert text[labelled.start:labelled.end] == "The replica ran out of disk space."
    assert role_of(text, "Customers saw errors.") is None


def test_plain_inline_label_sets_the_role_of_its_item():
    text = "# Outage\n\n- Trigger: A config push removed the default route.\n- Impact: Customers saw errors.\n"
    assert role_of(text, "A config push removed the default route.") == "trigger"
    assert role_of(text, "Customers saw errors.") == "impact"


def test_labelled_parent_item_passes_its_role_to_nested_items():
    text = "# Outage\n\n- Review actions: two remain open.\n  - Add an alert on replica disk usage.\n  - Document the failover.\n- Customers saw errors.\n"
    assert role_of(text, "Add an alert on replica disk usage.") == "actions"
    assert role_of(text, "Document the failover.") == "actions"
    assert role_of(text, "Customers saw errors.") is None


def test_bare_label_parent_item_passes_its_role_to_nested_items():
    text = "# Outage\n\n- Action items:\n  - Add an alert on replica disk usage.\n"
    assert role_of(text, "Add an alert on replica disk usage.") == "actions"


def test_a_section_ends_at_the_next_heading_of_its_level():
    text = "# Outage\n\n## Root cause\n\n### Storage layer\n\nThe disk filled.\n\n## Customer communication\n\nWe were lucky.\n"
    assert role_of(text, "The disk filled.") == "root_cause"
    assert role_of(text, "We were lucky.") is None


def test_day_heading_keeps_the_timeline_role():
    text = "# Outage\n\n## Timeline\n\n## May 13\n\n- 00:20 We restarted the brokers.\n"
    assert role_of(text, "00:20 We restarted the brokers.") == "timeline"


def test_a_numbered_whys_heading_after_the_timeline_is_a_cause_section_not_a_day():
    text = "# Outage\n\n## Timeline\n\n- 09:00 Disk full\n\n## 5 Whys\n\n- Why did the disk fill? The log rotation job was removed.\n"
    assert role_of(text, "Why did the disk fill? The log rotation job was removed.") == "root_cause"


@pytest.mark.parametrize(
    "heading, role",
    [("WHAT WE'RE DOING ABOUT IT", "actions"), ("WHEN EACH SERVICE WAS AFFECTED", "impact"), ("ROOT CAUSE", "root_cause"), ("COMPENSATION", None)],
)
def test_a_line_in_capitals_is_a_plain_text_heading(heading, role):
    text = f"Service notice\n\nThe portal was down on Friday.\n\n{heading}\n\nThe team restarted the portal servers.\n"
    assert role_of(text, "The team restarted the portal servers.") == role
    assert any(b.kind == "heading" and text[b.start:b.end] == heading for b in segment_text(text))


def test_a_section_name_on_its_own_line_heads_the_text_right_below_it():
    text = "Postmortem\n\nSummary\nThe portal was down for an hour.\n\nFollow-up actions\n1. Add a login check.\n2. Page on error rate.\n"
    assert role_of(text, "The portal was down for an hour.") == "summary"
    assert role_of(text, "Add a login check.") == "actions"


@pytest.mark.parametrize("heading", ["WHY DID THIS HAPPEN?", "Why did this happen?", "Why did it happen?"])
def test_a_heading_asking_why_is_a_cause_section(heading):
    text = f"Incident summary\n\n{heading}\n\nThe service account password expired.\n"
    assert role_of(text, "The service account password expired.") == "root_cause"


def test_a_short_capitalised_word_inside_prose_is_no_heading():
    text = "Service notice\n\nThe portal was down.\n\nUTC\n\nThe team restarted it.\n"
    assert not any(b.kind == "heading" and text[b.start:b.end] == "UTC" for b in segment_text(text))


def test_one_block_per_bullet_row_and_paragraph():
    text = (
        "# Outage\n\n## Root cause\n\n"
        "- The disk filled.\n- The alert was muted.\n* Nobody was on call.\n1. The runbook was stale.\n\n"
        "| # | Factor |\n|---|---|\n| 1 | Retries doubled the load. |\n| 2 | The pool was too small. |\n\n"
        "A paragraph that wraps\nonto a second line.\n"
    )
    blocks = segment_text(text)
    assert [b.kind for b in blocks if b.kind == "item"] == ["item"] * 4
    rows = [b for b in blocks if b.kind == "row"]
    assert len(rows) == 2 and all(len(b.cells) == 2 for b in rows)
    assert [b.kind for b in blocks if b.kind == "header_row"] == ["header_row"]
    (para,) = [b for b in blocks if b.kind == "paragraph"]
    assert text[para.start:para.end] == "A paragraph that wraps\nonto a second line."


def test_checkboxes_are_read_on_items():
    text = "# Outage\n\n## Action items\n\n- [x] Rotate the key.\n- [ ] Automate rotation.\n- Review access.\n"
    assert [b.checkbox for b in segment_text(text) if b.kind == "item"] == ["done", "open", None]


def test_code_blocks_are_one_block_and_hide_headings_inside():
    text = "# Outage\n\n```\n# Root cause\nnot a heading\n```\n\nAfter the code.\n"
    kinds = [(b.kind, b.role) for b in segment_text(text)]
    assert ("code", None) in kinds
    assert sum(1 for k, _ in kinds if k == "heading") == 1


def test_block_offsets_point_into_the_text():
    text = "# Outage\n\n## Root cause\n\n**Root cause:** The disk filled.\n\n- An item\n"
    for block in segment_text(text):
        assert text[block.start:block.end].strip() == text[block.start:block.end]
        assert block.end > block.start


# ---------------------------------------------------------------- flattened Markdown

FILLER = "The queue backed up and the workers could not keep up with incoming jobs during the busy period of the day. " * 3


def extract_flattened(body: str) -> dict:
    text = "postmortem Apr 17, 2026, 04:37 PM UTC\n## Summary On 2026-04-15 the job queue stalled for an hour. " + FILLER + body + "\n"
    return extract(normalise(source_from_bytes("queue.txt", text.encode(), None)))[0]


def test_flattened_inline_headings_are_recovered_and_flagged():
    incident = extract_flattened(
        "## Root Cause The scheduler dropped heartbeats under load, so healthy workers were marked dead. "
        "## Corrective Actions & Prevention "
        "* **Heartbeats.** We will fix the scheduler's heartbeat handling. "
        "* **Add queue alerts.** We are adding alerts on queue depth."
    )
    assert "markdown-flattened" in {f["flag"] for f in incident["quality_flags"]}
    assert any("heartbeats" in c["text"] for c in incident["causes"])
    assert len(incident["corrective_actions"]) == 2
    assert {a["status"] for a in incident["corrective_actions"]} == {"planned", "in_progress"}


def test_flattened_heading_followed_by_a_sentence_starting_with_a():
    incident = extract_flattened("## Root Cause A bug in the scheduler dropped heartbeats, so healthy workers were marked dead.")
    assert any("scheduler" in c["text"] for c in incident["causes"])


def test_flattened_heading_directly_followed_by_a_bullet():
    incident = extract_flattened(
        "## Action Items * **Fix heartbeats.** We will fix the scheduler. * **Add queue alerts.** We are adding alerts on queue depth."
    )
    assert len(incident["corrective_actions"]) == 2


SENTENCE_TEXTS = [
    "At 14:02 UTC the database failed over. Writes stopped! Why? Nobody knew (yet). The team paged on-call...\nRecovery began at 14:30.",
    '"It is down." he said. Then: nothing.\n\n- item one. item two\n- item three?! Four',
    "No final mark at all",
    "... leading dots. And 3.5 GB of logs, e.g. from api-1 ; done.",
]


@pytest.mark.parametrize("text", SENTENCE_TEXTS)
def test_punctuation_sentence_starts_are_the_sentencizers(text):
    import spacy
    from spacy.pipeline import Sentencizer

    from ingest.segment import punctuation_sentence_starts

    doc = spacy.blank("en")(text)
    assert punctuation_sentence_starts(doc).tolist() == Sentencizer().predict([doc])[0]


def test_punctuation_sentence_starts_on_the_corpus(corpus_docs):
    """The same sentence starts as spaCy's Sentencizer on every real postmortem."""
    import spacy
    from spacy.pipeline import Sentencizer

    from ingest.read import read_file
    from ingest.segment import punctuation_sentence_starts

    nlp = spacy.blank("en")
    for path in sorted(corpus_docs.iterdir())[:40]:
        doc = nlp(normalise(read_file(path)).text)
        assert punctuation_sentence_starts(doc).tolist() == Sentencizer().predict([doc])[0], path.name


def test_blocks_and_punctuation_both_start_sentences():
    from ingest.pipeline import shared_nlp

    text = "## Root cause\nA config push removed the route. Traffic dropped\n- Added a check\n"
    doc = shared_nlp()(text)
    starts = [s.text.strip() for s in doc.sents if s.text.strip()]
    assert "A config push removed the route." in starts  # punctuation ends it
    assert "Traffic dropped" in starts and "Added a check" in starts  # the next block starts a sentence


def test_a_longer_plain_label_naming_a_section_gives_its_role():
    text = "Rider notice\n\nWhat we are doing about it: our contractor has moved the certificate to automatic renewal.\n"
    assert role_of(text, "our contractor has moved the certificate to automatic renewal.") == "actions"


def test_a_bold_action_title_that_opens_with_fix_stays_an_action():
    text = "# Outage\n\n## Follow-ups\n\n- **Fix the header table limit check** (completed): the proxy counts entries again.\n"
    assert role_of(text, "**Fix the header table limit check** (completed): the proxy counts entries again.") == "actions"


def test_a_numbered_section_sequence_in_plain_text_gives_headings():
    text = ("INCIDENT REPORT\n\n1. Incident overview\n\nPayments were delayed.\n\n2. Impact on clients\n\n"
            "Files were late.\n\n3. Remediation measures\n\nWe changed the broker.\n\n4. Contact\n\nCall us.\n")
    headings = [(text[b.start:b.end], b.section) for b in segment_text(text) if b.kind == "heading"]
    assert ("1. Incident overview", "summary") in headings
    assert ("3. Remediation measures", "actions") in headings
    assert ("4. Contact", None) in headings


def test_a_loose_numbered_list_is_not_a_section_sequence():
    text = "## Follow-ups\n\n1. Add disk alerts\n\n2. Move media to object storage\n\n3. Write a runbook\n"
    blocks = segment_text(text)
    assert [b.kind for b in blocks] == ["heading", "item", "item", "item"]
    assert {b.section for b in blocks[1:]} == {"actions"}


def test_sub_numbered_paragraphs_are_items():
    text = "## Measures\n\n5.1 Explicit prefetch limits on all queues.\n    Status: implemented\n\n5.2 Queue-depth alerts.\n"
    items = [text[b.start:b.end] for b in segment_text(text) if b.kind == "item"]
    assert items == ["Explicit prefetch limits on all queues.\n    Status: implemented", "Queue-depth alerts."]


def test_a_bold_item_naming_a_section_gives_its_role_to_the_items_nested_under_it():
    text = ("## INC-412 · Confirmation emails delayed\n\n- **Why it happened**\n"
            "  - Reminders v2 enqueues 48h of reminders at once.\n- **Follow-ups**\n  - Separate transactional queue.\n")
    roles = {text[b.start:b.end]: b.role for b in segment_text(text) if b.kind == "item"}
    assert roles["Reminders v2 enqueues 48h of reminders at once."] == "root_cause"
    assert roles["Separate transactional queue."] == "actions"
