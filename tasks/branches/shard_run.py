"""One phase on its own branch: worktree -> detect -> migrate (the real CLI) -> commit -> PR body.

The migration runs as ``python -m phasegate migrate PHASE --config <worktree>/phases.toml`` in a
detached worktree of the base commit, so its journal, lock and recovery are the CLI's own
(under the worktree's git dir) and this module depends only on the CLI's contract: exit codes
0/2/3/4, the ``[status.<phase>]`` table and the records dir (what the PR body says about the
sites comes from detect, run here before the migration: the decisions the migration carries
out). On exit 0 exactly the files the phase changed (``files_done``) and phases.toml are committed
(``--no-verify``: the gates are the verification, and a hook that rewrote files would commit
bytes no gate saw) and the branch is created; on anything else no branch exists. The worktree
is always removed; the gate reports are copied next to the phase's records in the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import config as config_mod
from ..config import Config
from ..errors import EXIT_CONFLICT, EXIT_GATE, EXIT_OK, EXIT_USAGE, MigrationError
from ..model import Violation
from . import prbody
from .git import git
from .worktree import Lease

EXIT_CRASHED = 70
_DETECT = threading.Lock()


@dataclass(frozen=True)
class Context:
    """What every shard of one run shares."""

    config: Config  # the user's
    top: Path  # the repository root
    common: Path  # the git common dir
    base: str  # the commit every shard starts from
    base_branch: str
    config_rel: str  # phases.toml relative to the repository root
    root_rel: str  # the project root relative to the repository root ('' or 'a/b/')
    child_args: tuple[str, ...]  # passed on to `phasegate migrate` (--gates, --all-tests)


@dataclass
class Outcome:
    phase: str
    branch: str
    exit_code: int
    result: str
    files: int = 0
    gates: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # what to print for this shard
    commit: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK


def migrate_on_branch(ctx: Context, phase_id: str, branch: str) -> Outcome:
    with Lease(ctx.common, phase_id, ctx.base, ctx.config_rel) as lease:
        cfg = lease.config_path
        wt_config = config_mod.read(cfg)
        found = _found(wt_config, phase_id)
        run = _phasegate(lease, "migrate", phase_id, "--config", str(cfg), *ctx.child_args)
        records = _keep_records(ctx.config, wt_config, phase_id)
        (records / "branch-migrate.log").write_text(run.stdout + run.stderr, encoding="utf-8")
        status = _status(wt_config, phase_id)
        out = Outcome(phase_id, branch, run.returncode, "", gates=_gates(status),
                      lines=run.stdout.splitlines())
        if run.returncode == EXIT_OK and status.get("files_done"):
            return _commit(ctx, lease, wt_config, found, status, records, out)
        out.branch = ""
        out.result = _why(run, status, records)
        if run.returncode not in (EXIT_OK, EXIT_USAGE, EXIT_GATE, EXIT_CONFLICT):
            out.exit_code = EXIT_CRASHED  # killed, or an internal error: recover, then remove
            out.lines += _recover(wt_config)
        if run.returncode == EXIT_OK:
            out.result = "nothing to rewrite: no branch"
        return out


def _phasegate(lease: Lease, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PHASEGATE_CONFIG"}
    return subprocess.run([sys.executable, "-m", "phasegate", *argv], cwd=lease.dir, env=env,
                          capture_output=True, text=True, pass_fds=(lease.fd,), check=False)


def _found(wt_config: Config, phase_id: str) -> tuple[Violation, ...]:
    """The phase's violations in the worktree before the migration: the semantic model's
    decisions (fixable, or left to a person with a reason) that the migration carries out.
    One process (jobs=1) and one shard at a time: shards run in threads, a shard's files are
    few, and on a terminal detect draws a progress bar (only one may be live at once)."""
    from ..detect.engine import detect

    with _DETECT:
        return tuple(detect(wt_config, phase=phase_id, jobs=1).violations)


def _keep_records(config: Config, wt_config: Config, phase_id: str) -> Path:
    from ..journal import records_dir

    target = records_dir(config, phase_id)
    shutil.copytree(records_dir(wt_config, phase_id), target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".plugin"))
    return target


def _status(wt_config: Config, phase_id: str) -> dict[str, Any]:
    from ..recorded import read_status

    try:
        return read_status(wt_config).get(phase_id, {})
    except (OSError, MigrationError):
        return {}


def _gates(status: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    raw = status.get("gates", {})
    return [(k, v) for k, v in raw.items() if isinstance(v, dict)]


def _commit(ctx: Context, lease: Lease, wt_config: Config, found: tuple[Violation, ...],
            status: dict[str, Any], records: Path, out: Outcome) -> Outcome:
    phase = wt_config.phase(out.phase)
    files = [ctx.root_rel + f for f in status["files_done"]]
    ev = prbody.Evidence(phase, tuple(wt_config.rules[r] for r in phase.rules), found, status,
                         tuple(_selected(lease, records)), ctx.root_rel, ctx.base,
                         ctx.base_branch, out.branch, str(records))
    git(lease.dir, "add", "--", *files, ctx.config_rel)
    if git(lease.dir, "diff", "--cached", "--quiet", check=False).returncode == 0:
        out.branch, out.result = "", "nothing to rewrite: no branch"  # e.g. done in HEAD
        return out
    extra = _left_out(lease.dir)
    if extra:
        out.lines.append(f"not committed (not part of the phase): {', '.join(extra)}")
    (records / "commit-message.txt").write_text(prbody.commit_message(ev), encoding="utf-8")
    git(lease.dir, "commit", "-q", "--no-verify", "-F", str(records / "commit-message.txt"))
    out.commit = git(lease.dir, "rev-parse", "HEAD").stdout.strip()
    git(lease.dir, "branch", out.branch, out.commit)
    body = records / "pr-body.md"
    body.write_text(prbody.pr_body(ev), encoding="utf-8")
    out.files = len(files)
    out.result = f"committed {out.commit[:10]}"
    out.lines += [f"branch {out.branch}: {out.commit[:10]} ({len(files)} file(s) and "
                  f"{ctx.config_rel}); PR body: {body}",
                  "publish it with:", *prbody.publish_lines(ev, str(body))]
    return out


def _selected(lease: Lease, records: Path) -> list[str]:
    """The unit gate's selection (the runner lists it in ``unit.select``), repo-relative."""
    try:
        listed = (records / "unit.select").read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in listed:
        try:
            out.append(Path(line).relative_to(lease.dir).as_posix())
        except ValueError:
            out.append(line)
    return out


def _left_out(folder: Path) -> list[str]:
    """Tracked files the migration left changed that are not staged (a gate's by-product)."""
    out = git(folder, "diff", "--name-only").stdout
    return [line for line in out.splitlines() if line]


def _why(run: subprocess.CompletedProcess[str], status: dict[str, Any], records: Path) -> str:
    if run.returncode in (EXIT_GATE, EXIT_CONFLICT):
        failed = [name for name, row in _gates(status) if row.get("result") != "pass"]
        what = f"gate {failed[0]} failed" if failed else "the gates failed"
        tail = "rolled back" if run.returncode == EXIT_GATE else "rollback left conflicts"
        return f"{what}; {tail} in the worktree, no branch"
    if run.returncode < 0:
        return f"killed by signal {-run.returncode}; no branch (log: {records})"
    last = (run.stderr.strip().splitlines() or [f"exit {run.returncode}"])[-1]
    return f"error (exit {run.returncode}): {last}"


def _recover(wt_config: Config) -> list[str]:
    """A migration that died leaves its journal half-done: recover it before the removal."""
    from ..journal import recover

    try:
        return recover(wt_config)
    except MigrationError as exc:
        return [f"recovery in the worktree failed: {exc.message}"]
