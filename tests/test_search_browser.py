"""Searching for a lone quote in Chromium: the search-all page runs without a JavaScript error
and every table finishes loading (issue 17)."""

from __future__ import annotations

import pytest

from browser_support import chromium_browser, chromium_missing_reason, live_server
from kb.datasette_pmkb import escape_search

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or "")]


@pytest.mark.parametrize("query, escaped", [('"', '""'), (' " ', '" "'), ('"""', '""'), ("database", '"database"'), ('"dns failure', '"dns failure"')])
def test_a_search_of_only_quotes_is_the_empty_phrase(query, escaped):
    assert escape_search(query) == escaped


@pytest.mark.parametrize("query", ['"', '""', "database"])
def test_search_all_page_survives_a_lone_quote(seeded_db_path, query):
    from urllib.parse import quote

    with live_server(seeded_db_path) as base, chromium_browser() as browser:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/-/search?q={quote(query)}")
        page.wait_for_load_state("networkidle")
        assert errors == []
