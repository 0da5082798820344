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

WS = {"kind": "move", "old": "netra.websocket_factory.create_websocket_manager",
      "new": "netra.websocket_manager.WebSocketManager"}
MOCK = {"kind": "module", "old": "mock", "new": "unittest.mock"}
ITER = {"kind": "move", "old": "typing.Iterable", "new": "collections.abc.Iterable"}
MOVE = {"kind": "move", "old": "a.b.f", "new": "c.d.G"}
MODULE = {"kind": "module", "old": "a.old", "new": "a.new"}
IN_STRING = "inside a string annotation: rewrite it by hand"

# (id, rules, path, before, after, manual reasons)
CASES: list[tuple[str, list[dict[str, object]], str, str, str, tuple[str, ...]]] = [
    # 2. a clash alias never reuses the deprecated name
    ("2-type-checking-clash", [WS], "netra/api.py",
     "from typing import TYPE_CHECKING\n\n"
     "from netra.websocket_factory import create_websocket_manager\n\n"
     "if TYPE_CHECKING:\n    from netra.legacy.ws import WebSocketManager\n\n\n"
     "def f(user_context) -> 'WebSocketManager':\n"
     "    return create_websocket_manager(user_context=user_context)\n",
     "from typing import TYPE_CHECKING\n\n"
     "from netra.websocket_manager import WebSocketManager as websocket_manager_WebSocketManager"
     "\n\nif TYPE_CHECKING:\n    from netra.legacy.ws import WebSocketManager\n\n\n"
     "def f(user_context) -> 'WebSocketManager':\n"
     "    return websocket_manager_WebSocketManager(user_context=user_context)\n", ()),
    ("2-clash-in-a-function-scope", [MOVE], "p/m.py",
     "from a.b import f\n\n\ndef h():\n    G = 2\n    return f(G)\n",
     "from c.d import G as d_G\n\n\ndef h():\n    G = 2\n    return d_G(G)\n", ()),
    ("2-clash-in-a-comprehension", [MOVE], "p/m.py",
     "from a.b import f\n\nx = [f(G) for G in range(3)]\n",
     "from c.d import G as d_G\n\nx = [d_G(G) for G in range(3)]\n", ()),
    ("2-fresh-alias-is-free-too", [MOVE], "p/m.py",
     "from a.b import f\n\nG = d_G = 1\nf(G, d_G)\n",
     "from c.d import G as d_G_2\n\nG = d_G = 1\nd_G_2(G, d_G)\n", ()),
    # 3. a module rule keeps the binding; rebound heads get a fresh alias
    ("3-import-mock", [MOCK], "pkg/tests/test_x.py",
     "import os\n\nimport mock\n\n\n@mock.patch('pkg.mod.mock')\ndef test(m):\n"
     "    assert mock.MagicMock() and os\n",
     "import os\n\nfrom unittest import mock\n\n\n@mock.patch('pkg.mod.mock')\ndef test(m):\n"
     "    assert mock.MagicMock() and os\n", ()),
    ("3-import-mock-unittest-rebound", [MOCK], "pkg/t.py",
     "import mock\nfrom pkg import unittest\n\n\ndef f():\n    unittest = None\n"
     "    return mock.Mock(unittest)\n",
     "from unittest import mock\nfrom pkg import unittest\n\n\ndef f():\n    unittest = None\n"
     "    return mock.Mock(unittest)\n", ()),
    ("3-module-head-rebound", [{"kind": "module", "old": "mock", "new": "mock2"}], "p/m.py",
     "import mock\nmock2 = 1\nmock.X(mock2)\n",
     "import mock2 as mock2_\nmock2 = 1\nmock2_.X(mock2)\n", ()),
    ("3-import-as-keeps-alias", [MODULE], "p/m.py", "import a.old as m\nm.X\n",
     "import a.new as m\nm.X\n", ()),
    ("3-chain-collections-rebound", [ITER], "p/m.py",
     "import typing\n\ncollections = {}\n\n\ndef f(x: typing.Iterable[int]) -> None: ...\n",
     "import collections.abc as collections_abc\n\ncollections = {}\n\n\n"
     "def f(x: collections_abc.Iterable[int]) -> None: ...\n", ()),
    ("3-chain-collections-rebound-in-function", [ITER], "p/m.py",
     "import typing\n\n\ndef f(x):\n    collections = x\n    return typing.Iterable, collections\n",
     "import collections.abc as collections_abc\n\n\ndef f(x):\n    collections = x\n"
     "    return collections_abc.Iterable, collections\n", ()),
    ("3-chain-collections-free", [ITER], "p/m.py",
     "import typing\n\nx: typing.Iterable[int] = ()\ny: typing.Any = 1\n",
     "import typing\nimport collections.abc\n\nx: collections.abc.Iterable[int] = ()\n"
     "y: typing.Any = 1\n", ()),
    # 4. a same-name move in a re-exporting module is rewritten; a renaming one keeps the name
    ("4-same-name-re-export", [ITER], "pkg/__init__.py",
     "from typing import Iterable, Any\n\n__all__ = ['Iterable', 'Any']\n",
     "from typing import Any\nfrom collections.abc import Iterable\n\n"
     "__all__ = ['Iterable', 'Any']\n", ()),
    ("4-renaming-re-export", [MOVE], "pkg/__init__.py", "from a.b import f\n\n__all__ = ['f']\n",
     "from c.d import G as f\n\n__all__ = ['f']\n", ()),
    # 5. string annotations: left to a person by detect and plan alike
    ("5-string-annotation", [ITER], "p/m.py",
     "import typing\n\n\ndef f(x: 'typing.Iterable[int]') -> typing.Iterable[int]: ...\n",
     "import typing\nimport collections.abc\n\n\n"
     "def f(x: 'typing.Iterable[int]') -> collections.abc.Iterable[int]: ...\n", (IN_STRING,)),
    ("5-string-annotation-blocks-the-module-import", [MODULE], "p/m.py",
     "import a.old\n\n\ndef f(x: 'a.old.X') -> None: ...\n",
     "import a.old\n\n\ndef f(x: 'a.old.X') -> None: ...\n",
     (IN_STRING, "still used by sites left to a person")),
    ("5-same-name-in-string-untouched", [ITER], "p/m.py",
     "from typing import Iterable\n\n\ndef f(x: 'Iterable[int]') -> None: ...\n",
     "from collections.abc import Iterable\n\n\ndef f(x: 'Iterable[int]') -> None: ...\n", ()),
    ("5-renamed-name-in-string", [MOVE], "p/m.py",
     "from a.b import f\n\n\ndef g(x: 'f') -> None:\n    return f()\n",
     "from a.b import f\n\n\ndef g(x: 'f') -> None:\n    return f()\n",
     (IN_STRING, "still used by sites left to a person")),
    ("5-renamed-module-in-string", [MODULE], "p/m.py",
     "from a import old\n\n\ndef g(x: 'old.X') -> None:\n    return old.X()\n",
     "from a import old\n\n\ndef g(x: 'old.X') -> None:\n    return old.X()\n",
     (IN_STRING, "still used by sites left to a person")),
    # 6. a rename inside one module never duplicates the import; relative stays relative
    ("6-rename-in-module", [{"kind": "move", "old": "pkg.mod.old", "new": "pkg.mod.new"}],
     "app/x.py", "from pkg.mod import new, old\n\nold(new)\n",
     "from pkg.mod import new\n\nnew(new)\n", ()),
    ("6-rename-in-module-aliased", [{"kind": "move", "old": "pkg.mod.old",
                                     "new": "pkg.mod.new"}],
     "app/x.py", "from pkg.mod import old, new as n\n\nold(n)\n",
     "from pkg.mod import new as n\n\nn(n)\n", ()),
    ("6-relative-kept", [{"kind": "move", "old": "pkg.mod.old", "new": "pkg.other.new"}],
     "pkg/x.py", "from .mod import old\n\nold()\n", "from .other import new\n\nnew()\n", ()),
    ("6-relative-parent-kept", [{"kind": "move", "old": "pkg.a.mod.old",
                                 "new": "pkg.b.new"}],
     "pkg/a/x.py", "from .mod import old, keep\n\nold(keep)\n",
     "from .mod import keep\nfrom ..b import new\n\nnew(keep)\n", ()),
    ("6-relative-outside-the-package-absolute", [{"kind": "move", "old": "pkg.mod.old",
                                                  "new": "lib.new"}],
     "pkg/x.py", "from .mod import old\n\nold()\n", "from lib import new\n\nnew()\n", ()),
    ("6-relative-without-spaces", [{"kind": "move", "old": "pkg.legacy.helper",
                                    "new": "pkg.modern.helper"}],
     "pkg/legacy/user.py", "from.import helper\n\nhelper()\n",
     "from ..modern import helper\n\nhelper()\n", ()),
]


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
