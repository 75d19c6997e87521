"""DNS rebinding: the local (non-public) server answers only its own address and localhost, unless told otherwise."""

from __future__ import annotations

import asyncio
import http.client

import httpx
import pytest

from browser_support import live_server
from kb.hostguard import allowed_hosts
from kb.serve import make_app


def status(app, host: str, path: str = "/") -> int:
    async def go() -> int:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as client:
            return (await client.get(path, headers={"Host": host})).status_code

    return asyncio.run(go())


@pytest.mark.parametrize("host, expected", [
    ("127.0.0.1:8001", 200), ("localhost:8001", 200), ("LOCALHOST:8001", 200), ("[::1]:8001", 200),
    ("attacker.example:8001", 403), ("attacker.example", 403), ("127.0.0.1:9999", 403), ("", 403),
])
def test_only_the_bound_address_and_localhost_are_answered(seeded_db_path, host, expected):
    app = make_app(seeded_db_path, "127.0.0.1", 8001)
    assert status(app, host) == expected


def test_other_hosts_can_be_allowed_and_public_mode_is_not_checked(seeded_db_path):
    assert status(make_app(seeded_db_path, "127.0.0.1", 8001, allow_hosts=("kb.internal:8001",)), "kb.internal:8001") == 200
    assert status(make_app(seeded_db_path, "127.0.0.1", 8001, allow_hosts=("*",)), "anything.example") == 200
    assert status(make_app(seeded_db_path, "127.0.0.1", 8001, public=True), "kb.example.com") == 200


def test_allowed_hosts_for_an_ipv6_bind_and_port_80():
    assert "[::1]:8001" in allowed_hosts("::1", 8001)
    assert {"localhost", "127.0.0.1"} <= allowed_hosts("127.0.0.1", 80)
    assert "localhost" not in allowed_hosts("127.0.0.1", 8001)


@pytest.mark.slow
def test_a_rebound_name_gets_403_from_the_running_server(seeded_db_path):
    with live_server(seeded_db_path) as url:
        port = int(url.rsplit(":", 1)[1])
        for host, expected in ((f"attacker.example:{port}", 403), (f"127.0.0.1:{port}", 200)):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/-/versions.json", headers={"Host": host})
            response = conn.getresponse()
            body = response.read()
            conn.close()
            assert response.status == expected, body
    assert b"--allow-host" in http_body_for(seeded_db_path)


def http_body_for(db_path) -> bytes:
    async def go() -> bytes:
        app = make_app(db_path, "127.0.0.1", 8001)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as client:
            return (await client.get("/", headers={"Host": "evil.example"})).content

    return asyncio.run(go())
