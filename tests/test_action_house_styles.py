"""Corrective actions in house styles the first rules missed: status-page boilerplate, sign-offs
and template fields, follow-ups written inside lessons sections, more action headings
(Remediation, Recommendations, Immediate fixes), leading past-tense items and noun-phrase
items. Sentences are written for the test, in the shapes of several organizations."""

from __future__ import annotations

import pytest

from ingest.actions import action_status, is_boilerplate, is_skipped
from ingest.normalise import normalise
from ingest.pipeline import extract
from ingest.read import source_from_bytes
from ingest.segment import section_role


def actions(text: str) -> list[tuple[str, str]]:
    incident = extract(normalise(source_from_bytes("x.md", text.encode(), None)))[0]
    return [(a["text"], a["status"]) for a in incident["corrective_actions"]]


@pytest.mark.parametrize(
    "sentence",
    [
        "We will continue to monitor the situation.",
        "We will provide another update by 18:00 UTC.",
        "We will publish an analysis of this incident once we have completed our internal investigation.",
        "Our engineers will continue to work on a fix and keep you updated.",
        "Here's what happened, and how we're working to keep it from happening again.",
    ],
)
def test_status_page_promises_are_boilerplate(sentence):
    assert is_boilerplate(sentence)


@pytest.mark.parametrize("sentence", ["We will add an alert on replication lag.", "Pin every dependency to a known good version."])
def test_real_follow_ups_are_not_boilerplate(sentence):
    assert not is_boilerplate(sentence)


@pytest.mark.parametrize("item", ["Thank you,", "Atlassian", "Acme Cloud.", "{{ summary }} [link to github issue]", "Sorry for the trouble."])
def test_sign_offs_bare_names_and_template_fields_are_skipped(item):
    assert is_skipped(item)


def test_a_template_field_holding_real_text_is_not_skipped():
    assert not is_skipped("{{ Start writing after-action reports for future outages }}")


@pytest.mark.parametrize(
    "heading, role",
    [("7. Remediation", "actions"), ("Recommendations:", "actions"), ("Recovery actions", "actions"), ("**Immediate fixes:**", "actions"), ("Short-Term improvements", "actions"), ("Resolving the issue", "resolution")],
)
def test_more_headings_name_action_sections(heading, role):
    assert section_role(heading) == role


@pytest.mark.parametrize(
    "heading",
    ["How are we preventing it from happening again?", "Making sure it doesn't happen again", "What we changed", "Steps to avoid a recurrence", "How do we prevent this from happening again?"],
)
def test_headings_that_ask_how_it_will_not_happen_again_name_action_sections(heading):
    assert section_role(heading) == "actions"


def test_why_did_it_happen_names_a_cause_section():
    assert section_role("Why did it happen?") == "root_cause"
    assert section_role("What happened") == "summary"


def test_status_page_boilerplate_in_an_update_is_no_action():
    text = "# Elevated errors\n\n## Update\n\nWe have identified the cause. We will continue to monitor the situation and will provide an update within the hour.\n"
    assert actions(text) == []


def test_follow_ups_written_in_a_lessons_section_are_actions_but_what_went_well_is_not():
    text = (
        "# Database outage\n\n## Lessons learned\n\n### Our backups can be improved\n\n"
        "We will run restore drills every quarter to prevent this from happening again.\n\n"
        "### What went well\n\nWe have improved our paging since last year, so the team was quick to respond.\n"
    )
    found = actions(text)
    assert [t for t, _ in found] == ["We will run restore drills every quarter to prevent this from happening again."]


@pytest.mark.parametrize(
    "item, status",
    [
        ("Migrated the Asia relay to a larger server.", "done"),
        ("Re-enabled alerting on the public relays.", "done"),
        ("Full trace of the attacker's funds completed (this document).", "done"),
        ("Architectural improvements underway to isolate read traffic.", "in_progress"),
    ],
)
def test_status_from_leading_verbs_and_participles(item, status):
    assert action_status(item, ("Short-term improvements",)) == status


