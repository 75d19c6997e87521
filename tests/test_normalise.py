"""Normalising broken content: malformed or unknown JSON and hostile HTML are refused in one line, or read."""

from __future__ import annotations

import pytest

from ingest.normalise import MAX_HTML_DEPTH, NormaliseError, html_depth_over, normalise
from ingest.read import ReadError, Source, format_for


def refused(name: str, text: str) -> str:
    """The one-line reason normalising ``text`` (named ``name``) is refused."""
    with pytest.raises(NormaliseError) as info:
        normalise(Source(name, text=text, format_hint=format_for(name)))
    assert str(info.value).startswith(name + ": ") and "\n" not in str(info.value)
    return info.value.reason


@pytest.mark.parametrize("text", ['{"incident": {"name": "x"', "[1, 2,, 3]", "{'single': 'quotes'}", '{"a": 1} trailing'])
def test_malformed_json(text):
    assert refused("status.json", text).startswith("malformed JSON: ")


@pytest.mark.parametrize("text", ['{"hello": "world"}', "[1, 2, 3]", '"just a string"', '{"incidents": [{"name": "no updates"}]}'])
def test_json_of_unknown_shape(text):
    assert refused("status.json", text).startswith("JSON of an unknown shape")


def test_deeply_nested_json_is_refused_not_crashing():
    assert "nested too deeply" in refused("deep.json", "[" * 200_000 + "]" * 200_000)


def test_statuspage_json_is_read():
    text = '{"incident": {"name": "API down", "incident_updates": [{"status": "resolved", "body": "Fixed.", "display_at": "2024-01-02T10:00:00Z"}]}}'
    document = normalise(Source("status.json", text=text))
    assert document.format == "statuspage" and "API down" in document.text and "Fixed." in document.text


def test_deeply_nested_html_is_refused():
    markup = "<html><body>" + "<div>" * (MAX_HTML_DEPTH + 5) + "Outage at 10:00 UTC" + "</div>" * (MAX_HTML_DEPTH + 5)
    assert refused("deep.html", markup) == f"HTML nested more than {MAX_HTML_DEPTH:,} levels deep: refused"


def test_depth_counts_nesting_not_tags():
    siblings = "<div>item</div>" * (MAX_HTML_DEPTH * 3)
    unclosed_paragraphs = "<p>para" * (MAX_HTML_DEPTH * 3)
    assert not html_depth_over("<body>" + siblings + unclosed_paragraphs + "<br>" * 5000 + "<img src=x/>" * 5000)
    assert html_depth_over("<span>" * 11, limit=10) and not html_depth_over("<span>" * 10, limit=10)


def test_moderately_nested_html_is_read():
    depth = 300
    markup = "<html><body>" + "<div>" * depth + "<p>The API was down from 10:00 to 11:00 UTC.</p>" + "</div>" * depth
    assert "The API was down" in normalise(Source("nested.html", text=markup)).text


def test_malformed_html_is_repaired_and_read():
    markup = "<html><body><h2>Impact<p>unclosed <b>bold <table><tr><td>cell</p></div></span>&bogus; Down at 10:00 UTC</body>"
    document = normalise(Source("broken.html", text=markup))
    assert document.format == "html"
    assert "Down at 10:00 UTC" in document.text and "cell" in document.text and "<" not in document.text


def test_html_without_text_is_refused():
    assert refused("blank.html", "<html><head><title></title><script>var x = 1;</script></head><body><div> </div></body></html>") == "HTML page has no text"


def test_decoding_problems_surface_from_normalise():
    with pytest.raises(ReadError, match="empty file"):
        normalise(Source("empty.md", data=b"   \n"))


@pytest.mark.parametrize("value, expected", [("2014-07-16 23:29 UTC", "2014-07-16T23:29:00Z"), ("2014-07-16T23:29 GMT", "2014-07-16T23:29:00Z"), ("2014-07-16 23:29", "2014-07-16T23:29:00")])
def test_a_front_matter_date_with_a_utc_suffix_is_a_date(value, expected):
    from ingest.normalise.common import iso_utc

    problems: list[str] = []
    assert iso_utc(value, problems, "date") == expected and problems == []


@pytest.mark.parametrize(
    "name, text",
    [
        ("post.html", "<html><body><h1>API outage</h1><p>We’ll add alerting on replication lag to prevent this.</p></body></html>"),
        ("status.json", '{"incident": {"name": "API outage", "incident_updates": [{"status": "resolved", '
         '"body": "We’ll add alerting on replication lag to prevent this.", "created_at": "2024-01-01T10:00:00Z"}]}}'),
        ("notes.md", "# API outage\n\nWe’ll add alerting on replication lag to prevent this.\n"),
    ],
)
def test_curly_quotes_are_plain_in_every_format_so_cues_read_them(name, text):
    from ingest.pipeline import extract

    document = normalise(Source(name, text=text, format_hint=format_for(name)))
    assert "’" not in document.text and "We'll add alerting" in document.text
    actions = extract(document)[0]["corrective_actions"]
    assert [(a["text"], a["status"]) for a in actions] == [("We'll add alerting on replication lag to prevent this.", "planned")]


