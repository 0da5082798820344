"""Rename a keyword argument at every call of one function.

Why: an API renamed a parameter (``create_manager(ctx=...)`` became
``create_manager(user_context=...)``) and kept the old name working for a deprecation period;
every caller must move to the new keyword before the old one is removed.

Example (``callee = "ws.factory.create_manager"``, ``keyword = "ctx"``, ``to = "user_context"``)::

    create_manager(ctx=c, retries=2)    ->    create_manager(user_context=c, retries=2)

The callee is matched by qualified name (``rule.old``, or ``options.callee``), so aliased imports,
attribute access through a module and relative imports are all followed, and a local function
of the same name is left alone. Options: ``keyword`` (old name), ``to`` (new name), ``callee``.

Known limits: keywords hidden in ``**kwargs`` are not seen; a call passing both the old and the
new keyword is left to a person; positional arguments are never touched.
"""

from __future__ import annotations

import libcst as cst

from ..rewrite.model import Example
from ._base import RuleCodemod


class Codemod(RuleCodemod):
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        callee = self.rule.old or str(self.options.get("callee", ""))
        old, new = str(self.options.get("keyword", "")), str(self.options.get("to", ""))
        if not (callee and old and new) or callee not in self.qualified_names(original_node.func):
            return updated_node
        keywords = {a.keyword.value for a in updated_node.args if a.keyword is not None}
        if old not in keywords:
            return updated_node
        if new in keywords:
            self.report(original_node, "call", f"passes both '{old}' and '{new}'")
            return updated_node
        self.report(original_node, "call")
        args = [a.with_changes(keyword=cst.Name(new))
                if a.keyword is not None and a.keyword.value == old else a
                for a in updated_node.args]
        return updated_node.with_changes(args=args)


_RULE = {"kind": "codemod", "codemod": "rename_kwarg",
         "options": {"callee": "ws.factory.create_manager", "keyword": "ctx", "to": "user_context"},
         "needles": ["create_manager"]}
EXAMPLES: dict[str, Example] = {
    "rename-kwarg-call": Example(
        _RULE, "from ws.factory import create_manager\ncreate_manager(ctx=c, retries=2)\n",
        "from ws.factory import create_manager\ncreate_manager(user_context=c, retries=2)\n"),
    "rename-kwarg-module-alias": Example(
        _RULE, "import ws.factory as f\nf.create_manager(\n    ctx=c,  # the caller's\n)\n",
        "import ws.factory as f\nf.create_manager(\n    user_context=c,  # the caller's\n)\n"),
    "rename-kwarg-relative": Example(
        _RULE, "from .factory import create_manager as mk\nmk(ctx=c)\n",
        "from .factory import create_manager as mk\nmk(user_context=c)\n", path="ws/mod.py"),
    "rename-kwarg-other-function-untouched": Example(
        _RULE, "def create_manager(ctx):\n    return ctx\ncreate_manager(ctx=1)\n",
        "def create_manager(ctx):\n    return ctx\ncreate_manager(ctx=1)\n"),
    "rename-kwarg-both-manual": Example(
        _RULE, "from ws.factory import create_manager\ncreate_manager(ctx=a, user_context=b)\n",
        "from ws.factory import create_manager\ncreate_manager(ctx=a, user_context=b)\n",
        manual=("passes both 'ctx' and 'user_context'",)),
}
