"""tasks.migrate, issue 13: whatever stops a migration after apply, the exit code says what the
tree is (0 committed, 3 rolled back and verified), and ``--gates`` never runs zero gates.

Rows 2, 4, 10, 18, 19 and the SIGTERM case; the journal-level rows are in tests/tasks/journal.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tomlkit

from phasegate import cli, journal, migrate, state
from phasegate.config import Config
from phasegate.errors import EXIT_USAGE, MigrationError
from phasegate.journal import store
from tests.helpers.journal_repo import git, make_repo, snapshot

ROOT = Path(__file__).resolve().parents[2]
UNIT = """
[gates.unit]
paths = ["tests"]
policy = "all-pass"
affected = false
workers = 0
timeout = 120
"""


def run(cfg: Config, *argv: str) -> int:
    return cli.main([*argv, "--config", str(cfg.path)])


def status_of(cfg: Config) -> str:
    return str(tomlkit.parse(cfg.path.read_text())["status"]["p0"]["status"])  # type: ignore[index]


def with_unit_gate(tmp_path: Path, test: str) -> Config:
    """The tiny repo with p0's ladder syntax + unit, the unit tier being ``test``."""
    cfg = make_repo(tmp_path)
    text = cfg.path.read_text().replace('gates = ["syntax"]\n', 'gates = ["syntax", "unit"]\n',
                                        1)
    cfg.path.write_text(text + UNIT)
    (cfg.root / "tests").mkdir()
    (cfg.root / "tests/test_gate.py").write_text(test)
    git(cfg.root, "add", "-A")
    git(cfg.root, "commit", "-qm", "unit gate")
    from phasegate import config as config_mod

    return config_mod.load(cfg.path)[0]


@pytest.mark.parametrize(("gates", "message"), [
    ("unit", "--gates: gate 'unit' is not in phase p0's ladder (its gates: syntax); nothing was "
             "written"),
    ("syntax,lint", "--gates: gate 'lint' is not in phase p0's ladder (its gates: syntax); "
                    "nothing was written"),
    ("synatx", "--gates: unknown gate 'synatx' (did you mean 'syntax'?) (gates: syntax, lint, "
               "imports, unit, integration, mission-critical)"),
    (" , ", "--gates: give at least one gate name"),
])
def test_gates_outside_the_phase_are_refused_before_apply(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], gates: str, message: str) -> None:
    cfg = make_repo(tmp_path)
    before = snapshot(cfg.root)
    assert run(cfg, "migrate", "p0", "--gates", gates) == EXIT_USAGE
    assert capsys.readouterr().err == f"phasegate: error: {message}\n"
    assert snapshot(cfg.root) == before
    assert not (cfg.root / ".git/phasegate/journal").exists() or \
        journal.committed_phases(cfg) == []


def test_journal_deleted_while_a_gate_runs_is_undone_from_memory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    cfg = with_unit_gate(tmp_path, "import os, shutil\n\n\ndef test_delete_the_journal():\n"
                                   "    shutil.rmtree(os.environ['PG_TXN'])\n")
    before = snapshot(cfg.root)
    txn_dir = cfg.root / ".git/phasegate/journal/0001-p0"
    monkeypatch.setenv("PG_TXN", str(txn_dir))
    assert run(cfg, "migrate", "p0") == 3
    err = capsys.readouterr().err
    assert not txn_dir.exists()  # the gate really deleted it
    assert "restored from the pre-images held in memory" in err
    assert "verified 6 files: sha256 and mode match the pre-images" in err
    assert err.rstrip().splitlines()[-1].endswith("; the phase was rolled back and verified")
    assert snapshot(cfg.root) == before
    assert status_of(cfg) == "rolled-back"


