"""Issue 13 rows 3, 5, 7, 9 and 13 at the CLI: usage and environment errors are one line and
exit 2 with the tree untouched, -j is bounded, a closed stdout is not an error, and every
command recovers a crashed migration first."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from phasegate import cli
from phasegate.commands import _common
from phasegate.config import Config
from phasegate.journal import fsutil
from phasegate.journal import lock as lock_mod
from tests.helpers.crash import ROOT
from tests.helpers.crash import cli as cli_sub
from tests.helpers.journal_repo import make_repo, snapshot

USAGE = [
    (["detekt"], "argument COMMAND: invalid choice: 'detekt' (choose from 'suggest', 'detect', "
                 "'watch', 'plan', 'split', 'migrate', 'rollback', 'recover', 'verify', 'status', "
                 "'codemods') (see phasegate --help)"),
    ([], "the following arguments are required: COMMAND (see phasegate --help)"),
    (["migrate"], "the following arguments are required: PHASE (see phasegate migrate --help)"),
    (["detect", "--format", "nope"], "argument --format: invalid choice: 'nope' (choose from "
     "'table', 'text', 'json', 'sarif', 'github', 'markdown') (see phasegate detect --help)"),
    (["detect", "--bogus"], "unrecognized arguments: --bogus (see phasegate --help)"),
    (["detect", "-j", "0"], "argument --jobs/-j: must be at least 1, got 0 (see phasegate "
                            "detect --help)"),
    (["plan", "p0", "-j", "-1"], "argument --jobs/-j: must be at least 1, got -1 (see "
                                 "phasegate plan --help)"),
    (["detect", "-j", "many"], "argument --jobs/-j: 'many' is not a whole number (see "
                               "phasegate detect --help)"),
]


@pytest.mark.parametrize(("argv", "message"), USAGE, ids=[" ".join(a) or "none" for a, _ in USAGE])
def test_usage_errors_are_one_line(argv: list[str], message: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err == f"phasegate: error: {message}\n"
    assert captured.out == ""


def test_jobs_are_capped_with_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    from phasegate.commands import detect as detect_cmd

    cfg = make_repo(tmp_path)
    seen: dict[str, Any] = {}
    real = detect_cmd.detect

    def spy(*args: Any, **kw: Any) -> Any:
        seen.update(kw)
        return real(*args, **kw)

    monkeypatch.setattr(detect_cmd, "detect", spy)
    cap = 4 * (os.cpu_count() or 1)
    assert cli.main(["detect", "-j", "100000", "--no-cache", "--format", "text", "--config",
                     str(cfg.path)]) == 1
    assert seen["jobs"] == cap
    assert f"phasegate: note: -j 100000 capped at {cap} (4 per core)\n" in capsys.readouterr().err
    assert _common.jobs(3) == 3 and _common.jobs(None) is None


def _proxy_os(fail: str, err: int) -> SimpleNamespace:
    """The ``os`` module with ``fail`` raising ``err``."""
    def raising(*args: object, **kw: object) -> None:
        raise OSError(err, os.strerror(err))

    names = {n: getattr(os, n) for n in dir(os) if not n.startswith("__")}
    return SimpleNamespace(**{**names, fail: raising})


def _journal_is_a_file(cfg: Config, mp: pytest.MonkeyPatch) -> str:
    (cfg.root / ".git/phasegate").mkdir(parents=True, exist_ok=True)
    (cfg.root / ".git/phasegate/journal").write_text("not a dir")
    return (f"cannot take the lock {cfg.root}/.git/phasegate/journal/lock: File exists; "
            "nothing was written")


def _lock_is_a_dir(cfg: Config, mp: pytest.MonkeyPatch) -> str:
    (cfg.root / ".git/phasegate/journal/lock").mkdir(parents=True)
    return (f"cannot take the lock {cfg.root}/.git/phasegate/journal/lock: Is a directory; "
            "nothing was written")


def _lock_disk_full(cfg: Config, mp: pytest.MonkeyPatch) -> str:
    mp.setattr(lock_mod, "os", _proxy_os("write", errno.ENOSPC))
    return (f"cannot take the lock {cfg.root}/.git/phasegate/journal/lock: No space left on "
            "device; nothing was written")


def _journal_read_only(cfg: Config, mp: pytest.MonkeyPatch) -> str:
    from phasegate.journal import store

    def denied(path: Path) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    mp.setattr(store.fsutil, "mkdir_durable", denied)
    return (f"cannot write the journal {cfg.root}/.git/phasegate/journal/0001-p0/blobs: "
            "Permission denied; nothing was written")


def _baseline_disk_full(cfg: Config, mp: pytest.MonkeyPatch) -> str:
    mp.setattr(fsutil, "os", _proxy_os("fsync", errno.ENOSPC))
    return f"{cfg.path}: cannot record status: No space left on device"


ENVIRONMENT: dict[str, tuple[Callable[[Config, pytest.MonkeyPatch], str], list[str]]] = {
    "journal-is-a-file": (_journal_is_a_file, ["migrate", "p0"]),
    "lock-is-a-dir": (_lock_is_a_dir, ["migrate", "p0"]),
    "lock-enospc": (_lock_disk_full, ["migrate", "p0"]),
    "journal-read-only": (_journal_read_only, ["migrate", "p0"]),
    "baseline-enospc": (_baseline_disk_full, ["detect", "--update-baseline", "--no-cache"]),
}


@pytest.mark.parametrize("case", sorted(ENVIRONMENT))
def test_environment_errors_are_one_line_exit_2_tree_untouched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        case: str) -> None:
    setup, argv = ENVIRONMENT[case]
    cfg = make_repo(tmp_path)
    before = snapshot(cfg.root)
    toml = cfg.path.read_bytes()
    message = setup(cfg, monkeypatch)
    code = cli.main([*argv, "--config", str(cfg.path)])
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines()[-1] == f"phasegate: error: {message}"
    assert "internal error" not in err
    assert snapshot(cfg.root) == before
    assert cfg.path.read_bytes() == toml


OUTPUTS = {
    "detect-o-missing-dir": (["detect", "-o", "missing/dir/x.json", "--format", "json"],
                             "missing/dir/x.json: No such file or directory"),
    "detect-o-a-dir": (["detect", "-o", "src", "--format", "json"], "src: Is a directory"),
    "verify-junit-dir-a-file": (["verify", "--junit-dir", "phases.toml"],
                                "phases.toml: File exists"),
}


@pytest.mark.parametrize("case", sorted(OUTPUTS))
def test_bad_output_paths_are_one_line_exit_2(tmp_path: Path, case: str) -> None:
    argv, what = OUTPUTS[case]
    cfg = make_repo(tmp_path)
    before = snapshot(cfg.root)
    done = cli_sub(cfg.path, *argv)
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"phasegate: error: {what}; nothing was changed\n"
    assert snapshot(cfg.root) == before


def test_a_closed_stdout_is_not_an_error(tmp_path: Path) -> None:
    """``status | true`` and ``migrate p0 | head -1``: the reader is gone before the first
    write; the run still ends in its own outcome and code, never "internal error"."""
    cfg = make_repo(tmp_path)
    env = {**os.environ, "CI": "1", "PYTHONPATH": str(ROOT)}
    env.pop("PHASEGATE_CRASH", None)
    for argv, code in ((["status"], 0), (["migrate", "p0"], 0), (["status"], 0)):
        read, write = os.pipe()
        os.close(read)  # the reader exits at once
        done = subprocess.run([sys.executable, "-m", "phasegate", *argv, "--config",
                               str(cfg.path)], cwd=cfg.root, env=env, stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=120)
        os.close(write)
        assert done.returncode == code, done.stderr
        assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    status = cfg.path.read_text()
    assert 'status = "complete"' in status  # migrate committed although no one read it


def test_plan_after_a_crash_recovers_first(tmp_path: Path) -> None:
    cfg = make_repo(tmp_path)
    before = snapshot(cfg.root)
    crashed = cli_sub(cfg.path, "migrate", "p0", crash="apply-after-replace:2")
    assert crashed.returncode < 0
    assert snapshot(cfg.root) != before  # half-applied
    done = cli_sub(cfg.path, "plan", "p0")
    assert done.returncode == 1
    assert done.stderr.startswith("recovered: phase p0 was left half-applied")
    assert snapshot(cfg.root) == before
    assert done.stdout.count("+from app.modern import helper") == 6  # the diff of a clean tree


def test_an_unwritable_detect_cache_is_not_an_error(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """The cache is an optimisation: a cache dir that cannot be created leaves detect's answer
    and exit code as they are (1: violations found), with nothing on stderr."""
    cfg = make_repo(tmp_path)
    (cfg.root / ".git/phasegate").mkdir(parents=True)
    (cfg.root / ".git/phasegate/cache").write_text("a file where the cache dir goes")
    assert cli.main(["detect", "--format", "text", "--config", str(cfg.path)]) == 1
    captured = capsys.readouterr()
    assert "app.legacy.helper" in captured.out and "error" not in captured.err
