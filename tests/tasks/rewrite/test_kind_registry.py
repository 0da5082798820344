"""A rule kind registered from outside phasegate (here, in this test module): its keys are
validated in phases.toml under their full key path, detect finds its sites through its hook, and
plan rewrites them with the same hook. Only the registry is touched, no phasegate module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from phasegate import config as config_mod
from phasegate.config import Rule
from phasegate.config.kinds import KINDS, RuleInput, RuleKind
from phasegate.detect.engine import detect
from phasegate.errors import MigrationError
from phasegate.plan import build_plan
from phasegate.rewrite.model import Site


class _Swap(cst.CSTTransformer):
    """``print(...)`` -> ``<to>(...)``; a call with ``file=`` is left to a person."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, rule: Rule, path: str) -> None:
        super().__init__()
        self.rule, self.path = rule, path
        self.to = str(dict(rule.options)["to"])
        self.sites: list[Site] = []

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if not (isinstance(original_node.func, cst.Name) and original_node.func.value == "print"):
            return updated_node
        pos = self.get_metadata(PositionProvider, original_node).start
        kw = {a.keyword.value for a in original_node.args if a.keyword is not None}
        reason = "print to a file: rewrite it by hand" if "file" in kw else ""
        self.sites.append(Site(self.path, pos.line, pos.column + 1, self.rule.id, "call", reason))
        return updated_node if reason else updated_node.with_changes(func=cst.parse_expression(
            self.to))


def _run(tree: cst.Module, rule: Rule, path: str, package: str
         ) -> tuple[cst.Module, list[Site], bool]:
    swap = _Swap(rule, path)
    new = MetadataWrapper(tree, unsafe_skip_copy=True).visit(swap)
    return new, swap.sites, not new.deep_equals(tree)


def _build(r: RuleInput) -> Rule:
    to = r.name("to", required=True)
    return Rule(id=r.rule_id, kind="print-to", old="", message=r.string("message"),
                options=(("to", to),))


@pytest.fixture
def toy_kind() -> Iterator[RuleKind]:
    kind = KINDS.register(RuleKind("print-to", ("to", "message"), _build, run=_run,
                                   needles=lambda rule: ("print",)))
    yield kind
    KINDS.unregister("print-to")


CONFIG = """\
[project]
root = "."

[rules.no-print]
kind = "print-to"
to = "log.info"
{extra}

[phases.p0]
files = ["**/*.py"]
rules = ["no-print"]
"""


def _project(tmp_path: Path, extra: str = "", *, drop: str = "", put: str = "") -> Path:
    (tmp_path / "phases.toml").write_text(CONFIG.format(extra=extra).replace(drop, put))
    (tmp_path / "app").mkdir(exist_ok=True)
    (tmp_path / "app" / "a.py").write_text("import sys\nprint(1)\nprint(2, file=sys.stderr)\n")
    (tmp_path / "app" / "b.py").write_text("x = 1\n")
    return tmp_path / "phases.toml"


def test_its_keys_are_accepted(tmp_path: Path, toy_kind: RuleKind) -> None:
    cfg, _ = config_mod.load(_project(tmp_path, 'message = "use logging"'))
    rule = cfg.rules["no-print"]
    assert (rule.kind, rule.options, rule.message) == ("print-to", (("to", "log.info"),),
                                                       "use logging")


@pytest.mark.parametrize(("extra", "drop", "put", "expected"), [
    ('level = "info"', "", "", "phases.toml:7: rules.no-print.level: unknown key 'level'"),
    ('tos = "x"', "", "",
     "phases.toml:7: rules.no-print.tos: unknown key 'tos' (did you mean 'to'?)"),
    ("", 'to = "log.info"\n', "", "phases.toml:4: rules.no-print.to: missing (required)"),
    ("", '"log.info"', "3", "phases.toml:6: rules.no-print.to: must be a string, got an integer"),
    ("", '"log.info"', '"log info"',
     "phases.toml:6: rules.no-print.to: 'log info' is not a dotted Python name"),
], ids=["unknown-key", "typo", "missing", "wrong-type", "not-a-name"])
def test_its_keys_are_validated(tmp_path: Path, toy_kind: RuleKind, extra: str, drop: str,
                                put: str, expected: str) -> None:
    with pytest.raises(MigrationError) as info:
        config_mod.load(_project(tmp_path, extra, drop=drop, put=put))
    assert info.value.message == expected


def test_unregistered_it_is_an_unknown_kind(tmp_path: Path) -> None:
    with pytest.raises(MigrationError) as info:
        config_mod.load(_project(tmp_path))
    assert info.value.message == ("phases.toml:5: rules.no-print.kind: unknown kind 'print-to'"
                                  " (one of call, codemod, module, move)")


def test_detect_finds_its_sites(tmp_path: Path, toy_kind: RuleKind) -> None:
    cfg, _ = config_mod.load(_project(tmp_path))
    found = detect(cfg, use_cache=False).violations
    assert [(v.path, v.line, v.col, v.kind, v.fixable, v.reason) for v in found] == [
        ("app/a.py", 2, 1, "call", True, ""),
        ("app/a.py", 3, 1, "call", False, "print to a file: rewrite it by hand")]


def test_plan_rewrites_what_detect_found(tmp_path: Path, toy_kind: RuleKind) -> None:
    cfg, _ = config_mod.load(_project(tmp_path))
    plan = build_plan(cfg, "p0", jobs=1)
    assert [f.path for f in plan.changes] == ["app/a.py"]
    assert plan.changes[0].after == b"import sys\nlog.info(1)\nprint(2, file=sys.stderr)\n"
    assert [(s.line, s.col) for s in plan.rewritten] == [(2, 1)]
    assert [(s.line, s.reason) for s in plan.manual] == [
        (3, "print to a file: rewrite it by hand")]
