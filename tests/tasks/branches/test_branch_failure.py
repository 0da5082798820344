"""A shard whose gate fails gets no branch, the others go on with --keep-going (and stop
without it), and the summary says which one failed; the user's tree is never touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from phasegate import cli
from tests.helpers.branch_repo import (
    IDENTITY,
    branches,
    repo_state,
    shard_repo,
    tree_bytes,
    worktrees,
)
from tests.helpers.journal_repo import git

pytestmark = pytest.mark.slow


@pytest.fixture()
def repo(fast_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)
    return shard_repo(fast_tmp)


def _summary(out: str) -> list[str]:
    """The summary table's rows (between its header and its last line)."""
    return out[out.index("shard  branch"):].splitlines()[1:-1]


def test_a_failing_shard_gets_no_branch_and_keep_going_runs_the_rest(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before, state = tree_bytes(repo), repo_state(repo)
    code = cli.main(["migrate", "a", "b", "c", "--branch", "--keep-going", "-j", "3",
                     "--config", str(repo / "phases.toml")])
    out = capsys.readouterr().out
    assert code == 3, out
    assert sorted(branches(repo)) == ["main", "phasegate/a", "phasegate/c"], out
    rows = _summary(out)
    assert [r.split()[:3] for r in rows] == [["a", "phasegate/a", "1"], ["b", "-", "-"],
                                             ["c", "phasegate/c", "1"]]
    assert "2/2 pass" in rows[0] and rows[0].split()[-2] == "committed"
    assert "1/2 pass" in rows[1] and "(unit failed)" in rows[1]
    assert rows[1].endswith("gate unit failed; rolled back in the worktree, no branch")
    assert out.splitlines()[-1] == "2 branch(es) created, 1 shard(s) failed: b"
    assert "FAIL unit" in out  # the failing shard's ladder is shown
    assert tree_bytes(repo) == before and repo_state(repo) == state
    assert worktrees(repo) == [str(repo)]
    # a's branch holds a's file and phases.toml, nothing of b or c
    assert git(repo, "diff", "--name-only", "main..phasegate/a").split() == [
        "phases.toml", "src/a/mod.py"]
    body = (repo / ".git/phasegate/records/a/pr-body.md").read_text()
    assert "| unit | pass | " in body
    assert "selected 1 of 3 test files\n- `tests/test_a.py`\n" in body


def test_without_keep_going_the_first_failure_stops_the_rest(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["migrate", "b", "c", "--branch", "--config", str(repo / "phases.toml")])
    out = capsys.readouterr().out
    assert code == 3
    assert branches(repo) == ["main"]
    rows = _summary(out)
    assert rows[0].startswith("b ") and "gate unit failed" in rows[0]
    assert rows[1].split(None, 4) == ["c", "-", "-", "-",
                                      "not run (an earlier shard failed; see --keep-going)"]
    assert worktrees(repo) == [str(repo)]


@pytest.mark.parametrize(("argv", "message"), [
    (["z*"], "no phase matches 'z*' (phases: a, b, c)"),
    (["a", "b", "--branch=mine"], "--branch mine: several phases need '{phase}' in the name "
                                  "(e.g. --branch 'migrate/{phase}')"),
    (["a", "--branch=bad..name"], "--branch: 'bad..name' is not a valid branch name"),
    (["a", "b"], "several phases need --branch (one migration per branch); without it, "
                 "migrate one phase at a time"),
    (["a", "--dry-run"], "--dry-run has no meaning with --branch (the worktree is a clean "
                         "checkout of HEAD; use `phasegate plan` for a dry run)"),
    (["a", "-j", "0"], "-j/--jobs: must be at least 1 (got 0)"),
    (["a", "--gates", "unit,smoke"], "--gates: unknown gate 'smoke' (gates: syntax, lint, "
                                     "imports, unit, integration, mission-critical)"),
], ids=["no-match", "one-name", "bad-name", "no-branch", "dry-run", "jobs", "gates"])
def test_refused_before_any_worktree(repo: Path, capsys: pytest.CaptureFixture[str],
                                     argv: list[str], message: str) -> None:
    if "--branch" not in " ".join(argv) and argv != ["a", "b"]:
        argv = [*argv, "--branch"]
    code = cli.main(["migrate", *argv, "--config", str(repo / "phases.toml")])
    assert code == 2
    assert capsys.readouterr().err == f"phasegate: error: {message}\n"
    assert branches(repo) == ["main"] and worktrees(repo) == [str(repo)]


def test_an_uncommitted_phase_change_is_refused(repo: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "phases.toml"
    path.write_text(path.read_text().replace('files = ["src/a/**"]', 'files = ["src/a/*"]'))
    assert cli.main(["migrate", "a", "--branch", "--config", str(path)]) == 2
    head = git(repo, "rev-parse", "HEAD").strip()
    assert capsys.readouterr().err == (
        f"phasegate: error: --branch: phase a in phases.toml differs from the committed one "
        f"(the branch starts from HEAD {head[:10]}); commit phases.toml first\n")


def test_a_phase_already_done_at_head_gets_no_branch(repo: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    mod = repo / "src/a/mod.py"
    mod.write_text(mod.read_text().replace("app.legacy", "app.modern"))
    with (repo / "phases.toml").open("a") as fh:
        fh.write('\n[status.a]\nstatus = "complete"\nfiles_done = ["src/a/mod.py"]\n')
    git(repo, "commit", "-qam", "a done by hand")
    code = cli.main(["migrate", "a", "--branch", "--config", str(repo / "phases.toml")])
    out = capsys.readouterr().out
    assert code == 0
    assert _summary(out) == ["a      -       -      -      nothing to rewrite: no branch"]
    assert branches(repo) == ["main"] and worktrees(repo) == [str(repo)]
