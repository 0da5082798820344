"""``migrate PHASE... --branch``: every shard from the same base, one after another or ``-j N``
at a time, then a summary table (shard, branch, files, gates, result).

Everything that can be refused is refused before the first worktree exists: unknown phases,
branch names that are invalid or already exist, a phases.toml whose selected phases differ from
the base commit's (the worktree is a checkout of HEAD), a ``project.state_dir`` (the journal
must live in each worktree's own git dir). Without ``--keep-going`` the first shard that fails
stops the shards not yet started; with it every shard runs. Exit: 0 when every shard committed
(or had nothing to rewrite), else the worst code met (4, then 3, then 70, then 2).
"""

from __future__ import annotations

import fnmatch
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import tomlkit

from ..config import Config
from ..errors import EXIT_CONFLICT, EXIT_GATE, EXIT_OK, EXIT_USAGE, MigrationError
from . import git as g
from .shard_run import EXIT_CRASHED, Context, Outcome, migrate_on_branch

DEFAULT_BRANCH = "phasegate/{phase}"
NOT_RUN = -1  # the exit code of a shard a failure stopped before it started
_PRINT = threading.Lock()


def select(config: Config, patterns: Sequence[str]) -> list[str]:
    """Phase ids named or matched by globs (``p2-*``), in phases.toml order, each once."""
    chosen: set[str] = set()
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            hits = {p.id for p in config.phases if fnmatch.fnmatchcase(p.id, pattern.lower())}
            if not hits:
                raise MigrationError(f"no phase matches '{pattern}' (phases: "
                                     f"{', '.join(p.id for p in config.phases)})", EXIT_USAGE)
            chosen |= hits
        else:
            chosen.add(config.phase(pattern).id)
    return [p.id for p in config.phases if p.id in chosen]


def branch_names(top: Path, phases: Sequence[str], name: str | None) -> dict[str, str]:
    template = name or DEFAULT_BRANCH
    if len(phases) > 1 and "{phase}" not in template:
        raise MigrationError(f"--branch {template}: several phases need '{{phase}}' in the name "
                             "(e.g. --branch 'migrate/{phase}')", EXIT_USAGE)
    names = {p: template.replace("{phase}", p) for p in phases}
    bad = [n for n in names.values() if not g.valid_branch(top, n)]
    if bad:
        raise MigrationError(f"--branch: '{bad[0]}' is not a valid branch name", EXIT_USAGE)
    taken = [n for n in names.values() if g.branch_exists(top, n)]
    if taken:
        raise MigrationError(f"branch {', '.join(taken)} already exists; phasegate never "
                             "overwrites a branch (delete it, or pass --branch NAME)", EXIT_USAGE)
    return names


def context(config: Config, phases: Sequence[str], child_args: Sequence[str]) -> Context:
    if config.state_dir is not None:
        raise MigrationError("--branch: project.state_dir is set, so every worktree would share "
                             "one journal; remove it to migrate on branches", EXIT_USAGE)
    top = g.toplevel(config.root)
    common = g.common_dir(top)
    if common is None:
        raise MigrationError(f"--branch: no git dir found above {top}", EXIT_USAGE)
    config_rel = _inside(config.path, top, "phases.toml")
    root_rel = _inside(config.root, top, "the project root")
    base = g.head(top)
    _same_as_base(config, top, base, config_rel, phases)
    return Context(config, top, common, base, g.current_branch(top), config_rel,
                   "" if root_rel == "." else root_rel + "/", tuple(child_args))


def _inside(path: Path, top: Path, what: str) -> str:
    try:
        return path.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        raise MigrationError(f"--branch: {what} ({path}) is outside the repository {top}",
                             EXIT_USAGE) from None


def _same_as_base(config: Config, top: Path, base: str, config_rel: str,
                  phases: Sequence[str]) -> None:
    """The worktree reads phases.toml as committed: the phases asked for must be the same."""
    text = g.show(top, base, config_rel)
    if text is None:
        raise MigrationError(f"--branch: {config_rel} is not committed; the branch starts from "
                             "HEAD, so commit it first", EXIT_USAGE)
    then, now = tomlkit.parse(text).unwrap(), tomlkit.parse(config.path.read_text("utf-8")).unwrap()
    for pid in phases:
        if _definition(then, pid) != _definition(now, pid):
            raise MigrationError(f"--branch: phase {pid} in {config_rel} differs from the "
                                 f"committed one (the branch starts from HEAD {base[:10]}); "
                                 "commit phases.toml first", EXIT_USAGE)


def _definition(doc: dict[str, Any], pid: str) -> Any:
    phases = {str(k).lower(): v for k, v in doc.get("phases", {}).items()}
    phase = phases.get(pid)
    rules = doc.get("rules", {})
    used = {r: rules.get(r) for r in (phase or {}).get("rules", [])}
    return phase, used, doc.get("project"), doc.get("gates")


def run_all(ctx: Context, branches: dict[str, str], *, jobs: int, keep_going: bool,
            run_one: Callable[[Context, str, str], Outcome] = migrate_on_branch) -> list[Outcome]:
    """Each phase in its own worktree; outcomes in phase order."""
    stop = threading.Event()

    def one(phase: str) -> Outcome:
        if stop.is_set():
            return Outcome(phase, "", NOT_RUN,
                           "not run (an earlier shard failed; see --keep-going)")
        _say(f"== {phase}: migrating on {branches[phase]} from {ctx.base[:10]} ...")
        try:
            out = run_one(ctx, phase, branches[phase])
        except MigrationError as exc:
            out = Outcome(phase, "", exc.exit_code, f"error: {exc.message}")
        if not out.ok and not keep_going:
            stop.set()
        _say("\n".join([f"== {phase}: {out.result}", *(f"   {line}" for line in out.lines)]))
        return out

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, list(branches)))


def _say(text: str) -> None:
    with _PRINT:
        print(text, flush=True)


def summary(outcomes: Sequence[Outcome]) -> list[str]:
    rows = [("shard", "branch", "files", "gates", "result")]
    for out in outcomes:
        rows.append((out.phase, out.branch or "-", str(out.files) if out.branch else "-",
                     _gate_cell(out), out.result))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join([*(r[i].ljust(widths[i]) for i in range(4)), r[4]]).rstrip()
             for r in rows]
    done = sum(1 for o in outcomes if o.branch)
    failed = [o.phase for o in outcomes if not o.ok]
    lines.append(f"{done} branch(es) created, {len(failed)} shard(s) failed"
                 + (f": {', '.join(failed)}" if failed else ""))
    return lines


def _gate_cell(out: Outcome) -> str:
    if not out.gates:
        return "-"
    passed = sum(1 for _, row in out.gates if row.get("result") == "pass")
    total = sum(float(row.get("duration", 0)) for _, row in out.gates)
    failed = next((name for name, row in out.gates if row.get("result") != "pass"), "")
    return f"{passed}/{len(out.gates)} pass {total:.1f}s" + (f" ({failed} failed)" if failed
                                                            else "")


def exit_code(outcomes: Sequence[Outcome]) -> int:
    codes = {o.exit_code for o in outcomes if not o.ok and o.exit_code != NOT_RUN}
    for worst in (EXIT_CONFLICT, EXIT_GATE, EXIT_CRASHED):
        if worst in codes:
            return worst
    return EXIT_USAGE if codes else EXIT_OK


def print_summary(outcomes: Sequence[Outcome]) -> None:
    for line in summary(outcomes):
        print(line, file=sys.stdout)
