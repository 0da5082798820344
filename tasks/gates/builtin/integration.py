"""Gate 5a, integration: pytest on the integration tier, whole; only when configured."""

from __future__ import annotations

from ..spec import GATES
from ..tiers import TierSettings, tier_spec

SPEC = GATES.register(tier_spec("integration", 50, TierSettings(name="integration")))
