"""Gates 4 and 5: the test tiers (unit, integration, mission-critical) as pytest subprocesses.

``python -m pytest -p no:cacheprovider [-n W] --junitxml <records>/<gate>.xml <paths> [-m M]
<args>`` with cwd = the root, in its own process group, killed with its children at the
timeout. Policies: ``all-pass`` (any failing test blocks) or ``no-new-failures`` (tests that
failed in the baseline on the untouched tree do not block; new failures do).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import Config, GateConfig
from ..discover import discover
from . import junit as gates_junit
from . import plugin as gates_plugin
from . import runner as gates_runner
from .results import GateResult, TierBaseline
from .static import cap

NO_TESTS = 5  # pytest: no tests were collected
_EXIT_MEANING = {2: "interrupted", 3: "internal error", 4: "usage error"}
_TREE_NAMES = ("pyproject.toml", "setup.cfg", "pytest.ini", "tox.ini")
SERIAL_SECONDS = 5.0  # recorded test time below which xdist's start-up costs more than it saves
PLUGIN = "_phasegate_select"  # module name of tasks/gates_plugin.py once copied
SERIAL_FILES = 8  # with no record: fewer test files than this run in one process


@dataclass(frozen=True)
class TierRun:
    outcome: gates_runner.Outcome
    junit: Path
    report: gates_junit.JUnitReport | None  # None when pytest left no readable report


def configured(config: Config, name: str) -> bool:
    """Unit always runs (by default the whole suite); the other tiers only when configured."""
    return name == "unit" or name in config.gates


def has_xdist() -> bool:
    return importlib.util.find_spec("xdist") is not None


def workers_for(gate: GateConfig, files: Sequence[str], durations: Mapping[str, float]) -> str:
    """``workers = "auto"`` means xdist when it pays: starting workers costs seconds, so a run
    recorded (files with no record count as the recorded mean) to take less than that, or with
    no record at all fewer than SERIAL_FILES files, runs in one process."""
    if gate.workers != "auto":
        return gate.workers
    known = [durations[f] for f in files if f in durations]
    if not known:
        return "0" if len(files) < SERIAL_FILES else "auto"
    estimate = sum(known) + (len(files) - len(known)) * (sum(known) / len(known))
    return "0" if estimate < SERIAL_SECONDS else "auto"


def pytest_argv(gate: GateConfig, junit: Path, files: Sequence[str] | None,
                workers: str | None = None) -> list[str]:
    """The tier's pytest command; with ``files``, the tier's directories are walked and the
    selection plugin keeps only those files (see :mod:`tasks.gates_plugin`)."""
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
            "-o", "junit_family=xunit1", "--junitxml", str(junit),
            "--continue-on-collection-errors"]
    workers = gate.workers if workers is None else workers
    if workers not in ("0", "") and has_xdist():
        argv += ["-n", workers]
    if files is not None:
        argv += ["-p", PLUGIN] + (list(gate.paths) or _top_dirs(files))
    else:
        argv += list(gate.paths)
    if gate.markers:
        argv += ["-m", gate.markers]
    return argv + list(gate.args)


def _top_dirs(files: Sequence[str]) -> list[str]:
    """The first path component of each file: few arguments that contain the selection."""
    return sorted({f.split("/", 1)[0] for f in files})


def _plugin_env(out_dir: Path, stem: str, root: Path, files: Sequence[str]) -> dict[str, str]:
    """Install the selection plugin and its file list next to the reports; the env to use."""
    plugin_dir = out_dir / ".plugin"
    plugin_dir.mkdir(parents=True, exist_ok=True)
    source = Path(gates_plugin.__file__).read_bytes()
    target = plugin_dir / f"{PLUGIN}.py"
    if not target.is_file() or target.read_bytes() != source:
        target.write_bytes(source)
    listing = out_dir / f"{stem}.select"
    listing.write_text("".join(f"{root / f}\n" for f in files), "utf-8")
    path = os.pathsep.join(p for p in (str(plugin_dir), os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path, "PHASEGATE_SELECT": str(listing)}


def _env() -> dict[str, str]:
    """The caller's environment minus what would make pytest think it is an xdist worker."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith("PYTEST_XDIST") and k != "PYTEST_CURRENT_TEST"}


