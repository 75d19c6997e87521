"""Categories when the causes say little: the title and summary decide when no cause names a
category, and more ways of saying that the response itself made things worse. Sentences are
written for the test in the shapes of several organizations."""

from __future__ import annotations

import pytest

from ingest.classify import categorise, incident_categories


def test_without_a_categorised_cause_the_title_and_summary_decide():
    assert incident_categories([], "The download mirror stopped serving files.", title="get.example.org disk quota exceeded") == ["capacity"]


def test_with_no_signal_at_all_the_category_is_unknown():
    assert incident_categories([], "Something happened.", title="Tuesday") == ["unknown"]


def test_causes_win_over_the_title():
    causes = [{"text": "A configuration change was deployed to every node at once."}]
    assert "capacity" not in incident_categories(causes, "", title="Disk quota exceeded")


@pytest.mark.parametrize(
    "sentence",
    [
        "Unfortunately, in attempting to rebuild the replica we deleted the primary's data directory.",
        "However this fix resulted in breaking the statistics hub for another hour.",
        "Restoring from the old backup prolonged the outage by six hours.",
        "A missing restore option delayed recovery until the next morning.",
    ],
)
def test_the_response_making_things_worse_is_remediation(sentence):
    assert "remediation" in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Due to a Fastly world-wide [incident](https://status.example.com/1), three sites were down.",
        "Our payments rely on an external card processor, which timed out.",
        "A Cloudflare regional outage dropped a third of our traffic.",
    ],
)
def test_a_providers_incident_is_a_dependency(sentence):
    assert "dependency" in categorise(sentence)


@pytest.mark.parametrize(
    "cause, expected",
    [
        ("The outage was caused by a bad deploy of the payments service.", {"change"}),
        ("The primary database ran out of disk space.", {"capacity"}),
        ("A traffic surge after a TV advert overwhelmed the API servers.", {"capacity"}),
        ("Our cloud provider had a regional outage in eu-west-1.", {"dependency"}),
        ("An engineer ran the cleanup script against the production cluster by mistake.", {"human-operation"}),
        ("A failed disk in the storage array degraded the database.", {"hardware"}),
        ("A memory leak in the cache service exhausted the nodes' memory.", {"software-bug", "capacity"}),
        ("A BGP route leak by a transit provider made our network unreachable.", {"network", "dependency"}),
    ],
)
def test_one_root_cause_gives_its_categories(cause, expected):
    from ingest.normalise import normalise
    from ingest.pipeline import extract
    from ingest.read import source_from_bytes

    incident = extract(normalise(source_from_bytes("x.md", f"# Outage\n\n## Root cause\n\n{cause}\n".encode(), None)))[0]
    assert set(incident["categories"]) == expected


def test_an_expired_certificate_named_by_its_host_is_a_time_cause():
    from ingest.classify import categorise

    assert "time" in categorise("The TLS certificate for api.example.com expired at midnight.")
    assert "time" in categorise("The signing key we use for webhooks had expired.")


@pytest.mark.parametrize(
    "sentence",
    [
        "It was made much longer by a rollback that we chose under pressure and had never rehearsed.",
        "The Asia-Pacific wave was already queued behind it, and nobody halted that one, so it started on schedule.",
        "Recovery of eduroam took longer than recovery of the VPN because the replacement certificate came from a new chain.",
    ],
)
def test_a_response_that_made_the_outage_longer_is_remediation(sentence):
    assert "remediation" in categorise(sentence)


def test_latency_alone_is_not_a_network_cause():
    assert "network" not in categorise("Checkout latency rose to 14 s because the inventory cache shard was at 100% CPU.")


@pytest.mark.parametrize(
    "sentence",
    ["The password on the directory service account expired this morning.",
     "Our Splunk licence expired overnight and indexing stopped.",
     "The service credentials had expired after 26 days, and nothing warned us."],
)
def test_an_expired_password_credential_or_licence_is_a_time_cause(sentence):
    assert "time" in categorise(sentence)


