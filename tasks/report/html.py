"""``phasegate status --format html``: the tracker as one self-contained page.

The tracker table; per phase a burndown chart (stacked by rule, manual sites at the bottom in
warm colours, fixable ones above in cool colours, the phase's events as marked guides on the
time axis), the events, the gates with their times, and the sites left to a person with their
reasons, grouped by file. The charts are pygal SVG inlined in the page, their styles inlined
and their scripts removed: the page loads nothing and reads the same without JavaScript.
pygal is the optional extra ``phasegate[html]``; without it this format is a usage error.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html import escape
from typing import Any

from .. import __version__
from ..config import Config
from ..errors import EXIT_USAGE, MigrationError
from ..model import DetectResult, Violation
from .history import Record
from .history_view import Burndown, burndown, phase_event
from .tally import plural, summary_line
from .tracker import HEADER, PhaseRow, cells, totals

FIXABLE_COLOURS = ("#1f77b4", "#17becf", "#2ca02c", "#9467bd", "#4e79a7", "#59a14f",
                   "#76b7b2", "#8cd17d")
MANUAL_COLOURS = ("#d62728", "#ff7f0e", "#e377c2", "#bcbd22", "#f28e2b", "#e15759",
                  "#b07aa1", "#edc948")
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)

PAGE_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;
max-width:1100px;padding:0 1em;color:#222}
h1{margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.8em 0}th,td{border:1px solid #ccc;padding:.3em .6em;
text-align:left;vertical-align:top}th{background:#f3f3f3}td.num{text-align:right}
tr.complete td{background:#eef8ee}tr.rolled-back td{background:#fbeeee}
tr.in-progress td{background:#fdf8e6}.muted{color:#666}.pass{color:#17702a}.fail{color:#b3261e}
figure{margin:1em 0}figure svg{width:100%;height:auto}
svg.pygal-chart .axis.x .guides path.guide:not(.major){stroke:none!important}
svg.pygal-chart .axis.x .guides path.major{stroke:#b3261e!important;stroke-width:2px!important;
stroke-dasharray:none!important}
svg.pygal-chart .axis.x text.major{fill:#b3261e!important;font-weight:bold}
code{background:#f5f5f5;padding:0 .2em}ul.sites{margin-top:.2em}
"""


def pygal_module() -> Any:
    try:
        import pygal
    except ImportError:
        raise MigrationError("--format html needs pygal: pip install 'phasegate[html]'",
                             EXIT_USAGE) from None
    return pygal


def render_html(config: Config, rows: list[PhaseRow], result: DetectResult,
                records: list[Record], *, source: str = "") -> str:
    """The whole page; ``records`` are the history, oldest first, ending with this run."""
    pygal = pygal_module()
    rules = list(config.rules)
    when = records[-1].time if records else ""
    commit = records[-1].commit if records and records[-1].commit else ""
    body = [f"<h1>phasegate: migration status</h1><p class=muted>{escape(when)}"
            + (f" · commit <code>{escape(commit[:12])}</code>" if commit else "")
            + f" · {plural(len(records), 'point')} of history"
            + (f" from <code>{escape(source)}</code>" if source else "") + "</p>",
            f"<p><b>{escape(totals(rows))}</b>; {escape(summary_line(result))}</p>",
            _tracker_table(rows)]
    manual = _manual_by_phase(result)
    for row in rows:
        body.append(_phase_section(pygal, row, burndown(records, row.id, rules), records,
                                   manual.get(row.id, {})))
    body.append(f"<p class=muted>phasegate {escape(__version__)}</p>")
    return ("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width,initial-scale=1'>"
            f"<title>phasegate: migration status</title><style>{PAGE_CSS}</style></head>"
            "<body>\n" + "\n".join(body) + "\n</body></html>\n")


def _tracker_table(rows: list[PhaseRow]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADER)
    lines = [f"<table id=tracker><thead><tr>{head}</tr></thead><tbody>"]
    for row in rows:
        tds = "".join(f"<td{' class=num' if i in (2, 3, 5, 6) else ''}>{escape(c)}</td>"
                      for i, c in enumerate(cells(row)))
        lines.append(f"<tr class='{escape(row.status)}' data-phase='{escape(row.id)}'>"
                     f"{tds}</tr>")
    return "\n".join([*lines, "</tbody></table>"])