def run_tier(config: Config, gate: GateConfig, out_dir: Path, stem: str,
             files: Sequence[str] | None = None, workers: str | None = None) -> TierRun:
    junit = out_dir / f"{stem}.xml"
    junit.unlink(missing_ok=True)  # a stale report must never be read as this run's
    env = _env()
    if files is not None:
        env.update(_plugin_env(out_dir, stem, config.root, files))
    outcome = gates_runner.run(pytest_argv(gate, junit, files, workers), cwd=config.root,
                               timeout=gate.timeout, log=out_dir / f"{stem}.log", env=env)
    report = None
    if junit.is_file() and not outcome.timed_out:
        try:
            report = gates_junit.parse(junit)
        except ValueError:
            report = None
    return TierRun(outcome, junit, report)


def evaluate(name: str, gate: GateConfig, run: TierRun, baseline: TierBaseline | None,
             selection: str = "") -> GateResult:
    """Turn one pytest run into a GateResult according to the tier's policy."""
    out, rep = run.outcome, run.report
    where = str(run.junit) if rep is not None else str(out.log)
    sel = f"; {selection}" if selection else ""
    if out.timed_out:
        return GateResult(name, False, out.duration, f"timed out after {gate.timeout:g}s{sel}",
                          ["last output:", *out.tail(8)], str(out.log))
    if out.returncode == NO_TESTS:
        return GateResult(name, True, out.duration, f"no tests collected (pass){sel}", [], where)
    if rep is None or (out.returncode != 0 and not rep.failed):
        meaning = _EXIT_MEANING.get(out.returncode, "no report")
        return GateResult(name, False, out.duration,
                          f"pytest exited {out.returncode} ({meaning}){sel}", out.tail(10),
                          str(out.log))
    known = baseline.failed if (baseline and gate.policy == "no-new-failures") else frozenset()
    new = sorted(t for t in rep.failed if t not in known)
    old = len(rep.failed) - len(new)
    counts = f"{len(rep.passed)} passed, {len(rep.failed)} failed"
    if old:
        counts += f" ({old} known from the baseline)"
    if rep.skipped:
        counts += f", {len(rep.skipped)} skipped"
    policy = gate.policy if (baseline or gate.policy == "all-pass") else "all-pass (no baseline)"
    summary = f"{counts}; {policy}{sel}"
    if new:
        what = "new failure(s)" if known or policy == "no-new-failures" else "failing test(s)"
        summary = f"{len(new)} {what}: {counts}; {policy}{sel}"
    details = cap([f"{t}: {rep.failed[t]}" for t in new])
    return GateResult(name, not new, out.duration, summary, details, where)


def tree_hash(config: Config) -> str:
    """What a baseline depends on: the content of every Python and pytest config file, and the
    size and mtime of every other file (fixtures, data) so a changed one is never missed."""
    digest = hashlib.sha256()
    own = _inside(config.root, config.state_dir)  # phasegate's own records change every run
    for rel in discover(config.root, suffix="").files:
        if own and (rel == own or rel.startswith(own + "/")):
            continue
        path = config.root / rel
        try:
            if rel.endswith(".py") or rel.rsplit("/", 1)[-1] in _TREE_NAMES:
                stamp = hashlib.sha256(path.read_bytes()).digest()
            else:
                st = path.stat()
                stamp = f"{st.st_size}:{st.st_mtime_ns}".encode()
        except OSError:
            continue
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0" + stamp)
    return digest.hexdigest()


def _inside(root: Path, path: Path | None) -> str:
    """``path`` relative to ``root`` (posix) when it is inside it, else ''."""
    if path is None:
        return ""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return ""


def baseline_key(tree: str, gate: GateConfig, files: Sequence[str] | None) -> str:
    """What a recorded baseline is valid for: this tree, this command, these files (or all)."""
    spec = [tree, sys.version, gate.workers, gate.markers, *gate.paths, "--", *gate.args,
            "--files--", *(files if files is not None else ["<all>"])]
    return hashlib.sha256("\0".join(spec).encode()).hexdigest()[:32]


def load_baseline(store: Path, name: str, key: str) -> TierBaseline | None:
    try:
        data = json.loads((store / f"{name}-{key}.json").read_text("utf-8"))
        return TierBaseline(name, key, frozenset(data["failed"]), int(data["total"]), True)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_baseline(store: Path, tier: TierBaseline) -> None:
    store.mkdir(parents=True, exist_ok=True)
    tmp = store / f".{tier.gate}-{tier.key}.tmp"
    tmp.write_text(json.dumps({"failed": sorted(tier.failed), "total": tier.total}), "utf-8")
    os.replace(tmp, store / f"{tier.gate}-{tier.key}.json")