def test_page_chrome_around_a_post_is_left_out():
    markup = (
        "<html><body><header class='site-header'><a href='/'>Blog</a></header><article><h1>API outage</h1>"
        "<p>The API was down from 10:00 to 11:00 UTC.</p><h2>Follow-ups</h2><ul><li>Add an alert on error rate.</li></ul>"
        "<div class='share-buttons'>Share on Mastodon</div></article>"
        "<aside class='related-posts'><h3>Related posts</h3><ul><li>How we run incident reviews</li></ul></aside>"
        "<div id='newsletter'>Subscribe for updates</div><div role='contentinfo'>© Example Ltd</div></body></html>"
    )
    text = normalise(Source("post.html", text=markup)).text
    assert "The API was down" in text and "Add an alert on error rate." in text
    for chrome in ("Share on Mastodon", "Related posts", "How we run incident reviews", "Subscribe for updates", "© Example Ltd", "Blog"):
        assert chrome not in text


def test_an_article_classed_like_chrome_words_inside_it_is_kept():
    markup = "<html><body><article class='post'><p>The shared cache was full at 10:00 UTC.</p></article></body></html>"
    assert "The shared cache was full" in normalise(Source("post.html", text=markup)).text


def test_an_incident_io_style_export_is_read_like_a_statuspage_one():
    payload = {
        "incident": {
            "name": "Delayed SMS to the UK",
            "status_page": {"name": "Acme Status"},
            "updates": [
                {"status": "resolved", "published_at": "2025-06-17T10:00:00Z", "message": "Messages were delayed from 07:55 to 08:49 UTC."},
                {"status": "investigating", "published_at": "2025-06-17T08:03:00Z", "message": "We are investigating delays."},
            ],
        }
    }
    import json

    document = normalise(Source("status.json", text=json.dumps(payload)))
    assert document.organization == "Acme"
    assert document.text.index("We are investigating delays.") < document.text.index("Messages were delayed")
    assert "## Resolved: 2025-06-17T10:00" in document.text


def test_an_email_laid_out_with_presentation_tables_reads_as_paragraphs_not_rows():
    markup = (
        "<html><body><table role='presentation'><tr><td>"
        "<h2>What went wrong</h2><p>Earlier that afternoon we released an update to slot booking.</p>"
        "<table><tr><th>Time</th><th>Event</th></tr><tr><td>17:25</td><td>Problem spotted</td></tr></table>"
        "</td></tr></table></body></html>"
    )
    text = normalise(Source("email.html", text=markup)).text
    assert "## What went wrong" in text
    assert "| Earlier" not in text and "Earlier that afternoon we released an update to slot booking." in text
    assert "| 17:25 | Problem spotted |" in text  # a real table inside the layout stays a table


EXPORT = {
    "export": {"format": "incident-export/v1", "generated_at": "2025-04-02T09:00:00Z"},
    "incident": {
        "id": "INC-88",
        "title": "Report emails delayed",
        "customer_impact": "Between 09:10 and 11:45 UTC on 1 April 2025 scheduled report emails were delayed by up to two hours.",
        "timeline": [{"occurred_at": "2025-04-01T09:10:00Z", "note": "Mail queue starts growing after the relay change."},
                     {"occurred_at": "2025-04-01T11:45:00Z", "note": "Queue drained, all delayed emails delivered."}],
        "root_cause": "The relay change halved the number of outbound connections each sender was allowed to open.",
        "follow_ups": [{"title": "Alert on mail queue age above ten minutes", "state": "done", "ticket": "OPS-12"},
                       {"title": "Load-test relay changes before rollout", "state": "in_progress"}],
    },
}


def test_another_tool_s_incident_export_is_read_field_by_field():
    import json

    from ingest.pipeline import extract

    document = normalise(Source("export.json", text=json.dumps(EXPORT)))
    assert document.format == "json" and document.title == "Report emails delayed"
    assert "Customer impact: Between 09:10" in document.text and "## Follow-ups" in document.text
    assert "INC-88" not in document.text and "2025-04-02" not in document.text  # ids and the export's own metadata are no content
    incident = extract(document)[0]
    assert [(w["start"][:16], w["end"][:16]) for w in incident["impact_windows"]] == [("2025-04-01T09:10", "2025-04-01T11:45")]
    assert {(a["text"].split(" — ")[0], a["status"]) for a in incident["corrective_actions"]} == {
        ("Alert on mail queue age above ten minutes", "done"), ("Load-test relay changes before rollout", "in_progress")}
    assert any("outbound connections" in c["text"] for c in incident["causes"])


