"""Detect and plan agree, and a plan is idempotent -- on the bundled example and on a tree
generated here with every shape mixed into the same files.

For every phase: each fixable violation detect reports is rewritten by the plan, each manual
one is listed manual by the plan (same place, same rule, same kind); detect on the plan's
output finds nothing fixable for the phase's rules; planning the output again changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from phasegate import config as config_mod
from phasegate.config import Config
from phasegate.detect.engine import detect, detect_sources
from phasegate.plan import build_plan, plan_sources
from tests.helpers.rewrite_cases import generate

REPO = Path(__file__).resolve().parents[2]

Key = tuple[str, int, int, str, str]


def check_phase(config: Config, phase: str) -> tuple[int, int]:
    found = detect(config, phase=phase, use_cache=False)
    plan = build_plan(config, phase, jobs=1)
    detected: dict[Key, bool] = {(v.path, v.line, v.col, v.rule, v.kind): v.fixable
                                 for v in found.violations}
    planned: dict[Key, bool] = {(s.path, s.line, s.col, s.rule, s.kind): True
                                for s in plan.rewritten}
    planned.update({(s.path, s.line, s.col, s.rule, s.kind): False for s in plan.manual})
    assert detected == planned
    after = {f.path: f.after for f in plan.files}
    left = [v for v in detect_sources(config, after, phase=phase).violations if v.fixable]
    assert left == []
    again = plan_sources(config, phase, after)
    assert again.failures == [] and again.changes == []
    return len(plan.rewritten), len(plan.manual)


@pytest.mark.parametrize("phase", ["p0", "p1", "p2"])
def test_bundled_example(phase: str) -> None:
    config, _ = config_mod.load(REPO / "phases.toml")
    rewritten, _ = check_phase(config, phase)
    assert rewritten > 0


def test_seed_files_show_context_awareness() -> None:
    """The three P0 seed files: the user context is found as a parameter by name, by its
    annotation, and as self.user_context; the legacy `await` is dropped."""
    config, _ = config_mod.load(REPO / "phases.toml")
    plan = build_plan(config, "p0", jobs=1)
    after = {f.path: f.after.decode() for f in plan.files}
    fixtures = after["netra_backend/tests/e2e/thread_test_fixtures.py"]
    new = "WebSocketManager(user_context={0}, authorization_token=issue_authorization_token({0}))"
    assert f"self.manager = {new.format('self.user_context')}" in fixtures
    assert f"manager = {new.format('user_context')}\n" in fixtures  # `await` dropped
    assert f"return {new.format('context')}" in fixtures  # found by its annotation
    assert "create_websocket_manager" not in fixtures
    assert "ws_types" not in fixtures
    race = "netra_backend/tests/websocket_core/test_send_after_close_race_condition.py"
    assert "make_manager(user_context=user_context, authorization_token=" in after[race]
    assert "await make_manager" not in after[race]
    core = "netra_backend/tests/integration/test_agent_execution_core.py"
    assert "websocket_core.create_websocket_manager" not in after[core]
    assert ".WebSocketManager(user_context=ctx, authorization_token=" in after[core]
    assert {race, core, "netra_backend/tests/e2e/thread_test_fixtures.py"} <= \
        {f.path for f in plan.changes}
    assert [s.reason for s in plan.manual] == ["dynamic import by string: rewrite it by hand"]


def test_generated_tree(tmp_path: Path) -> None:
    generate(tmp_path, 45)
    config, _ = config_mod.load(tmp_path / "phases.toml")
    totals = [check_phase(config, phase) for phase in ("one", "two")]
    assert all(rewritten > 10 and manual > 0 for rewritten, manual in totals)
