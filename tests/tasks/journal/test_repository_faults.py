"""Issue 13, rows 4, 8, 12 and 14: the journal when the repository around it misbehaves.

A phase directory replaced by a symlink (its files are conflicts, every other file restored),
a journal deleted while the gates run (the undo comes from memory), a git that fails (its own
error, never "everything is dirty"), and two configs of one checkout (one lock).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from phasegate import config as config_mod
from phasegate import journal
from phasegate.errors import EXIT_USAGE, MigrationError
from phasegate.journal.store import lock_path
from tests.helpers.journal_repo import git, make_plan, make_repo, snapshot

ROOT = Path(__file__).resolve().parents[3]
HOLDER = """\
import sys, time
from phasegate import config, journal
cfg, _ = config.load(sys.argv[1])
with journal.locked(cfg):
    print("ready", flush=True)
    time.sleep(60)
"""


def _both_phases(cfg: config_mod.Config) -> list[object]:
    return [*make_plan(cfg, "p0"), *make_plan(cfg, "p1")]


def _link_lib_back(cfg: config_mod.Config, tmp_path: Path) -> None:
    """Move src/lib out of the tree and put a symlink to it in its place."""
    shutil.move(str(cfg.root / "src/lib"), str(tmp_path / "lib-elsewhere"))
    (cfg.root / "src/lib").symlink_to(tmp_path / "lib-elsewhere")


@pytest.mark.parametrize("how", ["rollback", "recover"])
def test_a_phase_dir_replaced_by_a_symlink_is_a_conflict_the_rest_restored(
        tmp_path: Path, how: str) -> None:
    cfg = make_repo(tmp_path)
    before = snapshot(cfg.root)
    txn = journal.apply(cfg, "p0", _both_phases(cfg))  # type: ignore[arg-type]
    if how == "rollback":
        journal.commit(cfg, txn)
    _link_lib_back(cfg, tmp_path)
    outside = (tmp_path / "lib-elsewhere/use.py").read_bytes()
    if how == "rollback":
        report = journal.rollback_phase(cfg, "p0")
    else:
        reports = journal.recover_reports(cfg).reports
        assert len(reports) == 1
        report = reports[0]
    assert [(c.path, c.reason) for c in report.conflicts] == [
        ("src/lib/use.py", "a directory on its path was replaced by a symlink (never followed)")]
    assert [kind for kind, _ in report.conflicts[0].copies] == ["pre", "post"]
    assert (tmp_path / "lib-elsewhere/use.py").read_bytes() == outside  # never written through
    now = snapshot(cfg.root)
    assert {k: v for k, v in now.items() if k.startswith("src/app/")} == \
        {k: v for k, v in before.items() if k.startswith("src/app/")}
    assert len(report.restored) == 6 and report.verified == 6


def test_cli_rollback_through_a_linked_dir_exits_4(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from phasegate import cli

    cfg = make_repo(tmp_path)
    journal.commit(cfg, journal.apply(cfg, "p0", _both_phases(cfg)))  # type: ignore[arg-type]
    _link_lib_back(cfg, tmp_path)
    assert cli.main(["rollback", "p0", "--config", str(cfg.path)]) == 4
    out = capsys.readouterr().out
    assert "conflict: src/lib/use.py: a directory on its path was replaced by a symlink" in out
    assert "verified 6 files: sha256 and mode match the pre-images" in out


def test_journal_deleted_before_rollback_restores_from_memory(tmp_path: Path) -> None:
    cfg = make_repo(tmp_path)
    before = snapshot(cfg.root)
    txn = journal.apply(cfg, "p0", make_plan(cfg))
    shutil.rmtree(txn.txn.dir)
    report = journal.rollback(cfg, txn)
    assert report.clean and report.verified == 6
    assert report.lines()[0] == (
        f"the journal could not be used (journal {txn.txn.dir}: manifest.json is missing or "
        "unreadable; refusing to use it (nothing was written; inspect or remove that "
        "directory)); restored from the pre-images held in memory")
    assert snapshot(cfg.root) == before


def test_a_failing_git_diff_reports_gits_error(tmp_path: Path) -> None:
    cfg = make_repo(tmp_path)
    git(cfg.root, "config", "core.bare", "true")
    with pytest.raises(MigrationError) as info:
        journal.apply(cfg, "p0", make_plan(cfg))
    assert info.value.exit_code == EXIT_USAGE
    assert info.value.message.startswith("cannot tell which files have uncommitted changes: "
                                         "git diff HEAD failed: fatal: ")
    assert "uncommitted changes in git:" not in info.value.message
    assert journal.committed_phases(cfg) == []


def test_a_repo_without_commits_still_counts_every_file_dirty(tmp_path: Path) -> None:
    cfg = make_repo(tmp_path, use_git=False)
    git(cfg.root, "init", "-q")
    with pytest.raises(MigrationError) as info:
        journal.apply(cfg, "p0", make_plan(cfg))
    assert info.value.message.startswith("uncommitted changes in git: src/app/bom.py, ")


def test_two_configs_of_one_checkout_share_one_lock(tmp_path: Path) -> None:
    cfg = make_repo(tmp_path)
    other = cfg.root / "other.toml"
    other.write_text(cfg.path.read_text().replace('root = "."',
                                                  'root = "."\nstate_dir = "../state2"'))
    cfg2 = config_mod.load(other)[0]
    assert lock_path(cfg2) == lock_path(cfg) == cfg.root / ".git/phasegate/journal/lock"
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(cfg.path)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        with pytest.raises(MigrationError) as info:
            journal.apply(cfg2, "p1", make_plan(cfg2, "p1"))
        assert info.value.message.startswith(f"locked by pid {proc.pid}: ")
        assert not (tmp_path / "state2" / "journal").exists()
    finally:
        proc.kill()
        proc.wait()
