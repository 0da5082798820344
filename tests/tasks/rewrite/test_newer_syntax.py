"""The two producers of the semantic model's answers agree: ``ast``'s (every file this Python
parses) and libcst's scopes (a file only a newer Python parses, :mod:`.newer_syntax`). The
whole-file engine runs with each on every golden case, every smallest-diff case, every kind's
and codemod's example, the vendored real files and a generated tree, in the settings the hole
test uses, and must give the same bytes and the same sites."""

from __future__ import annotations

from pathlib import Path

import pytest

from phasegate import config as config_mod
from phasegate.config import Rule
from phasegate.discover import module_name
from phasegate.plan import phase_rules
from phasegate.rewrite import engine as engine_mod
from phasegate.rewrite.engine import rewrite_source
from phasegate.rewrite.examples import codemod_cases, kind_cases
from tests.helpers.rewrite_cases import generate
from tests.tasks.rewrite.test_holes import DATA, TABLE, TYPING, _built, _variants


def _newer(*args: object, **kwargs: object) -> object:
    raise SyntaxError("as if only a newer Python parsed it")


def _agree(data: bytes, path: str, rules: list[Rule], monkeypatch: pytest.MonkeyPatch) -> None:
    module, is_pkg = module_name(path)
    outcomes = []
    for producer in ("ast", "libcst"):
        with monkeypatch.context() as patch:
            if producer == "libcst":
                patch.setattr(engine_mod, "read_names", _newer)
            try:
                out = rewrite_source(data, path, module, is_pkg, rules, holes=False)
            except Exception as exc:  # noqa: BLE001 - refused: both must refuse
                outcomes.append(("refused", type(exc).__name__))
                continue
            outcomes.append((out.after, out.rewritten, out.manual))
    assert outcomes[0] == outcomes[1], path


@pytest.mark.parametrize(("case", "rule", "path", "before"), TABLE, ids=[t[0] for t in TABLE])
def test_golden_and_smallest_diff_cases(case: str, rule: object, path: str, before: bytes,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for _, data in _variants(before):
        _agree(data, path, _built(rule), monkeypatch)


EXAMPLES = kind_cases() + codemod_cases()


@pytest.mark.parametrize("case", EXAMPLES, ids=[c.id for c in EXAMPLES])
def test_kind_and_codemod_examples(case: object, monkeypatch: pytest.MonkeyPatch) -> None:
    rule = case.example.build_rule("example", case.codemods)  # type: ignore[attr-defined]
    _agree(case.example.before.encode(), case.example.path, [rule],  # type: ignore[attr-defined]
           monkeypatch)


def test_vendored_real_files(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = sorted(DATA.rglob("*.py"))
    assert len(paths) >= 10
    for path in paths:
        _agree(path.read_bytes(), str(path.relative_to(DATA)), TYPING, monkeypatch)


def test_generated_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generate(tmp_path, 30)
    config, _ = config_mod.load(tmp_path / "phases.toml")
    rules = phase_rules(config, config.phase("two"))
    for path in sorted(tmp_path.rglob("*.py")):
        _agree(path.read_bytes(), str(path.relative_to(tmp_path)), rules, monkeypatch)
