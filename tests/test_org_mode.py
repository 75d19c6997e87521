"""Postmortems kept in Org-mode: the outline becomes sections, timeline entries and follow-ups
whose task keywords give their status. Texts are written for the test in two house styles."""

from __future__ import annotations

from ingest.normalise import normalise
from ingest.normalise.org import looks_like_org, org_to_markdown
from ingest.pipeline import extract
from ingest.read import source_from_bytes

REVIEW = """#+TITLE: Review: build cache outage
#+DATE: <2025-05-14 Wed>
#+TODO: TODO NEXT | DONE

* Summary
  :PROPERTIES:
  :SEVERITY: sev2
  :END:
On 12 May 2025 between 10:05 and 11:40 UTC, CI builds could not read the =build-cache= bucket.

* Timeline
** 10:05 cache bucket policy replaced by the Terraform run
** 11:40 policy restored; builds green again

* Follow-ups
** DONE Add a policy diff to the Terraform plan review
   CLOSED: [2025-05-13 Tue 16:20]
** NEXT Move the bucket policy into its own module
** TODO Alert on a cache hit rate under 50% for 15 minutes
"""


def test_the_outline_becomes_markdown():
    text, date = org_to_markdown(REVIEW)
    assert date == "2025-05-14"
    lines = text.splitlines()
    assert lines[0] == "# Review: build cache outage"
    assert "## Timeline" in lines
    assert "- 10:05 cache bucket policy replaced by the Terraform run" in lines  # an entry, not a heading
    assert "- [x] Add a policy diff to the Terraform plan review" in lines
    assert "Severity: sev2" in lines
    assert "`build-cache`" in text and "CLOSED" not in text


def test_task_keywords_give_the_follow_ups_their_status():
    [incident] = extract(normalise(source_from_bytes("review.org", REVIEW.encode(), None)))
    statuses = {a["text"].replace(" (in progress)", ""): a["status"] for a in incident["corrective_actions"]}
    assert statuses == {
        "Add a policy diff to the Terraform plan review": "done",
        "Move the bucket policy into its own module": "in_progress",
        "Alert on a cache hit rate under 50% for 15 minutes": "planned",
    }
    assert [(w["start"], w["end"]) for w in incident["impact_windows"]] == [("2025-05-12T10:05:00Z", "2025-05-12T11:40:00Z")]


def test_an_org_file_saved_as_text_is_recognised():
    notes = "#+title: Payroll export failure\n#+author: ops\n\n* What happened\nThe export job ran out of memory.\n"
    assert looks_like_org(notes)
    assert not looks_like_org("* a bullet written with a star\n* another one\n")
    document = normalise(source_from_bytes("payroll.txt", notes.encode(), None))
    assert document.title == "Payroll export failure"
    assert "## What happened" in document.text
