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
import os
import re
import stat
import sys
import urllib.parse
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

from .names import fs_text, printable

SUFFIX_FORMATS: dict[str, str] = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".adoc": "asciidoc",
    ".asciidoc": "asciidoc",
    ".rst": "rst",
    ".wiki": "wikitext",
    ".mediawiki": "wikitext",
    ".org": "org",
    ".docx": "docx",
    ".pdf": "pdf",
    ".zip": "zip",
}
"""Suffixes that a folder walk picks up, and the format each one suggests (docx, pdf, zip are read as bytes)."""

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
"""Largest input accepted (5 MiB); override with ``--max-bytes`` or ``$PMKB_MAX_BYTES``."""

DEFAULT_URL_TIMEOUT = 15.0
"""Seconds a URL's whole fetch may take before it is given up."""

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
    """An input that cannot be used, with a one-line reason (names and reasons escaped for a terminal)."""

    def __init__(self, source: str, reason: str):
        self.source = printable(source)
        self.reason = printable(" ".join(reason.split()))
        super().__init__(f"{self.source}: {self.reason}")


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
    try:
        path = urllib.parse.urlparse(name).path
    except ValueError:  # not a URL after all ("http://[::1")
        path = name
    return SUFFIX_FORMATS.get(Path(path).suffix.lower())


def sniff_binary(data: bytes) -> str | None:
    """Describe ``data`` if it is clearly not text (magic number or NUL bytes)."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    if data.startswith(_BOMS):
        return None  # UTF-16 and UTF-32 with a BOM have NUL bytes but are text
    sample = data[:8192]
    if b"\x00" in sample:
        return "binary data (NUL bytes)"
    return None


_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_BOM_CODECS: list[tuple[bytes, str, str]] = [  # longest first: a UTF-32-LE BOM starts like UTF-16-LE's
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
]


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode bytes to text, returning (text, encoding); raise ReadError if impossible."""
    if not data.strip():
        raise ReadError(name, "empty file")
    what = sniff_binary(data)
    if what:
        raise ReadError(name, f"not a text document: looks like {what}")
    for bom, codec, label in _BOM_CODECS:
        if data.startswith(bom):
            return _decode_marked(data, name, codec, label), codec
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


def _decode_marked(data: bytes, name: str, codec: str, label: str) -> str:
    """Text with a byte-order mark, which must be whole and say something besides the mark."""
    try:
        text = data.decode(codec, errors="replace" if codec == "utf-8-sig" else "strict")
    except UnicodeDecodeError as exc:
        if codec == "utf-16" and len(data) % 4 == 0 and data.startswith(b"\xff\xfe"):
            raise ReadError(name, "broken UTF-32 or UTF-16 text") from None
        raise ReadError(name, f"broken {label} text ({exc.reason})") from None
    if not text.strip():
        raise ReadError(name, "empty file: only a byte-order mark")
    if "\x00" in text:
        raise ReadError(name, f"not a text document: NUL characters in its {label} text")
    return text


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


def too_large(name: str, size: int | None, max_bytes: int) -> ReadError:
    """The ReadError for an input over the size limit."""
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
    """Read one file's bytes (not decoding them yet); raise ReadError naming it when it cannot be used.

    The Source is named by ``fs_text`` of the path, so a name that is not UTF-8 can be stored."""
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
            raise too_large(name, info.st_size, max_bytes)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ReadError(name, _os_problem(Path(path), exc)) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise too_large(name, None, max_bytes)
    return source_from_bytes(fs_text(name), data)


def read_stream(stream: BinaryIO, name: str = "<stdin>", max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """Read a whole binary stream, such as stdin."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large(name, None, max_bytes)
    return source_from_bytes(name, data, format_hint=None)


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
            if is_dir and path.suffix.lower() in SUFFIX_FORMATS and not _has_visible_entries(path):
                yield ReadError(str(path), "a folder named like a document, with nothing in it")
            elif is_dir:
                subfolders.append(path)
            elif path.suffix.lower() in SUFFIX_FORMATS or entry.is_symlink():
                yield path  # read_file names a broken link or a loop
            else:
                yield _unsupported(path)
        stack.extend((sub, ancestors + (real,)) for sub in reversed(subfolders))


def _has_visible_entries(folder: Path) -> bool:
    """True when ``folder`` holds anything not hidden (or cannot be listed: the walk reports that)."""
    try:
        with os.scandir(folder) as entries:
            return any(not entry.name.startswith(".") for entry in entries)
    except OSError:
        return True


def is_url(value: str) -> bool:
    """True for anything with a URL scheme other than a Windows drive letter (valid or not)."""
    scheme, sep, _ = value.partition(":")
    return bool(sep) and len(scheme) > 1 and bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme))


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
            from .fetch import read_url  # here, not at the top: fetch builds on this module

            yield _attempt(read_url, value, max_bytes=max_bytes, timeout=url_timeout)
        elif os.path.isdir(value):
            found = False
            for item in walk_folder(Path(value)):
                found = True
                yield item if isinstance(item, ReadError) else _attempt(read_file, item, max_bytes=max_bytes)
            if not found:
                yield ReadError(value, "a folder with no postmortems in it")
        else:
            yield _attempt(read_file, Path(value), max_bytes=max_bytes)