def test_a_noun_phrase_item_in_an_action_list_is_planned():
    text = "# Oracle exploit\n\n## Remediation\n\n- Time-weighted price observation across several blocks.\n- Divergence check against an external price anchor.\n"
    assert actions(text) == [("Time-weighted price observation across several blocks.", "planned"), ("Divergence check against an external price anchor.", "planned")]


def test_a_sentence_about_what_caused_the_incident_is_no_action():
    text = "# Outage\n\n## Follow-up\n\nThe first part of this incident was caused by several old and recent changes to our services:\n\n- Add a load test for the reader pool.\n"
    assert [t for t, _ in actions(text)] == ["Add a load test for the reader pool."]


def test_a_list_of_what_was_looked_at_is_no_action_list():
    text = (
        "# Slow disks\n\n## Next steps\n\nDuring the incident we monitored the following signals:\n\n- Disk latency\n- Queue depth on the writers\n\n"
        "## Action items\n\n- Alert on disk latency above 50 ms.\n"
    )
    assert [t for t, _ in actions(text)] == ["Alert on disk latency above 50 ms."]


@pytest.mark.parametrize("item, label", [("Disk latency", True), ("Error budget", True), ("Pin dependencies", False), ("Rotated all tokens", False)])
def test_short_noun_phrases_are_labels_not_actions(item, label):
    from ingest.actions import is_label_item

    assert is_label_item(item) is label


def test_a_sub_heading_with_a_role_word_among_others_stays_in_its_action_section():
    text = "# Outages\n\n## Medium-term improvements\n\n**Incident response and monitoring:**\n\n- Build a dashboard of the flag metrics with runbook links\n"
    assert actions(text) == [("Build a dashboard of the flag metrics with runbook links", "planned")]


def test_an_item_that_introduces_a_command_is_an_instruction_not_an_action():
    text = "# Supply-chain attack\n\n## What you should do\n\n## Next steps\n\n- Check your npm logs for suspicious entries:\n\n```\ngrep -r worm ~/.npm/_logs\n```\n\n- Rotate every npm token\n"
    assert [t for t, _ in actions(text)] == ["Rotate every npm token"]


@pytest.mark.parametrize(
    "heading, sentence",
    [
        ("Recommendations:", "Alerting on the relayer's queue depth should be implemented before the next epoch."),
        ("Lessons learned", "Database failovers must be tested every quarter, not only after an outage."),
        ("Follow-up", "A second on-call rotation needs to be established for weekends."),
    ],
)
def test_recommendations_in_the_passive_with_should_or_must_are_planned_actions(heading, sentence):
    assert actions(f"# Outage\n\n## {heading}\n{sentence}\n") == [(sentence, "planned")]


def test_should_in_a_counterfactual_is_no_action():
    assert actions("# Outage\n\n## What happened\n\nIt should not have been possible for one account to publish 500 packages in an hour.\n") == []


@pytest.mark.parametrize(
    "update",
    [
        # a cloud status page's incident report: labels on their own lines, single newlines
        "**Root Cause:**\nThe storage servers crashed under load.\n**Remediation and Prevention:**\nEngineers were alerted and stopped the background job.\n"
        "We are taking the following steps:\n* Add protections in the storage servers against memory pressure.\n* Improve the retry logic of the repacking job.\n"
        "**Detailed Description of Impact:**\n* Object storage: Customers may have seen errors when reading objects.\n",
        # a SaaS status update written in an editor that keeps single newlines
        "__What happened__\nA certificate on the edge expired.\n__Next steps__\n- Add protections against expiring certificates.\n- Improve the retry logic of the renewal job.\n"
        "__Impact__\n- Dashboard: Customers were unable to sign in.\n",
    ],
)
def test_a_bold_section_label_without_a_blank_line_starts_its_section(update):
    found = [text for text, _ in actions(f"# Incident report\n\n{update}")]
    assert len(found) == 2, found
    assert found[0].startswith("Add protections") and found[1].startswith("Improve the retry logic")


