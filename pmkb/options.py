"""Options shared by pmkb's commands, and the one way library errors reach the user.

Each decorator adds the same option(s) with the same name, default and help
to any command (sqlite-utils' CLI does the same with its shared options).
``one_line_errors`` turns what a library raises into click's one-line
``Error: …`` and exit status 1; an ``InvalidArgument`` from the library names
the argument (``since``), and is shown with the flag that set it (``--since``).
"""

from __future__ import annotations

import functools
import os
import sqlite3
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import click

DEFAULT_DB = "postmortems.db"
"""The database ``--db`` opens unless told otherwise (or ``$PMKB_DB``)."""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001


def db_option(default: str | None = None, help: str = "SQLite database file.") -> Callable:
    """``--db`` (as ``db_path``): ``default``, else ``$PMKB_DB``, else ``postmortems.db``."""
    if default is not None:
        return click.option("--db", "db_path", type=click.Path(dir_okay=False), default=default, show_default=True, help=help)
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False),
        default=lambda: os.environ.get("PMKB_DB", DEFAULT_DB),
        show_default=f"{DEFAULT_DB} or $PMKB_DB",
        help=help,
    )


def host_port_options(f: Callable) -> Callable:
    """``--host`` and ``--port`` of the Datasette server."""
    f = click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")(f)
    return click.option("--host", default=DEFAULT_HOST, show_default=True, help=f"Address to bind; {DEFAULT_HOST} keeps it on this machine.")(f)


def json_option(help: str = "Print machine-readable JSON on stdout.") -> Callable:
    """``--json`` (as ``as_json``): every command with machine-readable output takes it."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def output_format(fmt: str | None, as_json: bool, default: str) -> str:
    """The format a command with ``--format`` and ``--json`` prints: ``--json`` is ``--format json``; the two may not disagree."""
    if as_json and fmt not in (None, "json"):
        raise click.UsageError(f"--json and --format {fmt} disagree: give one of them")
    return "json" if as_json else fmt or default


FILTER_FLAGS = ("incidents", "organization", "category", "since", "until")
"""The report filters, as ``kb.report.Filters`` fields."""


def report_filter_options(f: Callable) -> Callable:
    """``--incident``, ``--organization``, ``--category``, ``--since``, ``--until``, handed to the command as one ``filters`` (``kb.report.Filters``)."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from kb.report import Filters

        values = {name: kwargs.pop(name) for name in FILTER_FLAGS}
        values["incidents"] = list(values["incidents"])
        return f(*args, filters=Filters(**values), **kwargs)

    for option in reversed(
        [
            click.option("--incident", "incidents", type=int, multiple=True, help="Only these incident ids (repeatable)."),
            click.option("--organization", help="Only this organization."),
            click.option("--category", help="Only incidents with this cause category."),
            click.option("--since", help="Only incidents that started on or after this date (YYYY-MM-DD)."),
            click.option("--until", help="Only incidents that started on or before this date (YYYY-MM-DD)."),
        ]
    ):
        wrapper = option(wrapper)
    return wrapper


def flag_of(field: str) -> str:
    """The command-line flag of a library argument: ``group_by`` → ``--group-by``."""
    return "--" + field.replace("_", "-")


@contextmanager
def one_line_errors(subject: str | None = None) -> Iterator[None]:
    """Report a library's ValueError, OSError or sqlite3.Error as one ``Error:`` line (prefixed by ``subject``, a file, when given) and exit 1."""
    from kb.report.format import InvalidArgument

    try:
        yield
    except InvalidArgument as exc:
        raise click.ClickException(f"{flag_of(exc.field)}: {exc.problem}") from exc
    except (ValueError, OSError, sqlite3.Error) as exc:
        message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise click.ClickException(f"{subject}: {message}" if subject and subject not in message else message) from exc