def test_an_export_s_impact_entries_with_periods_are_windows_and_a_lone_stamp_dates_an_event():
    import json

    from ingest.pipeline import extract

    export = {"incident": {
        "title": "SMS sending failed",
        "summary": "Our message broker blocked every publisher after a disk alarm and sends failed for most customers.",
        "customer_impact": [
            {"service": "Send API", "from": "2025-02-19T13:47:00Z", "to": "2025-02-19T15:26:00Z", "description": "Most send requests timed out."},
            {"service": "Status webhooks", "start": "2025-02-19T09:02:00Z", "end": "2025-02-19T16:40:00Z", "description": "Webhooks were sent late."}],
        "timeline": [{"ts": "2025-02-19T13:58:00Z", "note": "SEV1 declared and the on-call engineer paged."}],
        "follow_ups": [{"title": "Alert on dead-letter queue length", "status": "done", "due": "2025-02-21"}],
    }}
    document = normalise(Source("export.json", text=json.dumps(export)))
    assert "- Send API: from 2025-02-19T13:47:00Z to 2025-02-19T15:26:00Z — Most send requests timed out." in document.text
    incident = extract(document)[0]
    assert {(w["start"][:16], w["end"][:16]) for w in incident["impact_windows"]} >= {("2025-02-19T13:47", "2025-02-19T15:26"), ("2025-02-19T09:02", "2025-02-19T16:40")}
    assert "2025-02-19T13:58" in [e["at"][:16] for e in incident["timeline"]]
    assert [(a["text"].split(" — ")[0], a["status"]) for a in incident["corrective_actions"]] == [("Alert on dead-letter queue length", "done")]


def test_statuspage_postmortem_body_is_part_of_the_text():
    text = ('{"incident": {"name": "Mail delayed", "postmortem_body": "## Root cause\\n\\nA resolver was removed in March.",'
            ' "incident_updates": [{"status": "resolved", "body": "Fixed.", "display_at": "2025-07-08T10:00:00Z"}]}}')
    document = normalise(Source("status.json", text=text))
    assert "## Postmortem" in document.text and "A resolver was removed in March." in document.text


FIXED_WIDTH = """CORRECTIVE AND PREVENTIVE ACTIONS

  No. Action                            Owner        Target    Status
  --- --------------------------------- ------------ --------- --------
  1   Replace the expired client        Platform     14-Mar-25 Closed
      certificate and register it.
  2   Central certificate inventory     Security Eng 15-Apr-25 In
      with expiry alerts.                                      progress
  3   Review every alert distribution   Tech Risk    31-May-25 Open
      list.

Prepared by the operations team.
"""


def test_a_fixed_width_table_becomes_pipe_rows_with_wrapped_cells_joined():
    from ingest.normalise.fixed_width import fixed_width_to_pipes

    rows = [line for line in fixed_width_to_pipes(FIXED_WIDTH).split("\n") if line.startswith("| ")]
    assert rows[0] == "| No. | Action | Owner | Target | Status |"
    assert rows[2] == "| 2 | Central certificate inventory with expiry alerts. | Security Eng | 15-Apr-25 | In progress |"
    assert len(rows) == 4


def test_a_plain_text_action_table_gives_one_action_per_row_with_its_status():
    from ingest.normalise import normalise
    from ingest.pipeline import extract
    from ingest.read import Source

    incident = extract(normalise(Source("rca.txt", text="FAST TRANSFER RCA\n\nTransfers failed on 14 March 2025.\n\n" + FIXED_WIDTH)))[0]
    statuses = [a["status"] for a in incident["corrective_actions"]]
    assert statuses == ["done", "in_progress", "planned"]


def test_a_dash_rule_under_prose_is_no_table():
    from ingest.normalise.fixed_width import fixed_width_to_pipes

    text = "Summary\n-------\n\nThe disk filled up.\n"
    assert fixed_width_to_pipes(text) == text


@pytest.mark.parametrize(
    "event, stamp",
    [
        # an on-call tool that writes the responder's zone after the time
        ({"at": "2025-08-22 21:02 ART", "by": "tomas", "note": "Checkout API errors above 20 percent; fans cannot complete payment."}, "2025-08-23T00:02"),
        # a mirror collective's ops record: "time" and "entry"
        ({"time": "2025-05-17 12:30 JST", "who": "tokyo", "entry": "Six-hourly sync pulls the broken snapshot to the Tokyo mirror."}, "2025-05-17T03:30"),
    ],
)
def test_an_export_s_event_time_with_a_zone_abbreviation_dates_its_entry(event, stamp):
    import json

    from ingest.pipeline import extract

    export = {"title": "Checkout failures", "summary": "Most purchase attempts failed during the on-sale until admissions were paused.", "events": [event]}
    incident = extract(normalise(Source("export.json", text=json.dumps(export))))[0]
    assert stamp in [e["at"][:16] for e in incident["timeline"]]
