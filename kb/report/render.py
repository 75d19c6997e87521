"""Jinja2 set-up and rendering of report data as HTML, Markdown or JSON."""

from __future__ import annotations

import json
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from kb.report.charts import gantt, group_lanes, strip
from kb.links import web_url
from kb.report.format import check_choice, heat, md_escape, md_link, md_url, minutes_label, number_label, time_label
from kb.report.wording import FLAG_TEXT
from kb.resources import templates_dir


FORMATS = {"html": "report.html", "md": "report.md", "json": None}
"""Report formats and the template each renders."""


def _html_finalize(value: Any) -> Any:
    return "" if value is None else value


def environment(template_dir: str | None = None, fmt: str = "html") -> Environment:
    """A Jinja2 environment: the user's templates first, the packaged ones behind.

    HTML is autoescaped; Markdown passes every printed value through ``md_escape``.
    """
    loaders = []
    if template_dir:
        loaders.append(FileSystemLoader(str(template_dir)))
    loaders.append(FileSystemLoader(str(templates_dir())))
    if fmt == "md":
        env = Environment(loader=ChoiceLoader(loaders), autoescape=False, finalize=md_escape, trim_blocks=True, lstrip_blocks=True)
    else:
        env = Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(default=True, default_for_string=True), finalize=_html_finalize, trim_blocks=True, lstrip_blocks=True)
    env.filters.update({"minutes": minutes_label, "when": time_label, "number": number_label, "md": md_escape, "heat": heat, "mdurl": md_url, "web_url": web_url})
    env.globals.update({"mdlink": md_link, "gantt": gantt, "strip": strip, "group_lanes": group_lanes, "flag_text": FLAG_TEXT})
    return env


def render(data: dict[str, Any], fmt: str = "html", template_dir: str | None = None) -> str:
    """Render report data as html, md or json (InvalidArgument for another ``fmt``)."""
    check_choice(fmt, FORMATS, "format")
    if fmt == "json":
        return json.dumps(data, indent=2, default=str, ensure_ascii=False)
    return environment(template_dir, fmt).get_template(FORMATS[fmt]).render(**data)
