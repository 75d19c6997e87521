"""Fetch http(s) URLs for the read step: one deadline for the whole fetch, no redirect off http(s), basic auth from ``user:password@``.

Every problem is a :class:`~ingest.read.ReadError` naming the URL in one line.
"""

from __future__ import annotations

import base64
import http.client
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from .read import DEFAULT_MAX_BYTES, DEFAULT_URL_TIMEOUT, ReadError, Source, format_for, source_from_bytes, too_large


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http and https URLs."""

    def http_error_302(self, req, fp, code, msg, headers):
        location = headers.get("location") or headers.get("uri") or ""
        scheme = urllib.parse.urlparse(urllib.parse.urljoin(req.full_url, location)).scheme.lower()
        if scheme not in ("http", "https"):
            raise urllib.error.URLError(f"redirect to a {scheme}: URL refused")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401
        scheme = urllib.parse.urlparse(newurl).scheme.lower()
        if scheme not in ("http", "https"):
            raise urllib.error.URLError(f"redirect to a {scheme or 'relative'}: URL refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _Deadline:
    """Shuts every socket of one fetch when its time is up, so no slow server can stretch the fetch past it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.sockets: list[socket.socket] = []
        self.expired = False
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True

    def remaining(self) -> float:
        """Seconds left (never below a millisecond, which socket timeouts need)."""
        return max(0.001, self.ends - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` at the deadline (at once if it has passed)."""
        self.sockets.append(sock)
        if self.expired:
            self._expire()

    def _expire(self) -> None:
        self.expired = True
        for sock in self.sockets:
            try:
                socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's, under any TLS layer
            except OSError:
                pass

    def __enter__(self) -> "_Deadline":
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.cancel()


def _handlers(deadline: _Deadline) -> list[urllib.request.BaseHandler]:
    """http and https handlers whose connections are watched by ``deadline``."""

    class Http(http.client.HTTPConnection):
        def connect(self) -> None:
            self.timeout = deadline.remaining()
            super().connect()
            deadline.watch(self.sock)

    class Https(http.client.HTTPSConnection):
        def connect(self) -> None:
            self.timeout = deadline.remaining()
            super().connect()
            deadline.watch(self.sock)

    class HttpHandler(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(Http, req)

    class HttpsHandler(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(Https, req, context=self._context)

    return [HttpHandler(), HttpsHandler(), _HttpOnlyRedirects()]


def split_credentials(url: str) -> tuple[str, str | None, str]:
    """``url`` without its ``user:password@`` part, that part (decoded) or None, and ``url`` with the password masked
    (as it is named in messages and stored)."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url, None, url
    userinfo, _, host = parts.netloc.rpartition("@")
    user, sep, _ = userinfo.partition(":")
    shown = urllib.parse.urlunsplit(parts._replace(netloc=f"{user}{':***' if sep else ''}@{host}"))
    return urllib.parse.urlunsplit(parts._replace(netloc=host)), urllib.parse.unquote(userinfo), shown


def read_url(url: str, max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = DEFAULT_URL_TIMEOUT) -> Source:
    """Fetch an http(s) URL: at most ``max_bytes``, within ``timeout`` seconds in all, no redirect off http(s).

    ``user:password@`` in the URL is sent as HTTP basic authentication, and the password masked in the
    Source's name and any message."""
    try:
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        plain, credentials, url = split_credentials(url)
        urllib.parse.urlsplit(plain).port  # noqa: B018  (raises on a port that is not a number)
    except ValueError as exc:
        raise ReadError(url, f"not a valid URL ({exc})") from None
    if scheme not in ("http", "https"):
        raise ReadError(url, f"only http and https URLs are fetched, not {scheme}:")
    headers = {"User-Agent": "pmkb (postmortem knowledge base)"}
    if credentials is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode("utf-8")).decode("ascii")
    with _Deadline(timeout) as deadline:
        data, content_type = _fetch(url, urllib.request.Request(plain, headers=headers), deadline, max_bytes)
    hint = format_for(plain)
    if hint is None:
        hint = {"text/html": "html", "application/json": "json", "text/markdown": "markdown"}.get(content_type, "text")
    return source_from_bytes(url, data, format_hint=hint)


def _fetch(url: str, request: urllib.request.Request, deadline: _Deadline, max_bytes: int) -> tuple[bytes, str]:
    """The body and content type of ``request``, or a ReadError naming ``url``."""
    opener = urllib.request.build_opener(*_handlers(deadline))
    timed_out = ReadError(url, f"timed out after {deadline.seconds:g} s")
    chunks: list[bytes] = []
    try:
        with opener.open(request, timeout=deadline.seconds) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise too_large(url, int(length), max_bytes)
            content_type = response.headers.get_content_type()
            received = 0
            while received <= max_bytes:
                chunk = response.read1(min(65536, max_bytes + 1 - received))
                if deadline.expired:
                    raise timed_out
                if not chunk:
                    break
                chunks.append(chunk)
                received += len(chunk)
    except urllib.error.HTTPError as exc:
        if "infinite loop" in str(exc.reason):
            raise ReadError(url, f"redirect loop: HTTP {exc.code} (more than {_HttpOnlyRedirects.max_redirections} redirects, or back to a page already visited)") from None
        raise ReadError(url, f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if deadline.expired or isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise timed_out from None
        raise ReadError(url, f"cannot fetch: {reason}") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if deadline.expired or isinstance(exc, TimeoutError):
            raise timed_out from None
        raise ReadError(url, f"cannot fetch: {exc or type(exc).__name__}") from None
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise too_large(url, None, max_bytes)
    return data, content_type
