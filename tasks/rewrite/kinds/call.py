"""``call``: a call-site rewrite, e.g. a factory to a constructor.

``create_manager(ctx)`` / ``create_manager(user_context=ctx)`` / ``await create_manager(...)``
-> ``Manager(user_context=ctx, token=issue(ctx))``. The old call's arguments map to ``params`` by
position and keyword; each new argument is a template whose ``{placeholders}`` take the passed
argument's code or, when the call lacks it, the expression detect's analysis found in scope for
that site (``semantics/callsite.call_contexts``, the one context search). ``await`` is dropped
unless ``awaitable = true``. A site that cannot be rewritten safely is left to a person with the
reason; the decision is detect's (``semantics/callsite.arguments_problem``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ...config import Rule
from ...config.kinds import KINDS, RuleInput, RuleKind
from ...config.model import CONTEXT_KEYS, ContextSource
from ...config.problems import as_strlist, suggest, type_name
from ...semantics.callsite import arguments_problem
from ..model import Example
from ._common import moved_rule

if TYPE_CHECKING:
    import libcst as cst

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _code(node: cst.CSTNode) -> str:
    import libcst  # late: the kind registers itself where no rewrite runs (detect, config)

    return libcst.Module([]).code_for_node(node)


def call_problem(rule: Rule, call: cst.Call, awaited: bool) -> str:
    """Why this call cannot be rewritten mechanically, or '' (the rule detect applies too)."""
    positional = [a for a in call.args if a.keyword is None and not a.star]
    keywords = [a.keyword.value for a in call.args if a.keyword is not None]
    starred = any(a.star for a in call.args)
    return arguments_problem(rule, len(positional), keywords, starred, awaited)


def passed_code(rule: Rule, call: cst.Call, placeholder: str) -> str | None:
    """The code of the argument the call passes for ``placeholder``, if it does."""
    positional = [a for a in call.args if a.keyword is None]
    if placeholder in rule.params:
        idx = rule.params.index(placeholder)
        if idx < len(positional):
            return _code(positional[idx].value)
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == placeholder:
            return _code(arg.value)
    return None


def build_call(rule: Rule, callee: str, call: cst.Call,
               context: dict[str, str]) -> cst.BaseExpression:
    """The new call: ``callee(kw=template, ...)``, placeholders filled from the (already
    rewritten) call's arguments, else from ``context``."""
    values = dict(context)
    for name in rule.required:
        code = passed_code(rule, call, name)
        if code is not None:
            values[name] = code
    args = ", ".join(
        f"{kw}={_PLACEHOLDER.sub(lambda m: values[m.group(1)], tmpl)}"
        for kw, tmpl in rule.arguments
    )
    import libcst

    new = libcst.parse_expression(f"{callee}({args})")
    assert isinstance(new, libcst.Call)
    return new.with_changes(lpar=call.lpar, rpar=call.rpar)


CALL = {
    "kind": "call", "old": "ws.factory.create_manager", "new": "ws.manager.Manager",
    "params": ["user_context"],
    "arguments": {"user_context": "{user_context}", "token": "issue({user_context})"},
    "context": {"user_context": {"names": ["user_context", "ctx"],
                                 "attributes": ["self.user_context"],
                                 "annotations": ["UserExecutionContext"]}},
    "imports": ["ws.auth.issue"],
}
_IMPORT = "from ws.factory import create_manager\n"
_NEW = "from ws.manager import Manager\nfrom ws.auth import issue\n"
EXAMPLES: dict[str, Example] = {
    "call-positional": Example(
        CALL, _IMPORT + "m = create_manager(c)\n",
        _NEW + "m = Manager(user_context=c, token=issue(c))\n"),
    "call-keyword-await-dropped": Example(
        CALL, _IMPORT + "async def f(c):\n    return await create_manager(user_context=c)\n",
        _NEW + "async def f(c):\n    return Manager(user_context=c, token=issue(c))\n"),
    "call-context-param": Example(
        CALL, _IMPORT + "def f(ctx):\n    return create_manager()\n",
        _NEW + "def f(ctx):\n    return Manager(user_context=ctx, token=issue(ctx))\n"),
    "call-context-annotation": Example(
        CALL,
        _IMPORT + "def f(u: 'Optional[UserExecutionContext]'):\n    return create_manager()\n",
        _NEW + "def f(u: 'Optional[UserExecutionContext]'):\n"
        "    return Manager(user_context=u, token=issue(u))\n"),
    "call-context-self": Example(
        CALL, _IMPORT + "class A:\n    def __init__(self, c):\n        self.user_context = c\n\n"
        "    def m(self):\n        return create_manager()\n",
        _NEW + "class A:\n    def __init__(self, c):\n        self.user_context = c\n\n"
        "    def m(self):\n        return Manager(user_context=self.user_context, "
        "token=issue(self.user_context))\n"),
    "call-no-context-manual": Example(
        CALL, _IMPORT + "def f():\n    return create_manager()\n",
        _IMPORT + "def f():\n    return create_manager()\n",
        manual=("no user context in scope", "still used by sites left to a person")),
    "call-reference-manual": Example(
        CALL, _IMPORT + "hooks = [create_manager]\n", _IMPORT + "hooks = [create_manager]\n",
        manual=("referenced without being called", "still used by sites left to a person")),
}


def build(r: RuleInput) -> Rule:
    """A ``call`` rule: templates checked against ``params`` and ``context``."""
    base = moved_rule(r, "call")
    params = r.strings("params")
    args: list[tuple[str, str]] = []
    for name, template in r.table("arguments").items():
        if not isinstance(template, str):
            r.problem(f"arguments.{name}", f"must be a string template, got {type_name(template)}")
            continue
        args.append((name, template))
    context = _context(r)
    imports = r.names("imports")
    for idx, imp in enumerate(imports):
        if "." not in imp:
            r.problem(f"imports[{idx}]", f"'{imp}' must be module.name")
    rule = replace(base, params=params, arguments=tuple(args), context=context,
                   imports=imports, awaitable=r.flag("awaitable"))
    known = set(rule.params) | {n for n, _ in rule.context}
    for name in rule.required:
        if name not in known:
            r.problem("arguments", f"placeholder '{{{name}}}' is neither in params nor in"
                      f" context{suggest(name, sorted(known))}")
    return rule


def _context(r: RuleInput) -> tuple[tuple[str, ContextSource], ...]:
    out: list[tuple[str, ContextSource]] = []
    for name, src in r.table("context").items():
        ckey = r.path(f"context.{name}")
        if not isinstance(src, dict):
            r.p.add(ckey, f"must be a table, got {type_name(src)}")
            continue
        r.p.unknown_keys(src, CONTEXT_KEYS, ckey)
        out.append((name, ContextSource(
            names=as_strlist(r.p, src.get("names"), f"{ckey}.names"),
            attributes=as_strlist(r.p, src.get("attributes"), f"{ckey}.attributes"),
            annotations=as_strlist(r.p, src.get("annotations"), f"{ckey}.annotations"),
        )))
    return tuple(out)


KINDS.register(RuleKind(
    "call", ("old", "new", "message", "aliases", "params", "arguments", "context", "imports",
             "awaitable"), build, EXAMPLES))
