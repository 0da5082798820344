"""``module``: a whole module moved (``old = "a.old"``, ``new = "a.new"``).

``import a.old`` -> ``import a.new`` (uses ``a.old.X`` follow, under a fresh alias when ``a``
means something else in the file), ``import a.old as m`` keeps ``m``, ``import mock`` with
``new = "unittest.mock"`` -> ``from unittest import mock`` (the binding and every use stay),
``from a.old import X`` / ``from a.old.sub import X`` / relative forms -> ``from a.new import X``,
``from a import old`` -> ``from a import new`` (uses renamed, or aliased on a clash). A ``move``
rule for a name inside the module wins over the ``module`` rule for that name.
"""

from __future__ import annotations

from ...config import Rule
from ...config.kinds import KINDS, RuleInput, RuleKind
from ..model import Example
from ._common import moved_rule


def mapped(rule: Rule, dotted: str) -> str:
    """``dotted`` (the old module or something under it) under the rule's new module."""
    for old in rule.olds:
        if dotted == old or dotted.startswith(old + "."):
            return rule.new + dotted[len(old):]
    return dotted


MODULE = {"kind": "module", "old": "a.old", "new": "a.new"}
EXAMPLES: dict[str, Example] = {
    "module-import": Example(MODULE, "import a.old\n\na.old.X()\n", "import a.new\n\na.new.X()\n"),
    "module-import-as": Example(MODULE, "import a.old as m\nm.X\n", "import a.new as m\nm.X\n"),
    "module-from": Example(
        MODULE, "from a.old import (\n    X,  # keep me\n    Y,\n)\n",
        "from a.new import (\n    X,  # keep me\n    Y,\n)\n"),
    "module-from-sub": Example(MODULE, "from a.old.sub import X\n", "from a.new.sub import X\n"),
    "module-from-parent": Example(
        MODULE, "from a import old\nold.X\n", "from a import new\nnew.X\n"),
    "module-relative": Example(
        MODULE, "from .old import X\nX\n", "from .new import X\nX\n", path="a/m.py"),
    "module-keeps-the-binding": Example(
        {"kind": "module", "old": "mock", "new": "unittest.mock"},
        "import mock\n\nmock.patch('pkg.mod.mock')\n",
        "from unittest import mock\n\nmock.patch('pkg.mod.mock')\n"),
    "module-through-parent": Example(MODULE, "import a\na.old.X\n", "import a.new\na.new.X\n"),
}


def build(r: RuleInput) -> Rule:
    return moved_rule(r, "module")


KINDS.register(RuleKind("module", ("old", "new", "message", "aliases"), build, EXAMPLES))
