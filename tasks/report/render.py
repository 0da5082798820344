"""Render a detect result: a tracker table (rules x phases) plus a listing, or a machine format.

The formats register themselves in ``formats/`` (one module each: table and text, json, sarif,
github, markdown). The ratchet's comparison lives here too.
"""

from __future__ import annotations

import os
import sys

from ..config import Config
from ..errors import EXIT_USAGE, MigrationError
from ..model import DetectResult
from .formats import FORMATS, names
from .tally import tally


def default_format() -> str:
    """``table`` on an interactive terminal, ``text`` when piped or when ``CI`` is set."""
    return "table" if sys.stdout.isatty() and not os.environ.get("CI") else "text"


def render(result: DetectResult, config: Config, fmt: str, *,
           baseline: dict[str, int] | None = None,
           before: dict[str, int] | None = None) -> str:
    """The report for ``result`` in format ``fmt``.

    ``baseline`` (rule -> count) adds the ratchet's column; ``before`` (phase -> count before
    it was migrated) adds the tracker's "before" row and is read from the phases' recorded
    status when not given.
    """
    spec = FORMATS.get(fmt)
    if spec is None:
        raise MigrationError(f"unknown report format '{fmt}' (formats: {', '.join(names())})",
                             EXIT_USAGE)
    if before is None:
        before = recorded_before(config)
    return spec.render(result, config, tally(result, config, baseline=baseline, before=before))


def compare_baseline(counts: dict[str, int], baseline: dict[str, int]) -> list[str]:
    """One line per rule whose count grew past its baseline: ``ws-factory: 14 > baseline 12``.

    A rule missing from the baseline counts from 0: a new rule may not gain violations
    unnoticed.
    """
    lines = []
    for rule in sorted(set(counts) | set(baseline)):
        now, then = counts.get(rule, 0), baseline.get(rule, 0)
        if now > then:
            lines.append(f"{rule}: {now} > baseline {then}")
    return lines


def recorded_before(config: Config) -> dict[str, int]:
    """phase -> ``violations_before`` from the ``[status.<phase>]`` tables phasegate wrote,
    for phases a migration has started (in-progress, complete, rolled back)."""
    from ..recorded import read_status  # here: phases.toml is read only for a report

    try:
        status = read_status(config)
    except MigrationError:
        return {}
    out: dict[str, int] = {}
    for phase, fields in (status or {}).items():
        if not isinstance(fields, dict) or fields.get("status", "pending") == "pending":
            continue  # a pending phase's "before" is just its last count: no news
        value = fields.get("violations_before")
        if isinstance(value, int) and not isinstance(value, bool):
            out[str(phase)] = value
    return out
