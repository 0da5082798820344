"""Replay: an unchanged tree replays detect's last answer; every change that matters misses.

Each test builds a real git repository in tmp_path and runs the CLI in-process, so
``replay.last_outcome`` says whether the answer was replayed (never judged by timing).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import phasegate
from phasegate.cli import main
from phasegate.detect import replay, replay_key
from tests.helpers.replay_repo import (
    CHANGES,
    PHASES,
    Project,
    add_ignored,
    add_untracked,
    delete_tracked,
    edit_config,
    git,
    pending_journal,
    primed,
    write_same_size,
)


def test_unchanged_tree_replays_identical_output(project: Project) -> None:
    hit = primed(project)
    assert hit.code == 1
    assert "pkg/a.py:1:21: moved" in hit.out and "pkg/ignored.py" not in hit.out
    again = project.detect()
    assert again.outcome == "hit" and again.out == hit.out


def test_json_replay_claims_a_fully_cached_run(project: Project) -> None:
    hit = primed(project, "--format", "json")
    assert '"files_parsed": 0,' in hit.out and '"cache_hits": 5' in hit.out
    assert '"files_scanned": 5,' in hit.out


@pytest.mark.parametrize("change,expected", [(c, e) for _, c, e in CHANGES],
                         ids=[i for i, _, _ in CHANGES])
def test_change_misses_and_matches_a_fresh_run(project: Project, change: Callable[[Project], None],
                                               expected: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    primed(project)
    change(project)
    after = project.detect()
    assert after.outcome.startswith(expected), after.outcome
    fresh = project.fresh(monkeypatch=monkeypatch)
    assert (after.code, after.out) == (fresh.code, fresh.out)
    if change is pending_journal:
        assert "recovered:" in after.err and "recovered:" not in fresh.err
    else:
        assert after.err == fresh.err


def test_changes_change_the_answer(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows above would catch a stale replay: most of them change the answer itself."""
    before = primed(project).out
    for change in (write_same_size, add_untracked, delete_tracked, add_ignored, edit_config):
        change(project)
        assert project.fresh(monkeypatch=monkeypatch).out != before, change.__name__


# (id, how the second run differs, expected outcome)
ASKED: list[tuple[str, Callable[[pytest.MonkeyPatch], None], list[str], str]] = [
    ("format", lambda m: None, ["--format", "json"], "miss: no record"),
    ("env-no-color", lambda m: m.setenv("NO_COLOR", "1"), [], "miss: no record"),
    ("env-ci", lambda m: m.setenv("CI", "true"), [], "miss: no record"),
    ("version", lambda m: m.setattr(phasegate, "__version__", "9.9.9"), [], "miss: no record"),
    ("code-changed", lambda m: m.setattr(replay, "code_stats", lambda: ()), [],
     "miss: no record"),
    ("no-replay", lambda m: m.setenv(replay.DISABLE_ENV, "1"), [], "off: PHASEGATE_NO_REPLAY"),
    ("terminal", lambda m: m.setattr(sys.stdout, "isatty", lambda: True), [],
     "off: a terminal"),
    ("git-dir-env", lambda m: m.setenv("GIT_INDEX_FILE", "/nonexistent"), [],
     "off: GIT_INDEX_FILE"),
]


@pytest.mark.parametrize("setup,extra,expected", [a[1:] for a in ASKED],
                         ids=[a[0] for a in ASKED])
def test_asked_differently_misses(project: Project, monkeypatch: pytest.MonkeyPatch,
                                  setup: Callable[[pytest.MonkeyPatch], None], extra: list[str],
                                  expected: str) -> None:
    primed(project)
    setup(monkeypatch)
    after = project.detect(*extra)
    assert after.outcome.startswith(expected), after.outcome


def test_no_cache_never_records(project: Project) -> None:
    runs = [project.detect("--no-cache") for _ in range(3)]
    assert [r.outcome for r in runs] == ["miss: no record"] * 3
    assert not list((project.root / ".git/phasegate/cache").glob("replay-*"))


def test_output_file_and_ratchet_lines_are_replayed(project: Project) -> None:
    report = project.root.parent / "report.txt"
    with project.config.open("a") as fh:
        fh.write("\n[baseline]\nmoved = 0\nlegacy = 5\n")
    git(project.root, "commit", "-qam", "baseline")
    hit = primed(project, "--baseline", "-o", str(report))
    assert hit.code == 1 and hit.out == ""
    assert hit.err == "ratchet: moved: 1 > baseline 0\n"
    written = report.read_text()
    report.unlink()
    again = project.detect("--baseline", "-o", str(report))
    assert again.outcome == "hit" and report.read_text() == written
    assert "pkg/a.py:1:21" in written


