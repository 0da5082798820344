"""What a shard branch says about itself: the commit message, the PR body, the publish lines.

Pure functions over plain values (the phase, its rules, the violations detect found in the
phase before the migration, the ``[status.<phase>]`` table the migration wrote, the tests the
unit gate selected), so each is tested alone. Paths are shown relative to the repository
root, as a PR shows them.
"""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..config import Phase, Rule
from ..model import Violation


@dataclass(frozen=True)
class Evidence:
    """Everything a shard's commit and PR body are written from."""

    phase: Phase
    rules: tuple[Rule, ...]
    found: tuple[Violation, ...]  # the phase's violations before the migration
    status: dict[str, Any]  # [status.<phase>] after the migration
    selected: tuple[str, ...]  # test files the unit gate selected (repo-relative)
    root_rel: str  # the project root relative to the repository root ('' or 'a/b/')
    base: str  # the commit the branch starts from
    base_branch: str  # the branch checked out when it ran ('' if detached)
    branch: str
    records: str  # where the gate reports are kept

    def repo_path(self, rel: str) -> str:
        return self.root_rel + rel

    @property
    def files(self) -> list[str]:
        return sorted(self.status.get("files_done", []))

    @property
    def gates(self) -> list[tuple[str, dict[str, Any]]]:
        raw = self.status.get("gates", {})
        return [(name, row) for name, row in raw.items() if isinstance(row, dict)]

    @property
    def manual(self) -> list[Violation]:
        return sorted(v for v in self.found if not v.fixable)

    @property
    def rewritten(self) -> int:
        """The migration's own count: violations before minus after."""
        before = self.status.get("violations_before")
        after = self.status.get("violations_after")
        if isinstance(before, int) and isinstance(after, int):
            return before - after
        return sum(1 for v in self.found if v.fixable)

    @property
    def title(self) -> str:
        return f"phasegate {self.phase.id}: {self.phase.title or 'migrate off deprecated APIs'}"

    @property
    def reproduce(self) -> str:
        return f"nox -s migrate-{self.phase.id} -- --branch"


def commit_message(ev: Evidence) -> str:
    rules = ", ".join(f"{r.id} ({r.kind})" for r in ev.rules)
    gates = ", ".join(f"{name} {row.get('result', '?')} {row.get('duration', 0):.2f}s"
                      for name, row in ev.gates)
    return (f"{ev.title}\n\n"
            f"Rules: {rules}\n"
            f"Files changed: {len(ev.files)}; sites rewritten: {ev.rewritten}; left to a "
            f"person: {len(ev.manual)}\n"
            f"Gates: {gates or 'none'}\n"
            f"Reproduce: {ev.reproduce}\n")


def pr_body(ev: Evidence) -> str:
    parts = [f"## {ev.title}\n",
             f"Made by `phasegate migrate {ev.phase.id} --branch` from `{ev.base[:12]}`"
             f"{f' ({ev.base_branch})' if ev.base_branch else ''}: every gate below passed on "
             "exactly this change before it was committed.\n",
             _rules(ev.rules), _changes(ev), _manual(ev), _gates(ev), _selected(ev),
             "### Reproduce\n",
             f"```\ngit checkout {ev.base[:12]}\n{ev.reproduce}\n```\n",
             f"Gate reports (on the machine that ran it): `{ev.records}`\n"]
    return "\n".join(parts)


def _rules(rules: Sequence[Rule]) -> str:
    rows = [f"| `{r.id}` | {r.kind} | `{r.old}` | `{r.new}` | {_cell(r.message)} |"
            for r in rules]
    return "\n".join(["### Rules", "", "| rule | kind | old | new | message |",
                      "|---|---|---|---|---|", *rows, ""])


def _changes(ev: Evidence) -> str:
    per_file = Counter(v.path for v in ev.found if v.fixable)
    lines = [f"- `{ev.repo_path(p)}` ({per_file.get(p, 0)} site(s))" for p in ev.files]
    return "\n".join([f"### Changes: {len(ev.files)} file(s), {ev.rewritten} site(s) "
                      f"rewritten, {len(ev.manual)} left to a person", "", *lines, ""])


def _manual(ev: Evidence) -> str:
    if not ev.manual:
        return "### Left to a person\n\nNothing: every site of this shard was rewritten.\n"
    rows = [f"| `{ev.repo_path(v.path)}:{v.line}:{v.col}` | `{v.rule}` | {_cell(v.reason)} |"
            for v in ev.manual]
    return "\n".join([f"### Left to a person ({len(ev.manual)})", "",
                      "| location | rule | reason |", "|---|---|---|", *rows, ""])


def _gates(ev: Evidence) -> str:
    rows = [f"| {name} | {'pass' if row.get('result') == 'pass' else 'FAIL'} | "
            f"{float(row.get('duration', 0)):.2f}s | {_cell(str(row.get('summary', '')))} |"
            for name, row in ev.gates]
    total = sum(float(row.get("duration", 0)) for _, row in ev.gates)
    return "\n".join([f"### Gates ({len(rows)}, {total:.2f}s)", "",
                      "| gate | result | time | summary |", "|---|---|---|---|", *rows, ""])


def _selected(ev: Evidence) -> str:
    unit = dict(ev.gates).get("unit")
    head = "### Tests selected by the affected-test selection\n"
    if unit is None:
        return head + "\nThe unit gate did not run for this shard.\n"
    lines = [f"- `{t}`" for t in ev.selected]
    return "\n".join([head, f"unit: {unit.get('summary', '')}", *lines, ""])


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def publish_lines(ev: Evidence, body_path: str) -> list[str]:
    """The commands that push the branch and open the PR/MR (phasegate itself never does)."""
    push = f"git push -u origin {shlex.quote(ev.branch)}"
    base = shlex.quote(ev.base_branch) if ev.base_branch else "<base branch>"
    title, body, head = shlex.quote(ev.title), shlex.quote(body_path), shlex.quote(ev.branch)
    return [f"  {push} && gh pr create --base {base} --head {head} --title {title} "
            f"--body-file {body}",
            f"  {push} && glab mr create --target-branch {base} --source-branch {head} "
            f"--title {title} --description \"$(cat {body})\""]