@pytest.mark.parametrize(
    "sentence, category",
    [
        # a change told without the word "deploy": an update applied, maintenance carried out, a move to new hosts
        ("At 02:00 a routine kernel upgrade was applied to every ingest node.", "change"),
        ("Our colocation partner carried out planned maintenance on the core switches.", "change"),
        ("Last week we moved the billing workers from the old VM to a managed container platform.", "change"),
        # a defect in how a step repeats or checks
        ("The email sender is not idempotent, so each retry sent the invoice again.", "software-bug"),
        ("The importer didn't check whether a row had already been loaded.", "software-bug"),
        # a limit reached or made smaller
        ("The upgrade reduced the default size of the connection pool from 200 to 50.", "capacity"),
        ("The web tier hit its autoscaling ceiling of 24 instances within minutes.", "capacity"),
        # a failed part
        ("One of the two RAID controllers in the primary array failed, and writes slowed to a crawl.", "hardware"),
        ("A power supply failure took the top-of-rack switch down.", "hardware"),
        # routes
        ("A peer started announcing more specific prefixes for our address space.", "network"),
    ],
)
def test_causes_in_plain_words_get_their_category(sentence, category):
    assert category in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Like many credit unions, we rely on an outside processor for card authorisations, and its primary site failed.",
        "Our sponsor bank's UPI switch failed over and timed out on a quarter of requests.",
        "The SMS provider throttled our sender IDs for two hours.",
    ],
)
def test_a_processor_bank_or_provider_outside_the_company_is_a_dependency(sentence):
    assert "dependency" in categorise(sentence)


def test_routing_payments_between_banks_is_no_network_cause():
    assert "network" not in categorise("Our smart routing layer only moves payments to the second bank after five minutes of failures.")
    assert "network" in categorise("A BGP routing change withdrew our prefixes from two transit providers.")


def test_event_processors_are_no_outside_dependency():
    assert "dependency" not in categorise("The new session timeout made the event processors rebalance every few seconds.")


def test_components_name_an_outside_processor_and_a_named_api():
    from ingest.classify import components_in

    assert "third-party" in components_in("the card processor's primary data centre lost power")
    assert "api" in components_in("manifest-api started returning 503s")


@pytest.mark.parametrize(
    "sentence, category",
    [
        ("On Tuesday morning our supplier moved part of the shared platform onto new storage.", "change"),
        ("On Friday afternoon we pushed a new filter rule to both edge firewalls.", "change"),
        ("The import copied the limits across without multiplying them by 60.", "software-bug"),
        ("The connection table has a fixed size, and at 19:42 it filled up.", "capacity"),
    ],
)
def test_more_plain_words_for_a_change_a_bug_and_a_full_table(sentence, category):
    assert category in categorise(sentence)


def test_a_ddos_filter_is_no_attack_and_an_upgrade_of_severity_is_no_change():
    assert "security" not in categorise("The DDoS filter rule we pushed on Friday fell over under evening traffic.")
    assert "change" not in categorise("About six minutes passed before the incident was upgraded to Severity 1.")


def test_a_statement_that_no_access_happened_is_no_cause():
    text = "# Outage\n\n## Root cause\n\nThis incident did not involve any unauthorised access to cardholder data or encryption keys.\n"
    from ingest.normalise import normalise
    from ingest.pipeline import extract
    from ingest.read import source_from_bytes

    assert extract(normalise(source_from_bytes("x.md", text.encode(), None)))[0]["causes"] == []


