"""Classify: one test per category and component label of the taxonomy lexicons, and quality flags."""

from __future__ import annotations

import pytest

from ingest import rules
from ingest.classify import categorise, category_of, components_in, incident_categories
from ingest.normalise import normalise
from ingest.pipeline import extract
from ingest.read import source_from_bytes


def extract_text(text: str, name: str = "x.md") -> dict:
    """The first incident extracted from a Markdown text."""
    return extract(normalise(source_from_bytes(name, text.encode(), None)))[0]


def with_root_cause(sentence: str, title: str = "Incident report") -> dict:
    return extract_text(f"# {title}\n\n## Root cause\n\n- {sentence}\n")


CATEGORY_SENTENCES = {
    "change": "A configuration change deployed to the routing tier removed the default route.",
    "software-bug": "A race condition in the session cleanup code deleted active sessions.",
    "capacity": "The primary ran out of memory when traffic doubled after the launch.",
    "hardware": "A failed disk in the storage array forced the controller into read-only mode.",
    "network": "Packet loss between the two availability zones broke replication.",
    "dependency": "An outage at our upstream email provider delayed all notifications.",
    "human-operation": "An engineer accidentally ran the cleanup script against production.",
    "security": "An attacker used a leaked token to publish a malicious package.",
    "time": "The signing certificate expired because automatic renewal had silently stopped.",
    "remediation": "Our attempt to mitigate the slowdown by resizing the cluster made things worse.",
}

COMPONENT_SENTENCES = {
    "database": "The Postgres primary stopped accepting writes.",
    "storage": "The S3 bucket holding build artefacts became read-only.",
    "network": "The load balancer dropped connections from the office VPN.",
    "dns": "The DNS records for the status domain pointed at a retired address.",
    "cdn": "The CDN served stale assets to visitors in Europe.",
    "compute": "Several Kubernetes nodes were evicted by the autoscaler.",
    "cache": "The Redis cluster evicted hot keys under pressure.",
    "queue": "The Kafka consumers fell hours behind on the events topic.",
    "auth": "Users could not log in through SSO.",
    "api": "The public REST API returned 500 errors.",
    "deploy-pipeline": "The CI pipeline published an untested build.",
    "monitoring": "The Grafana dashboards showed no data, so no alert fired.",
    "third-party": "A vendor outage at our payment provider blocked checkouts.",
}


def test_every_taxonomy_label_has_a_test_sentence():
    taxonomy = rules.taxonomy()
    assert set(CATEGORY_SENTENCES) == set(taxonomy["categories"])
    assert set(COMPONENT_SENTENCES) == set(taxonomy["components"])


# ---------------------------------------------------------------- categories


@pytest.mark.parametrize("label", sorted(CATEGORY_SENTENCES))
def test_category_lexicon(label):
    sentence = CATEGORY_SENTENCES[label]
    assert label in categorise(sentence)
    assert category_of(sentence) == label


@pytest.mark.parametrize("label", sorted(CATEGORY_SENTENCES))
def test_category_reaches_the_incident_from_its_root_cause(label):
    incident = with_root_cause(CATEGORY_SENTENCES[label])
    assert label in incident["categories"]
    assert incident["causes"][0]["category"] == label


def test_unknown_category_when_no_lexicon_matches():
    sentence = "The nightly report job and the billing export ran at the same moment."
    assert categorise(sentence) == []
    assert category_of(sentence) == "unknown"
    assert incident_categories([{"text": sentence}], summary="") == ["unknown"]


def test_incident_without_causes_is_unknown():
    incident = extract_text("# Incident report\n\nThe dashboard was slow for some users.\n")
    assert incident["categories"] == ["unknown"]


def test_incident_categories_are_distinct_and_in_taxonomy_order():
    causes = [{"text": CATEGORY_SENTENCES["security"]}, {"text": CATEGORY_SENTENCES["change"]}, {"text": CATEGORY_SENTENCES["change"]}]
    found = incident_categories(causes, summary="")
    assert found == sorted(set(found), key=list(rules.taxonomy()["categories"]).index)
    assert found.count("change") == 1 and "security" in found


