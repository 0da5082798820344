"""The one decision detect (ast) and the rewrite (libcst) share about a call site: can it be
rewritten mechanically, and where does each placeholder of the new call come from."""

from __future__ import annotations

import ast

from ..config import Rule
from .scopes import Scope

# a call site's (line, column) -> the expression for each placeholder the call does not pass
Contexts = dict[tuple[int, int], dict[str, str]]
NOT_CALLED = "referenced without being called"  # a call rule's name used some other way
# the call lacks an argument and this Python cannot parse the file (newer syntax): the analysis
# that finds arguments in scope did not run, so none is guessed
UNSEARCHED = "no context searched: this Python cannot parse the file"


def no_context(placeholder: str) -> str:
    """The reason a call is left to a person when nothing in scope supplies ``placeholder``."""
    return f"no {placeholder.replace('_', ' ')} in scope"


def call_problem(rule: Rule, call: ast.Call, awaited: bool) -> str:
    """Why this call cannot be rewritten mechanically, or ''."""
    starred = any(isinstance(a, ast.Starred) for a in call.args) or \
        any(k.arg is None for k in call.keywords)
    return arguments_problem(rule, len(call.args), [k.arg for k in call.keywords if k.arg],
                             starred, awaited)


def arguments_problem(rule: Rule, positional: int, keywords: list[str], starred: bool,
                      awaited: bool) -> str:
    """The one decision detect (ast) and the rewrite (libcst, tasks/rewrite/call.py) share:
    why a call with these arguments cannot be rewritten mechanically, or ''."""
    if starred:
        return "call uses *args or **kwargs"
    if positional > len(rule.params):
        return "more positional arguments than the old callee's params"
    used = set(rule.required)
    for name in list(rule.params[:positional]) + keywords:
        if name not in rule.params:
            return f"unexpected keyword argument '{name}'"
        if name not in used:
            return f"argument '{name}' has no place in the new call"
    if rule.awaitable and not awaited:
        return "the new callee is async but this call is not awaited"
    return ""


def missing_context(rule: Rule, call: ast.Call, scopes: list[Scope]) -> str:
    """'' when every placeholder is passed or found in scope, else 'no <name> in scope'."""
    return call_contexts(rule, call, scopes)[1]


def call_contexts(rule: Rule, call: ast.Call, scopes: list[Scope]
                  ) -> tuple[dict[str, str], str]:
    """The expression found in scope for each placeholder the call does not pass, and '' or
    the reason one is missing ('no <name> in scope'). The rewrite fills the new call with
    these (``FileAnalyzer.contexts``): there is one context search, this one."""
    found: dict[str, str] = {}
    for placeholder in rule.required:
        if _passed(rule, call, placeholder):
            continue
        expr = context_for(rule, placeholder, call.lineno, scopes)
        if expr is None:
            return found, no_context(placeholder)
        found[placeholder] = expr
    return found, ""


def _passed(rule: Rule, call: ast.Call, placeholder: str) -> bool:
    if placeholder in rule.params and rule.params.index(placeholder) < len(call.args):
        return True
    return any(k.arg == placeholder for k in call.keywords)


def context_for(rule: Rule, placeholder: str, line: int, scopes: list[Scope]) -> str | None:
    """The expression that supplies ``placeholder`` at a call on ``line``, searched outwards
    through enclosing functions: a parameter by name, a parameter by annotation, a local
    assigned before the call, then ``self.<attr>`` in a method whose class sets it."""
    source = dict(rule.context).get(placeholder)
    if source is None:
        return None
    for scope in reversed(scopes):
        if scope.kind != "function":
            continue
        params = dict(zip(scope.param_names, scope.params, strict=False))
        for name in source.names:
            if name in params:
                return name
        for name, binding in params.items():
            if binding.annotation and binding.annotation in source.annotations:
                return name
        for name in source.names:
            if any(not b.is_param and b.qualname is None and b.line < line
                   for b in scope.bindings.get(name, [])):
                return name
        if scope.is_method and scope.parent is not None:
            for attr in source.attributes:
                head, _, tail = attr.partition(".")
                if head == "self" and tail and tail in scope.parent.self_attrs:
                    return attr
    return None
