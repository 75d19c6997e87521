"""Causes in the phrasings postmortems use, in summaries, narratives and cause sections, and the
statements that only look like causes (symptoms, apologies, investigation, response steps).
Sentences are written for the test, each in a different house style."""

from __future__ import annotations

import pytest

from ingest.normalise import normalise
from ingest.pipeline import extract
from ingest.read import source_from_bytes

CAUSES = [
 ("Summary", "The outage was caused by an expired TLS certificate on the load balancer."),
 ("Summary", "A configuration change to the rate limiter, deployed at 14:00, blocked most API traffic."),
 ("Summary", "The root cause was a race condition in the session cache."),
 ("What happened", "Because the replica was lagging, reads returned stale data."),
 ("What happened", "The primary database ran out of connections after a traffic spike."),
 ("What happened", "An engineer accidentally deleted the production bucket while cleaning up test resources."),
 ("What happened", "Our DNS provider suffered an outage that made our domain unresolvable."),
 ("Root cause", "A missing index on the orders table made every checkout query scan the full table."),
 ("Contributing factors", "Alerting on queue depth was not configured, so the backlog went unnoticed."),
 ("Trigger", "A routine upgrade of the Kubernetes control plane."),
 ("Why it happened", "The retry logic had no backoff, which amplified the load on the database."),
 ("Summary", "A memory leak in version 2.3 of the worker exhausted the nodes' memory."),
 # cause-section sentences whose problem is a dependency, a missing check, a wrong value, a saturated link
 ("Contributing factors", "Our deployment pipeline depended on the very resolver it was trying to fix."),
 ("Root cause analysis", "No check verified that the URL in the certificate actually serves a CRL."),
 ("Root cause", "For the new intermediate, the hostname was written as c7.crl.example.net rather than r7.c.example.net."),
 ("Why it happened", "The rebalancing traffic saturated the links between the aggregation routers."),
 ("Root cause", "When traffic ramped up, the new brokers burned through their burst credits in about 30 minutes."),
 ("Cause", "Managed laptops only trust the previous issuing chain, so they rejected the new certificate."),
 # a change carried out, told as part of the story: the trigger, in a narrative or in a cause section
 ("What happened", "Shortly after midnight our hosting partner carried out scheduled maintenance on the storage network."),
 ("Background", "At 09:12 CET the platform team began rolling out a routine certificate-rotation change to the edge fleet."),
 ("Summary", "On Tuesday evening we installed a new kernel version on half of the database hosts."),
 ("Root cause", "At 4:05 p.m. the team shipped release 7.2 of the billing service to every region at once."),
 ("Root cause", "On 3 May we released checkout v3 behind a flag that defaulted to on."),
 ("Cause", "Two days earlier we had rescheduled the nightly export to run at 01:00 instead of 04:00."),
 # an omission: what nobody did, what was forgotten
 ("What happened", "When the old node was retired, nobody checked whether its cron jobs had moved with it."),
 ("Summary", "I forgot to renew the signing key that the mobile app pins."),
 ("What happened", "What we didn't do was drain the queue before switching consumers."),
 ("Why it happened", "During the review of the firewall change, no one noticed that it also covered the backup subnet."),
 ("What happened", "What the load test didn't cover was a cold cache after a full restart."),
 # a slip, a missing safeguard, rights nobody needed
 ("What happened", "An operator ran the retention job against the live archive when she meant to run it against the test copy."),
 ("Summary", "Our on-call engineer accidentally detached the volume that held the primary's write-ahead log."),
 ("What happened", "There was no confirmation prompt before the tool deleted every matching key."),
 ("Background", "The deploy token also had admin rights on the production registry, although builds only need read access."),
 # a check that looks at the wrong thing, a fixed limit, unusual load, a late page, retries that pile on, stale state
 ("What happened", "Our uptime probe only checks that the home page returns 200, not that search works."),
 ("Summary", "The synthetic test doesn't check that a payment actually settles."),
 ("What happened", "The SMS gateway can only handle 40 messages per second from one account."),
 ("Summary", "Monday was payday, so far more people than usual opened the app at 9 a.m."),
 ("What happened", "The disk alert is set at 98%, so it did not page until the volume was already full."),
 ("What happened", "Every phone that lost its session retried the login endpoint every second, which added load to the struggling auth cluster."),
 ("Summary", "The old certificate was still cached on two of the edge nodes, which kept serving it."),
 # a value where the tool expects another, a pool limited by the wrong thing, a conversion skipped
 ("What happened", "The stage size was entered as 0.5 where the rollout tool expects a fraction such as 0.05."),
 ("Summary", "The workers were limited by open file handles, not by CPU, so autoscaling never kicked in."),
 ("What happened", "The import copied the timeouts across without converting them from seconds to milliseconds."),
 # alerts that could not fire, limits gone over, designs for another time, nothing warning, config read once
 ("What happened", "Errors on the three slow queues did not move the global average enough to page anyone."),
 ("Summary", "Replaying the backlog at once went well over the rate our SMS aggregator allows, and it throttled our connections."),
 ("Technical description", "The failover runbook was written for the previous database platform, which reconnected on every query."),
 ("What happened", "We track the expiry of the public certificate but not the internal ones, so nothing warned us."),
 ("Summary", "The proxies only read their certificates at startup, so every one of them needed a restart."),
 ("What happened", "The failure began at 07:00 when the SAML signing certificate reached its expiration date."),
 # a change told as a rollout of something, an update to a new release, a move to new storage
 ("What happened", "At 18:00 we began a staged rollout of camera firmware 4.12 to Australian customers."),
 ("Technical description", "During the maintenance window the subscriber database software was updated to a new vendor release."),
 ("Summary", "On Tuesday morning our catalogue supplier moved part of its shared platform onto new storage."),
 # the problem named as such, an incident that started with a change, a defect introduced earlier
 ("Summary", "The underlying problem was that our payment service opened more connections than the pooler allows."),
 ("Overview", "The underlying issue was that the export job held its lock for the whole run."),
 ("Summary", "The incident started with a routine change to the routing configuration of our cache layer."),
 ("What happened", "It all began with a resize of the session cluster during the evening peak."),
 ("Summary", "This defect had been introduced in an update to the rate limiter two months earlier."),
 ("Why it happened", "The storage controller has a defect that the vendor published an advisory for in January."),
 # delays told by what they cost, warnings nobody received, untested paths, no canary
 ("Contributing factors", "Reaching the vendor's engineer by telephone added about 35 minutes to the first outage."),
 ("What made it worse", "Republishing the record with the same tool cost about half an hour."),
 ("Contributing factors", "The expiry reminders went to a retired mailing list, so nobody received them."),
 ("Contributing factors", "The failover path was never tested with a full cache."),
 ("What made it worse", "The change went to every region at once, with no canary."),
]

