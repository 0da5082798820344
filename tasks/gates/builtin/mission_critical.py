"""Gate 5b, mission-critical: pytest on the tests that must always pass. Defaults differ from
the other tiers: ``policy = "all-pass"`` and ``flaky = "fail"`` (a test that passes only on a
re-run is not a pass here); only when configured."""

from __future__ import annotations

from ..spec import GATES
from ..tiers import TierSettings, tier_spec

SPEC = GATES.register(tier_spec(
    "mission-critical", 60,
    TierSettings(name="mission-critical", policy="all-pass", flaky="fail")))
