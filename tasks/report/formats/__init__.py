"""Report formats, one module each, registered by the module itself (``FORMATS``).

A format is a :class:`ReportFormat`: its name (what ``--format`` takes), a one-line help, and a
renderer ``(result, config, tally) -> str``. The built-in formats are the modules of this package;
a format from outside phasegate registers itself with ``FORMATS.register(ReportFormat(...))``.
See docs/extending.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...config import Config
from ...model import DetectResult
from ...registry import Registry
from ..tally import Tally

Renderer = Callable[[DetectResult, Config, Tally], str]


@dataclass(frozen=True)
class ReportFormat:
    name: str
    help: str
    render: Renderer
    order: int = 50  # where it stands in --help and error messages


FORMATS: Registry[ReportFormat] = Registry("report format", __name__)


def names() -> tuple[str, ...]:
    """Every format's name, in display order."""
    return tuple(f.name for f in sorted(FORMATS, key=lambda f: (f.order, f.name)))
