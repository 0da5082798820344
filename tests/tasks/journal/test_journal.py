"""Journal apply / commit / rollback / recover in-process, on a tiny git repo."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from phasegate import journal
from phasegate.errors import EXIT_USAGE, MigrationError
from tests.helpers.journal_repo import (
    EXECUTABLE,
    FILES,
    Change,
    git,
    make_plan,
    make_repo,
    post_snapshot,
    snapshot,
)


def test_apply_then_rollback_restores_every_byte_and_mode(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    before = snapshot(config.root)
    changes = make_plan(config)
    txn = journal.apply(config, "p0", changes)
    assert snapshot(config.root) == post_snapshot(before, config.root, changes)
    assert os.stat(config.root / EXECUTABLE).st_mode & 0o777 == 0o755
    journal.commit(config, txn)
    report = journal.rollback_phase(config, "p0")
    assert snapshot(config.root) == before
    assert sorted(report.restored) == sorted(c.path for c in changes)
    assert report.clean
    assert (f"verified {len(changes)} files: sha256 and mode match the pre-images"
            in report.lines())


def test_journal_lives_in_the_git_dir_with_a_hashed_manifest(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    changes = make_plan(config)
    txn = journal.apply(config, "p0", changes)
    assert txn.txn.dir.parent == config.root / ".git" / "phasegate" / "journal"
    doc = json.loads(txn.txn.manifest.read_text())
    entries = {e["path"]: e for e in doc["body"]["entries"]}
    assert entries[EXECUTABLE]["mode"] == 0o755
    assert entries["src/app/crlf.py"]["size"] == len(FILES["src/app/crlf.py"])
    steps = [json.loads(line)["step"] for line in txn.txn.log.read_text().splitlines()]
    assert steps == ["begin", "prepared"] + ["replaced"] * len(changes) + ["applied"]
    assert git(config.root, "status", "--porcelain", "--ignored", "--", ".git") == ""


def test_rollback_conflict_is_kept_with_copies_and_others_restored(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    before = snapshot(config.root)
    changes = make_plan(config)
    journal.commit(config, journal.apply(config, "p0", changes))
    edited = config.root / "src/app/lf.py"
    edited.write_bytes(edited.read_bytes() + b"# mine\n")
    report = journal.rollback_phase(config)
    assert [c.path for c in report.conflicts] == ["src/app/lf.py"]
    assert edited.read_bytes().endswith(b"# mine\n")  # the user's bytes are never lost
    copies = dict(report.conflicts[0].copies)
    assert Path(copies["pre"]).read_bytes() == FILES["src/app/lf.py"]
    assert Path(copies["current"]).read_bytes() == edited.read_bytes()
    assert b"app.modern" in Path(copies["post"]).read_bytes()
    after = snapshot(config.root)
    assert {k: v for k, v in after.items() if k != "src/app/lf.py"} == \
        {k: v for k, v in before.items() if k != "src/app/lf.py"}
    assert any(line.startswith("conflict: src/app/lf.py: changed since") for line in
               report.lines())


def test_rollback_after_the_conflict_is_resolved_finishes(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    before = snapshot(config.root)
    journal.commit(config, journal.apply(config, "p0", make_plan(config)))
    (config.root / "src/app/lf.py").unlink()
    assert not journal.rollback_phase(config, "p0").clean
    (config.root / "src/app/lf.py").write_bytes(FILES["src/app/lf.py"])  # user restored it
    report = journal.rollback_phase(config, "p0")
    assert report.clean and "src/app/lf.py" in report.skipped
    assert snapshot(config.root) == before


@pytest.mark.parametrize(("setup", "phase", "message"), [
    ("none", None, "nothing to roll back: no committed phase"),
    ("p0", "p1", "nothing to roll back for phase 'p1': it has no committed migration"),
    ("p0,p1", "p0", "phase 'p1' was committed after 'p0'; roll back newest first"),
])
def test_rollback_refusals(tmp_path: Path, setup: str, phase: str | None, message: str) -> None:
    config = make_repo(tmp_path)
    for ph in [p for p in setup.split(",") if p != "none"]:
        journal.commit(config, journal.apply(config, ph, make_plan(config, ph)))
    state = snapshot(config.root)
    with pytest.raises(MigrationError) as err:
        journal.rollback_phase(config, phase)
    assert message in err.value.message and err.value.exit_code == EXIT_USAGE
    assert snapshot(config.root) == state


def test_rollback_newest_first_then_older(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    before = snapshot(config.root)
    for ph in ("p0", "p1"):
        journal.commit(config, journal.apply(config, ph, make_plan(config, ph)))
    assert journal.rollback_phase(config).phase == "p1"
    assert journal.rollback_phase(config).phase == "p0"
    assert snapshot(config.root) == before


def test_dirty_files_refused_unless_allowed(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    (config.root / "src/app/lf.py").write_bytes(b"from app.legacy import helper  # wip\n")
    (config.root / "src/app/new.py").write_bytes(b"import app.legacy\n")  # untracked
    changes = make_plan(config) + [Change("src/app/new.py", b"import app.legacy\n",
                                          b"import app.modern\n")]
    state = snapshot(config.root)
    with pytest.raises(MigrationError) as err:
        journal.apply(config, "p0", changes)
    assert err.value.message.startswith(
        "uncommitted changes in git: src/app/lf.py, src/app/new.py; commit or stash")
    assert snapshot(config.root) == state
    journal.apply(config, "p0", changes, allow_dirty=True)
    assert (config.root / "src/app/new.py").read_bytes() == b"import app.modern\n"


def test_edit_between_plan_and_apply_is_refused_untouched(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    changes = make_plan(config)
    (config.root / "src/app/crlf.py").write_bytes(b"# user edit after the plan\r\n")
    state = snapshot(config.root)
    with pytest.raises(MigrationError) as err:
        journal.apply(config, "p0", changes, allow_dirty=True)
    assert err.value.message == ("changed since the plan was made: src/app/crlf.py; nothing was"
                                 " written (run the migration again)")
    assert snapshot(config.root) == state
    assert journal.recover(config) == []


def test_links_are_skipped_and_never_replaced(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    root = config.root
    (root / "src/app/link.py").symlink_to("lf.py")
    os.link(root / "src/app/crlf.py", root / "src/hard.py")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "links")
    changes = make_plan(config) + [Change("src/app/link.py", FILES["src/app/lf.py"], b"x = 1\n")]
    txn = journal.apply(config, "p0", changes)
    reasons = {p.path: p.reason for p in txn.skipped}
    assert reasons["src/app/link.py"] == "symlink (never replaced)"
    assert reasons["src/app/crlf.py"].startswith("hard link (2 names")
    assert os.readlink(root / "src/app/link.py") == "lf.py"
    assert (root / "src/hard.py").read_bytes() == FILES["src/app/crlf.py"]
    assert os.stat(root / "src/hard.py").st_nlink == 2


def test_recover_rolls_back_an_uncommitted_phase_once(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    before = snapshot(config.root)
    journal.apply(config, "p0", make_plan(config))  # applied, never committed: a crash
    lines = journal.recover(config)
    assert lines[0].startswith("recovered: phase p0 was left half-applied")
    assert snapshot(config.root) == before
    assert journal.recover(config) == []  # idempotent


def test_gate_modified_file_is_detected_before_commit(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    txn = journal.apply(config, "p0", make_plan(config))
    (config.root / "src/app/lf.py").write_bytes(b"# a gate wrote this\n")
    assert journal.modified(config, txn) == ["src/app/lf.py"]
    with pytest.raises(MigrationError, match="refusing to commit: changed after apply"):
        journal.commit(config, txn)


def test_no_git_uses_the_configured_state_dir(tmp_path: Path) -> None:
    config = make_repo(tmp_path, extra='state_dir = "../state"', use_git=False)
    before = snapshot(config.root)
    txn = journal.apply(config, "p0", make_plan(config))
    assert txn.txn.dir.parent == tmp_path / "state" / "journal"
    journal.commit(config, txn)
    assert journal.rollback_phase(config, "p0").clean
    assert snapshot(config.root) == before


def test_file_deleted_between_plan_and_apply_is_refused(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    changes = make_plan(config)
    (config.root / "src/app/bom.py").unlink()
    state = snapshot(config.root)
    with pytest.raises(MigrationError, match="changed since the plan was made: src/app/bom.py"):
        journal.apply(config, "p0", changes, allow_dirty=True)
    assert snapshot(config.root) == state


def test_no_git_no_state_dir_uses_a_per_repo_cache_dir_outside_the_tree(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config = make_repo(tmp_path, use_git=False)
    txn = journal.apply(config, "p0", make_plan(config))
    assert txn.txn.dir.is_relative_to(tmp_path / "cache" / "phasegate")
    assert not txn.txn.dir.is_relative_to(config.root)