def test_remediation_is_read_from_the_whole_text():
    found = incident_categories([{"text": CATEGORY_SENTENCES["capacity"]}], summary="", text="Later, our own remediation work extended the outage.")
    assert "remediation" in found


@pytest.mark.parametrize(
    "sentence, label",
    [
        pytest.param(
            "The outage was caused by an expired TLS certificate on the gateway.",
            "time"
        ),
        pytest.param(
            "Requests failed due to a full disk on the primary node.",
            "capacity"
        ),
    ],
)
def test_category_of_common_phrasings(sentence, label):
    assert category_of(sentence) == label


# ---------------------------------------------------------------- components


@pytest.mark.parametrize("label", sorted(COMPONENT_SENTENCES))
def test_component_lexicon(label):
    assert label in components_in(COMPONENT_SENTENCES[label])


@pytest.mark.parametrize("label", sorted(COMPONENT_SENTENCES))
def test_component_reaches_the_incident_from_its_root_cause(label):
    assert label in with_root_cause(COMPONENT_SENTENCES[label])["components"]


def test_no_component_for_text_that_names_no_system():
    assert components_in("We had lunch in the park and talked about the weather.") == []


def test_components_of_an_incident_are_few_and_in_taxonomy_order():
    incident = with_root_cause(
        "The Postgres primary, the Redis cache, the Kafka queue, the S3 bucket and the DNS resolver all failed together."
    )
    components = incident["components"]
    assert 1 <= len(components) <= 3
    assert components == sorted(components, key=list(rules.taxonomy()["components"]).index)


def test_component_named_once_in_a_long_summary_is_not_enough():
    incident = extract_text(
        "# Slow dashboards\n\n## Summary\n\nDashboards were slow for an hour. One customer mentioned their Redis client in a ticket.\n"
    )
    assert "cache" not in incident["components"]


# ---------------------------------------------------------------- quality flags


def flags(incident: dict) -> dict[str, str]:
    return {f["flag"]: f["detail"] for f in incident["quality_flags"]}


def test_list_announced_but_missing():
    incident = extract_text(
        "# Gateway outage\n\n## Summary\n\nOn 2024-03-05 between 10:00 and 10:30 UTC the API failed.\n\n"
        "The root cause was a combination of several changes to the API gateway:\n\nWe are grateful for your patience.\n"
    )
    detail = flags(incident)["list-announced-but-missing"]
    assert detail.startswith("The root cause was a combination")


@pytest.mark.parametrize(
    "after",
    ["- The gateway timeout was lowered.\n- The retry budget was removed.\n", "| Change | Owner |\n|---|---|\n| Lower the timeout | SRE |\n"],
    ids=["list", "table"],
)
def test_list_that_follows_its_announcement_is_not_flagged(after):
    incident = extract_text(
        "# Gateway outage\n\n## Summary\n\nThe root cause was a combination of several changes to the API gateway:\n\n" + after
    )
    assert "list-announced-but-missing" not in flags(incident)


def test_short_label_ending_in_a_colon_is_not_an_announced_list():
    incident = extract_text("# Gateway outage\n\nNotes:\n\nThe gateway was slow.\n")
    assert "list-announced-but-missing" not in flags(incident)


def test_markdown_flattened_flag_comes_from_normalise():
    long_line = "## Summary The gateway failed. " + "The gateway returned errors to every client for a long time. " * 8 + "## Root Cause The timeout was too low."
    incident = extract_text(long_line + "\n", name="gateway.txt")
    assert "markdown-flattened" in flags(incident)
    plain = extract_text("# Summary\n\nThe gateway failed.\n")
    assert "markdown-flattened" not in flags(plain)


def test_quality_flags_name_the_time_problems_once_each_with_a_count():
    incident = extract_text("# Outage\n\n## Timeline\n\n- 2024-03-05 09:12 Deploy started.\n- 09:20 Alerts fired.\n- 09:31 Rolled back.\n")
    (detail,) = [f["detail"] for f in incident["quality_flags"] if f["flag"] == "timezone-missing"]
    assert detail.startswith("3 time(s)")
