"""The migration tracker behind ``phasegate status``: per phase its recorded status, counts
before / after / now, each gate's result and duration, and its files pending or done.

``done`` is a file the phase changed (``files_done`` recorded by migrate) or a file recorded
as pending that has no violation left; ``pending`` is a file of the phase that still has one.
Rendered as plain text (CI, pipes), a rich table (terminal) or markdown (paste into an issue).
"""

from __future__ import annotations

import io
import shutil
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..config import Config
from ..model import UNASSIGNED, DetectResult
from .tally import plural, summary_line


@dataclass(frozen=True)
class GateRow:
    name: str
    result: str  # pass | fail | "-" (not run)
    duration: float | None
    summary: str


@dataclass(frozen=True)
class PhaseRow:
    id: str
    title: str
    status: str
    before: int | None
    after: int | None
    now: int
    updated: str
    gates: tuple[GateRow, ...]
    pending: tuple[tuple[str, int], ...]  # (path, violations) still to migrate
    done: tuple[str, ...]


def build(config: Config, result: DetectResult,
          recorded: dict[str, dict[str, Any]]) -> list[PhaseRow]:
    """One row per declared phase (plus 'unassigned' when violations fall outside them)."""
    per_file: dict[str, Counter[str]] = {}
    for v in result.violations:
        per_file.setdefault(v.phase, Counter())[v.path] += 1
    rows = [_row(p.id, p.title, p.gates, recorded.get(p.id, {}), per_file.get(p.id, Counter()))
            for p in config.phases]
    if UNASSIGNED in per_file:
        rows.append(_row(UNASSIGNED, "files no phase matches", (), {}, per_file[UNASSIGNED]))
    return rows


def _row(pid: str, title: str, ladder: tuple[str, ...], rec: dict[str, Any],
         files: Counter[str]) -> PhaseRow:
    gates_rec = rec.get("gates") if isinstance(rec.get("gates"), dict) else {}
    gates = tuple(_gate(name, (gates_rec or {}).get(name)) for name in
                  [*ladder, *sorted(set(gates_rec or {}) - set(ladder))])
    known = set(_strs(rec.get("files_done"))) | set(_strs(rec.get("files_pending")))
    return PhaseRow(
        id=pid, title=title if title.lower() != pid else "",
        status=str(rec.get("status", "pending")),
        before=_int(rec.get("violations_before")), after=_int(rec.get("violations_after")),
        now=sum(files.values()), updated=str(rec.get("updated", "")), gates=gates,
        pending=tuple(sorted(files.items())), done=tuple(sorted(known - set(files))),
    )


def _gate(name: str, rec: Any) -> GateRow:
    if not isinstance(rec, dict):
        return GateRow(name, "-", None, "")
    duration = rec.get("duration")
    return GateRow(name, str(rec.get("result", "-")),
                   float(duration) if isinstance(duration, (int, float)) else None,
                   str(rec.get("summary", "")))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _strs(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


# -- cells shared by every format ---------------------------------------------------------------

HEADER = ("Phase", "Status", "Before", "Now", "Gates", "Files pending", "Files done")


def cells(row: PhaseRow) -> tuple[str, ...]:
    name = f"{row.id} ({row.title})" if row.title else row.id
    before = "-" if row.before is None else str(row.before)
    return (name, row.status, before, str(row.now), gate_cell(row.gates),
            str(len(row.pending)), str(len(row.done)))


def gate_cell(gates: tuple[GateRow, ...]) -> str:
    """``6 pass in 2.24s`` or ``1 pass, 1 fail (lint) in 2.12s``; each gate is listed below
    the table (text) or in the phase's section (markdown)."""
    ran = [g for g in gates if g.result != "-"]
    if not ran:
        return "not run"
    passed = sum(1 for g in ran if g.result == "pass")
    failed = [g.name for g in ran if g.result != "pass"]
    text = f"{passed} pass" + (f", {len(failed)} fail ({', '.join(failed)})" if failed else "")
    total = sum(g.duration or 0.0 for g in ran)
    return f"{text} in {total:.2f}s"


def totals(rows: list[PhaseRow]) -> str:
    complete = sum(1 for r in rows if r.status == "complete")
    now = sum(r.now for r in rows)
    pending = sum(len(r.pending) for r in rows)
    return (f"{complete} of {plural(len(rows), 'phase')} complete; "
            f"{plural(now, 'violation')} left in {plural(pending, 'file')}")


# -- formats ----------------------------------------------------------------------------------

def render_text(rows: list[PhaseRow], result: DetectResult) -> str:
    grid = [HEADER, *(cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in grid) for i in range(len(HEADER))]
    out = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
           for line in grid]
    out.insert(1, "  ".join("-" * w for w in widths))
    for row in rows:
        out += ["", f"{row.id}: {row.status}" + (f" (updated {row.updated})" if row.updated
                                                  else "")]
        out += [f"  gate {g.name}: {g.result}" + (f" in {g.duration:.2f}s" if g.duration
                                                   is not None else "")
                + (f" - {g.summary}" if g.summary else "") for g in row.gates if g.result != "-"]
        out += [f"  pending {path} ({n})" for path, n in row.pending]
        out += [f"  done    {path}" for path in row.done]
    out += ["", totals(rows), summary_line(result)]
    return "\n".join(out) + "\n"


def md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_markdown(rows: list[PhaseRow], result: DetectResult) -> str:
    out = ["## phasegate migration status", "",
           "| " + " | ".join(HEADER) + " |", "| :--- | :--- | ---: | ---: | :--- | ---: | ---: |"]
    out += ["| " + " | ".join(md(c) for c in cells(r)) + " |" for r in rows]
    out += ["", f"_{totals(rows)}; {summary_line(result)}_"]
    for row in rows:
        title = f": {md(row.title)}" if row.title else ""
        out += ["", f"### {row.id}{title} ({row.status})", ""]
        ran = [g for g in row.gates if g.result != "-"]
        if ran:
            out += ["| Gate | Result | Duration | Summary |", "| :--- | :--- | ---: | :--- |"]
            out += [f"| {g.name} | {g.result} | "
                    f"{'' if g.duration is None else f'{g.duration:.2f}s'} | {md(g.summary)} |"
                    for g in ran]
            out.append("")
        out += [f"- [ ] `{path}` ({plural(n, 'violation')})" for path, n in row.pending]
        out += [f"- [x] `{path}`" for path in row.done]
        if not row.pending and not row.done:
            out.append("No files pending.")
    return "\n".join(out) + "\n"


def render_rich(rows: list[PhaseRow], result: DetectResult, *, width: int | None = None) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, highlight=False,
                      width=width or shutil.get_terminal_size((110, 24)).columns)
    table = Table(title="phasegate: migration status", title_justify="left")
    for i, name in enumerate(HEADER):
        table.add_column(name, justify="right" if name in ("Before", "Now") or
                         name.startswith("Files") else "left", no_wrap=i < 2)
    style = {"complete": "green", "in-progress": "yellow", "rolled-back": "red"}
    for row in rows:
        table.add_row(*map(escape, cells(row)), style=style.get(row.status))
    console.print(table)
    for row in rows:
        for path, n in row.pending:
            console.print(f"  {row.id} pending {path} ({n})", markup=False, soft_wrap=True)
        for path in row.done:
            console.print(f"  {row.id} done    {path}", style="green", markup=False,
                          soft_wrap=True)
    console.print(totals(rows), markup=False)
    console.print(summary_line(result), markup=False)
    return buf.getvalue()
