"""Every embedded example -- each registered rule kind's (tasks/rewrite/kinds/*.py) and each
bundled codemod's (codemods/*.py) -- collected by this one parametrized test: the rules are
their own spec. (``phasegate codemods test`` runs the codemods' ones, and a project's.)"""

from __future__ import annotations

import pytest

from phasegate.config.kinds import KINDS
from phasegate.rewrite import codemods as codemod_registry
from phasegate.rewrite import kinds
from phasegate.rewrite.examples import Case, check, codemod_cases, kind_cases

CASES = kind_cases() + codemod_cases()


def test_every_kind_and_codemod_has_examples() -> None:
    found = {case.id.split(":")[0] for case in CASES}
    assert found == set(kinds.names()) | set(codemod_registry.names())
    assert set(kinds.names()) <= set(KINDS.names())


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_example(case: Case) -> None:
    assert check(case) == ""
