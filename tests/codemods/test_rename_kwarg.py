"""rename_kwarg beyond its embedded examples: found by the registry, chained after built-in
rules in the same parse, sites reported where the call starts."""

from __future__ import annotations

from phasegate.rewrite import codemods as codemod_registry
from phasegate.rewrite.engine import rewrite_source
from phasegate.rewrite.model import Example

RENAME = Example({"kind": "codemod", "codemod": "rename_kwarg", "old": "a.b.f",
                  "options": {"keyword": "ctx", "to": "user_context"}}, "", "")
MOVE = Example({"kind": "move", "old": "a.b.e", "new": "c.d.E"}, "", "")


def test_registry_lists_codemods_not_helpers() -> None:
    assert "rename_kwarg" in codemod_registry.names()
    assert "_base" not in codemod_registry.names()


def test_chained_after_a_move_in_one_pass() -> None:
    src = b"from a.b import e, f\n\nx = f(1, ctx=e)\n"
    out = rewrite_source(src, "p/m.py", "p.m", False,
                         [RENAME.build_rule("rename"), MOVE.build_rule("mv")])
    assert out.after == b"from a.b import f\nfrom c.d import E\n\nx = f(1, user_context=E)\n"
    assert [(s.rule, s.line, s.col, s.kind) for s in out.rewritten] == [
        ("mv", 1, 17, "import"), ("rename", 3, 5, "call")]


def test_nothing_to_do_keeps_the_bytes() -> None:
    src = b"from a.b import f\r\nf(user_context=1)  # already migrated\r\n"
    out = rewrite_source(src, "p/m.py", "p.m", False, [RENAME.build_rule()])
    assert out.after is src
    assert out.rewritten == [] and out.manual == []
