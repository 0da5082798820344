"""Three shards of the bundled example, each migrated on its own branch (the real CLI in real
worktrees): the branches, their commits, their PR bodies, and a user's tree left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from phasegate import cli
from phasegate import config as config_mod
from tests.helpers.branch_repo import (
    IDENTITY,
    branches,
    commit_all,
    example_repo,
    repo_state,
    tree_bytes,
    worktrees,
)
from tests.helpers.journal_repo import git

pytestmark = pytest.mark.slow
GATES = "syntax,lint,imports"  # the test tiers are exercised by the gates' own tests


def test_three_shards_on_three_branches(fast_tmp: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)
    root = example_repo(fast_tmp)
    path = str(root / "phases.toml")
    assert cli.main(["split", "p2", "--write", "--config", path]) == 0
    commit_all(root, "split p2 by code owner")
    shards = {p.id: p for p in config_mod.load(path)[0].phases if p.id.startswith("p2-")}
    assert sorted(shards) == ["p2-agents", "p2-platform", "p2-services"]
    (root / "notes.txt").write_text("the user's own uncommitted work\n")  # must stay as it is
    before, state = tree_bytes(root), repo_state(root)
    capsys.readouterr()

    code = cli.main(["migrate", "p2-*", "--branch", "--gates", GATES, "-j", "2",
                     "--config", path])
    out = capsys.readouterr().out
    assert code == 0, out
    assert tree_bytes(root) == before and repo_state(root) == state
    assert worktrees(root) == [str(root)]
    assert not any((root / ".git" / "phasegate" / "worktrees").iterdir())
    assert sorted(branches(root)) == ["main", "phasegate/p2-agents", "phasegate/p2-platform",
                                      "phasegate/p2-services"]
    head = git(root, "rev-parse", "HEAD").strip()
    for shard_id, phase in shards.items():
        branch = f"phasegate/{shard_id}"
        assert git(root, "rev-parse", f"{branch}~1").strip() == head  # one commit on HEAD
        touched = git(root, "diff", "--name-only", f"{head}..{branch}").split()
        files = {f"examples/netra/{f}" for f in phase.files}
        assert "phases.toml" in touched and set(touched) - {"phases.toml"} <= files
        assert len(touched) > 1
        message = git(root, "log", "-1", "--format=%B", branch)
        assert message.startswith(f"phasegate {shard_id}: {phase.title}\n\nRules: ws-factory "
                                  "(call), ws-unified (move), ws-types (module)\nFiles changed: "
                                  f"{len(touched) - 1}; sites rewritten: ")
        status = git(root, "show", f"{branch}:phases.toml")
        assert f'[status.{shard_id}]\nstatus = "complete"' in status
        body = root / ".git" / "phasegate" / "records" / shard_id / "pr-body.md"
        text = body.read_text()
        for gate in GATES.split(","):
            assert f"\n| {gate} | pass | " in text
        assert "### Left to a person" in text and f"nox -s migrate-{shard_id} -- --branch" in text
        assert f"--head {branch} --title 'phasegate {shard_id}: " in out
        assert f"--body-file {body}" in out
    summary = out[out.index("shard        branch"):].splitlines()
    assert [line.split()[0] for line in summary[1:4]] == sorted(shards)
    assert all("3/3 pass" in line and "committed" in line for line in summary[1:4])
    assert summary[4] == "3 branch(es) created, 0 shard(s) failed"

    # the same branches again: refused before any worktree exists, nothing changes
    code = cli.main(["migrate", "p2-agents", "--branch", "--config", path])
    assert code == 2
    assert capsys.readouterr().err == (
        "phasegate: error: branch phasegate/p2-agents already exists; phasegate never "
        "overwrites a branch (delete it, or pass --branch NAME)\n")
    assert tree_bytes(root) == before and worktrees(root) == [str(root)]
