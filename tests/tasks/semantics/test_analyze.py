"""analyze_source on trees deeper than Python's default recursion limit allows a walk of: real
code has them (sympy's generated resolvent tables nest 569 nodes deep)."""

from __future__ import annotations

import sys

import pytest

from phasegate.config import Rule
from phasegate.semantics import analyze

RULES = analyze.RuleIndex.build([Rule(id="osp", kind="move", old="os.path.join",
                                      new="posixpath.join")])


def deep_sum(terms: int) -> bytes:
    """``x = a + a + ... + os.path.join('p')``: a left-nested BinOp ``terms`` deep, the use
    last (the deepest-walked node)."""
    return b"import os\nx = " + b" + ".join([b"a"] * terms) + b" + os.path.join('p')\n"


@pytest.mark.parametrize("terms", [10, 600, 2500])  # ast builds up to ~2,990
def test_a_deep_expression_is_analysed(terms: int) -> None:
    limit = sys.getrecursionlimit()
    found, problem = analyze.analyze_source(deep_sum(terms), "deep.py", "deep", False, RULES)
    assert problem is None
    assert [(v.line, v.rule, v.kind) for v in found] == [(2, "osp", "attribute")]
    assert sys.getrecursionlimit() == limit  # put back


def test_deeper_than_the_parser_takes_is_one_problem() -> None:
    found, problem = analyze.analyze_source(deep_sum(200_000), "deeper.py", "deep", False, RULES)
    assert found == [] and problem is not None
    assert problem.reason.startswith("unparseable: ")
