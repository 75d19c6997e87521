"""One postmortem FILE (or ``-`` for stdin) read, normalised and extracted, for the commands that take one."""

from __future__ import annotations

import click


def extract_file(file: str, max_bytes: int | None = None) -> list[dict]:
    """The incidents extracted from ``file`` (``max_bytes`` default: ``$PMKB_MAX_BYTES`` or 5 MiB); ClickException naming it when it cannot be read."""
    from ingest.pipeline import extract, normalised
    from ingest.read import ReadError, iter_sources, max_bytes_from_env

    items = list(iter_sources([file], max_bytes=max_bytes if max_bytes is not None else max_bytes_from_env()))
    source = items[0] if items else ReadError(file, "nothing to read")
    try:
        if isinstance(source, ReadError):
            raise source
        return extract(normalised(source))
    except ReadError as exc:
        raise click.ClickException(str(exc)) from exc
