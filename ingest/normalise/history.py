"""Status-page histories: an Atlassian Statuspage ``incidents.json`` list split into one Source per incident.

Each incident becomes its own document, named ``history#incident-id`` and
hashed over its own canonical JSON, so a re-ingest of a longer or edited
history adds only the new or changed incidents.
"""

from __future__ import annotations

import json
from typing import Any

from ..read import ReadError, Source


def split_history(source: Source) -> list[Source] | None:
    """One Source per incident of a Statuspage ``{"incidents": [...]}`` list of two or more; None for anything else."""
    if not source.data.lstrip()[:1] == b"{" or b'"incidents"' not in source.data:
        return None
    try:
        data = json.loads(source.text)
    except (ValueError, RecursionError, ReadError):
        return None  # the JSON normaliser names the problem
    incidents = data.get("incidents") if isinstance(data, dict) else None
    if not isinstance(incidents, list) or len(incidents) < 2:
        return None
    if not all(isinstance(i, dict) and isinstance(i.get("incident_updates"), list) for i in incidents):
        return None
    page = data.get("page")
    return [_incident_source(source, page, incident, index) for index, incident in enumerate(incidents)]


def _incident_source(source: Source, page: Any, incident: dict, index: int) -> Source:
    """A Source holding ``{"page": …, "incident": …}`` for one incident."""
    ident = str(incident.get("id") or incident.get("shortlink") or f"{index + 1}").strip().rsplit("/", 1)[-1]
    payload = json.dumps({"page": page, "incident": incident}, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return Source(f"{source.name}#{ident}", data=payload, format_hint="json")