@pytest.mark.parametrize(
    "sentence",
    [
        "The old answer was still stored on our content delivery network and sent to some devices.",
        "Readers saw results up to half an hour old, because the CDN served whatever it could find.",
        "We raised this threshold to stop traffic flapping between banks during brief network-wide blips.",
    ],
)
def test_naming_the_network_or_the_cdn_in_passing_is_no_network_cause(sentence):
    assert "network" not in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Our processor suffered a network equipment failure at its primary data center.",
        "The upgrade removed a node label that our pod networking depended on.",
        "A CDN configuration change sent every request back to the origin.",
    ],
)
def test_a_fault_of_the_network_or_the_cdn_is_a_network_cause(sentence):
    assert "network" in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "We installed a new firmware version on the RAID controllers, as recommended by the hardware vendor.",
        "Adding relays is blocked by a capacity limit with our cloud provider, and we have asked them for an increase.",
        "As noted, we were not the only vendor used as an initial vector for this attack.",
    ],
)
def test_a_vendor_or_provider_named_in_passing_is_no_dependency(sentence):
    assert "dependency" not in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The WMS vendor released version 8.4 of their API, which changed the expected date format.",
        "Wednesday's repeat was on the vendor's side: their nightly sync copied the old certificate back.",
        "Our hosting provider's storage cluster failed at 02:10.",
        "A fibre cut at our upstream transit provider took the region offline.",
    ],
)
def test_a_fault_or_change_of_a_vendor_or_provider_is_a_dependency(sentence):
    assert "dependency" in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Gateways treated every refusal as transient and retried immediately, without backoff.",
        "The new widget writes a 180 KB payload into the session store with no TTL.",
        "The underlying cause is the inability of the service to detect and discard stale sessions.",
        "The new release contained a changed default for the size of the request pool.",
        "The app caches a failed fare estimate, so riders kept seeing the error after the rollback.",
    ],
)
def test_defects_told_without_the_word_bug_are_software_bugs(sentence):
    assert "software-bug" in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Clearing the cached answer is on our end-of-maintenance checklist, but the step was missed.",
        "We raised the broker log level to debug two weeks earlier and never set it back.",
        "The schema change was run without the online-schema-change tool.",
        "A night-shift colleague restarted two more nodes, which was not in line with our procedure.",
    ],
)
def test_a_step_missed_or_a_procedure_not_followed_is_a_human_operation(sentence):
    assert "human-operation" in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "During the maintenance we converted all players' equipment data to a new storage format.",
        "The update reinstalled the broker package, and its default log-rotation file replaced ours.",
        "Second, the key rotation moved all regions to the new signing key at once.",
    ],
)
def test_a_conversion_a_package_reinstalled_or_a_key_rotation_is_a_change(sentence):
    assert "change" in categorise(sentence)


def test_a_route_set_up_by_hand_during_recovery_is_no_human_operation():
    assert "human-operation" not in categorise("There was nothing to fail over to until our engineers set up the route by hand.")


@pytest.mark.parametrize(
    "sentence",
    [
        "So our fix made the rebalance storm worse, and lag grew faster for the next half hour.",
        "A colleague restarted two more nodes to speed up the recovery; this extended the blocking by some minutes.",
        "Releasing the backlog all at once went well over the rate our aggregator allows.",
    ],
)
def test_more_ways_the_response_made_things_worse(sentence):
    assert "remediation" in categorise(sentence)


def test_an_idempotency_store_named_in_passing_is_no_bug():
    assert "software-bug" not in categorise("If the idempotency store can't be reached, we refuse the request rather than risk processing it twice.")


@pytest.mark.parametrize(
    "sentence, category",
    [
        ("While replacing the failed disk, we pulled the wrong one: a healthy member of the array.", "human-operation"),
        ("The technician unplugged the wrong cable in rack B4.", "human-operation"),
        ("The script was run against the wrong database during the cleanup.", "human-operation"),
        ("The notification service had no staleness check, so it sent every message in its backlog.", "software-bug"),
        ("Last Sunday I rewrote the backup script and the cleanup line ended up pointing at the old folder.", "change"),
        ("At 13:52 UTC the provider's resolvers began timing out on a large share of queries.", "dependency"),
    ],
)
def test_more_ways_of_naming_a_category(sentence, category):
    assert category in categorise(sentence)


def test_the_wrong_choice_for_a_fleet_is_no_human_operation():
    assert "human-operation" not in categorise("This was the right choice for the old fleet and the wrong one for a mixed fleet.")


@pytest.mark.parametrize(
    "sentence",
    [
        "Looking back, a lot went wrong that evening before anyone was paged.",  # a game host's recap
        "The purge went to the wrong folder of the CDN, which emptied the cache.",  # a streaming blog
    ],
)
def test_something_going_wrong_is_no_software_bug_by_itself(sentence):
    assert "software-bug" not in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The parser returned the wrong value for amounts above one million.",
        "The job wrote the wrong offset back to the broker after a retry.",
    ],
)
def test_code_giving_a_wrong_value_is_a_software_bug(sentence):
    assert "software-bug" in categorise(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        # a wind farm's control-room log
        "Communications came back after the site lead bypassed a failed UPS in the substation cabinet.",
        # a colocation notice
        "The outage was caused by a faulty transceiver on the uplink between the two cages.",
        # a broadcaster's review
        "The encoder rack's UPS battery failed during the brown-out and both encoders lost power.",
    ],
)
def test_failed_power_and_link_parts_are_hardware(sentence):
    assert "hardware" in categorise(sentence)
