"""Every embedded example -- each registered rule kind's (tasks/rewrite/kinds/*.py) and each
bundled codemod's (codemods/*.py) -- collected by this one parametrized test: the rules are
their own spec."""

from __future__ import annotations

import ast
import importlib

import pytest

from phasegate.config.kinds import KINDS
from phasegate.discover import module_name
from phasegate.rewrite import codemods as codemod_registry
from phasegate.rewrite import kinds
from phasegate.rewrite.engine import rewrite_source
from phasegate.rewrite.model import Example


def _collect() -> list[tuple[str, Example]]:
    out = [(f"{kind.name}:{eid}", ex) for kind in KINDS for eid, ex in kind.examples.items()]
    for name in codemod_registry.names():
        examples = importlib.import_module(f"phasegate.codemods.{name}").EXAMPLES
        out += [(f"{name}:{eid}", ex) for eid, ex in examples.items()]
    return out


EXAMPLES = _collect()


def _run(ex: Example, source: str) -> tuple[str, list[str]]:
    module, is_pkg = module_name(ex.path)
    outcome = rewrite_source(source.encode(), ex.path, module, is_pkg, [ex.build_rule()])
    return outcome.after.decode(), sorted(s.reason for s in outcome.manual)


def test_every_kind_and_codemod_has_examples() -> None:
    found = {eid.split(":")[0] for eid, _ in EXAMPLES}
    assert found == set(kinds.names()) | set(codemod_registry.names())


@pytest.mark.parametrize(("eid", "example"), EXAMPLES, ids=[e for e, _ in EXAMPLES])
def test_example(eid: str, example: Example) -> None:
    after, manual = _run(example, example.before)
    assert after == example.after
    assert manual == sorted(example.manual)
    ast.parse(after)
    again, _ = _run(example, after)
    assert again == after, f"{eid}: a second run changed the output"