@pytest.mark.parametrize(
    "item, status",
    [
        ("Disk alerts added on all hosts.", "done"),
        ("Retry limits configured for every client.", "done"),
        ("Currently migrating backups to a second region.", "in_progress"),
        ("Planned for Q3: migrate backups.", "planned"),
        ("Scheduled: replace the load balancer.", "planned"),
        ("Setup an automated inventory system for cloud resources.", "unknown"),
    ],
)
def test_status_of_participle_items_and_status_lead_ins(item, status):
    assert action_status(item) == status


@pytest.mark.parametrize("heading", ["Aftermath", "Since then", "After the incident", "In the following weeks"])
def test_headings_about_what_came_after_hold_past_tense_actions(heading):
    text = f"# Outage\n\n## {heading}\n\n- Added alerting on relay CPU.\n- Wrote a load test for the relays.\n"
    assert actions(text) == [("Added alerting on relay CPU.", "done"), ("Wrote a load test for the relays.", "done")]


@pytest.mark.parametrize(
    "table",
    [
        # a chain operator's summary page: the action table stands under the impact block
        "**Impact**: downtime for about four hours.\n\n| Action Item | Type | Owner | Status |\n| --- | --- | --- | --- |\n"
        "| Pin the compiler version on every validator | Prevention | Core team | DONE |\n| Revert Slashing Event | Recovery | Core team | DONE |\n",
        # a SaaS postmortem with no action heading at all, only a follow-up table
        "The API returned errors for an hour.\n\n| Follow-up | Owner | Ticket |\n|---|---|---|\n"
        "| Pin the compiler version on every validator | jo | #12 |\n| Revert Slashing Event | ana | #13 |\n",
    ],
)
def test_a_table_whose_header_names_actions_lists_actions_wherever_it_stands(table):
    found = [text for text, _ in actions(f"# Outage\n\n{table}")]
    assert found == ["Pin the compiler version on every validator", "Revert Slashing Event"]


def test_a_timeline_table_with_an_action_column_lists_no_actions():
    table = "| Time (UTC) | Action |\n|---|---|\n| 14:02 | Restarted the primary database |\n| 14:30 | Failed over to the replica |\n"
    assert actions(f"# Outage\n\nThe API returned errors for an hour.\n\n{table}") == []


@pytest.mark.parametrize("heading", ["The Following 2 Weeks", "The next 30 days", "Over the next few months", "In the coming weeks"])
def test_a_count_before_days_weeks_or_months_does_not_hide_an_action_heading(heading):
    assert section_role(heading) == "actions"


def test_past_tense_items_under_a_heading_about_the_weeks_after_are_done():
    text = "# Outage\n\n## The Following 2 Weeks\n\n- Set up much more alerting on the relays.\n- Made a plan to shed load.\n"
    assert actions(text) == [("Set up much more alerting on the relays.", "done"), ("Made a plan to shed load.", "done")]


@pytest.mark.parametrize(
    "sentence",
    [
        # template instructions left in a filled-in postmortem
        "Every action item should have a GitHub issue attached to it, so these do not get forgotten.",
        "These sections should be filled out once the incident is resolved.",
        "They should focus on the knowledge we've gained and any improvements we should take.",
        # what an action will achieve, said after it
        "This should make sure that your application never goes down, even if our servers do.",
        "That change will ensure we are paged before customers notice.",
        # blameless asides and explanations
        "It is incorrect to focus on the individual; instead we should improve the tooling around them.",
        "This would indicate that the node is following a different chain.",
    ],
)
def test_sentences_about_actions_are_not_actions(sentence):
    assert is_skipped(sentence)


@pytest.mark.parametrize("item", ["Revert Tombstone Action", "Rotate Signing Keys", "Re-establish ICA Channel"])
def test_a_few_capitalised_words_that_open_with_a_verb_are_an_action_not_a_name(item):
    assert not is_skipped(item)


