"""Helpers for the browser tests: Debian's Chromium and a live pmkb server in a thread."""

from __future__ import annotations

import os
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium; .ci/run installs it with apt-get when it is missing."""

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
"""How the tests launch Chromium (never a downloaded browser)."""


def chromium_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when Chromium is available."""
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        return f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run does this)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -e '.[test]')"
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(db_path: str | Path, public: bool = False, start_timeout: float = 20.0) -> Iterator[str]:
    """Serve ``db_path`` with pmkb's Datasette on 127.0.0.1 in a background thread; yield its base URL."""
    import uvicorn

    from kb.serve import make_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(make_app(db_path, "127.0.0.1", port, public=public), host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name=f"pmkb-serve-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"pmkb server on port {port} did not start within {start_timeout}s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium_browser() -> Iterator:
    """Debian's Chromium, launched headless through Playwright, closed after."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield browser
        finally:
            browser.close()
