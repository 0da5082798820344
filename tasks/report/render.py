"""Render a detect result: a tracker table (rules x phases) plus a listing, or a machine format.

Formats: ``table`` (rich, for a terminal), ``text`` (the same in plain text, for CI and pipes),
``json`` (docs/report-schema.md), ``sarif`` (SARIF 2.1.0), ``github`` (workflow annotations),
``markdown`` (a tracker to paste into an issue). The ratchet's comparison lives here too.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable

from ..config import Config
from ..errors import EXIT_USAGE, MigrationError
from ..model import DetectResult
from .github import render_github
from .json import render_json
from .markdown import render_markdown
from .sarif import render_sarif
from .table import render_rich, render_text
from .tally import Tally, tally

Renderer = Callable[[DetectResult, Config, Tally], str]

RENDERERS: dict[str, Renderer] = {
    "table": lambda r, c, t: render_rich(r, t),
    "text": lambda r, c, t: render_text(r, t),
    "json": render_json,
    "sarif": lambda r, c, t: render_sarif(r, c),
    "github": lambda r, c, t: render_github(r, c),
    "markdown": lambda r, c, t: render_markdown(r, t),
}
FORMATS = tuple(RENDERERS)


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
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise MigrationError(f"unknown report format '{fmt}' (formats: {', '.join(FORMATS)})",
                             EXIT_USAGE)
    if before is None:
        before = recorded_before(config)
    return renderer(result, config, tally(result, config, baseline=baseline, before=before))


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
    try:
        state = importlib.import_module("phasegate.state")
    except ImportError:  # the state module lands separately; without it nothing is recorded
        return {}
    reader = getattr(state, "read_status", None)
    if reader is None:
        return {}
    try:
        status = reader(config)
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