@pytest.mark.parametrize(
    "timeline, promise",
    [
        ("## Updates\n\n- Tue Oct 11 13:12 UTC: We have gone through the queue.\n"
         "- Wed Oct 12 05:27 UTC: Service operated normally since the last update. To reduce the chance of this, we plan to move the building of SRPMs to Copr.\n",
         "To reduce the chance of this, we plan to move the building of SRPMs to Copr."),
        ("## Timeline\n\n**14:02 UTC** Errors began.\n\n**15:10 UTC** Resolved. We will add a circuit breaker to prevent this from happening again.\n\n"
         "**15:20 UTC** We will continue to monitor the situation.\n",
         "We will add a circuit breaker to prevent this from happening again."),
    ],
)
def test_a_follow_up_promised_inside_a_timeline_entry_is_an_action(timeline, promise):
    assert actions(f"# Outage\n\n{timeline}") == [(promise, "planned")]


@pytest.mark.parametrize(
    "name, text",
    [
        # a CA's plain-text incident report: plain section lines, a pipe table with no separator row
        ("report.txt", "Incident report\n\nSummary\n\nCRLs could not be fetched for two days.\n\nAction Items\n\n"
         "| Action Item | Kind | Due Date | Status |\n| Generate CRL hostnames from one script | Prevent | 2025-02-28 | Complete |\n"
         "| Evaluate automated revocation tooling | Mitigate | 2025-06-30 | Not started |\n"),
        # a university's HTML report: a table with th cells
        ("report.html", "<html><body><h1>Wi-Fi outage</h1><h2>Actions</h2><table><thead><tr><th>Action</th><th>Owner</th><th>Target date</th><th>Status</th></tr></thead>"
         "<tbody><tr><td>Generate CRL hostnames from one script</td><td>Network Team</td><td>15/09/2025</td><td>Complete</td></tr>"
         "<tr><td>Evaluate automated revocation tooling</td><td>Network Team</td><td>31/10/2025</td><td>Not started</td></tr></tbody></table></body></html>"),
    ],
)
def test_an_action_table_whose_header_row_has_no_separator(name, text):
    incident = extract(normalise(source_from_bytes(name, text.encode(), None)))[0]
    found = [(a["text"], a["status"]) for a in incident["corrective_actions"]]
    assert found == [("Generate CRL hostnames from one script", "done"), ("Evaluate automated revocation tooling", "planned")]


@pytest.mark.parametrize("line, role", [("Action Items", "actions"), ("Root Cause Analysis", "root_cause"), ("Timeline", "timeline")])
def test_a_plain_line_standing_alone_that_names_a_section_is_a_heading(line, role):
    from ingest.segment import segment_text

    blocks = segment_text(f"Intro paragraph.\n\n{line}\n\nThe text of the section.\n")
    assert [b.role for b in blocks if b.kind == "paragraph"] == [None, role]


def test_a_sentence_line_is_not_taken_for_a_heading():
    from ingest.segment import segment_text

    blocks = segment_text("Intro paragraph.\n\nThe timeline.\n\nThe text of the section.\n")
    assert [b.role for b in blocks if b.kind == "paragraph"] == [None, None, None]


@pytest.mark.parametrize(
    "sentence, status",
    [
        # a one-admin instance's post and a maintainer's issue comment: first person singular
        ("I'm going to set up disk space alerts to my phone this week so this can't happen again.", "planned"),
        ("I'll add a second maintainer with publish rights to prevent a single point of failure.", "planned"),
        ("I've already fixed the cron job, and it now pings a healthcheck URL when it succeeds.", "done"),
        ("I'm adding a retry with backoff to the uploader to prevent this in the future.", "in_progress"),
    ],
)
def test_follow_ups_in_the_first_person_singular(sentence, status):
    assert actions(f"# Outage\n\n## What's next\n\n{sentence}\n") == [(sentence, status)]


