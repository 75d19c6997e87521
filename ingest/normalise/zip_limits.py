"""Limits on zip containers (archives and .docx), checked from the central directory before anything is unpacked."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

MAX_ENTRIES = 10_000
"""Most entries a zip may list."""

MAX_TOTAL_BYTES = 512 * 1024 * 1024
"""Most bytes a zip's entries may unpack to, all together (512 MiB)."""

MAX_RATIO = 200
"""Largest compression ratio an entry over 1 MiB may claim (text compresses ~5-20×; bombs claim 1000×)."""

MAX_NESTING = 3
"""Zips inside zips are followed this deep."""


class ZipLimitError(ValueError):
    """A zip over one of the limits: the message says which."""


@dataclass(frozen=True)
class ZipLimits:
    """The limits one walk applies."""

    entries: int = MAX_ENTRIES
    total_bytes: int = MAX_TOTAL_BYTES
    ratio: int = MAX_RATIO
    nesting: int = MAX_NESTING


def check_zip(archive: zipfile.ZipFile, limits: ZipLimits = ZipLimits()) -> None:
    """Raise ZipLimitError when the archive lists too many entries, unpacks too large, or an entry looks like a bomb."""
    infos = archive.infolist()
    if len(infos) > limits.entries:
        raise ZipLimitError(f"{len(infos):,} entries, over the limit of {limits.entries:,}")
    total = sum(info.file_size for info in infos)
    if total > limits.total_bytes:
        raise ZipLimitError(f"a zip bomb? it unpacks to {total:,} bytes, over the limit of {limits.total_bytes:,}")
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > limits.ratio * max(info.compress_size, 1):
            raise ZipLimitError(f"a zip bomb? {info.filename} claims {info.file_size:,} bytes from {info.compress_size:,}")


def read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int) -> bytes:
    """An entry's bytes, read at most ``max_bytes + 1`` so a lying header cannot unpack more."""
    with archive.open(info) as handle:
        return handle.read(max_bytes + 1)
