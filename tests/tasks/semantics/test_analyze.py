"""analyze_source on trees deeper than Python's default recursion limit allows a walk of: real
code has them (sympy's generated resolvent tables nest 569 nodes deep)."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

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


def test_threads_analysing_deep_trees_at_once() -> None:
    """The raised limit is process-wide: it stays up until the last thread inside leaves."""
    limit = sys.getrecursionlimit()
    data = [deep_sum(terms) for terms in (2500, 10, 1500, 600) * 3]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(
            lambda source: analyze.analyze_source(source, "deep.py", "deep", False, RULES), data))
    assert all(problem is None and len(found) == 1 for found, problem in results)
    assert sys.getrecursionlimit() == limit