@pytest.mark.parametrize(
    "sentence",
    [
        "We will issue a service credit to customers with a volume in the affected zone.",
        "We will do everything we can to learn from this event and improve our availability even further.",
        "We want to provide you with some additional information about the service disruption.",
    ],
)
def test_credits_pledges_and_introductions_are_boilerplate(sentence):
    assert is_boilerplate(sentence)


@pytest.mark.parametrize(
    "item, status",
    [
        ("**Done:** Database latency alerts for the payments cluster now page the on-call.", "done"),
        ("**In progress:** Auditing every job migrated to the new scheduler.", "in_progress"),
        ("__Ongoing:__ Moving index maintenance to an online rebuild.", "in_progress"),
        ("**Planned (Q3 2025):** Adding a circuit breaker to the payments API.", "planned"),
        ("I've already fixed the cron job, and if it ever stops running I'll get an email.", "done"),
        ("We have already pinned partition leadership; we'll revisit it after the migration.", "done"),
    ],
)
def test_a_bold_status_lead_in_or_already_decides_the_status(item, status):
    assert action_status(item) == status


@pytest.mark.parametrize(
    "sentence",
    [
        "This report explains what happened and the steps we're taking to prevent it from happening again.",
        "We want to explain exactly what happened, why it took so long to fix, and what we are changing.",
        "If you were charged a late fee, contact us and we will refund it.",
        "We'll publish a postmortem once our review is complete.",
    ],
)
def test_report_introductions_support_offers_and_postmortem_promises_are_boilerplate(sentence):
    assert is_boilerplate(sentence)


@pytest.mark.parametrize(
    "sentence, status",
    [
        ("We have already added the route reflector label to the node template.", "done"),
        ("We've added an alert that fires if the number of route reflectors drops below two.", "done"),
        ("We are adding a pre-flight check to our upgrade tooling, a check that refuses to continue if a label disappears.", "in_progress"),
    ],
)
def test_safeguards_and_changes_already_made_are_follow_ups_in_a_narrative(sentence, status):
    assert actions(f"# Outage\n\nOur upgrade removed a node label and the network fell over.\n\n{sentence}\n") == [(sentence, status)]


@pytest.mark.parametrize("heading", ["MEASURES TAKEN", "Measures", "Countermeasures", "Actionables", "Action points"])
def test_measures_and_actionables_name_action_sections(heading):
    assert section_role(heading) == "actions"


@pytest.mark.parametrize(
    "sentence",
    [
        "We've since moved the signing key to automatic rotation and added an alert a week before it expires.",
        "Since then we have turned request hedging back on for every read path, so a slow replica no longer stalls checkout.",
        "We also rewrote the on-call runbook for queue backlogs: the first step is now to check consumer health.",
    ],
)
def test_work_already_done_since_the_incident_is_a_done_action(sentence):
    text = f"# Outage\n\n## What we changed\n\n{sentence}\n"
    assert (sentence, "done") in actions(text)


def test_a_since_sentence_in_a_summary_is_a_follow_up():
    sentence = "We've since moved this certificate to automatic renewal and added an alert 30 days before it expires."
    text = f"# Outage\n\n## Summary\n\nThe certificate on the gateway expired at 06:12.\n{sentence}\n"
    assert (sentence, "done") in actions(text)


@pytest.mark.parametrize("item", ["How we run incident reviews", "Why we publish postmortems", "Get notified: subscribe to our status page"])
def test_link_titles_under_an_action_section_are_no_actions(item):
    text = f"# Outage\n\n## Follow-ups\n\n- Add an alert on queue depth.\n- {item}\n"
    assert [t for t, _ in actions(text)] == ["Add an alert on queue depth."]


@pytest.mark.parametrize(
    "item, status",
    [
        ("PROJ-112 Make the schema-change tool mandatory for large tables — **Resolved**", "done"),
        ("Include the cache hosts in the lag alert - Done", "done"),
        ("OPS-7 Add a timeout to stale reads – **Open**, needs discussion with the API team", "planned"),
        ("Document table sizes in the checklist — In progress", "in_progress"),
    ],
)
def test_a_status_after_a_dash_at_the_end_of_an_item(item, status):
    assert action_status(item) == status


