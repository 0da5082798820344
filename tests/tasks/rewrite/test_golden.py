"""The golden matrix: every import shape detect knows and every byte-preservation case,
asserted on bytes (before -> after), with the sites left to a person."""

from __future__ import annotations

import pytest

from phasegate.discover import module_name
from phasegate.rewrite.engine import rewrite_source
from phasegate.rewrite.model import Example
from phasegate.semantics.analyze import analyze_source
from phasegate.semantics.rule_index import RuleIndex

MOVE = {"kind": "move", "old": "a.b.f", "new": "c.d.G"}
MODULE = {"kind": "module", "old": "a.old", "new": "a.new"}
CALL = {
    "kind": "call", "old": "ws.factory.create", "new": "ws.manager.Manager",
    "params": ["user_context"],
    "arguments": {"user_context": "{user_context}", "token": "issue({user_context})"},
    "context": {"user_context": {"names": ["user_context"]}},
    "imports": ["ws.auth.issue"],
}
REEXPORT = "re-exported in __all__: importers of this module break"
STAR = "star import may bring in 'f': import it explicitly"
STRING = "dynamic import by string: rewrite it by hand"

# (id, rule, path, before, after, manual reasons)
CASES: list[tuple[str, object, str, bytes, bytes, tuple[str, ...]]] = [
    # -- import shapes ------------------------------------------------------------------------
    ("from-import", MOVE, "p/m.py", b"from a.b import f\nf()\n", b"from c.d import G\nG()\n", ()),
    ("from-import-as", MOVE, "p/m.py", b"from a.b import f as g\ng()\n",
     b"from c.d import G as g\ng()\n", ()),
    ("import-module-chain", MOVE, "p/m.py", b"import a.b\na.b.f(1)\n",
     b"import c.d\nc.d.G(1)\n", ()),
    ("import-module-chain-kept", MOVE, "p/m.py", b"import a.b\na.b.f(a.b.e)\n",
     b"import a.b\nimport c.d\nc.d.G(a.b.e)\n", ()),
    ("import-as-chain", MOVE, "p/m.py", b"import a.b as c\nc.f\n", b"import c.d\nc.d.G\n", ()),
    ("from-parent-chain", MOVE, "p/m.py", b"from a import b\nb.f()\n", b"import c.d\nc.d.G()\n",
     ()),
    ("relative-parent", MOVE, "a/x/m.py", b"from ..b import f\nf()\n",
     b"from c.d import G\nG()\n", ()),
    ("relative-sibling", MOVE, "a/m.py", b"from .b import f as h\nh()\n",
     b"from c.d import G as h\nh()\n", ()),
    ("relative-package-init", MOVE, "a/__init__.py", b"from .b import f\nf()\n",
     b"from c.d import G\nG()\n", ()),
    ("function-local", MOVE, "p/m.py",
     b"import os\n\n\ndef h():\n    from a.b import f\n    return f(os)\n",
     b"import os\n\n\ndef h():\n    from c.d import G\n    return G(os)\n", ()),
    ("type-checking", MOVE, "p/m.py",
     b"from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from a.b import f\n\n\n"
     b"def g(x: f) -> None: ...\n",
     b"from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from c.d import G\n\n\n"
     b"def g(x: G) -> None: ...\n", ()),
    ("try-except-import-error", MOVE, "p/m.py",
     b"try:\n    from a.b import f\nexcept ImportError:  # old\n    f = None\nf()\n",
     b"try:\n    from c.d import G as f\nexcept ImportError:  # old\n    f = None\nf()\n", ()),
    ("try-except-both-branches-move", [MOVE, {"kind": "move", "old": "a.x.f", "new": "c.d.G"}],
     "p/m.py", b"try:\n    from a.b import f\nexcept ImportError:\n    from a.x import f\nf()\n",
     b"try:\n    from c.d import G\nexcept ImportError:\n    from c.d import G\nG()\n", ()),
    ("one-line-suite", MOVE, "p/m.py", b"if True: from a.b import f\nf()\n",
     b"if True: from c.d import G\nG()\n", ()),
    ("keep-sibling-parenthesized", MOVE, "p/m.py",
     b"from a.b import (\n    e,  # e stays\n    f,\n)\ne(f)\n",
     b"from a.b import (\n    e,  # e stays\n)\nfrom c.d import G\ne(G)\n", ()),
    ("keep-sibling-one-line", MOVE, "p/m.py", b"from a.b import f, e  # both\ne(f)\n",
     b"from a.b import e  # both\nfrom c.d import G\ne(G)\n", ()),
    ("merge-parenthesized", MOVE, "p/m.py",
     b"from c.d import (\n    H,\n    K,\n)\nfrom a.b import f\nf(H, K)\n",
     b"from c.d import (\n    H,\n    K,\n    G,\n)\nG(H, K)\n", ()),
    ("no-duplicate", MOVE, "p/m.py", b"from c.d import G\nfrom a.b import f\nf(G)\n",
     b"from c.d import G\nG(G)\n", ()),
    ("emptied-block-gets-pass", MOVE, "p/m.py",
     b"import c.d\n\nif TYPE_CHECKING:\n    import a.b\n\n\ndef g():\n    return a.b.f()\n",
     b"import c.d\n\nif TYPE_CHECKING:\n    pass\n\n\ndef g():\n    return c.d.G()\n", ()),
    ("clash-fresh-alias", MOVE, "p/m.py", b"from a.b import f\n\n\ndef G():\n    return f()\n",
     b"from c.d import G as d_G\n\n\ndef G():\n    return d_G()\n", ()),
    ("re-export-keeps-public-name", MOVE, "p/m.py", b"from a.b import f\n\n__all__ = ['f']\n",
     b"from c.d import G as f\n\n__all__ = ['f']\n", ()),
    ("star-import-manual", MOVE, "p/m.py", b"from a.b import *\nf()\n",
     b"from a.b import *\nf()\n", (STAR,)),
    ("importlib-manual", MOVE, "p/m.py", b"import importlib\nm = importlib.import_module('a.b')\n",
     b"import importlib\nm = importlib.import_module('a.b')\n", (STRING,)),
    ("dunder-import-manual", MODULE, "p/m.py", b"m = __import__('a.old')\n",
     b"m = __import__('a.old')\n", (STRING,)),
    ("module-import", MODULE, "p/m.py", b"import a.old\na.old.X\n", b"import a.new\na.new.X\n", ()),
    ("module-import-as", MODULE, "p/m.py", b"import a.old as o\no.X\n",
     b"import a.new as o\no.X\n", ()),
    ("module-from", MODULE, "p/m.py", b"from a.old import X, Y as Z\n",
     b"from a.new import X, Y as Z\n", ()),
    ("module-from-parent", MODULE, "p/m.py", b"from a import old, other\nold.X\n",
     b"from a import other\nfrom a import new\nnew.X\n", ()),
    ("module-relative-dot", MODULE, "a/m.py", b"from . import old\nold.X\n",
     b"from . import new\nnew.X\n", ()),
    ("module-star", MODULE, "p/m.py", b"from a.old import *\n", b"from a.new import *\n", ()),
    # the move rule takes X (Y is taken, so under a fresh alias); the module rule the rest
    ("move-wins-over-module", [{"kind": "move", "old": "a.old.X", "new": "c.d.Y"}, MODULE],
     "p/m.py", b"from a.old import X, Y\nX(Y)\n",
     b"from c.d import Y as d_Y\nfrom a.new import Y\nd_Y(Y)\n", ()),
    # -- never touched: strings, comments, docstrings, shadowed names -------------------------
    ("untouched-strings-comments", MOVE, "p/m.py",
     b'"""f is documented here: a.b.f."""\nimport os  # from a.b import f\ns = "a.b.f f()"\n',
     b'"""f is documented here: a.b.f."""\nimport os  # from a.b import f\ns = "a.b.f f()"\n',
     ()),
    ("shadowed-local", MOVE, "p/m.py",
     b"from a.b import f\n\n\ndef g(f):\n    return f()\n\n\ndef h():\n    f = 1\n    return f\n",
     b"from c.d import G\n\n\ndef g(f):\n    return f()\n\n\ndef h():\n    f = 1\n    return f\n",
     ()),
    # -- bytes --------------------------------------------------------------------------------
    ("bom", MOVE, "p/m.py", b"\xef\xbb\xbfimport os\nfrom a.b import f\nf(os)\n",
     b"\xef\xbb\xbfimport os\nfrom a.b import f\nf(os)\n".replace(b"a.b import f", b"c.d import G")
     .replace(b"f(os)", b"G(os)"), ()),
    ("crlf", MOVE, "p/m.py", b"import os\r\nfrom a.b import f, e\r\n\r\nf(os, e)\r\n",
     b"import os\r\nfrom a.b import e\r\nfrom c.d import G\r\n\r\nG(os, e)\r\n", ()),
    ("mixed-endings", MOVE, "p/m.py", b"import os\r\nfrom a.b import f\nx = 1\r\nf(x)\n",
     b"import os\r\nfrom c.d import G\nx = 1\r\nG(x)\n", ()),
    ("latin-1-cookie", MOVE, "p/m.py",
     "# -*- coding: latin-1 -*-\nfrom a.b import f\ns = 'caf\xe9'\nf(s)\n".encode("latin-1"),
     "# -*- coding: latin-1 -*-\nfrom c.d import G\ns = 'caf\xe9'\nG(s)\n".encode("latin-1"), ()),
    ("no-final-newline", MOVE, "p/m.py", b"from a.b import f\nf()", b"from c.d import G\nG()", ()),
    ("tabs", MOVE, "p/m.py", b"if True:\n\tfrom a.b import f, e\n\tf(e)\n",
     b"if True:\n\tfrom a.b import e\n\tfrom c.d import G\n\tG(e)\n", ()),
    ("untouched-file-same-bytes", MOVE, "p/m.py", b"# f\r\nx = 'a.b.f'",
     b"# f\r\nx = 'a.b.f'", ()),
    # -- calls --------------------------------------------------------------------------------
    ("call-kept-import-for-manual", CALL, "p/m.py",
     b"from ws.factory import create\n\n\ndef f(user_context):\n    return create()\n\n\n"
     b"def g():\n    return create()\n",
     b"from ws.factory import create\nfrom ws.manager import Manager\nfrom ws.auth import issue\n"
     b"\n\ndef f(user_context):\n    return Manager(user_context=user_context, "
     b"token=issue(user_context))\n\n\ndef g():\n    return create()\n",
     ("no user context in scope", "still used by sites left to a person")),
    ("call-in-the-new-module-itself", CALL, "ws/manager.py",
     b"from ws.auth import issue\nfrom ws.factory import create\n\n\nclass Manager:\n    pass\n\n\n"
     b"m = create(c)\n",
     b"from ws.auth import issue\n\n\nclass Manager:\n    pass\n\n\n"
     b"m = Manager(user_context=c, token=issue(c))\n", ()),
    ("call-merges-template-import", CALL, "p/m.py",
     b"from ws.auth import issue, other\nfrom ws.factory import create\nm = create(c)\n",
     b"from ws.auth import issue, other\nfrom ws.manager import Manager\n"
     b"m = Manager(user_context=c, token=issue(c))\n", ()),
    ("call-nested-args-rewritten", CALL, "p/m.py",
     b"from ws.factory import create\nm = create(user_context=create(c))\n",
     b"from ws.manager import Manager\nfrom ws.auth import issue\n"
     b"m = Manager(user_context=Manager(user_context=c, token=issue(c)), "
     b"token=issue(Manager(user_context=c, token=issue(c))))\n", ()),
]

