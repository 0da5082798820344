"""Gates 4 and 5, the test tiers (unit, integration, mission-critical): their settings, and one
pytest run as a subprocess.

``python -m pytest -p no:cacheprovider -p _phasegate_select [-n W] --junitxml
<records>/<stem>.xml <paths> [-m M] <args>`` with cwd = the root, the tier's ``env`` on top of
the caller's, in its own process group, killed with its children at the timeout. The plugin
(:mod:`.plugin`) selects files, stops early and writes the facts JUnit cannot carry. How runs
become a verdict is :mod:`.policy`; the sequence of runs (baseline, repeats, re-runs) is
:mod:`.tier_gate`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config.model import Config, GateSettings
from ..config.problems import (
    Problems,
    as_bool,
    as_choice,
    as_env,
    as_int,
    as_number,
    as_str,
    as_strlist,
    relpath,
)
from .spec import GateSpec, later

if TYPE_CHECKING:  # the modules that run pytest load when a tier runs, not with phases.toml
    from . import junit as gates_junit
    from . import runner as gates_runner

POLICIES = ("all-pass", "no-new-failures", "pass-rate")
FLAKY = ("report", "fail")
KEYS = ("paths", "markers", "policy", "min_pass_rate", "timeout", "workers", "args", "env",
        "allow_empty", "stop_after", "reruns", "flaky", "repeat", "consistent")
SERIAL_SECONDS = 5.0  # recorded test time below which xdist's start-up costs more than it saves
PLUGIN = "_phasegate_select"  # module name of gates/plugin.py once copied
SERIAL_FILES = 8  # with no record: fewer test files than this run in one process


@dataclass(frozen=True)
class TierSettings(GateSettings):
    """``[gates.unit]``, ``[gates.integration]``, ``[gates.mission-critical]``."""

    paths: tuple[str, ...] = ()
    markers: str = ""
    policy: str = "no-new-failures"
    min_pass_rate: float = 1.0
    workers: str = "auto"
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    affected: bool = False  # run only the test files that import a changed module
    allow_empty: bool = False  # a run of no test passes (loudly) instead of failing
    stop_after: int = 1  # stop after this many failures that decide the outcome (0: never)
    reruns: int = 1  # re-runs of a failing test before the phase is blamed
    flaky: str = "report"  # "fail": a test that passed only on a re-run blocks
    repeat: int = 1  # run the selected tests this many times
    consistent: bool = False  # with repeat: every repetition of every test must pass


def tier(config: Config, name: str) -> TierSettings:
    settings = config.gate(name)
    if not isinstance(settings, TierSettings):
        raise TypeError(f"gate {name} is not a test tier")
    return settings


def tier_spec(name: str, order: int, defaults: TierSettings) -> GateSpec:
    """The spec of a test tier's gate; what runs it is in tier_gate.py, imported when it runs."""
    keys = KEYS + (("affected",) if defaults.affected else ())
    return GateSpec(name=name, order=order, keys=keys, read=reader(defaults),
                    run=later("tier_gate", "run_gate"),
                    before=later("tier_gate", "record_baseline"), needs_table=name != "unit")


def reader(defaults: TierSettings) -> Any:
    """The spec's ``read``: the tier's table over its defaults, every problem collected."""

    def read(p: Problems, body: Mapping[str, Any], key: str, name: str) -> TierSettings:
        policy = as_choice(p, body.get("policy"), f"{key}.policy", POLICIES, defaults.policy,
                           noun="policy")
        rate = as_number(p, body.get("min_pass_rate"), f"{key}.min_pass_rate", 1.0, high=1.0,
                         what="a rate in (0, 1] such as 0.9")
        if policy == "pass-rate" and "min_pass_rate" not in body:
            p.add(f"{key}.min_pass_rate", 'missing (required with policy = "pass-rate")')
        elif policy != "pass-rate" and "min_pass_rate" in body:
            p.add(f"{key}.min_pass_rate", 'only means something with policy = "pass-rate"')
        repeat = as_int(p, body.get("repeat"), f"{key}.repeat", defaults.repeat, minimum=1)
        consistent = as_bool(p, body.get("consistent"), f"{key}.consistent", False)
        if consistent and repeat < 2:
            p.add(f"{key}.consistent", "needs repeat = 2 or more (how many runs must agree)")
        return TierSettings(
            name=name, policy=policy, min_pass_rate=rate, repeat=repeat, consistent=consistent,
            timeout=as_number(p, body.get("timeout"), f"{key}.timeout", defaults.timeout,
                              what="a positive number of seconds"),
            paths=tuple(relpath(p, s, f"{key}.paths[{i}]")
                        for i, s in enumerate(as_strlist(p, body.get("paths"), f"{key}.paths"))),
            markers=as_str(p, body.get("markers"), f"{key}.markers"),
            workers=_workers(p, body.get("workers", "auto"), f"{key}.workers"),
            args=as_strlist(p, body.get("args"), f"{key}.args"),
            env=as_env(p, body.get("env"), f"{key}.env"),
            affected=as_bool(p, body.get("affected"), f"{key}.affected", defaults.affected),
            allow_empty=as_bool(p, body.get("allow_empty"), f"{key}.allow_empty", False),
            stop_after=as_int(p, body.get("stop_after"), f"{key}.stop_after",
                              defaults.stop_after),
            reruns=as_int(p, body.get("reruns"), f"{key}.reruns", defaults.reruns),
            flaky=as_choice(p, body.get("flaky"), f"{key}.flaky", FLAKY, defaults.flaky),
        )

    return read


