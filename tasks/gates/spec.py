"""The gate registry: what a gate is (a :class:`GateSpec`) and the one place gate names are
known, validated and put in ladder order.

Each built-in gate registers itself from its own module in :mod:`phasegate.gates.builtin`
(found by name on first read, so this module never imports them and they may import anything
below it); code outside phasegate calls ``GATES.register(GateSpec(...))``. A spec carries the
gate's name, its place in the ladder, its ``[gates.<name>]`` keys and how to read them into
settings (problems collected with their full key path), what it records before apply, and how
it runs. ``[gates.<name>] command = [...]`` tables that name no registered gate declare command
gates: a spec built from the config (see :mod:`.command`), never registered process-wide, so
two configs loaded in one process cannot see each other's gates.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config.model import Config, GateSettings, Phase
from ..config.problems import Problems, suggest
from ..errors import EXIT_USAGE, MigrationError
from ..registry import Registry
from .results import Baseline, GateResult


@dataclass(frozen=True)
class GateRun:
    """Everything a gate may look at when it runs (after apply) or records (before apply)."""

    config: Config
    phase: Phase
    changed: Sequence[str]  # the files the phase changes (relative to the root)
    baseline: Baseline
    records: Path  # where the gate keeps its logs and reports
    all_tests: bool = False
    manual_sites: Sequence[object] = ()

    def settings(self, name: str) -> GateSettings:
        return self.config.gate(name)


Reader = Callable[[Problems, Mapping[str, Any], str, str], GateSettings]
Runner = Callable[[GateRun, str], GateResult]
Recorder = Callable[[GateRun, str], None]


@dataclass(frozen=True)
class GateSpec:
    """One rung of the ladder.

    ``read(problems, table, keypath, name)`` turns the ``[gates.<name>]`` table (``{}`` when
    absent) into the gate's settings, adding a problem per bad value; unknown keys are refused
    before it is called. ``before(run, name)`` records what the gate compares against on the
    untouched tree into ``run.baseline``; ``run(run, name)`` returns the verdict.
    ``needs_table``: the gate is only in a phase's default ladder when configured.
    """

    name: str
    order: int
    keys: tuple[str, ...]
    read: Reader
    run: Runner
    before: Recorder | None = None
    needs_table: bool = False


GATES: Registry[GateSpec] = Registry("gate", "phasegate.gates.builtin")
COMMAND_ORDER = 1000  # command gates run after every built-in gate


def builtin() -> list[GateSpec]:
    """The registered gates in ladder order."""
    return sorted(GATES, key=lambda s: (s.order, s.name))


def resolve(config: Config, name: str) -> GateSpec:
    """The spec of a gate a phase may list: a registered one or a command gate of the config."""
    spec = GATES.get(name)
    if spec is not None:
        return spec
    settings = config.gates.get(name)
    if settings is not None and settings.command_gate:
        return command_spec()
    raise MigrationError(f"unknown gate '{name}'{suggest(name, known(config))}", EXIT_USAGE)


def known(config: Config) -> list[str]:
    """Every gate name a phase of this config may list, in ladder order."""
    commands = [n for n, s in config.gates.items() if s.command_gate and n not in GATES]
    return [s.name for s in builtin()] + commands


def check_only(config: Config, text: str | Sequence[str] | None) -> list[str] | None:
    """``--gates a,b``: the one place it is checked; None means every gate of the phase."""
    if text is None:
        return None
    names = ([g.strip() for g in text.split(",") if g.strip()] if isinstance(text, str)
             else list(text))
    if not names:
        raise MigrationError("--gates: give at least one gate name", EXIT_USAGE)
    names_known = known(config)
    for name in names:
        if name not in names_known:
            raise MigrationError(f"--gates: unknown gate '{name}'{suggest(name, names_known)}"
                                 f" (gates: {', '.join(names_known)})", EXIT_USAGE)
    return names


# -- reading [gates] and a phase's gate list (called by config.load) ---------------------------

def read_gates(p: Problems, table: Mapping[str, Any]) -> dict[str, GateSettings]:
    """Settings for every registered gate (defaults when not configured) and every command
    gate the table declares; unknown tables and keys are problems with their key path."""
    from ..config.problems import type_name

    out: dict[str, GateSettings] = {}
    for spec in builtin():
        body = table.get(spec.name, {})
        key = f"gates.{spec.name}"
        if not isinstance(body, dict):
            p.add(key, f"must be a table, got {type_name(body)}")
            body = {}
        p.unknown_keys(body, spec.keys, key)
        out[spec.name] = spec.read(p, body, key, spec.name)
        if spec.name in table:
            out[spec.name] = _configured(out[spec.name])
    for name, body in table.items():
        if name in out:
            continue
        key = f"gates.{name}"
        if isinstance(body, dict) and "command" in body:
            command = command_spec()
            p.unknown_keys(body, command.keys, key)
            out[name] = _configured(command.read(p, body, key, name))
            continue
        names = [s.name for s in builtin()]
        p.add(key, f"unknown gate '{name}'{suggest(name, names)} (a gate of your own needs"
              " command = [...])")
    return out


def _configured(settings: GateSettings) -> GateSettings:
    from dataclasses import replace

    return replace(settings, configured=True)


def phase_gates(p: Problems, listed: Sequence[str] | None, key: str,
                gates: Mapping[str, GateSettings]) -> tuple[str, ...]:
    """A phase's gates in ladder order: built-ins by their order, then its command gates in the
    order it lists them. Not listed: every built-in gate that needs no table or has one."""
    order = builtin()
    if listed is None:
        return tuple(s.name for s in order
                     if not s.needs_table or gates.get(s.name, _NONE).configured)
    names = [s.name for s in order] + [n for n, s in gates.items() if s.command_gate]
    for idx, gate in enumerate(listed):
        spec = GATES.get(gate)
        if gate not in names:
            p.add(f"{key}[{idx}]", f"unknown gate '{gate}'{suggest(gate, names)}")
        elif spec is not None and spec.needs_table and not gates[gate].configured:
            p.add(f"{key}[{idx}]", f"gate '{gate}' has no [gates.{gate}] table (say which"
                  " tests it runs, e.g. paths = [...])")
    ordered = [s.name for s in order if s.name in listed]
    return tuple(ordered + [g for g in dict.fromkeys(listed)
                            if g in names and g not in ordered])


_NONE = GateSettings(name="")


def later(module: str, attr: str) -> Callable[[GateRun, str], Any]:
    """A gate's ``run`` or ``before`` that imports ``module`` (in this package) when first
    called: reading phases.toml needs every gate's keys and reader, not what runs it."""

    def call(run: GateRun, name: str) -> Any:
        return getattr(importlib.import_module(f".{module}", __package__), attr)(run, name)

    return call


def read_timeout(default: float) -> Reader:
    """The ``read`` of a gate whose only key is ``timeout``."""

    def read(p: Problems, body: Mapping[str, Any], key: str, name: str) -> GateSettings:
        from ..config.problems import as_number

        return GateSettings(name=name, timeout=as_number(
            p, body.get("timeout"), f"{key}.timeout", default,
            what="a positive number of seconds"))

    return read


def snapshot_sources(run: GateRun) -> None:
    """Keep the pre-images of the changed files (lint and imports compare against them)."""
    for rel in run.changed:
        if rel not in run.baseline.sources:
            try:
                run.baseline.sources[rel] = (run.config.root / rel).read_bytes()
            except OSError:
                continue


def command_spec() -> GateSpec:
    """The spec every command gate shares (``gates/command.py``), imported by name, as the
    registry imports the built-in gates: command.py imports this module."""
    spec: GateSpec = importlib.import_module(f"{__package__}.command").COMMAND
    return spec
