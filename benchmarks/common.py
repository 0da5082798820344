"""Shared benchmark plumbing: timed subprocess runs, peak memory, medians, the machine.

A timed run is one argv subprocess (no shell); wall time is taken around it; its CPU time
(user + system, the process and every child it waited for) and peak RSS (the largest single
process in its tree) come from ``os.wait4``. ``tree_peak_mb`` samples the
summed RSS of the whole process tree instead (for tools that fork workers); it runs untimed, so
sampling never disturbs a timing.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A console script from the running interpreter's environment (phasegate, ruff)."""
    path = VENV_BIN / name
    return str(path) if path.exists() else name


@dataclass
class Run:
    seconds: float
    peak_mb: float  # largest single process of the run
    returncode: int
    stdout: bytes = b""
    cpu: float = 0.0  # user + system seconds of the whole process tree (waited-for children)


@dataclass
class Series:
    label: str
    runs: list[Run] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def spread(self) -> tuple[float, float]:
        times = [r.seconds for r in self.runs]
        return min(times), max(times)

    @property
    def cpu(self) -> float:
        """Median CPU seconds: steadier than wall time on a shared, loaded machine."""
        return statistics.median(r.cpu for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)


def timed(argv: list[str], cwd: Path, *, env: dict[str, str] | None = None,
          keep_stdout: bool = False, stderr: Path | None = None) -> Run:
    """Run argv to completion; wall seconds, peak RSS (MB) and exit code."""
    out = subprocess.PIPE if keep_stdout else subprocess.DEVNULL
    with open(stderr or os.devnull, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err)
        data = proc.stdout.read() if proc.stdout is not None else b""
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode, data, cpu)


def tree_peak_mb(argv: list[str], cwd: Path, *, env: dict[str, str] | None = None,
                 interval: float = 0.02) -> float:
    """Peak of the summed RSS of a command and all its descendants, sampled from /proc."""
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    proc.wait()
    done.set()
    thread.join()
    return peak / 1024


def _tree_rss_kb(root: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)  # fields[1] is ppid
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "ruff": _version([tool("ruff"), "--version"]),
        "libcst": _module_version("libcst"),
        "pytest": _module_version("pytest"),
        "phasegate": _git_head(),
    }


def _version(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "missing"


def _module_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "missing"


def _git_head() -> str:
    out = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True, check=False)
    return f"commit {out.stdout.strip()}" if out.returncode == 0 else "unknown"


def ensure_tree(path: Path, files: int, *, density: float = 0.05, seed: int = 1,
                tests: int = 0) -> Path:
    """Generate the tree unless one with the same parameters is already there."""
    stamp = path / ".git" / "bench-params"
    want = f"files={files} density={density} seed={seed} tests={tests}\n"
    if stamp.exists() and stamp.read_text() == want:
        return path
    argv = [sys.executable, str(REPO / "benchmarks" / "generate.py"), str(path),
            "--files", str(files), "--density", str(density), "--seed", str(seed),
            "--tests", str(tests)]
    subprocess.run(argv, check=True)
    stamp.write_text(want)
    return path


def fmt_s(seconds: float) -> str:
    return f"{seconds:.3f}s" if seconds < 10 else f"{seconds:.1f}s"