def _workers(p: Problems, workers: Any, key: str) -> str:
    if isinstance(workers, bool) or not (workers == "auto" or
                                         (isinstance(workers, int) and workers >= 0)):
        p.add(key, f"must be \"auto\" or a number >= 0, got {workers!r}")
        return "auto"
    return str(workers)


@dataclass(frozen=True)
class TierRun:
    outcome: gates_runner.Outcome
    junit: Path
    report: gates_junit.JUnitReport | None  # None when pytest left no readable report
    facts: dict[str, Any] = field(default_factory=dict)  # what the plugin saw (see plugin.py)

    @property
    def collected(self) -> int | None:
        value = self.facts.get("collected")
        return int(value) if isinstance(value, int) else None


def has_xdist() -> bool:
    return importlib.util.find_spec("xdist") is not None


def workers_for(gate: TierSettings, files: Sequence[str], durations: Mapping[str, float]) -> str:
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


def pytest_argv(gate: TierSettings, junit: Path, files: Sequence[str] | None,
                workers: str | None = None, targets: Sequence[str] = ()) -> list[str]:
    """The tier's pytest command; with ``files``, the tier's directories are walked and the
    plugin keeps only those files; ``targets`` (node ids) replace the tier's paths."""
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", PLUGIN,
            "-o", "junit_family=xunit1", "--junitxml", str(junit),
            "--continue-on-collection-errors"]
    workers = gate.workers if workers is None else workers
    if workers not in ("0", "") and has_xdist():
        argv += ["-n", workers]
    if targets:
        argv += list(targets)
    elif files is not None:
        argv += list(gate.paths) or _top_dirs(files)
    else:
        argv += list(gate.paths)
    if gate.markers:
        argv += ["-m", gate.markers]
    return argv + list(gate.args)


def _top_dirs(files: Sequence[str]) -> list[str]:
    """The first path component of each file: few arguments that contain the selection."""
    return sorted({f.split("/", 1)[0] for f in files})


@dataclass(frozen=True)
class Watch:
    """What the plugin is told for one run."""

    files: Sequence[str] | None = None  # the selection (None: the tier's paths, whole)
    known: frozenset[str] = frozenset()  # failing tests that do not count toward the stop
    stop_after: int = 0  # 0: never stop early
    modules: Sequence[str] = ()  # dotted modules that must import from the root


def _plugin_env(out_dir: Path, stem: str, root: Path, watch: Watch) -> dict[str, str]:
    """Install the plugin next to the reports and write its inputs; the env to use."""
    plugin_dir = out_dir / ".plugin"
    plugin_dir.mkdir(parents=True, exist_ok=True)
    from . import plugin as gates_plugin

    source = Path(gates_plugin.__file__).read_bytes()
    target = plugin_dir / f"{PLUGIN}.py"
    if not target.is_file() or target.read_bytes() != source:
        target.write_bytes(source)
    env = {"PHASEGATE_FACTS": str(out_dir / f"{stem}.facts.json"), "PHASEGATE_ROOT": str(root),
           "PHASEGATE_STOP_AFTER": str(watch.stop_after)}
    lists = {"PHASEGATE_SELECT": [str(root / f) for f in watch.files or ()],
             "PHASEGATE_KNOWN": sorted(watch.known), "PHASEGATE_MODULES": list(watch.modules)}
    for var, lines in lists.items():
        if lines or (var == "PHASEGATE_SELECT" and watch.files is not None):
            listing = out_dir / f"{stem}.{var.split('_')[1].lower()}"
            listing.write_text("".join(f"{line}\n" for line in lines), "utf-8")
            env[var] = str(listing)
    return env


def base_env() -> dict[str, str]:
    """The caller's environment minus what would make pytest think it is an xdist worker or
    would hand it phasegate's own plugin inputs."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("PYTEST_XDIST", "PHASEGATE_")) and k != "PYTEST_CURRENT_TEST"}


def run_tier(config: Config, gate: TierSettings, out_dir: Path, stem: str,
             watch: Watch = Watch(), workers: str | None = None,
             targets: Sequence[str] = (), extra: Sequence[str] = ()) -> TierRun:
    """One pytest run of the tier (``targets``: just these node ids; ``extra``: more args)."""
    from . import junit as gates_junit
    from . import runner as gates_runner

    junit = out_dir / f"{stem}.xml"
    facts_file = out_dir / f"{stem}.facts.json"
    for stale in (junit, facts_file):
        stale.unlink(missing_ok=True)  # a stale report must never be read as this run's
    env = {**base_env(), **dict(gate.env), **_plugin_env(out_dir, stem, config.root, watch)}
    env["PYTHONPATH"] = os.pathsep.join(  # the plugin first, then the tier's or the caller's
        p for p in (str(out_dir / ".plugin"), env.get("PYTHONPATH", "")) if p)
    argv = pytest_argv(gate, junit, watch.files, workers, targets) + list(extra)
    outcome = gates_runner.run(argv, cwd=config.root, timeout=gate.timeout,
                               log=out_dir / f"{stem}.log", env=env)
    report = None
    if junit.is_file() and not outcome.timed_out:
        try:
            report = gates_junit.parse(junit)
        except ValueError:
            report = None
    try:
        facts = json.loads(facts_file.read_text("utf-8"))
    except (OSError, ValueError):
        facts = {}
    return TierRun(outcome, junit, report, facts if isinstance(facts, dict) else {})