def test_commit_marker_unwritable_still_exits_0_committed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    cfg = make_repo(tmp_path)
    real = store.fsutil.write_durable

    def read_only_txn_dir(path: Path, data: bytes, *args: object, **kw: bool) -> None:
        if path.name == "committed":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        real(path, data, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(store.fsutil, "write_durable", read_only_txn_dir)
    assert run(cfg, "migrate", "p0") == 0
    captured = capsys.readouterr()
    assert "phase p0: committed 6 file(s)" in captured.out
    assert "warning: phase p0 committed, but its marker could not be written" in captured.err
    assert journal.committed_phases(cfg) == ["p0"]
    assert status_of(cfg) == "complete"


def _terminated(*args: object, **kw: object) -> None:
    os.kill(os.getpid(), signal.SIGTERM)  # a CI job cancelled while the history is written


def test_sigterm_after_the_commit_leaves_exit_0_committed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once committed, a SIGTERM cannot make the exit code say 'nothing was written'."""
    cfg = make_repo(tmp_path)
    monkeypatch.setattr(migrate.history, "record_event", _terminated)
    assert run(cfg, "migrate", "p0") == 0
    assert journal.committed_phases(cfg) == ["p0"] and status_of(cfg) == "complete"


def test_sigterm_after_a_gate_rollback_leaves_exit_3(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = with_unit_gate(tmp_path, "def test_fails():\n    assert False\n")
    before = snapshot(cfg.root)
    monkeypatch.setattr(migrate.history, "record_event", _terminated)
    assert run(cfg, "migrate", "p0") == 3
    assert snapshot(cfg.root) == before and status_of(cfg) == "rolled-back"


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EROFS])
def test_status_write_failing_after_apply_rolls_back_exit_3(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        err: int) -> None:
    cfg = make_repo(tmp_path)
    before = snapshot(cfg.root)
    real = state.record_phase

    def failing(config: Config, phase_id: str, **kw: object) -> None:
        if kw["status"] == "in-progress":
            raise OSError(err, os.strerror(err), str(cfg.path))
        real(config, phase_id, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(state, "record_phase", failing)
    assert run(cfg, "migrate", "p0") == 3
    last = capsys.readouterr().err.rstrip().splitlines()[-1]
    assert last == (f"phasegate: error: {cfg.path}: {os.strerror(err)}; the phase was rolled "
                    "back and verified")
    assert snapshot(cfg.root) == before


@pytest.mark.parametrize(("nth", "code", "last"), [
    (1, 2, "(try fewer with -j, or more memory)"),  # the plan's pool: nothing applied yet
    (2, 3, "the phase was rolled back and verified"),  # the imports gate's, after apply
])
def test_workers_that_cannot_start_are_an_error_never_a_hang(tmp_path: Path, nth: int,
                                                              code: int, last: str) -> None:
    """Row 18: a pool's manager thread cannot start (as under ``ulimit -v``) at the ``nth``
    pool of the run. The old code hung at exit with the phase applied."""
    cfg = make_repo(tmp_path)
    cfg.path.write_text(cfg.path.read_text().replace('gates = ["syntax"]\n',
                                                     'gates = ["syntax", "imports"]\n', 1))
    for n in range(60):  # enough files for detect to want a process pool
        (cfg.root / f"src/other/m{n}.py").parent.mkdir(exist_ok=True)
        (cfg.root / f"src/other/m{n}.py").write_text(f"X = {n}\n")
    for n in range(4):  # and enough plan candidates for the plan to want one
        (cfg.root / f"src/app/note{n}.py").write_text("# app.legacy.helper is gone\n")
    git(cfg.root, "add", "-A")
    git(cfg.root, "commit", "-qm", "imports gate")
    before = snapshot(cfg.root)
    script = ("import sys\nfrom concurrent.futures import process\n"
              "real, calls = process._ExecutorManagerThread.start, []\n"
              "def start(self):\n    calls.append(1)\n"
              f"    if len(calls) >= {nth}:\n"
              "        raise RuntimeError(\"can't start new thread\")\n"
              "    real(self)\n"
              "process._ExecutorManagerThread.start = start\n"
              "from phasegate.cli import main\nsys.exit(main(sys.argv[1:]))\n")
    done = subprocess.run([sys.executable, "-c", script, "migrate", "p0", "--config",
                           str(cfg.path)], cwd=cfg.root, capture_output=True, text=True,
                          timeout=90, env={**os.environ, "CI": "1", "PYTHONPATH": str(ROOT)})
    assert done.returncode == code, done.stderr
    assert "worker process(es): RuntimeError: can't start new thread" in done.stderr
    assert done.stderr.rstrip().endswith(last)
    assert snapshot(cfg.root) == before


SLOW = """\
import os, pathlib, time


def test_slow():
    pathlib.Path(os.environ["PG_TEST_PIDFILE"]).write_text(str(os.getpid()))
    time.sleep(60)
"""


@pytest.mark.slow
def test_sigterm_during_a_gate_rolls_back_verified_exit_3(fast_tmp: Path) -> None:
    cfg = with_unit_gate(fast_tmp, SLOW)
    before = snapshot(cfg.root)
    pidfile = fast_tmp / "pytest.pid"
    env = {**os.environ, "CI": "1", "PYTHONPATH": str(ROOT), "PG_TEST_PIDFILE": str(pidfile)}
    env.pop("PHASEGATE_CRASH", None)
    proc = subprocess.Popen([sys.executable, "-m", "phasegate", "migrate", "p0", "--config",
                             str(cfg.path)], cwd=cfg.root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    gate = 0
    try:
        deadline = time.monotonic() + 60
        while not pidfile.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        gate = int(pidfile.read_text())
        log = next((cfg.root / ".git/phasegate/journal").glob("*/log.jsonl"))
        assert json.loads(log.read_text().splitlines()[-1])["step"] == "applied"
        os.kill(proc.pid, signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 3, err
    assert "verified 6 files: sha256 and mode match the pre-images" in err
    assert err.rstrip().splitlines()[-1] == ("phasegate: error: terminated by SIGTERM; the "
                                             "phase was rolled back and verified")
    assert_gone(gate)
    assert snapshot(cfg.root) == before
    assert status_of(cfg) == "rolled-back"


def assert_gone(pid: int) -> None:
    """The gate's pytest was killed with its group, not left running."""
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError(f"gate process {pid} still running")


def test_sigterm_handler_is_only_set_inside(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    with migrate.sigterm_raises():
        assert signal.getsignal(signal.SIGTERM) is not before
        with pytest.raises(migrate.Terminated):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN  # a second one is ignored
    assert signal.getsignal(signal.SIGTERM) == before


def test_requested_gates_is_the_one_validation(tmp_path: Path) -> None:
    cfg = make_repo(tmp_path)
    assert migrate.requested_gates(cfg, cfg.phase("p0"), None) is None
    assert migrate.requested_gates(cfg, cfg.phase("p0"), " syntax ,") == ("syntax",)
    with pytest.raises(MigrationError):
        migrate.requested_gates(cfg, cfg.phase("p0"), "unit")
