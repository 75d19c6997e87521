"""Postmortems posted on a forum in BBCode and incidents worked in a chat channel whose export
is a JSON list of messages. Texts are written for the test, in two house styles each."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from ingest.normalise import normalise
from ingest.normalise.bbcode import bbcode_to_markdown, looks_like_bbcode
from ingest.normalise.chat_export import chat_markdown, is_chat_export, plain_message
from ingest.pipeline import extract
from ingest.read import source_from_bytes

FORUM_POST = """Tallowmere Cycling Club - Forums
Board index < Club Platform

Post-mortem: ride booking outage
Post by admin_kat » Wed Jun 11, 2025 9:02 am

[b]Summary:[/b] Tuesday evening the ride booking page was down for members.
All times are UK time (BST).

[size=150][b]Timeline[/b][/size]
[list]
[*][b]18:10[/b] A plugin update is applied to the booking site.
[*][b]18:14[/b] Members report that the booking page shows a blank screen.
[*][b]18:52[/b] The plugin is rolled back and bookings work again.
[/list]

[h2]What we're changing[/h2]
[list=1]
[*][b]Done:[/b] plugin updates now go to the staging copy first.
[*][b]Planned:[/b] an uptime check on the booking page.
[/list]

[quote="rider42"]is the Thursday ride still on?[/quote]
Yes, it is. See [url=https://example.org/rides]the ride list[/url].
"""

GUILD_POST = """[h1]Raid server downtime[/h1]
[b]What happened[/b]: the voice server ran out of disk.
[list][*]first item[*]second item[/list]
[i]Thanks for your patience[/i]
"""


def test_bbcode_becomes_markdown():
    text = bbcode_to_markdown(FORUM_POST)
    lines = text.splitlines()
    assert "## Timeline" in lines and "## What we're changing" in lines
    assert "- **18:10** A plugin update is applied to the booking site." in lines
    assert "1. **Done:** plugin updates now go to the staging copy first." in lines
    assert "> rider42 wrote:" in lines
    assert "[the ride list](https://example.org/rides)" in text
    assert "[/" not in text and "[*]" not in text
    guild = bbcode_to_markdown(GUILD_POST).splitlines()
    assert guild[0] == "# Raid server downtime"
    assert "- first item" in guild and "- second item" in guild
    assert "*Thanks for your patience*" in guild


def test_a_forum_post_is_recognised_by_its_tags_and_read_like_a_postmortem():
    assert looks_like_bbcode(FORUM_POST) and looks_like_bbcode(GUILD_POST)
    assert not looks_like_bbcode("- [x] done item\n- [ ] open item\n[1] a footnote\n")
    [incident] = extract(normalise(source_from_bytes("ride-booking.txt", FORUM_POST.encode(), None)))
    stamps = {event["at"] for event in incident["timeline"]}
    assert {"2025-06-10T17:10:00Z", "2025-06-10T17:14:00Z", "2025-06-10T17:52:00Z"} <= stamps  # Tuesday, BST, not the post's Wednesday
    statuses = {a["status"] for a in incident["corrective_actions"]}
    assert statuses == {"done", "planned"}


def _ts(text: str) -> str:
    return "%.6f" % datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


CHANNEL = [
    {"type": "message", "subtype": "channel_join", "user": "U1", "text": "<@U1> has joined the channel", "ts": _ts("2025-08-04T13:00:05")},
    {"type": "message", "user": "U2", "text": "checkout is returning 502s for everyone, <@U1> are you seeing this?", "ts": _ts("2025-08-04T13:02:40"),
     "user_profile": {"real_name": "Ana Ruiz"}},
    {"type": "message", "user": "U1", "text": "yes, the payments pod is crash looping after the 12:55 deploy. rolling back", "ts": _ts("2025-08-04T13:06:10"),
     "user_profile": {"real_name": "Tom Baker", "display_name": "tom"}},
    {"type": "message", "user": "U1", "text": "rollback done, checkout is working again &amp; errors are at zero", "ts": _ts("2025-08-04T13:21:00"),
     "user_profile": {"real_name": "Tom Baker"}},
    {"type": "message", "user": "U2", "text": "*Summary*\n*Cause:* the deploy removed an environment variable the payments pod needs.\n*Follow-ups:*\n• add the variable to the deploy check (done)\n• alert on crash loops (planned)",
     "ts": _ts("2025-08-04T14:00:00"), "user_profile": {"real_name": "Ana Ruiz"}},
]


def test_slack_markup_reads_as_text():
    names = {"U1": "Tom Baker"}
    assert plain_message("ping <@U1> in <#C9|ops> about <https://ex.org/x|the runbook> &amp; <!here>", names) == "ping @Tom Baker in #ops about the runbook & @here"


def test_a_channel_export_becomes_timed_items_oldest_first():
    assert is_chat_export(CHANNEL)
    assert not is_chat_export([{"title": "an incident", "text": "no timestamps"}] * 4)
    lines = chat_markdown(list(reversed(CHANNEL))).splitlines()
    assert lines[0] == "# Channel log, 2025-08-04"
    items = [line for line in lines if line.startswith("- 2025")]
    assert items[0] == "- 2025-08-04 13:02 UTC Ana Ruiz: checkout is returning 502s for everyone, @Tom Baker are you seeing this?"
    assert not any("has joined" in line for line in lines)
    assert "**Cause:** the deploy removed an environment variable the payments pod needs." in lines  # a write-up keeps its own lines
    assert "- alert on crash loops (planned)" in lines


def test_a_channel_export_is_extracted_like_a_chat_log():
    source = source_from_bytes("payments-channel.json", json.dumps(CHANNEL).encode(), None)
    [incident] = extract(normalise(source))
    stamps = {event["at"] for event in incident["timeline"]}
    assert {"2025-08-04T13:02:00Z", "2025-08-04T13:21:00Z"} <= stamps
    assert any("environment variable" in cause["text"] for cause in incident["causes"])
