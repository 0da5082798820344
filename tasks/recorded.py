"""What phasegate recorded in phases.toml, read without tomlkit: the ``[status.<phase>]``
tables (state.py writes them, with tomlkit, keeping the user's layout).

``tomllib`` reads the file in a few milliseconds where tomlkit takes tens; a detect that
changes no recorded count never needs tomlkit at all.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config
from .errors import EXIT_USAGE, MigrationError
from .model import DetectResult

if TYPE_CHECKING:
    import tomlkit


def now_iso() -> str:
    """ISO 8601 UTC, second precision: ``2026-11-25T03:40:00Z``."""
    return datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_status(config: Config) -> dict[str, dict[str, Any]]:
    """phase -> its recorded status fields (plain values); phases never recorded are absent."""
    data = config.path.read_bytes()
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        doc = parse_document(config.path, data).unwrap()  # tomlkit's error, as it always was
    status = doc.get("status")
    if not isinstance(status, dict):
        return {}
    return {str(k): v for k, v in status.items() if isinstance(v, dict)}


def parse_document(path: Path, data: bytes) -> tomlkit.TOMLDocument:
    """phases.toml as the tomlkit document state.py edits, or one error line."""
    import tomlkit  # here: reading alone does without it
    import tomlkit.exceptions

    try:
        return tomlkit.parse(data.decode("utf-8"))
    except (UnicodeDecodeError, tomlkit.exceptions.ParseError) as exc:
        raise MigrationError(f"{path.name}: cannot record status: {exc}", EXIT_USAGE) from None


def counts_to_record(config: Config, result: DetectResult, phase: str | None = None
                     ) -> dict[str, int]:
    """phase -> its new count, for the recorded phases whose ``violations_now`` a detect
    changes (``phase``: only that one was counted); see ``state.record_detect``."""
    counts = Counter(v.phase for v in result.violations)
    recorded = read_status(config)
    return {p.id: counts.get(p.id, 0) for p in config.phases
            if (phase is None or p.id == phase.lower()) and p.id in recorded
            and recorded[p.id].get("violations_now") != counts.get(p.id, 0)}
