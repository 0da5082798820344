"""Edits that replace an expression: a renamed or re-spelled reference, and a rewritten call
(``await`` dropped when the new callee is not awaitable)."""

from __future__ import annotations

import libcst as cst

from .imports import Edits, dotted
from .kinds import call as call_kind
from .uses import Use


def add_call(edits: Edits, use: Use, callee: str) -> None:
    """Replace the call of ``use`` by the rule's new call to ``callee``."""
    assert use.call is not None
    rule, context = use.rule, dict(use.context)

    def build(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        return call_kind.build_call(rule, callee, node, context)

    edits.replace[id(use.call)] = build
    if use.awaited is not None:
        edits.replace[id(use.awaited)] = _drop_await


def replace_expr(edits: Edits, node: cst.CSTNode, code: str) -> None:
    def build(upd: cst.CSTNode) -> cst.CSTNode:
        return dotted(code).with_changes(lpar=getattr(upd, "lpar", ()),
                                         rpar=getattr(upd, "rpar", ()))

    edits.replace[id(node)] = build


def _drop_await(node: cst.CSTNode) -> cst.CSTNode:
    assert isinstance(node, cst.Await)
    expr = node.expression
    if node.lpar:
        expr = expr.with_changes(lpar=node.lpar, rpar=node.rpar)
    return expr
