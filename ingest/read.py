"""Step 1, read: turn paths, folders, URLs and stdin into decoded sources.

Everything that can go wrong with an input (missing, unreadable, binary,
too large, undecodable, a dead URL) becomes a :class:`ReadError` that names
the input and the problem in one line, so callers can report it and go on.
"""

from __future__ import annotations

import hashlib
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

SUFFIX_FORMATS: dict[str, str] = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
}
"""Suffixes that a folder walk picks up, and the format each one suggests."""

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
"""Largest input accepted (5 MiB); override with ``--max-bytes`` or ``$PMKB_MAX_BYTES``."""

DEFAULT_URL_TIMEOUT = 15.0
"""Seconds to wait for a URL before giving up."""

_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF", "a PDF file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an executable"),
    (b"RIFF", "a RIFF media file"),
    (b"SQLite format 3", "an SQLite database"),
]


class ReadError(Exception):
    """An input that cannot be used, with a one-line reason."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


@dataclass(frozen=True)
class Source:
    """One input document, decoded to text."""

    name: str
    text: str
    sha256: str
    format_hint: str | None = None
    encoding: str = "utf-8"
    extra: dict = field(default_factory=dict)


def max_bytes_from_env(default: int = DEFAULT_MAX_BYTES) -> int:
    """The size limit from ``$PMKB_MAX_BYTES`` if set, else ``default``."""
    value = os.environ.get("PMKB_MAX_BYTES")
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        return default


def format_for(name: str) -> str | None:
    """The format suggested by a file name's suffix, or None."""
    return SUFFIX_FORMATS.get(Path(urllib.parse.urlparse(name).path).suffix.lower())


def sniff_binary(data: bytes) -> str | None:
    """Describe ``data`` if it is clearly not text (magic number or NUL bytes)."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 with a BOM has NUL bytes but is text
    sample = data[:8192]
    if b"\x00" in sample:
        return "binary data (NUL bytes)"
    return None


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode bytes to text, returning (text, encoding); raise ReadError if impossible."""
    if not data.strip():
        raise ReadError(name, "empty file")
    what = sniff_binary(data)
    if what:
        raise ReadError(name, f"not a text document: looks like {what}")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ReadError(name, f"broken UTF-16 text ({exc.reason})") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ReadError(name, "not a text document: no text encoding fits its bytes")
    text = str(best)
    if _looks_garbled(text):
        raise ReadError(name, "not a text document: decodes only to unreadable characters")
    return text, best.encoding


def _looks_garbled(text: str) -> bool:
    """True when too few characters are letters, digits, punctuation or space."""
    sample = text[:4096]
    if not sample:
        return True
    good = sum(1 for c in sample if c.isprintable() or c in "\n\r\t")
    letters = sum(1 for c in sample if c.isascii() and c.isalpha())
    return good / len(sample) < 0.9 or letters / len(sample) < 0.2


def source_from_bytes(name: str, data: bytes, format_hint: str | None = None) -> Source:
    """Build a Source from raw bytes, decoding them."""
    text, encoding = decode(data, name)
    return Source(
        name=name,
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        format_hint=format_hint if format_hint is not None else format_for(name),
        encoding=encoding,
    )


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """Read one file; raise ReadError naming it when it cannot be used."""
    name = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ReadError(name, "no such file") from None
    except OSError as exc:
        raise ReadError(name, f"cannot read: {exc.strerror or exc}") from None
    if path.is_dir():
        raise ReadError(name, "is a folder")
    if size > max_bytes:
        raise ReadError(name, f"too large: {size:,} bytes is over the limit of {max_bytes:,} (--max-bytes)")
    try:
        data = path.read_bytes()
    except PermissionError:
        raise ReadError(name, "cannot read: permission denied") from None
    except OSError as exc:
        raise ReadError(name, f"cannot read: {exc.strerror or exc}") from None
    return source_from_bytes(name, data)