@pytest.mark.parametrize(
    "sentence",
    [
        "We'll share another update within 30 minutes.",
        "We'll update you as soon as deliveries resume.",
        "We will keep the board and the regional managers informed as this work is completed.",
        "If anything here is unclear, contact support and we will get back to you.",
        "As an apology, we will add 500 gems to every account that logs in this week.",
    ],
)
def test_more_promises_about_the_incident_itself_are_boilerplate(sentence):
    assert is_boilerplate(sentence)


@pytest.mark.parametrize(
    "item, status",
    [
        ("[done] Scale the certificate controller to two replicas (PLAT-931)", "done"),
        ("Re-route certificate alerts to the platform pager [in progress]", "in_progress"),
        ("[todo] Audit every alert receiver for archived channels", "planned"),
        ("| OPS-4416 | Backoff with jitter for handheld retries | Mobile | [TO DO] |", "planned"),
    ],
)
def test_a_status_tag_in_square_brackets(item, status):
    assert action_status(item) == status


@pytest.mark.parametrize(
    "item, status",
    [
        ("Disk quotas on the shared volume are back on (done Monday, November 4).", "done"),
        ("Extend the health endpoint to test every partition. **(In flight)**", "in_progress"),
        ("Add sign-off steps to the upgrade checklist. In progress; it should land this month.", "in_progress"),
        ("A job-submit check that warns about shared temp paths. Planned.", "planned"),
        ("Give the projects volume its own metadata server. Planned for the spring maintenance.", "planned"),
        ("Route batch config through the staged rollout (Scheduled Q3)", "planned"),
        ("next week we're moving the status checker to 30-second probes from three regions", "planned"),
    ],
)
def test_status_words_written_after_an_item_or_a_next_week(item, status):
    assert action_status(item) == status


@pytest.mark.parametrize(
    "sentence",
    [
        "We'll publish a write-up here once we've finished our review.",
        "We will publish a post-incident review once our investigation is complete.",
        "we'll keep posting anything new in this channel.",
        "Please don't resend messages; duplicates will be delivered once the queue clears.",
    ],
)
def test_promises_of_a_write_up_and_requests_to_readers_are_boilerplate(sentence):
    assert is_boilerplate(sentence)


@pytest.mark.parametrize("item", ["-- -------------------------", "End of document -"])
def test_table_rules_and_end_markers_are_skipped(item):
    assert is_skipped(item)


def test_a_lower_case_line_naming_follow_ups_starts_an_action_list():
    text = ("# Outage\n\nso what happened? the filter table filled up.\n\nand the actual follow-ups:\n\n"
            "- next week we're adding the table usage to our dashboards with an alert at 70% full\n")
    assert ("next week we're adding the table usage to our dashboards with an alert at 70% full", "planned") in actions(text)


def test_what_happens_next_names_an_action_section():
    assert section_role("What happens next") == "actions"


def test_a_short_section_line_over_a_bullet_list_heads_it():
    text = ("Hi all,\n\nThe hall lost power on Saturday.\n\nWhat we're doing about it\n\n"
            "  - Done: replaced the cache battery on stor-03.\n  - Planned: re-cable the racks onto both feeds.\n\nCheers, Tom\n")
    found = actions(text)
    assert ("Done: replaced the cache battery on stor-03.", "done") in found
    assert ("Planned: re-cable the racks onto both feeds.", "planned") in found