NOT_CAUSES = [
 ("Summary", "Cloud Functions: deployments might fail in us-east1 due to an issue in the build service."),
 ("Summary", "Some webhook deliveries may have been delayed by up to an hour because of the queue backlog."),
 ("Summary", "Customers were unable to log in for 45 minutes."),
 ("Summary", "We apologize for the disruption this caused."),
 ("What happened", "The on-call engineer was paged at 14:05 and began investigating the cause."),
 ("Root cause", "We are still investigating the root cause and will share more details."),
 ("Impact", "Due to the outage, 12% of requests failed."),
 ("What happened", "We rolled back the change at 14:40 and errors dropped."),
 ("Summary", "Most services recovered on their own after the underlying problem was resolved."),
 ("Timeline", "11:40 The vendor's technician finds a defect in the power module."),
 # continuing an investigation, a pointer, a summary of the causes listed before, a fix, luck
 ("Summary", "The vendor's support engineers continue their investigation into the exact source of the stalled jobs."),
 ("What happened", "Investigation into why the replica lagged behind is ongoing, led by the storage team."),
 ("Summary", "The diff of the commits that caused this can be viewed here: https://example.com/pr/12"),
 ("Summary", "Together, these resulted in the origin receiving far more requests than normal and returning 404s."),
 ("Root cause", "Combined, they caused the queue to back up until workers timed out."),
 ("What happened", "We'd now fixed the caching of errors, but the load that was causing the errors remained."),
 ("Summary", "We have since fixed the bug that caused the crash loop."),
 ("Summary", "Luckily this audit was straightforward, because the membership had barely changed due to the recent launch."),
 ("What happened", "Fortunately the backups were intact, so the failure of the primary cost no data."),
 # what was not hit, what fixed it, what we expect, the largest effect, how many outages it caused
 ("What happened", "Our own publishing credentials were not compromised by the attack described above."),
 ("Summary", "Endpoints which did not touch the failed index were unaffected."),
 ("What happened", "On November 4, version 1.2.11 was released, which solved many of the issues that led to the failures."),
 ("Root cause", "Right-sizing the nodes resolved the underlying issues behind all three outages."),
 ("Summary", "We expect other vendors will find similar attack patterns in their own audit logs."),
 ("What happened", "The largest impact was that slow nodes fell off the network, which resulted in lost farming time."),
 ("Summary", "This caused several outages throughout the day from varying causes."),
 ("What happened", "As a result of the overload, we have improved our load testing and added capacity alerts."),
 # finding the cause, a list's introduction, a template's questions, changes under way
 ("What happened", "We found the cause at 19:22 and put in a temporary cap of 60,000 queue entries at 19:27."),
 ("Summary", "By 03:44 UTC the team had pinpointed the cause of the dropped traffic."),
 ("What happened", "Several things made the outage larger or longer than it needed to be."),
 ("Summary", "A few factors contributed to the length of the incident."),
 ("What happened", "2. How was the incident detected? By the disk-full alert, two minutes after the disk filled."),
 ("Summary", "When did the failure start? Shortly after the nightly backup job hit the full disk."),
 ("What happened", "We are changing our traffic management so that probe failures caused by mitigation do not shift traffic."),
 ("Summary", "Health checks will no longer fail because of the rate limiter (estimated completion: April 2025)."),
 # a zone declaration, a suspicion ruled out, the signals seen, a support line, a status update
 ("Summary", "Times are in Brasília time (BRT, UTC-3) because that's where I was when it broke."),
 ("What happened", "Early in the incident we suspected a network problem, because the 503s came from the load balancers."),
 ("What happened", "We haven't been able to reproduce the crash, so we are not treating it as part of the cause for now."),
 ("Summary", "During the incident, the most visible signals were long queue waits and failed jobs due to timeouts."),
 ("Summary", "If you were charged twice because of this, please call us on the number on the back of your card."),
 ("What happened", "We've identified an issue with one of our routing clusters caused by a node retirement and are working on a fix."),
 # when impact ended, what a fix did, a small adjustment, a setting changed to require checks
 ("What happened", "Cached errors had a four-hour TTL, so the full impact was not resolved until midnight UTC because of the cache."),
 ("Summary", "Service was not fully restored until 18:00 due to the replication backlog."),
 ("What happened", "We deployed the config change and its effect was almost instant: the errors caused by the loop stopped."),
 ("Summary", "We also made a small tweak to the firewall rule, as the pattern was misconfigured."),
 ("What happened", "Most repositories were also updated to require CI checks to pass before a broken change can be merged."),
 ("Summary", "Branch protection was reconfigured to block force pushes, which had caused the lost commits."),
 # a change that was the response (a fix, a rollback, an optimisation), or a version named in passing
 ("What happened", "At 11:40 we began rolling out a fix to the affected clusters."),
 ("Summary", "Engineers applied a configuration change to restore traffic to the secondary region."),
 ("What happened", "Starting with version 3.1, the client fetches its settings from the API on launch."),
 # theories from outside ruled out, a part that stayed healthy, a heading-like label, what was unrelated
 ("What happened", "Several shop owners told us that the failures only hit card payments made abroad."),
 ("Root cause", "During the outage, some people on forums suggested our database had been wiped."),
 ("Root cause", "The search cluster was healthy throughout and answered every query it received."),
 ("What went wrong", "We compared error rates per browser and found no link between the two."),
 ("Root cause", "The upstream mail relay was not the cause; it delivered everything we handed it."),
 ("Root cause", "Why the canary didn't catch it."),
 ("Summary", "The earlier disk alert on db-2 was unrelated and had been cleared the day before."),
 ("Summary", "We sincerely apologise for the disruption this caused to your teams."),
 ("What happened", "We found the expired certificate at 08:40 and replaced it twenty minutes later."),
 ("What happened", "Then we made it worse."),
 ("What happened", "We started investigating at 08:03 UTC because of customer reports."),
]


