"""Files kb reads at run time (Jinja2 and Datasette templates, Datasette metadata), found through ``importlib.resources``.

An installed wheel carries the project's top-level ``templates/`` folder inside
the ``kb`` package (``pyproject.toml`` force-includes it as ``kb/templates``);
a checkout or an editable install reads it where it stands, beside ``kb/``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def templates_dir() -> Path:
    """The folder of the packaged report and Datasette templates."""
    packaged = resources.files("kb") / "templates"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "templates"


def metadata_text() -> str:
    """The text of the Datasette metadata file ``kb/metadata.yaml``."""
    return (resources.files("kb") / "metadata.yaml").read_text(encoding="utf-8")
