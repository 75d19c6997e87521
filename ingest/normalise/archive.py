"""Zip archives (a Confluence space, Notion workspace or folder export): each postmortem inside becomes a Source.

The archive is walked from its central directory with limits (entries, total
unpacked size, compression ratio, nesting), so a zip bomb is refused by name
before anything is unpacked. Entry names that are absolute or climb out with
``..`` are refused; attachments that are not postmortems (images, CSV…) are
reported as :class:`Attachment` — counted, not errors. Nothing is written to disk.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from typing import Iterator

from ..read import DEFAULT_MAX_BYTES, SUFFIX_FORMATS, ReadError, Source, UnsupportedError, source_from_bytes
from .zip_limits import ZipLimitError, ZipLimits, check_zip, read_entry


class Attachment(UnsupportedError):
    """An archive entry that is not a postmortem (an image, a spreadsheet): skipped and counted, not an error."""


def expand_zip(source: Source, max_bytes: int = DEFAULT_MAX_BYTES, limits: ZipLimits = ZipLimits(), depth: int = 1) -> Iterator[Source | ReadError]:
    """Every postmortem entry of a zip Source as a Source named ``archive!/entry``, or a ReadError naming the problem."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(source.data))
    except zipfile.BadZipFile:
        yield ReadError(source.name, "truncated or corrupt zip archive")
        return
    with archive:
        try:
            check_zip(archive, limits)
        except ZipLimitError as exc:
            yield ReadError(source.name, f"zip refused: {exc}")
            return
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir() or _ignored(info.filename):
                continue
            name = f"{source.name}!/{info.filename}"
            if not safe_entry_name(info.filename):
                yield ReadError(name, "unsafe entry name (absolute, or climbing out with '..'): skipped")
                continue
            fmt = SUFFIX_FORMATS.get(posixpath.splitext(info.filename)[1].lower())
            if fmt is None:
                yield Attachment(name, "attachment, not a postmortem: skipped")
                continue
            if info.file_size > max_bytes:
                yield ReadError(name, f"too large: {info.file_size:,} bytes is over the limit of {max_bytes:,} bytes (--max-bytes or $PMKB_MAX_BYTES)")
                continue
            try:
                data = read_entry(archive, info, max_bytes)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
                yield ReadError(name, f"cannot unpack: {exc}")
                continue
            if len(data) > max_bytes:
                yield ReadError(name, "unpacks larger than its header says: refused")
                continue
            entry = source_from_bytes(name, data, format_hint=fmt)
            if fmt != "zip":
                yield entry
            elif depth >= limits.nesting:
                yield ReadError(name, f"zip nested more than {limits.nesting} deep: refused")
            else:
                yield from expand_zip(entry, max_bytes, limits, depth + 1)


def safe_entry_name(name: str) -> bool:
    """False for an absolute name, a drive letter, or one with a ``..`` part."""
    name = name.replace("\\", "/")
    return not (name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in name.split("/"))


def _ignored(name: str) -> bool:
    """Hidden entries and macOS resource forks, as a folder walk passes over hidden files."""
    return any(part.startswith(".") or part == "__MACOSX" for part in name.split("/") if part not in ("", ".."))