@pytest.mark.parametrize(
    "paragraph, factors",
    [
        ("The bank's switch failed over at 09:58. Two more things made it worse for merchants. First, routing moved traffic back to the "
         "primary bank as soon as success rates looked normal. Second, status checks against the bank kept timing out.",
         ["First, routing moved traffic back to the primary bank as soon as success rates looked normal.",
          "Second, status checks against the bank kept timing out."]),
        ("Several factors prolonged the outage. First, the runbook pointed at a dashboard we retired in May. Finally, the pager rota had a gap over the holiday.",
         ["First, the runbook pointed at a dashboard we retired in May.", "Finally, the pager rota had a gap over the holiday."]),
    ],
)
def test_ordinal_sentences_after_a_factor_introduction_are_contributing_causes(paragraph, factors):
    text = f"# Outage\n\n## Root cause\n\n{paragraph}\n"
    found = {c["text"]: c["kind"] for c in extract(normalise(source_from_bytes("x.md", text.encode(), None)))[0]["causes"]}
    for factor in factors:
        assert found.get(factor) == "contributing"


def test_the_items_of_a_list_of_what_made_it_worse_are_contributing_causes():
    text = ("# Outage\n\n## What happened\n\nThe import job filled the disk on the primary.\n\n"
            "Three things made the outage longer than it had to be:\n\n"
            "- The disk alert was routed to a mailbox that nobody reads at weekends.\n"
            "- Our failover runbook still named the replica we had decommissioned in May.\n\n"
            "## Timeline\n\n- 09:00 Disk full\n")
    found = {c["text"]: c["kind"] for c in extract(normalise(source_from_bytes("x.md", text.encode(), None)))[0]["causes"]}
    assert found.get("The disk alert was routed to a mailbox that nobody reads at weekends.") == "contributing"
    assert found.get("Our failover runbook still named the replica we had decommissioned in May.") == "contributing"
    assert not any(t.startswith("Three things") for t in found)


