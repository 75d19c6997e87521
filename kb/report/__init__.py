"""Step 7, report: the cross-incident report, rendered with Jinja2 from templates/.

``build()`` reads the incidents a ``Filters`` selects and returns plain data
(the JSON format prints it as is); ``render()`` turns that data into HTML or
Markdown through templates that a user may override. Chart geometry is
computed by pure layout functions (``charts``), which the templates call, so
the data stays free of presentation.

Modules: ``query`` (SQL), ``cards`` (an incident card's parts), ``sections``
(report sections), ``assemble`` (``build``), ``stats`` (quantiles),
``charts`` (chart geometry), ``format`` (labels, Markdown, links),
``wording`` (phrases and flag texts), ``render`` (Jinja2).
"""

from kb.report.assemble import build
from kb.report.cards import brief, key_causes, one_line_summary, short_timeline
from kb.report.charts import STRIP_RESOLUTION, gantt, group_lanes, strip, thin_points
from kb.report.format import InvalidArgument, check_choice, check_date, heat, md_escape, md_link, md_url, minutes_label, number_label, parse_time, row_url, table_url, time_label
from kb.report.query import OPEN_STATUSES, STATUSES, Filters, attach_children, load_incidents, open_action_rows, select_incidents, served_name
from kb.report.render import FORMATS, environment, render
from kb.report.sections import GROUP_BY, LIST_LIMIT, actions, causes, durations, groups, impact, more, most_recent, overview, quality, rollup
from kb.report.stats import distribution, quantile
from kb.report.wording import FLAG_ORDER, FLAG_TEXT, NARROW_HINT, category_noun, category_phrase

__all__ = [
    "category_noun", "category_phrase", "FLAG_ORDER", "FLAG_TEXT", "FORMATS", "GROUP_BY", "InvalidArgument", "LIST_LIMIT", "NARROW_HINT",
    "OPEN_STATUSES", "STATUSES", "STRIP_RESOLUTION", "Filters", "actions", "attach_children", "brief",
    "build", "causes", "check_choice", "check_date", "distribution", "durations", "environment", "gantt", "group_lanes",
    "groups", "heat", "impact", "key_causes", "load_incidents", "md_escape", "md_link", "md_url", "minutes_label", "more",
    "most_recent", "number_label", "one_line_summary", "open_action_rows", "overview", "parse_time", "quality", "quantile",
    "render", "rollup", "row_url", "select_incidents", "served_name", "short_timeline", "strip", "table_url", "thin_points", "time_label",
]
