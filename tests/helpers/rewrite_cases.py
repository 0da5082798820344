"""The rewrite's case tables, shared by the tests that run them (golden bytes, smallest
diffs, a generated tree with every shape mixed into the same files) and by the differential
test between the statement-level and whole-file engines (``test_holes.py``)."""

from __future__ import annotations

import random
from pathlib import Path

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

# test_golden: (id, rule, path, before, after, manual reasons)
GOLDEN: list[tuple[str, object, str, bytes, bytes, tuple[str, ...]]] = [
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
     b"from a import new, other\nnew.X\n", ()),  # renamed in place
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


WS = {"kind": "move", "old": "netra.websocket_factory.create_websocket_manager",
      "new": "netra.websocket_manager.WebSocketManager"}
MOCK = {"kind": "module", "old": "mock", "new": "unittest.mock"}
ITER = {"kind": "move", "old": "typing.Iterable", "new": "collections.abc.Iterable"}
IN_STRING = "inside a string annotation: rewrite it by hand"

# test_smallest_diff: (id, rules, path, before, after, manual reasons)
RENAME = {"kind": "move", "old": "django.utils.translation.ugettext",
          "new": "django.utils.translation.gettext"}

SMALLEST_DIFF: list[tuple[str, list[dict[str, object]], str, str, str, tuple[str, ...]]] = [
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
    # a function's own variable of the same name is not the import, even in its own value
    ("7-local-of-the-same-name", [{"kind": "move", "old": "a.b.f", "new": "c.d.G"}], "p/m.py",
     "from a.b import f\n\n\ndef k(x):\n    f = 1\n    if x:\n        f = '{}'.format(f)\n"
     "    return f\n\n\nf()\n",
     "from c.d import G\n\n\ndef k(x):\n    f = 1\n    if x:\n        f = '{}'.format(f)\n"
     "    return f\n\n\nG()\n", ()),
    # a rename inside one module with siblings: renamed in place, not a second import
    ("rename-in-own-module-keeps-siblings", [RENAME], "p/x.py",
     "from django.utils.translation import get_language, ugettext\n\nugettext(get_language())\n",
     "from django.utils.translation import get_language, gettext\n\ngettext(get_language())\n",
     ()),
    ("rename-in-own-module-aliased-first", [RENAME], "p/x.py",
     "from django.utils.translation import ugettext as _, get_language  # keep\n\n"
     "_(get_language())\n",
     "from django.utils.translation import gettext as _, get_language  # keep\n\n"
     "_(get_language())\n", ()),
    ("rename-in-own-module-relative", [{"kind": "move", "old": "pkg.util.old_name",
                                        "new": "pkg.util.new_name"}],
     "pkg/sub/user.py", "from ..util import other, old_name\n\nold_name(other)\n",
     "from ..util import other, new_name\n\nnew_name(other)\n", ()),
]


SNIPPETS = [
    "from a.b import f\n\n\ndef use_{k}():\n    return f()\n",
    "import a.b\n\n\ndef attr_{k}():\n    return a.b.f\n",
    "from a.b import f as ff_{k}\n\nvalue_{k} = ff_{k}\n",
    "from a.b import e, f\n\npair_{k} = (e, f)\n",
    "from a.old import X\n\nx_{k} = X\n",
    "import a.old\n\ny_{k} = a.old.Y\n",
    "import a.old as old_{k}\n\nz_{k} = old_{k}.Z\n",
    "from ws.factory import create\n\n\ndef mk_{k}(ctx):\n    return create()\n",
    "from ws.factory import create\n\n\nasync def amk_{k}(user_context):\n"
    "    return await create(user_context=user_context)\n",
    "from ws.factory import create\n\n\ndef bad_{k}():\n    return create()\n",
    "import ws.factory as wf_{k}\n\n\ndef mod_{k}(c):\n    return wf_{k}.create(c)\n",
    "from ws.factory import create as make_{k}\n\n\nclass S{k}:\n"
    "    def __init__(self, c):\n        self.user_context = c\n\n"
    "    def run(self):\n        return make_{k}()\n",
    "from ws.factory import create\n\nhooks_{k} = [create]\n",
    "\n\ndef shadow_{k}(f):\n    return f  # not the import\n",
    "import importlib\n\nmod_{k} = importlib.import_module('a.old')\n",
    "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from a.b import f\n\n\n"
    "def typed_{k}(x: f) -> None:\n    return None\n",
    "try:\n    from a.b import f\nexcept ImportError:\n    f = None\n\nmaybe_{k} = f\n",
]
RELATIVE = "from ..b import f\n\nrel_{k} = f\n"
CONFIG = """\
[project]
root = "."

[rules.mv]
kind = "move"
old = "a.b.f"
new = "c.d.G"

[rules.md]
kind = "module"
old = "a.old"
new = "a.new"

[rules.ws]
kind = "call"
old = "ws.factory.create"
new = "ws.manager.Manager"
params = ["user_context"]
imports = ["ws.auth.issue"]

[rules.ws.arguments]
user_context = "{user_context}"
token = "issue({user_context})"

[rules.ws.context.user_context]
names = ["user_context", "ctx"]
attributes = ["self.user_context"]

[phases.one]
files = ["app/first/**"]
rules = ["mv", "md", "ws"]

[phases.two]
files = ["**/*.py"]
rules = ["mv", "md", "ws"]
"""


def generate(root: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    (root / "phases.toml").write_text(CONFIG)
    for i in range(count):
        folder = "app/first" if i % 3 == 0 else ("a/gen" if i % 5 == 0 else "app/rest")
        picks = rng.sample(SNIPPETS, 3) + ([RELATIVE] if folder == "a/gen" else [])
        body = "".join(s.format(k=f"{i}_{n}") for n, s in enumerate(picks))
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / f"m{i:03}.py").write_text(f'"""Generated file {i}."""\n' + body)
    for pkg in ("a", "a/gen", "app", "app/first", "app/rest"):
        (root / pkg / "__init__.py").touch()
