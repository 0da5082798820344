"""Context awareness for call rules, table-driven, and held to detect's decision: for every
case, the plan rewrites a call exactly when detect says it is fixable, with the same reason."""

from __future__ import annotations

import sys

import pytest

from phasegate.rewrite.engine import rewrite_source
from phasegate.rewrite.model import Example
from phasegate.semantics.analyze import RuleIndex, analyze_source
from phasegate.semantics.callsite import UNSEARCHED

RULE = Example({
    "kind": "call", "old": "ws.factory.create", "new": "ws.manager.Manager",
    "params": ["user_context"], "arguments": {"user_context": "{user_context}"},
    "context": {"user_context": {"names": ["user_context", "ctx"],
                                 "attributes": ["self.user_context"],
                                 "annotations": ["UserExecutionContext"]}},
}, "", "").build_rule("ws")
HEAD = "from ws.factory import create\n"
NO = "no user context in scope"

# (id, source after the import, the argument expected in the new call, or None: manual)
CASES: list[tuple[str, str, str | None]] = [
    ("passed-positional", "create(c)\n", "c"),
    ("passed-keyword", "create(user_context=c)\n", "c"),
    ("param-by-name", "def f(ctx):\n    return create()\n", "ctx"),
    ("param-names-order", "def f(ctx, user_context):\n    return create()\n", "user_context"),
    ("param-kwonly", "def f(*, ctx):\n    return create()\n", "ctx"),
    ("param-annotation", "def f(u: UserExecutionContext):\n    return create()\n", "u"),
    ("param-annotation-dotted", "def f(u: app.UserExecutionContext):\n    return create()\n",
     "u"),
    ("param-annotation-string", "def f(u: 'UserExecutionContext'):\n    return create()\n", "u"),
    ("param-annotation-optional",
     "def f(u: Optional[UserExecutionContext]):\n    return create()\n", "u"),
    ("param-annotation-or-none",
     "def f(u: UserExecutionContext | None):\n    return create()\n", "u"),
    ("param-annotation-other", "def f(u: Other):\n    return create()\n", None),
    ("local-before", "def f():\n    ctx = make()\n    return create()\n", "ctx"),
    ("local-after", "def f():\n    m = create()\n    ctx = make()\n", None),
    ("local-annotated", "def f():\n    ctx: X = make()\n    return create()\n", "ctx"),
    ("local-for", "def f(xs):\n    for ctx in xs:\n        create()\n", "ctx"),
    ("local-with", "def f():\n    with make() as ctx:\n        create()\n", "ctx"),
    ("local-walrus", "def f():\n    if (ctx := make()):\n        create()\n", "ctx"),
    ("comprehension-var-not-local", "def f(xs):\n    return [create() for ctx in xs]\n", None),
    ("outer-function", "def f(ctx):\n    def g():\n        return create()\n    return g\n", "ctx"),
    ("module-scope-not-searched", "ctx = make()\ncreate()\n", None),
    ("module-level-call", "create()\n", None),
    ("self-attr-set-in-init",
     "class A:\n    def __init__(self, c):\n        self.user_context = c\n\n"
     "    def m(self):\n        return create()\n", "self.user_context"),
    ("self-attr-class-level",
     "class A:\n    user_context: X\n\n    def m(self):\n        return create()\n",
     "self.user_context"),
    ("self-attr-not-set", "class A:\n    def m(self):\n        return create()\n", None),
    ("not-a-method-no-self",
     "class A:\n    user_context = 1\n\n    @staticmethod\n    def m(x):\n"
     "        return create()\n", None),
    ("class-body-skipped", "def f(ctx):\n    class A:\n        m = create()\n    return A\n",
     "ctx"),
    ("lambda-param", "h = lambda ctx: create()\n", "ctx"),
    ("default-arg-is-outside", "def f(ctx, m=create()):\n    return m\n", None),
    ("global-is-not-local", "def f():\n    global ctx\n    ctx = 1\n    return create()\n", None),
]


def _plan(src: str) -> tuple[str, list[tuple[int, int, str]]]:
    out = rewrite_source((HEAD + src).encode(), "p/m.py", "p.m", False, [RULE])
    calls = [(s.line, s.col, s.reason) for s in out.manual + out.rewritten if s.kind == "call"]
    return out.after.decode(), sorted(calls)


def _detect(src: str) -> list[tuple[int, int, str]]:
    found, problem = analyze_source((HEAD + src).encode(), "p/m.py", "p.m", False,
                                    RuleIndex.build([RULE]))
    assert problem is None
    return sorted((v.line, v.col, v.reason) for v in found if v.kind == "call")


@pytest.mark.parametrize(("case", "src", "arg"), CASES, ids=[c[0] for c in CASES])
def test_context(case: str, src: str, arg: str | None) -> None:
    after, calls = _plan(src)
    assert len(calls) == 1
    if arg is None:
        assert calls[0][2] == NO
        assert "Manager(" not in after
    else:
        assert calls[0][2] == ""
        assert f"Manager(user_context={arg})" in after
    assert _detect(src) == calls, "detect and plan disagree"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="needs a syntax this Python cannot parse")
@pytest.mark.parametrize(("src", "reason"), [
    ("type X = int\ndef f(ctx):\n    return create()\n", UNSEARCHED),
    ("type X = int\ndef f(ctx):\n    return create(ctx)\n", ""),
], ids=["context-needed", "all-passed"])
def test_a_file_only_a_newer_python_reads(src: str, reason: str) -> None:
    """The context search is detect's analysis: where this Python cannot parse the file (libcst
    can), a call that passes every argument is still rewritten, one that lacks one is left to
    a person, saying why; no scope is guessed."""
    after, calls = _plan(src)
    assert [c[2] for c in calls] == [reason]
    assert ("Manager(user_context=ctx" in after) == (not reason)


@pytest.mark.parametrize("src", [
    "import ws.factory\ndef f(ctx):\n    return (ws.factory).create()\n",
    "import ws\ndef f(ctx):\n    return (ws).factory.create()\n",
    "from ws import factory\ndef f(ctx):\n    return (factory).create()\n",
    "from ws import factory\ndef f(ctx):\n    s = 'é'; return (\n        factory).create()\n",
], ids=["chain-in-brackets", "base-in-brackets", "alias-in-brackets", "non-ascii-multiline"])
def test_a_call_through_a_bracketed_receiver_gets_its_context(src: str) -> None:
    """The context is handed over by where the chain's first name is (libcst starts the chain
    at the bracket, ``ast`` at the name), and plan reports the site where detect does."""
    out = rewrite_source(src.encode(), "p/m.py", "p.m", False, [RULE])
    assert "Manager(user_context=ctx)" in out.after.decode()
    assert [s.reason for s in out.manual if s.kind == "call"] == []
    found, _ = analyze_source(src.encode(), "p/m.py", "p.m", False, RuleIndex.build([RULE]))
    assert [(s.line, s.col) for s in out.rewritten if s.kind == "call"] == \
        [(v.line, v.col) for v in found if v.kind == "call"]
