"""A timeline entry that names its kind outright ("**Impact starts**:", "customer impact ended")
takes that kind whatever else it says, and a window is derived from those markers. Entries are
written for the test in the shapes of several organizations."""

from __future__ import annotations

import pytest

from ingest.normalise import normalise
from ingest.pipeline import extract
from ingest.read import source_from_bytes
from ingest.timeline import classify_event


@pytest.mark.parametrize(
    "entry, kind",
    [
        ("First batch drained; both resolver pods deleted together. **Impact starts**: lookups begin failing", "impact_start"),
        ("Customer impact began as the rollback was still being deployed", "impact_start"),
        ("Error rate back to baseline after the patch was applied. Impact ends.", "impact_end"),
        ("Start of customer impact: the failover moved traffic to the cold region", "impact_start"),
        # what users began to see, after a restart that would otherwise read as the fix
        ("The first cache node restarted on the new build. Shoppers started seeing empty baskets.", "impact_start"),
        ("Riders began to report that the app could not find their booking after the node was restarted", "impact_start"),
        # a measure back at its usual level, a screen showing things normally again
        ("The queue depth returned to its usual level and the dashboard cleared", "impact_end"),
        ("The portal showed account balances correctly again", "impact_end"),
    ],
)
def test_an_entry_naming_its_kind_takes_it(entry, kind):
    assert classify_event(entry) == kind


def test_a_window_is_derived_from_explicit_markers_in_a_t_plus_table():
    text = ("# DNS failures on 23 September 2025\n\nAll times UTC.\n\n## Timeline\n\n| T+ | Time (UTC) | Event |\n|---|---|---|\n"
            "| T+0 | 09:41 | Node rotation pipeline starts draining the old pool |\n"
            "| T+6m | 09:47 | First batch drained and both DNS replicas deleted. **Impact starts**: lookups fail |\n"
            "| T+1h03m | 10:44 | Conntrack limit raised on the new nodes |\n"
            "| T+1h05m | 10:46 | **Impact ends**: error rate back to baseline |\n")
    windows = extract(normalise(source_from_bytes("dns.md", text.encode(), None)))[0]["impact_windows"]
    assert [(w["start"], w["end"]) for w in windows] == [("2025-09-23T09:47:00Z", "2025-09-23T10:46:00Z")]