def read_stream(stream: BinaryIO, name: str = "<stdin>", max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """Read a whole binary stream, such as stdin."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ReadError(name, f"too large: over the limit of {max_bytes:,} bytes (--max-bytes)")
    return source_from_bytes(name, data, format_hint=None)


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http and https URLs."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401
        scheme = urllib.parse.urlparse(newurl).scheme.lower()
        if scheme not in ("http", "https"):
            raise urllib.error.URLError(f"redirect to a {scheme or 'relative'}: URL refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def read_url(url: str, max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = DEFAULT_URL_TIMEOUT) -> Source:
    """Fetch an http(s) URL with a size limit and a timeout."""
    scheme = urllib.parse.urlparse(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ReadError(url, f"only http and https URLs are fetched, not {scheme}:")
    opener = urllib.request.build_opener(_HttpOnlyRedirects)
    request = urllib.request.Request(url, headers={"User-Agent": "pmkb (postmortem knowledge base)"})
    try:
        with opener.open(request, timeout=timeout) as response:
            data = response.read(max_bytes + 1)
            content_type = response.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        raise ReadError(url, f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise ReadError(url, f"timed out after {timeout:g} s") from None
        raise ReadError(url, f"cannot fetch: {reason}") from None
    except TimeoutError:
        raise ReadError(url, f"timed out after {timeout:g} s") from None
    except OSError as exc:
        raise ReadError(url, f"cannot fetch: {exc}") from None
    if len(data) > max_bytes:
        raise ReadError(url, f"too large: over the limit of {max_bytes:,} bytes (--max-bytes)")
    hint = format_for(url)
    if hint is None:
        hint = {"text/html": "html", "application/json": "json", "text/markdown": "markdown"}.get(content_type, "text")
    return source_from_bytes(url, data, format_hint=hint)


def walk_folder(folder: Path) -> Iterator[Path | ReadError]:
    """Every supported file below ``folder``, sorted, following links but never looping."""
    seen: set[str] = set()
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            real = os.path.realpath(current)
        except OSError as exc:
            yield ReadError(str(current), f"cannot resolve: {exc}")
            continue
        if real in seen:
            yield ReadError(str(current), "symlink loop: folder already visited")
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except PermissionError:
            yield ReadError(str(current), "cannot list folder: permission denied")
            continue
        except OSError as exc:
            yield ReadError(str(current), f"cannot list folder: {exc.strerror or exc}")
            continue
        subfolders = []
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
            except OSError as exc:
                yield ReadError(str(path), f"cannot read: {exc.strerror or exc}")
                continue
            if is_dir:
                if not entry.name.startswith("."):
                    subfolders.append(path)
            elif path.suffix.lower() in SUFFIX_FORMATS:
                if entry.is_symlink() and not path.exists():
                    yield ReadError(str(path), "broken symlink")
                    continue
                yield path
        stack.extend(reversed(subfolders))


def is_url(value: str) -> bool:
    """True for anything with a URL scheme other than a Windows drive letter."""
    scheme = urllib.parse.urlparse(value).scheme
    return len(scheme) > 1


def iter_sources(
    inputs: Iterable[str],
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: BinaryIO | None = None,
    url_timeout: float = DEFAULT_URL_TIMEOUT,
) -> Iterator[Source | ReadError]:
    """Expand inputs (files, folders, URLs, ``-``) into Sources or ReadErrors, in order."""
    for value in inputs:
        if value == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            try:
                yield read_stream(stream, max_bytes=max_bytes)
            except ReadError as exc:
                yield exc
            continue
        if is_url(value):
            try:
                yield read_url(value, max_bytes=max_bytes, timeout=url_timeout)
            except ReadError as exc:
                yield exc
            continue
        path = Path(value)
        if path.is_dir():
            for item in walk_folder(path):
                if isinstance(item, ReadError):
                    yield item
                    continue
                try:
                    yield read_file(item, max_bytes=max_bytes)
                except ReadError as exc:
                    yield exc
            continue
        try:
            yield read_file(path, max_bytes=max_bytes)
        except ReadError as exc:
            yield exc
