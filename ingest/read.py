"""Step 1, read: turn paths, folders, URLs and stdin into sources.

A :class:`Source` holds an input's raw bytes and their sha256; it decodes them
to text only when its ``text`` is first used, so an unchanged document can be
recognised by its hash without any decoding.

Everything that can go wrong with an input (missing, unreadable, binary,
too large, undecodable, a dead URL) becomes a :class:`ReadError` that names
the input and the problem in one line, so callers can report it and go on.
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import os
import stat
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

SUFFIX_FORMATS: dict[str, str] = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".docx": "docx",
    ".pdf": "pdf",
    ".zip": "zip",
}
"""Suffixes that a folder walk picks up, and the format each one suggests (docx, pdf, zip are read as bytes)."""

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


class UnsupportedError(ReadError):
    """An input of a kind pmkb does not read (an image, a spreadsheet, an unknown suffix)."""


class Source:
    """One input document: its raw bytes and their sha256, decoded to text only when asked.

    ``text`` (and ``encoding``) decode lazily, so a caller can compare ``sha256``
    with what it already holds before paying for decoding; decoding problems
    (empty, binary, no text encoding fits) raise :class:`ReadError` then.
    A Source can also be built straight from text: ``Source(name, text=...)``.
    """

    def __init__(
        self,
        name: str,
        text: str | None = None,
        sha256: str | None = None,
        format_hint: str | None = None,
        encoding: str = "utf-8",
        extra: dict | None = None,
        data: bytes | None = None,
    ):
        if text is None and data is None:
            raise TypeError("Source needs text or data")
        self.name = name
        self.data = data if data is not None else text.encode("utf-8")  # type: ignore[union-attr]
        self.sha256 = sha256 or hashlib.sha256(self.data).hexdigest()
        self.format_hint = format_hint
        self.extra = extra or {}
        self._decoded = (text, encoding) if text is not None else None

    def _decode(self) -> tuple[str, str]:
        if self._decoded is None:
            self._decoded = decode(self.data, self.name)
        return self._decoded

    @property
    def text(self) -> str:
        """The decoded text (raises ReadError when the bytes are not a text document)."""
        return self._decode()[0]

    @property
    def encoding(self) -> str:
        """The encoding the bytes were decoded from."""
        return self._decode()[1]

    def __repr__(self) -> str:
        return f"Source({self.name!r}, sha256={self.sha256[:12]!r}, format_hint={self.format_hint!r}, {len(self.data):,} bytes)"


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
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReadError(name, f"broken UTF-16 text ({exc.reason})") from None
        if not text.strip():
            raise ReadError(name, "empty file")
        return text, "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise ReadError(name, "not a text document: no text encoding fits its bytes")
    encoding = _prefer_western(data, best, matches)
    text = data.decode(encoding) if encoding != best.encoding else str(best)
    if _looks_garbled(text):
        raise ReadError(name, "not a text document: decodes only to unreadable characters")
    return text, encoding


def _prefer_western(data: bytes, best, matches) -> str:
    """Windows-1252 when it explains the bytes as well as the detector's pick.

    On short texts the detector often ranks a Central European or DOS code page
    a hair above Windows-1252 (à read as ŕ, “ as ô); for postmortems 1252, a
    superset of Latin-1's printable range, is the likelier author's encoding.
    """
    for match in matches:
        if match.chaos <= best.chaos + 0.02 and match.coherence >= best.coherence - 0.05 and "cp1252" in match.could_be_from_charset:
            try:
                data.decode("cp1252")
            except UnicodeDecodeError:
                break
            return "cp1252"
    return best.encoding


def _looks_garbled(text: str) -> bool:
    """True when too few characters are printable, or too few are letters."""
    sample = text[:4096]
    if not sample:
        return True
    good = sum(1 for c in sample if c.isprintable() or c in "\n\r\t")
    letters = sum(1 for c in sample if c.isalpha())
    return good / len(sample) < 0.9 or letters / len(sample) < 0.2


def source_from_bytes(name: str, data: bytes, format_hint: str | None = None) -> Source:
    """A Source over raw bytes: hashed now, decoded when its text is first needed."""
    return Source(name, data=data, format_hint=format_hint if format_hint is not None else format_for(name))


def _too_large(name: str, size: int | None, max_bytes: int) -> ReadError:
    amount = f"{size:,} bytes is" if size is not None else "it is"
    return ReadError(name, f"too large: {amount} over the limit of {max_bytes:,} bytes (--max-bytes or $PMKB_MAX_BYTES)")


def _os_problem(path: Path, exc: OSError) -> str:
    """A one-line reason for an OSError met while opening or reading ``path``."""
    if isinstance(exc, PermissionError):
        return "cannot read: permission denied"
    if exc.errno == errno.ELOOP:
        return "symlink loop: too many levels of symbolic links"
    if isinstance(exc, FileNotFoundError):
        return "broken symlink: its target does not exist" if path.is_symlink() else "no such file"
    return f"cannot read: {exc.strerror or exc}"


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """Read one file's bytes (not decoding them yet); raise ReadError naming it when it cannot be used."""
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise ReadError(name, _os_problem(Path(path), exc)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ReadError(name, "is a folder")
        if not stat.S_ISREG(info.st_mode):
            raise ReadError(name, "not a regular file (device, pipe or socket)")
        if info.st_size > max_bytes:
            raise _too_large(name, info.st_size, max_bytes)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ReadError(name, _os_problem(Path(path), exc)) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise _too_large(name, None, max_bytes)
    return source_from_bytes(name, data)


def read_stream(stream: BinaryIO, name: str = "<stdin>", max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """Read a whole binary stream, such as stdin."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(name, None, max_bytes)
    return source_from_bytes(name, data, format_hint=None)


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


def read_url(url: str, max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = DEFAULT_URL_TIMEOUT) -> Source:
    """Fetch an http(s) URL: at most ``max_bytes``, within ``timeout`` seconds in all, no redirect off http(s)."""
    scheme = urllib.parse.urlparse(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ReadError(url, f"only http and https URLs are fetched, not {scheme}:")
    opener = urllib.request.build_opener(_HttpOnlyRedirects)
    request = urllib.request.Request(url, headers={"User-Agent": "pmkb (postmortem knowledge base)"})
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise _too_large(url, int(length), max_bytes)
            content_type = response.headers.get_content_type()
            chunks: list[bytes] = []
            received = 0
            while received <= max_bytes:
                if time.monotonic() > deadline:
                    raise TimeoutError
                chunk = response.read(min(65536, max_bytes + 1 - received))
                if not chunk:
                    break
                chunks.append(chunk)
                received += len(chunk)
    except urllib.error.HTTPError as exc:
        raise ReadError(url, f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise ReadError(url, f"timed out after {timeout:g} s") from None
        raise ReadError(url, f"cannot fetch: {reason}") from None
    except TimeoutError:
        raise ReadError(url, f"timed out after {timeout:g} s") from None
    except (OSError, http.client.HTTPException) as exc:
        raise ReadError(url, f"cannot fetch: {exc or type(exc).__name__}") from None
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise _too_large(url, None, max_bytes)
    hint = format_for(url)
    if hint is None:
        hint = {
            "text/html": "html", "application/json": "json", "text/markdown": "markdown", "application/pdf": "pdf", "application/zip": "zip",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
        }.get(content_type, "text")
    return source_from_bytes(url, data, format_hint=hint)


def _unsupported(path: Path) -> ReadError:
    """Why a file a folder walk meets is not read: binary by its first bytes, or an unknown suffix."""
    try:
        with open(path, "rb") as handle:
            what = sniff_binary(handle.read(16)) if path.is_file() else None
    except OSError as exc:
        return ReadError(str(path), _os_problem(path, exc))
    if what:
        return UnsupportedError(str(path), f"not a text document: looks like {what}")
    kinds = ", ".join(sorted(SUFFIX_FORMATS))
    return UnsupportedError(str(path), f"unsupported file type {path.suffix.lower() or '(no suffix)'}: pmkb reads {kinds}")


def walk_folder(folder: Path) -> Iterator[Path | ReadError]:
    """Every file below ``folder``, sorted: supported ones as paths, others as ReadErrors.

    Hidden files and folders (``.name``) are passed over. Linked folders are
    followed once; a link back into its own ancestry is reported as a loop.
    """
    seen: set[str] = set()
    stack: list[tuple[Path, tuple[str, ...]]] = [(folder, ())]
    while stack:
        current, ancestors = stack.pop()
        real = os.path.realpath(current)
        if real in ancestors:
            yield ReadError(str(current), f"symlink loop: leads back to {real}")
            continue
        if real in seen:
            continue  # the same folder reached by another link: already read
        seen.add(real)
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            yield ReadError(str(current), "cannot list folder: " + _os_problem(current, exc).removeprefix("cannot read: "))
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
            except OSError as exc:
                yield ReadError(str(path), _os_problem(path, exc))
                continue
            if is_dir:
                subfolders.append(path)
            elif path.suffix.lower() in SUFFIX_FORMATS or entry.is_symlink():
                yield path  # read_file names a broken link or a loop
            else:
                yield _unsupported(path)
        stack.extend((sub, ancestors + (real,)) for sub in reversed(subfolders))


def is_url(value: str) -> bool:
    """True for anything with a URL scheme other than a Windows drive letter."""
    scheme = urllib.parse.urlparse(value).scheme
    return len(scheme) > 1


def _attempt(read: Callable[..., Source], *args, **kwargs) -> Source | ReadError:
    """The Source ``read`` returns, or the ReadError it raises."""
    try:
        return read(*args, **kwargs)
    except ReadError as exc:
        return exc


def iter_sources(
    inputs: Iterable[str],
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: BinaryIO | None = None,
    url_timeout: float = DEFAULT_URL_TIMEOUT,
) -> Iterator[Source | ReadError]:
    """Expand inputs (files, folders, URLs, ``-``) into Sources or ReadErrors, in order.

    Sources carry raw bytes and their hash; their text is decoded on first use.
    """
    for value in inputs:
        if value == "-":
            yield _attempt(read_stream, stdin if stdin is not None else sys.stdin.buffer, max_bytes=max_bytes)
        elif is_url(value) and not os.path.lexists(value):
            yield _attempt(read_url, value, max_bytes=max_bytes, timeout=url_timeout)
        elif os.path.isdir(value):
            for item in walk_folder(Path(value)):
                yield item if isinstance(item, ReadError) else _attempt(read_file, item, max_bytes=max_bytes)
        else:
            yield _attempt(read_file, Path(value), max_bytes=max_bytes)
