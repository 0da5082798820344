"""The tracker table (rules x phases), as a rich table on a terminal or plain text for CI.

Rows are rules, columns are phases then the total; footer rows give each phase's total, its
files pending and, when a phase was migrated, its count before. A ``Baseline`` column appears
when the ratchet has a baseline: ``12 (+2)`` means the rule grew by 2 since it was recorded.
"""

from __future__ import annotations

import io
import shutil

from ...model import DetectResult
from ..tally import Tally, problem_line, summary_line, violation_line
from . import FORMATS, ReportFormat

Grid = list[list[str]]


def header(t: Tally) -> list[str]:
    cols = ["Rule", *t.phases, "Total"]
    if t.baseline:
        cols.append("Baseline")
    return [*cols, "Files"]


def body(t: Tally) -> Grid:
    rows = []
    for rule in t.rules:
        row = [rule, *(str(t.counts[rule][p]) for p in t.phases), str(t.rule_total(rule))]
        if t.baseline:
            row.append(baseline_cell(t, rule))
        rows.append([*row, str(t.rule_files[rule])])
    return rows


def baseline_cell(t: Tally, rule: str) -> str:
    if rule not in t.baseline:
        return "-"
    grown = t.grown(rule)
    return f"{t.baseline[rule]} (+{grown})" if grown else str(t.baseline[rule])


def footer(t: Tally) -> Grid:
    """Phase totals, files pending per phase and, when known, each phase's count before."""
    pad = [""] * (2 if t.baseline else 1)
    files = sum(len(f) for f in t.phase_files.values())
    total = ["all rules", *(str(t.phase_total(p)) for p in t.phases),
             str(sum(t.rule_total(r) for r in t.rules))]
    if t.baseline:
        total.append(str(sum(t.baseline.values())))
    rows = [[*total, str(files)],
            ["files pending", *(str(len(t.phase_files[p])) for p in t.phases), str(files), *pad]]
    if t.before:
        rows.append(["before", *(str(t.before[p]) if p in t.before else "-" for p in t.phases),
                     "", *pad])
    return rows


def listing(result: DetectResult) -> list[str]:
    lines = [violation_line(v) for v in result.violations]
    if result.problems:
        lines.append("")
        lines.append(f"{len(result.problems)} file(s) not scanned:")
        lines.extend(f"  {problem_line(p)}" for p in result.problems)
    return lines


def render_text(result: DetectResult, t: Tally) -> str:
    """Plain text: the listing, the tracker table, the summary line (no colour, no box)."""
    out = listing(result)
    if out:
        out.append("")
    out.extend(_plain_grid([header(t), *body(t)], footer(t)))
    out.append("")
    out.append(summary_line(result))
    return "\n".join(out) + "\n"


def _plain_grid(rows: Grid, foot: Grid) -> list[str]:
    every = rows + foot
    widths = [max(len(r[i]) for r in every) for i in range(len(every[0]))]

    def fmt(row: list[str]) -> str:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:],
                                                                           strict=True)]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return [fmt(rows[0]), rule, *(fmt(r) for r in rows[1:]), rule, *(fmt(r) for r in foot)]


def render_rich(result: DetectResult, t: Tally, *, width: int | None = None,
                color: bool = True) -> str:
    """The same as :func:`render_text`, drawn with rich for a terminal."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, highlight=False,
                      width=width or shutil.get_terminal_size((100, 24)).columns)
    for line in listing(result):
        console.print(line, markup=False, soft_wrap=True)
    table = Table(title="phasegate: deprecated names per rule and phase", title_justify="left",
                  show_footer=False)
    for i, name in enumerate(header(t)):
        title = t.titles.get(name, "") if 0 < i <= len(t.phases) else ""
        table.add_column(escape(f"{name}\n{title}" if title else name),
                         justify="left" if i == 0 else "right", no_wrap=i == 0)
    last = len(t.rules) - 1
    for i, (rule, row) in enumerate(zip(t.rules, body(t), strict=True)):
        style = "red" if t.grown(rule) else ("dim" if not t.rule_total(rule) else None)
        table.add_row(*map(escape, row), style=style, end_section=i == last)
    for row in footer(t):
        table.add_row(*map(escape, row), style="bold")
    console.print(table)
    style = "green" if not result.violations else "yellow"
    console.print(summary_line(result), style=style, markup=False)
    return buf.getvalue()


FORMATS.register(ReportFormat(
    "table", "the tracker table and listing, coloured (the default on a terminal)",
    lambda result, _c, t: render_rich(result, t), order=10))
FORMATS.register(ReportFormat(
    "text", "the same in plain text (the default in CI and pipes)",
    lambda result, _c, t: render_text(result, t), order=20))