def test_problem_record_lines_in_an_action_section_are_one_action_each():
    text = ("MAJOR INCIDENT REPORT\n\n5. PROBLEM RECORD AND ACTIONS\n\n"
            "PRB0012345 - Replace faulty module in CSW-A2 - Owner: Network - Due 14/06 - Closed\n"
            "PRB0012345 - Reduce ARP timeout on the load balancers - Owner: Hosting - Due 20/06 - Open\n")
    found = dict(actions(text))
    assert found["PRB0012345 - Replace faulty module in CSW-A2 - Owner: Network - Due 14/06 - Closed"] == "done"
    assert found["PRB0012345 - Reduce ARP timeout on the load balancers - Owner: Hosting - Due 20/06 - Open"] == "planned"


@pytest.mark.parametrize(
    "sentence",
    [
        "We will update this report if our investigation turns up anything further.",
        "We will close this issue once #2296 and #2298 are done.",
        "A postmortem will be published here.",
        "Every affected address will be reimbursed in full from the treasury.",
        "If you were charged for a trip during the outage, the charge will be reversed automatically.",
        "The problem record will be reviewed at the next Problem Review Board.",
        "During the incident we reviewed query logs for all zones and contacted the largest owners.",
    ],
)
def test_updates_refunds_reviews_and_steps_during_the_incident_are_no_follow_ups(sentence):
    assert is_boilerplate(sentence)


@pytest.mark.parametrize(
    "heading, role",
    [("What I'm changing", "actions"), ("What I’m changing", "actions"), ("What we’re changing", "actions"),
     ("What I am doing about it", "actions"), ("What I learned", "lessons")],
)
def test_a_solo_author_s_headings_and_curly_apostrophes_name_their_sections(heading, role):
    assert section_role(heading) == role


def test_i_o_in_a_heading_is_not_a_first_person_pronoun():
    assert section_role("I/O errors on the primary") is None


def test_checklist_items_under_a_first_person_heading_are_actions():
    text = ("# Disk full\n\nThe volume filled up overnight.\n\n## What I’m changing\n\n"
            "- [x] The media cleanup now runs as a scheduled job and has run the last two nights.\n"
            "- [ ] Moving media to object storage so the disk cannot fill like that again.\n")
    found = dict(actions(text))
    assert found["The media cleanup now runs as a scheduled job and has run the last two nights."] == "done"
    assert found["Moving media to object storage so the disk cannot fill like that again."] == "planned"


NUMBERED_REPORT = (
    "OPERATIONAL INCIDENT REPORT\n\n"
    "1. Incident overview\n\nOn 11 March 2025, between 07:42 and 10:15 CET, payment files were delayed.\n\n"
    "2. Root cause analysis\n\nA changed default in the broker lowered the prefetch limit.\n\n"
    "3. Remediation measures\n\n"
    "Immediate measures taken on 11.03.2025 to restore service:\n"
    "- re-routing of instant payments to the standby node;\n"
    "- restoration of the previous broker configuration on all nodes.\n\n"
    "To prevent a recurrence, the following measures were defined:\n\n"
    "3.1 Explicit prefetch limits configured for all payment queues.\n    Status: implemented\n\n"
    "3.2 Alerting on broker queue depth, routed to the on-call engineer.\n    Status: in implementation\n\n"
    "3.3 Separation of the broker connection pools of signing and file processing.\n    Status: planned (Q3 2025)\n\n"
    "We will inform clients of the completion of measures 3.2 and 3.3 through the client newsletter.\n\n"
    "4. Contact\n\nPlease contact your relationship manager with any questions about this report.\n"
)


def test_sub_numbered_measures_of_a_numbered_report_are_actions_with_their_status_lines():
    found = actions(NUMBERED_REPORT)
    assert [status for _, status in found] == ["done", "in_progress", "planned"]
    assert found[0][0].startswith("Explicit prefetch limits configured")


def test_steps_introduced_as_restoring_service_are_no_follow_ups():
    texts = " ".join(t for t, _ in actions(NUMBERED_REPORT))
    assert "standby node" not in texts and "previous broker configuration" not in texts


@pytest.mark.parametrize(
    "sentence",
    ["We will inform clients of the completion of measures 5.5 and 5.6 through the client newsletter.",
     "We will update customers on the progress of these actions in our quarterly review."],
)
def test_promises_to_report_on_the_actions_are_boilerplate(sentence):
    assert is_boilerplate(sentence)