def _phase_section(pygal: Any, row: PhaseRow, chart: Burndown, records: list[Record],
                   manual: dict[str, list[Violation]]) -> str:
    title = f"{row.id}: {row.title}" if row.title else row.id
    out = [f"<section id='phase-{escape(row.id)}'><h2>{escape(title)} "
           f"<span class=muted>({escape(row.status)})</span></h2>"]
    if chart.series:
        out.append(f"<figure class=burndown>{_chart_svg(pygal, chart)}</figure>")
    else:
        out.append("<p class=muted>No violation recorded in this phase's history.</p>")
    out.append(_events(row.id, records))
    out.append(_gates(row))
    out.append(_manual(manual))
    return "\n".join([*out, "</section>"])


def _chart_svg(pygal: Any, chart: Burndown) -> str:
    colours = [(MANUAL_COLOURS if s.manual else FIXABLE_COLOURS)[i % 8]
               for i, s in enumerate(chart.series)]
    many = len(chart.labels) > 14
    graph = pygal.StackedLine(
        fill=True, js=[], width=1000, height=380, legend_at_bottom=True,
        legend_at_bottom_columns=4, show_x_guides=True, x_labels_major=chart.event_labels,
        show_minor_x_labels=not many, x_label_rotation=25 if len(chart.labels) > 5 else 0,
        truncate_label=-1, truncate_legend=-1, show_dots=len(chart.labels) <= 40,
        dots_size=2, include_x_axis=True, min_scale=1, print_values=False,
        title=f"{chart.phase}: sites left per rule", style=pygal.style.Style(
            colors=tuple(colours), background="white", plot_background="white",
            font_family="system-ui, sans-serif", label_font_size=11,
            legend_font_size=12, major_label_font_size=11, title_font_size=14))
    graph.x_labels = list(chart.labels)
    for series in chart.series:
        graph.add(series.title, list(series.values))
    svg = graph.render(is_unicode=True, disable_xml_declaration=True)
    return str(_SCRIPT.sub("", svg))


def _events(phase: str, records: list[Record]) -> str:
    items = [f"<li>{escape(rec.time)}: {escape(phase)} {escape(what)}"
             + (f" <span class=muted>({escape(rec.commit[:8])})</span>" if rec.commit else "")
             + "</li>"
             for i, rec in enumerate(records)
             if (what := phase_event(rec, records[i - 1] if i else None, phase))]
    if not items:
        return "<p class=muted>No phase event yet (migrated, rolled back).</p>"
    return "<h3>Events</h3><ul class=events>" + "".join(items) + "</ul>"


def _gates(row: PhaseRow) -> str:
    ran = [g for g in row.gates if g.result != "-"]
    if not ran:
        names = ", ".join(g.name for g in row.gates) or "none"
        return f"<h3>Gates</h3><p class=muted>Not run yet ({escape(names)}).</p>"
    lines = ["<h3>Gates</h3><table class=gates><thead><tr><th>Gate</th><th>Result</th>"
             "<th>Time</th><th>Summary</th></tr></thead><tbody>"]
    for g in ran:
        took = "" if g.duration is None else f"{g.duration:.2f}s"
        css = "pass" if g.result == "pass" else "fail"
        lines.append(f"<tr><td>{escape(g.name)}</td><td class={css}>{escape(g.result)}</td>"
                     f"<td class=num>{took}</td><td>{escape(g.summary)}</td></tr>")
    total = sum(g.duration or 0.0 for g in ran)
    lines.append(f"</tbody></table><p class=muted>{len(ran)} gate(s) in {total:.2f}s"
                 + (f"; recorded {escape(row.updated)}" if row.updated else "") + "</p>")
    return "\n".join(lines)


def _manual_by_phase(result: DetectResult) -> dict[str, dict[str, list[Violation]]]:
    out: dict[str, dict[str, list[Violation]]] = defaultdict(lambda: defaultdict(list))
    for v in sorted(result.violations):
        if not v.fixable:
            out[v.phase][v.path].append(v)
    return out


def _manual(by_file: dict[str, list[Violation]]) -> str:
    if not by_file:
        return "<h3>Left to a person</h3><p class=muted>No site left to a person.</p>"
    sites = sum(len(v) for v in by_file.values())
    out = [f"<h3>Left to a person</h3><p>{plural(sites, 'site')} in "
           f"{plural(len(by_file), 'file')}</p><div class=manual>"]
    for path, found in by_file.items():
        out.append(f"<h4><code>{escape(path)}</code> ({len(found)})</h4><ul class=sites>")
        out += [f"<li>line {v.line}: <code>{escape(v.name)}</code> ({escape(v.rule)}): "
                f"{escape(v.reason or v.message or 'needs a person')}</li>" for v in found]
        out.append("</ul>")
    return "\n".join([*out, "</div>"])
