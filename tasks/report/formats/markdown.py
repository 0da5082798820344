"""``--format markdown``: the tracker table and, per phase, its pending files as a checklist,
fit to paste into an issue or a pull-request comment."""

from __future__ import annotations

from ...model import DetectResult
from ..tally import Tally, per_file, plural, problem_line, summary_line
from . import FORMATS, ReportFormat
from .table import body, footer, header


def cell(text: str) -> str:
    """Escape what would break a table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def table(t: Tally) -> list[str]:
    head = header(t)
    align = [":---"] + ["---:"] * (len(head) - 1)
    rows = [head, align, *body(t)]
    rows += [[f"**{r[0]}**", *r[1:]] for r in footer(t)]
    return ["| " + " | ".join(cell(c) if i != 1 else c for c in row) + " |"
            for i, row in enumerate(rows)]


def pending(result: DetectResult, t: Tally) -> list[str]:
    out: list[str] = []
    for phase in t.phases:
        found = [v for v in result.violations if v.phase == phase]
        title = t.titles.get(phase, "")
        heading = f"### {phase}" + (f": {cell(title)}" if title else "")
        files = per_file(found)
        out += ["", f"{heading} ({plural(len(found), 'violation')} in "
                    f"{plural(len(files), 'file')} pending)", ""]
        if not files:
            out.append("Nothing pending.")
            continue
        for path, (n, fixable) in files.items():
            manual = f", {n - fixable} manual" if n - fixable else ""
            out.append(f"- [ ] `{path}`: {n} ({fixable} fixable{manual})")
    return out


def render_markdown(result: DetectResult, t: Tally) -> str:
    out = ["## phasegate migration tracker", "", *table(t), "", f"_{summary_line(result)}_"]
    out += pending(result, t)
    if result.problems:
        out += ["", "### Not scanned", ""]
        out += [f"- {cell(problem_line(p))}" for p in result.problems]
    return "\n".join(out) + "\n"


FORMATS.register(ReportFormat(
    "markdown", "the tracker as a Markdown table, to paste into an issue",
    lambda result, _c, t: render_markdown(result, t), order=60))
