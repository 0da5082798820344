"""``move``: a symbol moved to another module, maybe renamed (``old = "a.b.f"``, ``new = "c.d.G"``).

``from a.b import f`` becomes ``from c.d import G`` (merged into an existing ``from c.d import``
in the same block, never a duplicate) and every use of ``f`` becomes ``G``; an aliased import
keeps its alias and its uses. When ``G`` is already bound to something else in the file the new
name is imported under a fresh alias (``from c.d import G as d_G``), never the deprecated name;
a re-export in ``__all__`` keeps the module's public name (``from c.d import G as f``). A
relative import stays relative when the new module is inside the same package, and a name the
statement already imports is never added twice. Inside a string annotation nothing is rewritten:
the site is left to a person, by detect and plan alike. Uses through a module
(``a.b.f`` after ``import a.b``) become ``c.d.G`` with ``import c.d`` added next to the import
they went through; that import is removed once nothing else uses it.
"""

from __future__ import annotations

from ...config import Rule
from ...config.kinds import KINDS, RuleInput, RuleKind
from ..model import Example
from ._common import moved_rule


def target(rule: Rule) -> tuple[str, str]:
    """(module, name) the rule's ``new`` names."""
    module, _, name = rule.new.rpartition(".")
    return module, name


MOVE = {"kind": "move", "old": "a.b.f", "new": "c.d.G"}
EXAMPLES: dict[str, Example] = {
    "move-from-import": Example(MOVE, "from a.b import f\n\nf(1)\n", "from c.d import G\n\nG(1)\n"),
    "move-aliased": Example(MOVE, "from a.b import f as g\ng()\n", "from c.d import G as g\ng()\n"),
    "move-keeps-siblings": Example(
        MOVE, "from a.b import e, f\n\ne(f)\n", "from a.b import e\nfrom c.d import G\n\ne(G)\n"),
    "move-merges": Example(
        MOVE, "from c.d import H\nfrom a.b import f\nH(f)\n", "from c.d import H, G\nH(G)\n"),
    "move-module-attribute": Example(
        MOVE, "import a.b\n\na.b.f()\n", "import c.d\n\nc.d.G()\n"),
    "move-clash-fresh-alias": Example(
        MOVE, "from a.b import f\nG = 1\nf(G)\n", "from c.d import G as d_G\nG = 1\nd_G(G)\n"),
    "move-shadowed-untouched": Example(
        MOVE, "from a.b import f\nf()\n\n\ndef h(f):\n    return f  # f is the parameter\n",
        "from c.d import G\nG()\n\n\ndef h(f):\n    return f  # f is the parameter\n"),
    "move-function-local": Example(
        MOVE, "def h():\n    from a.b import f\n    return f()\n",
        "def h():\n    from c.d import G\n    return G()\n"),
    "move-relative": Example(
        MOVE, "from ..b import f\nf()\n", "from c.d import G\nG()\n", path="a/x/m.py"),
    "move-re-export-keeps-public-name": Example(
        MOVE, "from a.b import f\n__all__ = ['f']\n", "from c.d import G as f\n__all__ = ['f']\n"),
    "move-same-name-re-export": Example(
        {"kind": "move", "old": "a.b.G", "new": "c.d.G"}, "from a.b import G\n__all__ = ['G']\n",
        "from c.d import G\n__all__ = ['G']\n"),
    "move-string-annotation-manual": Example(
        MOVE, "import a.b\n\n\ndef h(x: 'a.b.f') -> None: ...\n",
        "import a.b\n\n\ndef h(x: 'a.b.f') -> None: ...\n",
        manual=("inside a string annotation: rewrite it by hand",)),
    "move-rename-in-place-no-duplicate": Example(
        {"kind": "move", "old": "a.b.f", "new": "a.b.g"}, "from a.b import g, f\nf(g)\n",
        "from a.b import g\ng(g)\n"),
    "move-relative-stays-relative": Example(
        {"kind": "move", "old": "a.b.f", "new": "a.c.G"}, "from .b import f\nf()\n",
        "from .c import G\nG()\n", path="a/m.py"),
}


def build(r: RuleInput) -> Rule:
    rule = moved_rule(r, "move")
    if rule.old and "." not in rule.old:
        r.problem("old", f"'{rule.old}' must name a symbol inside a module (a.b.name)")
    return rule


KINDS.register(RuleKind("move", ("old", "new", "message", "aliases"), build, EXAMPLES))
