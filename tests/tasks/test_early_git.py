"""Git asked early (tasks/early_git.py): the same answers as asking later, never a zombie, and
never an answer older than a replay fingerprint."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from phasegate import early_git
from phasegate.cli import main
from phasegate.detect import replay
from tests.helpers.detect_cases import PHASES

pytestmark = pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="memfd is Linux's")

ROOTS = [
    ('[project]\nroot = "."\n', "."),
    ("[project]\nroot = 'src'\n", "src"),
    ('[project]  # the project\nname = "x"\n  root  =  "a b"\n', "a b"),
    ('[rules.x]\nroot = "no"\n[project]\nroot = "yes"\n', "yes"),
    ('[project]\nname = "x"\n[other]\nroot = "not the project\'s"\n', None),
    ('root = "top level"\n', None),
    ("[project]\nroot = \"\"\"multi\"\"\"\n", None),  # a guess only: the config decides
    ("", None),
]


@pytest.mark.parametrize(("text", "root"), ROOTS, ids=[str(i) for i in range(len(ROOTS))])
def test_project_root_guessed_from_the_text(text: str, root: str | None) -> None:
    assert early_git.project_root(text.encode()) == root


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "a.py").write_text("x = 1\n")
    (root / "pkg" / "b.py").write_text("y = 2\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "pkg/a.py"], check=True)
    return root


@pytest.mark.parametrize("question", [early_git.LS_FILES, early_git.HEAD], ids=["ls", "head"])
def test_an_early_answer_is_what_git_says_later(tmp_path: Path,
                                                question: tuple[str, ...]) -> None:
    root = str(_repo(tmp_path))
    later = subprocess.run(["git", "-C", root, *question], capture_output=True, check=False)
    early_git.start(root, question)
    answer = early_git.take(root, question, timeout=30)
    assert answer == (later.returncode, later.stdout if later.returncode == 0 else b"")
    assert early_git.take(root, question, timeout=30) is None  # taken once
    if question == early_git.LS_FILES:
        assert answer is not None and sorted(answer[1].split(b"\0")) == [b"", b"pkg/a.py",
                                                                     b"pkg/b.py"]


def test_nothing_asked_is_none(tmp_path: Path) -> None:
    assert early_git.take(str(tmp_path), early_git.LS_FILES, timeout=1) is None


def _fake_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "git").write_text(f"#!/bin/sh\n{body}\n")
    (bin_dir / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def _gone(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True  # reaped already: no zombie left
    return False


def test_a_hung_git_is_killed_at_the_timeout(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_git(tmp_path, monkeypatch, "exec sleep 30")
    early_git.start(str(tmp_path), early_git.LS_FILES)
    pid = early_git._started[(str(tmp_path), early_git.LS_FILES)][0]
    assert early_git.take(str(tmp_path), early_git.LS_FILES, timeout=0.2) == (-1, b"")
    assert _gone(pid)


def test_drop_kills_and_reaps_what_was_not_taken(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_git(tmp_path, monkeypatch, "exec sleep 30")
    early_git.start(str(tmp_path), early_git.LS_FILES)
    early_git.start(str(tmp_path), early_git.HEAD)
    pids = [pid for pid, _ in early_git._started.values()]
    early_git.drop()
    assert not early_git._started and all(_gone(pid) for pid in pids)


def test_a_failing_git_is_a_failure_not_an_empty_listing(tmp_path: Path) -> None:
    early_git.start(str(tmp_path), early_git.LS_FILES)  # not a repository
    answer = early_git.take(str(tmp_path), early_git.LS_FILES, timeout=30)
    assert answer is not None and answer[0] != 0


def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in (replay.DISABLE_ENV, *replay.GIT_LOCATION_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(replay, "RACY_NS", 0)
    root = _repo(tmp_path)
    (root / "pkg" / "a.py").write_text("from pkg.old import Thing\n")
    (root / "phases.toml").write_text(PHASES)
    return root


def test_a_cold_detect_asks_git_early_and_reports_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path, monkeypatch)
    asked: list[tuple[str, ...]] = []
    taken: list[bool] = []
    real_start, real_take = early_git.start, early_git.take
    monkeypatch.setattr(early_git, "start", lambda r, q: (asked.append(q), real_start(r, q)))
    monkeypatch.setattr(early_git, "take",
                        lambda r, q, timeout: taken.append(r in str(root)) or
                        real_take(r, q, timeout))
    argv = ["detect", "--config", str(root / "phases.toml"), "--format", "json", "--no-cache"]
    assert main(argv) == 1
    early = capsys.readouterr().out
    assert asked == [early_git.LS_FILES, early_git.HEAD] and taken and all(taken)
    assert not early_git._started
    monkeypatch.delattr(os, "memfd_create")  # nothing asked early: git is asked when needed
    assert main(argv) == 1
    assert capsys.readouterr().out == early


def test_a_run_that_fingerprints_the_tree_lists_it_afterwards(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A listing from before the fingerprint could miss a file the fingerprint has: the next
    run would replay an answer without that file's findings. Such a run drops early answers."""
    root = _project(tmp_path, monkeypatch)
    argv = ["detect", "--config", str(root / "phases.toml")]
    main(argv)  # a cache, no record yet: the next run is fingerprinted and recorded
    early_git.start(str(root), early_git.LS_FILES)  # as at the start of that run
    pid = early_git._started[(str(root), early_git.LS_FILES)][0]
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # git has listed (not reaped yet)
    (root / "pkg" / "late.py").write_text("from pkg.old import Thing\n")  # then a new file
    capsys.readouterr()
    main(argv)
    assert "pkg/late.py" in capsys.readouterr().out
    main(argv)  # recorded (the run before parsed a file: not recorded)
    assert replay.last_outcome == "miss: no record"
    capsys.readouterr()
    main(argv)
    assert replay.last_outcome == "hit" and "pkg/late.py" in capsys.readouterr().out


def test_nothing_is_asked_early_when_children_are_reaped_for_us(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """With SIGCHLD ignored the kernel reaps git itself (its exit code is lost): the detect
    asks git the usual way and reports as usual."""
    root = _project(tmp_path, monkeypatch)
    argv = ["detect", "--config", str(root / "phases.toml"), "--format", "json", "--no-cache"]
    assert main(argv) == 1
    expected = capsys.readouterr().out
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        early_git.start(str(root), early_git.LS_FILES)
        assert not early_git._started
        assert main(argv) == 1
        assert capsys.readouterr().out == expected
    finally:
        signal.signal(signal.SIGCHLD, previous)


def test_an_answer_reaped_elsewhere_is_no_answer(tmp_path: Path) -> None:
    root = str(_repo(tmp_path))
    early_git.start(root, early_git.LS_FILES)
    pid = early_git._started[(root, early_git.LS_FILES)][0]
    os.waitpid(pid, 0)  # as the kernel does with SIGCHLD ignored
    assert early_git.take(root, early_git.LS_FILES, timeout=30) is None