def test_report_written_inside_the_tree_does_not_defeat_replay(project: Project) -> None:
    report = project.root / "out" / "report.txt"
    report.parent.mkdir()
    cold, warm = project.detect("-o", str(report)), project.detect("-o", str(report))
    assert cold.outcome.startswith("miss") and warm.outcome == "miss: no record"
    assert project.detect("-o", str(report)).outcome == "hit"


def test_edit_during_the_scan_makes_the_next_run_miss(project: Project,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    primed(project)
    from phasegate.commands import detect as command

    real = command.detect

    def edit_then_scan(*args: object, **kwargs: object) -> object:
        add_untracked(project)  # after the fingerprint, before the files are read
        return real(*args, **kwargs)  # type: ignore[arg-type]

    (project.root / "pkg/a.py").write_text("from pkg.old import Thing\nThing()\n")
    with monkeypatch.context() as m:
        m.setattr(command, "detect", edit_then_scan)
        during = project.detect()
    assert during.outcome == "miss: files changed"
    after = project.detect()
    assert after.outcome.startswith("miss"), after.outcome
    assert after.out == project.fresh(monkeypatch=monkeypatch).out


def test_racy_listed_file_is_not_recorded(project: Project,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    primed(project)
    monkeypatch.setattr(replay, "RACY_NS", 2_000_000_000)
    (record,) = (project.root / ".git/phasegate/cache").glob("replay-*")
    kept = record.read_bytes()
    add_untracked(project)  # changed just now: a same-size edit could keep its lstat
    runs = [project.detect() for _ in range(2)]
    assert [r.outcome for r in runs] == ["miss: files changed"] * 2
    assert record.read_bytes() == kept


def test_listed_files_are_recorded_with_their_stat(project: Project) -> None:
    primed(project)  # RACY_NS is 0: as if c.py below had been written long ago
    add_untracked(project)
    (project.root / "pkg/b.py").write_text("import pkg.legacy as lg\n")  # tracked, modified
    parsed, cached = project.detect(), project.detect()  # only the fully cached run records
    assert parsed.outcome == cached.outcome == "miss: files changed"
    hit = project.detect()
    assert hit.outcome == "hit" and "pkg/c.py:1:21" in hit.out
    (project.root / "pkg/c.py").write_text("from pkg.old import Thing as T\n")
    assert project.detect().outcome == "miss: files changed"


def test_config_changed_during_the_run_is_not_recorded(project: Project,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from phasegate.commands import detect as command

    real = command.detect

    def edit_config_then_scan(*args: object, **kwargs: object) -> object:
        with project.config.open("a") as fh:
            fh.write("# edited while detect ran\n")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    project.detect()  # cold: fills the per-file cache
    with monkeypatch.context() as m:
        m.setattr(command, "detect", edit_config_then_scan)
        assert project.detect().outcome == "miss: no record"
    assert project.detect().outcome == "miss: no record"  # nothing was recorded


def test_config_changed_just_before_is_not_recorded(project: Project,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replay, "RACY_NS", 2_000_000_000)  # phases.toml was written just now
    for _ in range(3):
        assert project.detect().outcome == "miss: no record"


def test_assume_unchanged_entries_are_never_recorded(project: Project,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """git does not look at such a file, so its edits would go unseen: never record."""
    git(project.root, "update-index", "--assume-unchanged", "pkg/a.py")
    runs = [project.detect() for _ in range(3)]
    assert [r.outcome for r in runs] == ["miss: no record"] * 3
    write_same_size(project)
    after = project.detect()
    assert after.outcome == "miss: no record"
    assert after.out == project.fresh(monkeypatch=monkeypatch).out


def test_no_git_or_linked_worktree_is_off(project: Project, tmp_path: Path) -> None:
    linked = tmp_path / "linked"
    git(project.root, "worktree", "add", "-q", str(linked))
    assert (linked / ".git").is_file()
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "phases.toml").write_text(PHASES)
    for config in (linked / "phases.toml", plain / "phases.toml"):
        runs = [main(["detect", "--config", str(config)]) for _ in range(3)]
        assert runs == ([1, 1, 1] if config.parent == linked else [0, 0, 0])
        assert replay.last_outcome == "off: the config is not in a git work tree"


# (argv after detect, env PHASEGATE_CONFIG, expected config argument)
CONFIG_ARGS = [
    ([], None, "phases.toml"),
    ([], "other.toml", "other.toml"),
    (["--config", "a.toml"], "other.toml", "a.toml"),
    (["--config=b.toml"], None, "b.toml"),
    (["--config", "a.toml", "--config", "c.toml"], None, "c.toml"),
]


@pytest.mark.parametrize("argv,env,expected", CONFIG_ARGS)
def test_config_argument(argv: list[str], env: str | None, expected: str,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    if env is None:
        monkeypatch.delenv("PHASEGATE_CONFIG", raising=False)
    else:
        monkeypatch.setenv("PHASEGATE_CONFIG", env)
    assert replay_key.config_arg(argv) == expected


def test_hit_imports_only_the_standard_library(project: Project) -> None:
    """A real process: the hit path must not import the parser, tomlkit, pathspec or rich."""
    env = {k: v for k, v in os.environ.items() if k != replay.DISABLE_ENV}
    settled = project.config.stat().st_ctime + 2.1  # a real process has the real RACY_NS
    time.sleep(max(0.0, settled - time.time()))
    argv = [sys.executable, "-X", "importtime", "-m", "phasegate", "detect", "--config",
            str(project.config)]
    runs = [subprocess.run(argv, capture_output=True, text=True, env=env, cwd=project.root,
                           check=False) for _ in range(3)]
    assert [r.returncode for r in runs] == [1, 1, 1]
    assert runs[2].stdout == runs[1].stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in runs[2].stderr.splitlines()
                if line.startswith("import time:")}
    assert "phasegate.detect.replay" in imported
    for heavy in ("argparse", "tomlkit", "pathspec", "rich", "libcst", "phasegate.detect.engine",
                  "phasegate.config", "phasegate.commands.detect"):
        assert heavy not in imported, heavy
    first = {line.rsplit("|", 1)[-1].strip() for line in runs[0].stderr.splitlines()
             if line.startswith("import time:")}
    assert "phasegate.detect.engine" in first  # the cold run did the real work


@pytest.mark.parametrize("pointer", ["elsewhere", "missing-dir", "deleted"])
def test_root_pointer_only_starts_git_early(project: Project, pointer: str,
                                            tmp_path: Path) -> None:
    """The pointer naming the last root only lets git start sooner: a wrong or missing one
    still gives the right answer."""
    primed(project)
    (ptr,) = (project.root / ".git/phasegate/cache").glob("last-root-*")
    if pointer == "deleted":
        ptr.unlink()
    else:
        ptr.write_bytes(os.fsencode(tmp_path if pointer == "elsewhere" else tmp_path / "nope"))
    hit = project.detect()
    assert hit.outcome == "hit"
    add_untracked(project)
    assert project.detect().outcome == "miss: files changed"


def test_cold_run_takes_no_fingerprint(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a detect cache no run can be recorded, so the git fingerprint is not taken."""
    from phasegate.detect import replay_record

    taken: list[bool] = []
    real = replay_record.snapshot
    monkeypatch.setattr(replay_record, "snapshot", lambda *a: taken.append(True) or real(*a))
    project.detect()
    assert taken == []
    project.detect()  # the cache exists now: this run may be recorded
    assert taken == [True]
    assert project.detect().outcome == "hit"


@pytest.mark.parametrize("setting", ["checkStat minimal", "trustctime false", "ignoreStat true"])
def test_relaxed_git_stat_settings_turn_replay_off(project: Project, setting: str) -> None:
    """With these, git may not see a same-size edit whose mtime was put back: no replay."""
    primed(project)
    key, value = setting.split()
    git(project.root, "config", f"core.{key}", value)
    run = project.detect()
    assert run.outcome == f"off: git's core.{key.lower()} is set"


CODEMOD = '''\
from phasegate.codemods._base import RuleCodemod


class Codemod(RuleCodemod):
    def leave_Call(self, original_node, updated_node):
        if self.rule.old in self.qualified_names(original_node.func):
            self.report(original_node, "call")
        return updated_node


EXAMPLES = {}
'''


def with_codemod(project: Project) -> Path:
    """A ``flag`` codemod rule whose codemod lives in a folder git ignores; its file."""
    folder = project.root / "tools/codemods"
    folder.mkdir(parents=True)
    (folder / "flag.py").write_text(CODEMOD)
    (project.root / ".gitignore").write_text("pkg/ignored.py\ntools/\n")
    (project.root / "pkg/c.py").write_text("from pkg.old import Thing\n\nThing()\n")
    project.config.write_text(PHASES.replace('root = "."', 'root = "."\ncodemods = '
                                             '"tools/codemods"') + '''
[rules.flag]
kind = "codemod"
codemod = "flag"
old = "pkg.old.Thing"
''')
    git(project.root, "add", "-A")
    git(project.root, "commit", "-qm", "a codemod")
    return folder / "flag.py"


def test_an_edited_codemod_git_ignores_misses(project: Project) -> None:
    """``[project] codemods`` may be a folder git ignores: its files are in the record."""
    codemod = with_codemod(project)
    hit = primed(project)
    assert ": flag" in hit.out
    codemod.write_text(CODEMOD.replace('self.report(original_node, "call")', "pass"))
    assert project.detect().outcome == "miss: a project codemod changed"
    # this process imported the codemod before its edit: a new one reads it as it is now
    env = {**os.environ, replay.DISABLE_ENV: "1"}
    fresh = subprocess.run([sys.executable, "-m", "phasegate", "detect", "--no-cache",
                            "--config", str(project.config)], capture_output=True, text=True,
                           env=env, check=False)
    assert fresh.returncode == 1 and ": flag" not in fresh.stdout and ": moved" in fresh.stdout


# (id, how the recorded run is asked, where the FIFO appears): folders detect searches for files
# git never lists even when none of their files is scanned
FIFO_FOLDERS = [
    ("excluded-file's-folder", ["--config-exclude"], "gen/fifo.py"),
    ("other-phase's-folder", ["--phase", "p0"], "other/fifo.py"),
]


@pytest.mark.parametrize("asked,fifo", [f[1:] for f in FIFO_FOLDERS],
                         ids=[f[0] for f in FIFO_FOLDERS])
def test_a_fifo_in_a_folder_with_no_scanned_file_misses(project: Project, asked: list[str],
                                                        fifo: str) -> None:
    (project.root / "gen").mkdir()
    (project.root / "gen/big.py").write_text("import pkg.legacy\n")
    (project.root / "other").mkdir()
    (project.root / "other/o.py").write_text("import pkg.legacy\n")
    text = PHASES.replace('root = "."', 'root = "."\nexclude = ["gen/big.py"]') \
        if asked == ["--config-exclude"] else PHASES
    project.config.write_text(text)
    git(project.root, "add", "-A")
    git(project.root, "commit", "-qm", "more folders")
    extra = [a for a in asked if a != "--config-exclude"]
    primed(project, *extra)
    os.mkfifo(project.root / fifo)
    after = project.detect(*extra)
    assert after.outcome == "miss: files changed"
    assert f"{fifo}: not a regular file" in after.out + after.err


def test_a_folder_changed_just_before_the_fingerprint_is_not_recorded(
        project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.detect()  # cold: fills the per-file cache
    monkeypatch.setattr(replay, "RACY_NS", 2_000_000_000)
    time.sleep(2.1)  # every listed file and phases.toml settled: only the folder is recent
    (project.root / "pkg/notes.txt").write_text("a new entry in a scanned folder\n")
    git(project.root, "add", "-A")
    git(project.root, "commit", "-qm", "notes")
    assert [project.detect().outcome for _ in range(2)] == ["miss: no record"] * 2


def test_a_codemod_edited_during_the_recorded_run_misses(project: Project,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Its files are fingerprinted before the scan, like the tree: an edit made after the run
    used the old one (before its answer is recorded) makes the next run miss."""
    codemod = with_codemod(project)
    primed(project)
    from phasegate.detect import replay_record

    real = replay_record.record

    def edit_then_record(*args: object, **kwargs: object) -> bool:
        codemod.write_text(CODEMOD.replace('self.report(original_node, "call")', "pass"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    (record,) = (project.root / ".git/phasegate/cache").glob("replay-*")
    record.unlink()  # the next run records (every file from the cache) with the edit below
    with monkeypatch.context() as m:
        m.setattr(replay_record, "record", edit_then_record)
        assert project.detect().outcome == "miss: no record"
    assert project.detect().outcome == "miss: a project codemod changed"