@pytest.mark.parametrize(
    "item, status",
    [("Alerting on queue depth. Status: implemented", "done"), ("Alerting on queue depth. Status: deployed", "done"),
     ("Pool separation. Status: in implementation", "in_progress"), ("Load test gate. Status: in review", "in_progress")],
)
def test_status_fields_in_more_words(item, status):
    assert action_status(item) == status


@pytest.mark.parametrize(
    "heading, role",
    [("Putting it right", "actions"), ("How we're making it right", "actions"), ("What you will have noticed", "impact"),
     ("How the afternoon went", "timeline"), ("WHAT YOU NEED TO DO", "other"), ("What happens next", "actions")],
)
def test_headings_of_customer_notices_name_their_sections(heading, role):
    assert section_role(heading) == role


def test_a_heading_boxed_between_rule_lines_is_a_heading():
    text = ("IT DOWNTIME NOTICE\n\nThe EHR was down on Tuesday, January 21, 2025.\n\n"
            "-------------------------\nWHAT HAPPENS NEXT\n-------------------------\n\n"
            "1. Testing the backup path. Starting in March, IT will test the switch-over every three months.\n")
    assert [t for t, _ in actions(text)] == ["Testing the backup path. Starting in March, IT will test the switch-over every three months."]


@pytest.mark.parametrize(
    "item",
    ["The configuration diff step in our runbooks now compares the running configuration before and after any change.",
     "A jumbo-frame test across every storage path is now part of the post-change checks.",
     "Our lab switches now carry a copy of the production configuration."],
)
def test_what_now_happens_is_done(item):
    assert action_status(item, ("Putting it right",)) == "done"


@pytest.mark.parametrize(
    "text, expected",
    [
        # a water utility's notification: numbered records of labelled, wrapped fields
        ("# Portal outage\n\n5. CORRECTIVE AND PREVENTIVE ACTIONS\n\nAction 1\n  Description:  Reconcile the firewall rule register against a full\n"
         "                configuration export before any further stage proceeds.\n  Owner:        Network Team\n  Status:       In progress (target 30/04/2025)\n\n"
         "Action 2\n  Description:  Stage 3 of the change placed on hold pending Action 1.\n  Owner:        Change Manager\n  Status:       Completed 12/03/2025\n",
         [("Reconcile the firewall rule register against a full configuration export before any further stage proceeds.", "in_progress"),
          ("Stage 3 of the change placed on hold pending Action 1.", "done")]),
        # a hospital's IT memo: the same record with other field names
        ("# EHR downtime\n\n## Follow-up actions\n\nItem: Add the second controller to the quarterly failover test.\nResponsible: Infrastructure\nStatus: Scheduled\n",
         [("Add the second controller to the quarterly failover test.", "planned")]),
    ],
)
def test_an_action_record_of_labelled_fields_is_one_action_with_its_status(text, expected):
    assert actions(text) == expected


@pytest.mark.parametrize(
    "header",
    ["| What we're changing | Where it stands |", "| Next steps | Status |", "| Remediation items | State |"],
)
def test_a_table_whose_column_is_named_like_an_actions_section_lists_actions(header):
    # a monthly reliability email and a school district's notice: the table follows the incident's prose, under no actions heading
    text = f"# Notifications held back\n\nThe queue stalled for 47 minutes.\n\n{header}\n|---|---|\n| Send every release to a single canary first | Shipped |\n| Alert on the age of the oldest waiting message | Being built |\n"
    assert [a for a, _ in actions(text)] == ["Send every release to a single canary first", "Alert on the age of the oldest waiting message"]


def test_a_table_of_times_and_next_steps_is_no_action_table():
    text = "# Outage\n\n| Time | Next steps |\n|---|---|\n| 10:02 | Page the database team |\n"
    assert actions(text) == []
