"""phases.toml: parsed once into frozen dataclasses, every problem collected before failing.

Errors read ``phases.toml:12: rules.ws-factry.kind: unknown kind 'mov' (did you mean 'move'?)``.
``read`` gives the config alone; ``load`` also the tomlkit document, for state (status,
baseline) to be written back with its comments and layout intact; see :mod:`tasks.state`.
"""


from __future__ import annotations

from .load import load, read, validate
from .model import (
    CONTEXT_KEYS,
    PHASE_KEYS,
    PROJECT_KEYS,
    TOP_KEYS,
    Config,
    ContextSource,
    GateSettings,
    Phase,
    Rule,
)

__all__ = [
    "CONTEXT_KEYS", "PHASE_KEYS", "PROJECT_KEYS", "TOP_KEYS", "Config", "ContextSource",
    "GateSettings", "Phase", "Rule", "load", "read", "validate",
]