def _rewrite(rule: object, path: str, data: bytes) -> tuple[bytes, list[str]]:
    rules: list[dict[str, object]] = rule if isinstance(rule, list) else [rule]  # type: ignore
    built = [Example(r, "", "").build_rule(f"r{i}") for i, r in enumerate(rules)]
    module, is_pkg = module_name(path)
    outcome = rewrite_source(data, path, module, is_pkg, built)
    return outcome.after, sorted(s.reason for s in outcome.manual)


@pytest.mark.parametrize(("case", "rule", "path", "before", "after", "manual"), CASES,
                         ids=[c[0] for c in CASES])
def test_golden(case: str, rule: object, path: str, before: bytes, after: bytes,
                manual: tuple[str, ...]) -> None:
    got, reasons = _rewrite(rule, path, before)
    assert got == after
    assert reasons == sorted(manual)
    again, _ = _rewrite(rule, path, got)
    assert again == got
    assert _fixable(rule, path, got) == []  # detect after the rewrite: nothing fixable left


def _fixable(rule: object, path: str, data: bytes) -> list[tuple[int, int, str]]:
    rules: list[dict[str, object]] = rule if isinstance(rule, list) else [rule]  # type: ignore
    built = [Example(r, "", "").build_rule(f"r{i}") for i, r in enumerate(rules)]
    module, is_pkg = module_name(path)
    found, _ = analyze_source(data, path, module, is_pkg, RuleIndex.build(built))
    return [(v.line, v.col, v.rule) for v in found if v.fixable]
