"""Asides: the other sections of a document that carries an incident review among other items (a
newsletter, a meeting's notes). Their dates, times and to-dos are not the incident's. Texts are
written for the tests in the shapes of two kinds of organization; a postmortem's own sections
and a status page's dated updates are never asides."""

from __future__ import annotations

from ingest.asides import ASIDE, mark_asides, names_incident
from ingest.normalise import normalise
from ingest.pipeline import extract
from ingest.read import source_from_bytes
from ingest.segment import segment_text

MEETING = """# Engineering all-hands: Thu 12 June 2025

**When:** 16:00–16:45, main room

## 1. Housekeeping

- Fire alarm test is Wed 18 June at 10:30, as usual.

## 2. Wi-Fi refresh

- New access points go in on Tue 17 June, 06:00–08:00. Handhelds may drop for a few seconds.

## 3. Incident review: handhelds could not load manifests (Tue 10 June)

- Drivers could not download their manifests between about 05:50 and 07:25 (UK time).
- 06:48: the on-call engineer spots the migration holding a lock on the manifests table.
- The migration was meant to run on Sunday 8 June at 05:30, when there is no loading.

**Actions**

- [ ] Propose a weekday blackout for migrations, 04:00–10:00 (Owen)

## 4. Hack day

- Thursday 26 June, 09:30 start, demos at 16:00.
"""

NEWSLETTER = """THE RIVERSIDE BULLETIN
======================

Published 3 September 2025

From the Chair
==============

Deposits grew 4% this quarter. The AGM is on 27 September 2025 at 11:00.

What went wrong with SMS Banking on 21 August
=============================================

All times below are Nepal Time. From 1420 hrs until 1805 hrs on 21 August 2025, messages to our short code went unanswered.

New rates on loans
==================

From 17 September 2025 the rate on seasonal loans falls to 11.75%.
"""


def result(name: str, text: str) -> dict:
    [out] = extract(normalise(source_from_bytes(name, text.encode())))
    return out


def test_meeting_notes_keep_only_the_incident_review():
    out = result("allhands.md", MEETING)
    assert [(w["start"][:16], w["end"][:16]) for w in out["impact_windows"]] == [("2025-06-10T04:50", "2025-06-10T06:25")]
    days = {e["at"][:10] for e in out["timeline"]}
    assert "2025-06-10" in days
    assert not days & {"2025-06-17", "2025-06-18", "2025-06-26", "2025-06-12"}  # the other agenda items, the meeting itself


def test_what_was_meant_to_happen_does_not_move_the_story():
    stamps = {e["at"][:16] for e in result("allhands.md", MEETING)["timeline"]}
    assert "2025-06-10T05:48" in stamps  # 06:48 BST on the review's day, not on the Sunday the migration was meant for


def test_a_to_do_s_hours_are_no_event():
    texts = [e["text"] for e in result("allhands.md", MEETING)["timeline"]]
    assert not any("blackout" in t for t in texts)


def test_a_newsletter_keeps_only_its_incident_article():
    out = result("bulletin.txt", NEWSLETTER)
    assert [(w["start"][:16], w["end"][:16]) for w in out["impact_windows"]] == [("2025-08-21T08:35", "2025-08-21T12:20")]
    assert not any(e["at"].startswith(("2025-09-17", "2025-09-27")) for e in out["timeline"])


def test_a_postmortem_s_own_sections_are_no_asides():
    text = "# Checkout outage\n\n## Summary\n\nCheckout failed.\n\n## Timeline\n\n- 10:00 deploy\n\n## Root cause\n\nA bad index.\n\n## Incident response\n\nWe rolled back.\n"
    assert not any(b.section == ASIDE for b in mark_asides(text, segment_text(text)))


def test_dated_sections_are_no_asides():
    text = "# Sync outage\n\n## Investigating: 2025-08-21T14:09Z\n\nLooking.\n\n## Resolved: 2025-08-21T15:05Z\n\nFixed.\n\n## Incident postmortem\n\nA bad deploy.\n"
    assert not any(b.section == ASIDE for b in mark_asides(text, segment_text(text)))


def test_headings_that_name_the_incident():
    assert names_incident("3. Incident review: INC-0611")
    assert names_incident("What went wrong with SMS Banking on 21 August")
    assert not names_incident("4. Hack day (Priya)")


def test_an_event_told_in_a_to_do_stays_an_event():
    text = ("# Hubs offline on 25 October 2025\n\nFrom 19:15 to 21:40 BST on 25 October 2025 hubs were offline.\n\n## What we're changing\n\n"
            "- [ ] We'll post on our status page within 30 minutes of any outage. Last weekend our first post went up at 20:48 BST.\n")
    assert "2025-10-25T19:48" in {e["at"][:16] for e in result("hubs.md", text)["timeline"]}
