"""Organization: the name a postmortem is about, spelled as its text spells it, and how
`pmkb eval` compares it with the gold's descriptive names. Sentences are written for the
test in the shapes several organizations use (never copied from the gold)."""

from __future__ import annotations

import pytest

from ingest.organization import find_organization, link_owners, respell_title, slug_words
from pmkb.org_match import organization_matches


@pytest.mark.parametrize(
    "source, text, expected",
    [
        ("acme-cloud-2024-03-01-db-outage.md", "Acme Cloud customers saw errors for an hour.", "Acme Cloud"),
        ("nodejs-2023-03-15-cached-404s.md", "The Node.js website served cached 404s.", "Node.js"),
        ("matrix-org-2025-09-02-outage.md", "The matrix.org homeserver was down.", "matrix.org"),
        ("n0-2024-11-05-relay-outage.md", "At n0 our relays went down.", "n0"),
        # a co-op that writes its name in capitals in the header and its domain in addresses
        ("spindlewort-coop-2025-08-09-disk-failure.txt",
         "SPINDLEWORT HOSTING CO-OP -- incident write-up\nmail ops@spindlewort.coop if you lost data.", "Spindlewort"),
        # a shop whose file name carries its domain, the text its name
        ("brambleshop-com-2025-01-05-checkout.md", "Brambleshop checkout failed. Write to help@brambleshop.com.", "Brambleshop"),
    ],
)
def test_the_file_name_before_its_date_picks_the_texts_spelling(source, text, expected):
    assert find_organization(text, source) == expected


def test_a_declared_organization_takes_the_texts_spelling():
    assert find_organization("Livekit is written LiveKit everywhere: LiveKit's servers.", "x.md", declared="livekit") == "LiveKit"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("## Summary\nLiveKit's core realtime and agent services are designed to tolerate failures.", "LiveKit"),
        ("On October 27, 2025 Loom was significantly degraded for all customers.", "Loom"),
        ("Here at Northwind, we take reliability seriously.", "Northwind"),
        ("The Initech SRE team was paged at 03:00.", "Initech"),
    ],
)
def test_without_a_file_name_the_text_names_itself(text, expected):
    assert find_organization(text, "postmortem.md") == expected


def test_words_that_are_never_organizations_are_not_taken():
    assert find_organization("We let the European team go to bed. The Monday team took over.", "notes.md") is None


def test_links_to_the_organizations_own_repositories_name_it():
    text = "See https://github.com/Globex-Corp/infra/pull/1 and https://github.com/Globex-Corp/infra/pull/2. Globex-Corp runs it."
    assert link_owners(text)[0] == ["globex", "corp"]
    assert find_organization(text, "report.md") == "Globex-Corp"


def test_generic_file_names_and_hosts_give_no_name():
    assert slug_words("incident-report-2024-01-01.md") == []
    assert slug_words("2024-01-01-outage.md") == []
    assert slug_words(None, "https://status.example-corp.com/incidents/1") == [["example-corp"]]


def test_a_title_made_from_the_file_name_is_respelled():
    assert respell_title("Livekit 2026-04-15", "LiveKit") == "LiveKit 2026-04-15"
    assert respell_title("Database outage 2026-04-15", "LiveKit") == "Database outage 2026-04-15"


@pytest.mark.parametrize(
    "predicted, gold, expected",
    [
        ("Rust", "Rust Project", True),
        ("Node.js", "Node.js project (OpenJS Foundation; nodejs.org website/Build WG)", True),
        ("nodejs.org", "Node.js project (OpenJS Foundation)", True),
        ("Cloud Platform", "UK Ministry of Justice (Cloud Platform)", True),
        ("mybinder.org", "mybinder.org", True),
        ("Bundler", "RubyGems.org / Bundler (Ruby Central)", True),
        ("Kubernetes", "Matrix.org Foundation", False),
        (None, "Loom", False),
        ("Project", "Rust Project", False),
    ],
)
def test_organization_matching_accepts_any_name_the_gold_gives(predicted, gold, expected):
    assert organization_matches(predicted, gold) is expected


@pytest.mark.parametrize(
    "source, text, expected",
    [
        ("2024-03-03-db.md", "# Acme API outage on March 3\n\nThe Acme API returned errors.\n", "Acme"),
        ("postmortem.md", "# Postmortem: Widgetly checkout outage\n\nWidgetly customers could not check out.\n", "Widgetly"),
        ("report.md", "# Incident report\n\nOn March 3, Northwind Cloud experienced an outage in the EU region. Northwind Cloud engineers rolled back.\n", "Northwind Cloud"),
        ("report.md", "# Incident report\n\nOur status page at status.quantly.io showed degraded performance.\n", "quantly.io"),
    ],
)
def test_generic_file_names_fall_back_on_how_the_text_names_itself(source, text, expected):
    assert find_organization(text, source) == expected


@pytest.mark.parametrize(
    "text",
    [
        "First report came from the Payments team: builds failing at the push step.",  # a freight company's review
        "The Platform team paged the database on-call at 06:40.",  # an analytics company's review
        # a team named after what it runs, more often than the company ever names itself
        "Tracking's own alerts fired sooner, but they route to the Tracking team, and the Tracking team was in a deploy.",
        "The Ledger team saw it first; Ledger's own dashboards stayed green while the Ledger team paged us.",  # a bank's RCA
    ],
)
def test_a_team_of_the_company_is_not_the_company(text):
    assert find_organization(f"# Registry disk full\n\n{text}\n", "pebblewick-freight-2024-11-19-registry-disk-full.html") == "Pebblewick Freight"


def test_enterprise_customers_is_no_organization():
    assert find_organization("# Outage\n\nEnterprise customers were unable to sign in.\n", "outage.md") is None


def test_front_matter_declares_the_organization():
    from ingest.normalise import normalise
    from ingest.pipeline import extract
    from ingest.read import source_from_bytes

    text = "---\norganization: Foo Corp\n---\n# Outage\n\nThe API failed.\n"
    assert extract(normalise(source_from_bytes("pm.md", text.encode(), None)))[0]["document"]["organization"] == "Foo Corp"


@pytest.mark.parametrize(
    "source, text, expected",
    [
        ("kereru-broadband-2025-02-18-fibre-cut.html", "Network update | Kererū Broadband\n\nKererū Broadband customers lost service.", "Kererū Broadband"),
        ("citroen-cloud-2024-05-01-outage.md", "# Outage\n\nCitroën Cloud's API returned errors.", "Citroën Cloud"),
    ],
)
def test_the_text_s_spelling_keeps_its_accents_when_the_file_name_drops_them(source, text, expected):
    assert find_organization(text, source) == expected


@pytest.mark.parametrize("text", ["## Who was affected\n\nAnyone who ran prune with --keep-within on 2.14.2.\n",
                                  "What users saw was a blank page. What users did next was retry.\n"])
def test_a_question_heading_is_no_self_name(text):
    assert find_organization(text, "notes/emberlight-2025-06-11-prune-hotfix.md") == "Emberlight"


@pytest.mark.parametrize(
    "name, words",
    [
        ("rotamoss-2025-10-monthly-reliability-email.md", [["rotamoss"]]),  # a monthly report, dated by its month
        ("meadowmere-veterinary-2025-q4-reliability-report.html", [["meadowmere", "veterinary"]]),  # a quarterly one
        ("report-2025-10.txt", []),
    ],
)
def test_a_file_name_dated_by_month_or_quarter_names_its_organization(name, words):
    assert slug_words(name) == words
