"""A guard against DNS rebinding for the local server: requests whose ``Host`` header names anything
but the address the server is bound to (or localhost) are refused before Datasette sees them.

A web page the user visits can point a name of its own at 127.0.0.1 and then read whatever the local
server answers under that name; refusing unknown Host headers closes that door.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Iterable

LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")
"""Names that always reach this machine and cannot be rebound by a web page."""


def allowed_hosts(host: str, port: int, extra: Iterable[str] = ()) -> set[str]:
    """The ``Host`` header values a server bound to ``host:port`` answers: the bound address and the local
    names, each with the port (and without it on port 80), plus ``extra`` names as given (``*`` allows any)."""
    bound = f"[{host}]" if ":" in host and not host.startswith("[") else host
    names = {bound, *LOCAL_NAMES}
    values = {f"{name}:{port}" for name in names}
    if port == 80:
        values |= names
    return values | {value.lower() for value in extra}


def host_guard(app: Callable[..., Awaitable[Any]], allowed: set[str]) -> Callable[..., Awaitable[Any]]:
    """``app`` behind a check of every HTTP request's ``Host`` header against ``allowed`` (lower case):
    others get 403 with a one-line reason."""
    if "*" in allowed:
        return app

    async def guarded(scope, receive, send):
        if scope["type"] == "http":
            host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").lower()
            if host not in allowed:
                body = f"403: Host {host or '(none)'!r} is not this server's address; start pmkb serve with --allow-host to answer it\n".encode()
                await send({"type": "http.response.start", "status": 403, "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await app(scope, receive, send)

    return guarded
