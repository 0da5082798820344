"""On the bundled example, suggest proposes the hand-written rules of phases.toml."""

from __future__ import annotations

from pathlib import Path

from phasegate import config
from phasegate.detect.engine import detect
from phasegate.suggest import suggest

REPO = Path(__file__).resolve().parents[3]


def test_example_rules_come_back_from_the_markers() -> None:
    cfg, _ = config.load(REPO / "phases.toml")
    report = suggest(cfg, jobs=1)
    by_id = {s.id: s for s in report.suggestions}
    assert sorted(by_id) == sorted(cfg.rules)
    for rule_id, rule in cfg.rules.items():
        sugg = by_id[rule_id]
        assert sugg.existing == rule_id
        assert (sugg.kind, sugg.new) == (rule.kind, rule.new)
        assert {sugg.old, *sugg.aliases} == set(rule.olds)
        assert tuple(sugg.params) == rule.params
        assert tuple(sugg.arguments) == rule.arguments
        assert tuple(sugg.imports) == rule.imports
    # uses: what detect finds for the proposed rule is what it finds for the hand-written one
    found = detect(cfg, use_cache=False, jobs=1)
    for rule_id, sugg in by_id.items():
        want = {p.id: sum(1 for v in found.violations if v.rule == rule_id and v.phase == p.id)
                for p in cfg.phases}
        assert sugg.uses == want
        assert sum(want.values()) > 0
    assert by_id["ws-factory"].confidence == "medium"  # a DeprecationWarning's text
    assert by_id["ws-factory"].evidence[0].path.endswith("websocket_manager_factory.py")
