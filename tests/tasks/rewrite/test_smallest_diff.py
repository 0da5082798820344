"""Issue 11, problems 2-6, one table: input bytes -> expected bytes or the reason a site is left
to a person. Every case also holds detect and plan to one decision per site (what detect calls
fixable plan rewrites, at the same place; what detect leaves to a person plan lists with the
same reason) and is a fixed point (detect after the rewrite finds nothing fixable, a second run
changes nothing)."""

from __future__ import annotations

import ast

import pytest

from phasegate.discover import module_name
from phasegate.rewrite.engine import rewrite_source
from phasegate.rewrite.model import Example
from phasegate.semantics.analyze import analyze_source
from phasegate.semantics.rule_index import RuleIndex
from tests.helpers.rewrite_cases import SMALLEST_DIFF

CASES = SMALLEST_DIFF



def _rules(rules: list[dict[str, object]]) -> list:
    return [Example(r, "", "").build_rule(f"r{i}") for i, r in enumerate(rules)]


def _decisions(source: bytes, path: str, rules: list) -> tuple[set, set]:
    module, is_pkg = module_name(path)
    found, problem = analyze_source(source, path, module, is_pkg, RuleIndex.build(rules))
    assert problem is None
    return ({(v.line, v.col, v.rule) for v in found if v.fixable},
            {(v.line, v.col, v.rule, v.reason) for v in found if not v.fixable})


@pytest.mark.parametrize(("rules", "path", "before", "after", "manual"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_smallest_correct_diff(rules: list[dict[str, object]], path: str, before: str,
                               after: str, manual: tuple[str, ...]) -> None:
    built = _rules(rules)
    module, is_pkg = module_name(path)
    outcome = rewrite_source(before.encode(), path, module, is_pkg, built)
    assert outcome.after.decode() == after
    assert sorted(s.reason for s in outcome.manual) == sorted(manual)
    ast.parse(outcome.after)
    fixable, left = _decisions(before.encode(), path, built)
    assert {(s.line, s.col, s.rule) for s in outcome.rewritten} == fixable
    assert {(s.line, s.col, s.rule, s.reason) for s in outcome.manual} == left
    again = rewrite_source(outcome.after, path, module, is_pkg, built)
    assert again.after == outcome.after
    assert _decisions(outcome.after, path, built)[0] == set()


# libcst writes ``except (A, B) :`` back without its blank: a file it cannot reproduce byte for
# byte is never rewritten by libcst (a per-file outcome), unless the statement it loses is one no
# rule is about (punched out: its bytes are kept) or the splice needs no libcst at all
_LOSSY = "try:\n    g()\nexcept (OSError, ValueError) :\n    pass\n"


@pytest.mark.parametrize(("source", "holes", "after"), [
    ("from a.b import f\n" + _LOSSY.replace("g()", "f()"), False, None),
    ("from a.b import f\n" + _LOSSY.replace("g()", "f()"), True, None),
    ("from a.b import f\nf()\n" + _LOSSY, False, None),
    ("from a.b import f\nf()\n" + _LOSSY, True, "from c.d import f\nf()\n" + _LOSSY),
], ids=["whole-file-refuses", "statement-kept-refuses", "whole-file-refuses-elsewhere",
        "statement-punched-out-keeps-bytes"])
def test_a_file_libcst_cannot_reproduce_is_not_rewritten_through_it(
        source: str, holes: bool, after: str | None) -> None:
    rule = Example({"kind": "move", "old": "a.b.f", "new": "c.d.f"}, "", "").build_rule("mv")
    if after is None:
        with pytest.raises(ValueError, match="cannot write this file back byte for byte"):
            rewrite_source(source.encode(), "m.py", "m", False, [rule], holes=holes)
    else:
        out = rewrite_source(source.encode(), "m.py", "m", False, [rule], holes=holes)
        assert out.after.decode() == after


def test_the_splice_takes_such_a_file_without_libcst() -> None:
    rule = Example({"kind": "move", "old": "a.b.f", "new": "c.d.f"}, "", "").build_rule("mv")
    source = ("from a.b import f\n" + _LOSSY.replace("g()", "f()")).encode()
    found, _ = analyze_source(source, "m.py", "m", False, RuleIndex.build([rule]))
    out = rewrite_source(source, "m.py", "m", False, [rule], found=found,
                         parsed=ast.parse(source))
    assert out.engine == "splice"
    assert out.after == source.replace(b"a.b", b"c.d")


def test_a_codemod_does_not_rewrite_such_a_file_either() -> None:
    rule = Example({"kind": "codemod", "codemod": "rename_kwarg", "old": "lib.make",
                    "options": {"keyword": "ctx", "to": "user_context"}}, "", "").build_rule("kw")
    source = "from lib import make\nmake(ctx=1)\n" + _LOSSY
    with pytest.raises(ValueError, match="cannot write this file back byte for byte"):
        rewrite_source(source.encode(), "m.py", "m", False, [rule])
    out = rewrite_source(source.replace(" :", ":").encode(), "m.py", "m", False, [rule])
    assert b"make(user_context=1)" in out.after
