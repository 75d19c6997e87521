"""Report and Datasette timings for the benchmark, each run in a child process of bench/run.py.

``time_report`` builds and renders the HTML report; ``serve_timings`` sends
full-text searches and every canned query through Datasette's test client
(``time_urls``, also used by bench/similarity.py for the incident page) and
gives p50/p95 milliseconds.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

SEARCH_TERMS = ("database", "dns", "certificate", "disk full", "deploy rollback", "memory")
"""Full-text queries sent to each searchable table."""

SEARCH_TABLES = ("documents", "causes", "corrective_actions", "timeline_events")
"""Tables with full-text search."""


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) of ``values`` as the report computes quantiles; NaN when empty."""
    from kb.report.stats import quantile

    found = quantile(values, q / 100)
    return float("nan") if found is None else found


def time_report(db_path: Path) -> dict[str, Any]:
    """Seconds to build and render the HTML report over every incident in ``db_path``."""
    from kb import report, store

    db = store.open_db(db_path, migrate=False)
    c0 = time.perf_counter()
    data = report.build(db, report.Filters())
    c1 = time.perf_counter()
    html = report.render(data, "html")
    c2 = time.perf_counter()
    db.close()
    return {"incidents": data["overview"]["incidents"], "build_s": c1 - c0, "render_s": c2 - c1, "total_s": c2 - c0, "html_bytes": len(html)}


def _param_value(name: str, sample: dict[str, str]) -> str:
    lname = name.lower()
    for key, value in sample.items():
        if key in lname:
            return value
    return ""


async def time_urls(ds, urls: list[str], repeats: int) -> tuple[list[float], list[dict], dict[str, float]]:
    samples, failures, per_url = [], [], {}
    for url in urls:
        response = await ds.client.get(url)  # warm caches and the connection once per URL
        if response.status_code != 200:
            failures.append({"url": url, "status": response.status_code, "body": response.text[:200]})
            continue
        mine = []
        for _ in range(repeats):
            c = time.perf_counter()
            await ds.client.get(url)
            mine.append((time.perf_counter() - c) * 1000)
        samples.extend(mine)
        per_url[url] = percentile(mine, 95)
    return samples, failures, per_url


async def _serve_timings(db_path: Path, repeats: int) -> dict[str, Any]:
    from kb.serve import make_datasette

    ds = make_datasette(db_path)
    await ds.invoke_startup()
    name = db_path.stem
    search_urls = [f"/{name}/{table}.json?_search={term.replace(' ', '+')}" for table in SEARCH_TABLES for term in SEARCH_TERMS]
    queries = await ds.get_canned_queries(name, None)
    db = ds.get_database(name)
    sample = {"year": "2023", "category": "", "organization": "", "component": "", "status": "open", "q": "database", "search": "database", "term": "database", "text": "database"}
    first = (await db.execute("select organization from incidents where organization is not null limit 1")).first()
    sample["organization"] = first[0] if first else ""
    first = (await db.execute("select category from categories limit 1")).first()
    sample["category"] = first[0] if first else ""
    canned_urls = []
    for qname, query in sorted(queries.items()):
        params = query.get("params") or re.findall(r"(?<!:):([a-zA-Z_]\w*)", query.get("sql", ""))
        qs = "&".join(f"{p}={_param_value(p, sample)}" for p in dict.fromkeys(params))
        canned_urls.append(f"/{name}/{qname}.json" + (f"?{qs}" if qs else ""))
    search, search_fail, search_urls_p95 = await time_urls(ds, search_urls, repeats)
    canned, canned_fail, canned_urls_p95 = await time_urls(ds, canned_urls, repeats)
    slowest = sorted({**search_urls_p95, **canned_urls_p95}.items(), key=lambda kv: -kv[1])
    return {
        "search_urls": len(search_urls),
        "canned_queries": sorted(queries),
        "search_p50_ms": percentile(search, 50),
        "search_p95_ms": percentile(search, 95),
        "canned_p50_ms": percentile(canned, 50),
        "canned_p95_ms": percentile(canned, 95),
        "failures": search_fail + canned_fail,
        "slowest_p95_ms": dict(slowest[:8]),
    }


def serve_timings(db_path: Path, repeats: int) -> dict[str, Any]:
    """p50/p95 ms of FTS table searches and canned queries through Datasette's test client."""
    return asyncio.run(_serve_timings(db_path, repeats))
