"""The gate runner: argv in its own process group; a timeout kills the whole group."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from phasegate.gates import runner as gates_runner


def test_output_and_exit_code_are_kept(tmp_path: Path) -> None:
    out = gates_runner.run([sys.executable, "-c", "import sys; print('hello'); sys.exit(3)"],
                           cwd=tmp_path, timeout=30, log=tmp_path / "logs" / "a.log")
    assert (out.returncode, out.timed_out) == (3, False)
    assert out.tail() == ["hello"]


def test_a_missing_program_is_reported_not_raised(tmp_path: Path) -> None:
    out = gates_runner.run(["/nonexistent/tool", "x"], cwd=tmp_path, timeout=5,
                           log=tmp_path / "b.log")
    assert out.returncode == 127
    assert out.tail()[0].startswith("cannot run /nonexistent/tool")


def test_the_timeout_kills_the_group_and_a_pipe_holding_grandchild(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    script = ("import subprocess, sys, time\n"
              "c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
              f"open({str(pidfile)!r}, 'w').write(str(c.pid))\n"
              "time.sleep(60)\n")
    start = time.monotonic()
    out = gates_runner.run([sys.executable, "-c", script], cwd=tmp_path, timeout=1.5,
                           log=tmp_path / "c.log")
    assert out.timed_out and time.monotonic() - start < 10
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def test_stragglers_are_killed_when_the_command_exits(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    script = ("import subprocess, sys\n"
              "c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
              f"open({str(pidfile)!r}, 'w').write(str(c.pid))\n")
    out = gates_runner.run([sys.executable, "-c", script], cwd=tmp_path, timeout=30,
                           log=tmp_path / "d.log")
    assert out.returncode == 0 and not out.timed_out
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        return os.path.exists(f"/proc/{pid}")


def test_an_interrupted_caller_takes_the_gate_down(tmp_path: Path) -> None:
    import signal
    import subprocess

    pidfile = tmp_path / "pid"
    gate_script = tmp_path / "gate.py"
    gate_script.write_text(f"import os, time\nopen({str(pidfile)!r}, 'w').write(str(os.getpid()))"
                           "\ntime.sleep(60)\n")
    caller = tmp_path / "caller.py"
    caller.write_text("import sys\nfrom pathlib import Path\n"
                      "from phasegate.gates import runner as gates_runner\n"
                      f"gates_runner.run([sys.executable, {str(gate_script)!r}], cwd=Path('.'),"
                      f" timeout=60, log=Path({str(tmp_path / 'e.log')!r}))\n")
    repo = Path(__file__).resolve().parents[3]
    # a suite started in the background inherits SIGINT ignored (a shell's `cmd &`), and an
    # interpreter that starts with it ignored never raises KeyboardInterrupt: the caller gets
    # the default disposition back, as a terminal's Ctrl-C would find it
    proc = subprocess.Popen([sys.executable, str(caller)], cwd=repo,
                            env={**os.environ, "PYTHONPATH": str(repo)},
                            stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 20
    while not pidfile.is_file() or not pidfile.read_text():
        assert time.monotonic() < deadline, "the gate never started"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=20)
    gate = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while _alive(gate) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(gate)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG)")
def test_a_killed_caller_takes_the_gate_down_even_with_sigkill(tmp_path: Path) -> None:
    import signal
    import subprocess

    pidfile = tmp_path / "pid"
    gate_script = tmp_path / "gate.py"
    gate_script.write_text(f"import os, time\nopen({str(pidfile)!r}, 'w').write(str(os.getpid()))"
                           "\ntime.sleep(60)\n")
    caller = tmp_path / "caller.py"
    caller.write_text("import sys\nfrom pathlib import Path\n"
                      "from phasegate.gates import runner as gates_runner\n"
                      f"gates_runner.run([sys.executable, {str(gate_script)!r}], cwd=Path('.'),"
                      f" timeout=60, log=Path({str(tmp_path / 'k.log')!r}))\n")
    repo = Path(__file__).resolve().parents[3]
    proc = subprocess.Popen([sys.executable, str(caller)], cwd=repo,
                            env={**os.environ, "PYTHONPATH": str(repo)})
    deadline = time.monotonic() + 20
    while not pidfile.is_file() or not pidfile.read_text():
        assert time.monotonic() < deadline, "the gate never started"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=20)
    gate = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while _alive(gate) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(gate)


@pytest.mark.parametrize("env", [None, {"PATH": os.environ.get("PATH", "")}],
                         ids=["inherited", "given"])
def test_no_bytecode_is_written_into_the_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              env: dict[str, str] | None) -> None:
    """Whatever the caller's environment says, a gate's Python writes no ``__pycache__``: a
    stale ``.pyc`` (same second, same size as the rewritten source) would run the old code."""
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    (tmp_path / "mod.py").write_text("VALUE = 1\n", encoding="utf-8")
    out = gates_runner.run([sys.executable, "-c", "import mod; print(mod.VALUE)"],
                           cwd=tmp_path, timeout=30, log=tmp_path / "logs" / "c.log", env=env)
    assert (out.returncode, out.tail()) == (0, ["1"])
    assert not (tmp_path / "__pycache__").exists()


def test_an_interrupt_inside_wait_does_not_hang_the_cleanup(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C raised inside ``Popen.wait`` right after it took its internal lock leaves the
    lock held: the cleanup must reap the killed gate without waiting on that lock."""
    import subprocess
    import threading

    real = subprocess.Popen._wait
    calls: list[float | None] = []

    def interrupted(self: subprocess.Popen[bytes], timeout: float | None) -> int | None:
        calls.append(timeout)
        if len(calls) == 1:  # the interrupt lands right after _wait took its lock
            self._waitpid_lock.acquire()  # type: ignore[attr-defined]
            raise KeyboardInterrupt
        return real(self, timeout)

    monkeypatch.setattr(subprocess.Popen, "_wait", interrupted)
    raised: list[BaseException] = []

    def go() -> None:
        try:
            gates_runner.run([sys.executable, "-c", "import time; time.sleep(30)"], cwd=tmp_path,
                             timeout=60, log=tmp_path / "gate.log")
        except BaseException as exc:  # noqa: BLE001 - the interrupt is what is checked
            raised.append(exc)

    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    thread.join(20)
    assert not thread.is_alive(), "the cleanup hung on Popen's lock"
    assert raised and isinstance(raised[0], KeyboardInterrupt)
