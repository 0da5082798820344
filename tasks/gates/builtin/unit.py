"""Gate 4, unit: pytest on the unit tier, by default only the test files that import a changed
module (``affected``). Runs without a table (the whole suite from the root). See tier_gate.py."""

from __future__ import annotations

from ..spec import GATES
from ..tiers import TierSettings, tier_spec

SPEC = GATES.register(tier_spec("unit", 40, TierSettings(name="unit", affected=True)))