def test_a_list_not_introduced_as_causes_keeps_its_items_out():
    text = ("# Outage\n\n## What happened\n\nThe primary database ran out of disk space during the import. These teams joined the call:\n\n"
            "- The storage team, who owned the primary database hosts.\n- The support team, who answered the customers.\n")
    found = [c["text"] for c in extract(normalise(source_from_bytes("x.md", text.encode(), None)))[0]["causes"]]
    assert "The primary database ran out of disk space during the import." in found
    assert not any("team, who" in t for t in found)


@pytest.mark.parametrize(
    "paragraph, answer",
    [
        ("**Why the staging test passed.** Staging holds a tenth of production's tenants, so the slow query never showed up there.",
         "Staging holds a tenth of production's tenants, so the slow query never showed up there."),
        ("**How the retry storm started?** Every client retried at once on the same one-second schedule.",
         "Every client retried at once on the same one-second schedule."),
    ],
)
def test_the_sentence_answering_a_why_or_how_label_is_the_cause(paragraph, answer):
    text = f"# Outage\n\n## What went wrong\n\n{paragraph}\n"
    found = [c["text"] for c in extract(normalise(source_from_bytes("x.md", text.encode(), None)))[0]["causes"]]
    assert answer in found
    assert not any(t.startswith(("Why", "How", "**")) for t in found)


def causes(heading: str, sentence: str) -> list[str]:
    text = f"# Outage\n\n## {heading}\n\n{sentence}\n"
    return [c["text"] for c in extract(normalise(source_from_bytes("x.md", text.encode(), None)))[0]["causes"]]


@pytest.mark.parametrize("heading, sentence", CAUSES)
def test_a_stated_cause_is_found(heading, sentence):
    assert causes(heading, sentence) == [sentence]


@pytest.mark.parametrize("heading, sentence", NOT_CAUSES)
def test_what_only_looks_like_a_cause_is_not_one(heading, sentence):
    assert causes(heading, sentence) == []


@pytest.mark.parametrize(
    "heading, paragraph, lead",
    [
        ("Contributing factors", "**Our validation had no notion of a too-big change.** It checks syntax and reachability, nothing else.",
         "**Our validation had no notion of a too-big change.**"),
        ("Root causes", "__The runbook was out of date.__ It still named the old primary host.", "__The runbook was out of date.__"),
    ],
)
def test_a_factor_titled_in_bold_in_a_cause_section_is_a_cause(heading, paragraph, lead):
    text = f"# Outage\n\n## {heading}\n\n{paragraph}\n"
    found = [c["evidence"]["text"] for c in extract(normalise(source_from_bytes("x.md", text.encode(), None)))[0]["causes"]]
    assert lead in found
