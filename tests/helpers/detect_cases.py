"""The detect tables (import shapes, bad files, odd files) and the project they run in; used by
tests/tasks/detect/test_detect.py and again, with the partial parse forced, by
tests/tasks/semantics/test_chunks.py."""

from __future__ import annotations

import textwrap
from pathlib import Path

from phasegate import config
from phasegate.detect import engine as detect

PHASES = """\
[project]
root = "."

[rules.moved]
kind = "move"
old = "pkg.old.Thing"
new = "pkg.new.Thing"

[rules.legacy]
kind = "module"
old = "pkg.legacy"
new = "pkg.modern"

[rules.factory]
kind = "call"
old = "pkg.ws.make_manager"
new = "pkg.ws.Manager"
params = ["user_context"]
[rules.factory.arguments]
user_context = "{user_context}"
[rules.factory.context.user_context]
names = ["user_context", "ctx"]
attributes = ["self.user_context"]
annotations = ["UserContext"]

[phases.p0]
files = ["pkg/sub/first.py"]
rules = ["moved", "legacy", "factory"]

[phases.p1]
files = ["pkg/**"]
rules = ["moved", "legacy", "factory"]
"""


def make_project(tmp_path: Path, files: dict[str, str | bytes]) -> config.Config:
    (tmp_path / "phases.toml").write_text(PHASES)
    base = {"pkg/__init__.py": "", "pkg/sub/__init__.py": "",
            "pkg/old.py": "class Thing: ...\n", "pkg/legacy.py": "X = 1\n",
            "pkg/ws.py": "def make_manager(user_context=None): ...\n"}
    for rel, body in {**base, **files}.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(textwrap.dedent(body))
    return config.load(tmp_path / "phases.toml")[0]


def found(tmp_path: Path, source: str, rel: str = "pkg/sub/mod.py") -> list[tuple]:
    cfg = make_project(tmp_path, {rel: source})
    result = detect.detect(cfg, use_cache=False, jobs=1)
    return [(v.line, v.col, v.rule, v.kind, v.fixable) for v in result.violations
            if v.path == rel]


# (id, source, expected [(line, col, rule, kind, fixable)])
SHAPES = [
    ("from-import", "from pkg.old import Thing\nThing()\n",
     [(1, 21, "moved", "import", True)]),
    ("from-import-as", "from pkg.old import Thing as T\nT()\n",
     [(1, 21, "moved", "import", True)]),
    ("import-module-chain", "import pkg.old\npkg.old.Thing()\n",
     [(2, 1, "moved", "attribute", True)]),
    ("import-as-then-attr", "import pkg.old as o\no.Thing\n",
     [(2, 1, "moved", "attribute", True)]),
    ("from-package-import-module", "from pkg import old\nold.Thing\n",
     [(2, 1, "moved", "attribute", True)]),
    ("relative-from-import", "from ..old import Thing\n",
     [(1, 19, "moved", "import", True)]),
    ("relative-module", "from .. import old\nold.Thing()\n",
     [(2, 1, "moved", "attribute", True)]),
    ("function-local-import", "def f():\n    from pkg.old import Thing\n    return Thing\n",
     [(2, 25, "moved", "import", True)]),
    ("type-checking", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
     "    from pkg.old import Thing\n", [(3, 25, "moved", "import", True)]),
    ("try-except-importerror", "try:\n    from pkg.new import Thing\nexcept ImportError:\n"
     "    from pkg.old import Thing\n", [(4, 25, "moved", "import", True)]),
    ("all-re-export", "from pkg.old import Thing\n__all__ = ['Thing']\n",
     [(1, 21, "moved", "import", True), (2, 12, "moved", "re-export", True)]),
    ("star-import-used", "from pkg.old import *\nThing()\n",
     [(1, 1, "moved", "star-import", False)]),
    ("star-import-unused", "from pkg.old import *\n", []),
    ("importlib-string", "import importlib\nimportlib.import_module('pkg.legacy')\n",
     [(2, 1, "legacy", "string-import", False)]),
    ("importlib-home-module", "import importlib\nm = importlib.import_module('pkg.ws')\n",
     [(2, 5, "factory", "string-import", False)]),
    ("dunder-import-string", "__import__('pkg.legacy.sub')\n",
     [(1, 1, "legacy", "string-import", False)]),
    ("module-import", "import pkg.legacy\n", [(1, 8, "legacy", "import", True)]),
    ("module-import-as", "import pkg.legacy as lg\nlg.X\n", [(1, 8, "legacy", "import", True)]),
    ("module-from-import", "from pkg.legacy import X\n", [(1, 1, "legacy", "import", True)]),
    ("module-submodule", "import pkg.legacy.sub\n", [(1, 8, "legacy", "import", True)]),
    ("module-from-package", "from pkg import legacy\n", [(1, 17, "legacy", "import", True)]),
    ("module-chain", "import pkg\npkg.legacy.X\n", [(2, 1, "legacy", "attribute", True)]),
    ("module-relative", "from ..legacy import X\n", [(1, 1, "legacy", "import", True)]),
    ("string-not-flagged", "x = 'pkg.old.Thing'\n# from pkg.old import Thing\n", []),
    ("docstring-not-flagged", '"""Use pkg.old.Thing no more; see make_manager."""\n', []),
    ("shadowed-local", "from pkg.ws import make_manager\n\ndef f():\n"
     "    make_manager = dict\n    return make_manager()\n",
     [(1, 20, "factory", "import", True)]),
    ("walrus-shadows-in-function", "from pkg.ws import make_manager\n\ndef f(x):\n"
     "    if (make_manager := x):\n        return make_manager()\n",
     [(1, 20, "factory", "import", True)]),
    ("walrus-in-comprehension-binds-function", "from pkg.ws import make_manager\n\n"
     "def f(xs):\n    [make_manager := x for x in xs]\n    return make_manager()\n",
     [(1, 20, "factory", "import", True)]),
    ("target-in-for-and-with", "from pkg.ws import make_manager\n\ndef f(xs, cm):\n"
     "    for make_manager in xs:\n        pass\n    with cm as (a, *make_manager):\n"
     "        pass\n    return make_manager()\n",
     [(1, 20, "factory", "import", True)]),
    ("load-only-expressions-bind-nothing", "from pkg.ws import make_manager\n\n"
     "def f(user_context):\n    print(make_manager, [make_manager for _ in ()])\n"
     "    return make_manager(user_context)\n",
     [(1, 20, "factory", "import", False), (4, 11, "factory", "reference", False),
      (4, 26, "factory", "reference", False), (5, 12, "factory", "call", True)]),
    ("non-ascii-alias", "from pkg.ws import make_manager as café\n\n"
     "def f(user_context):\n    return café(user_context)\n",
     [(1, 20, "factory", "import", True), (4, 12, "factory", "call", True)]),
    ("nfkc-equal-names", "from pkg.ws import make_manager as \uff4d\n\n"
     "def f(user_context):\n    return m(user_context)\n",
     [(1, 20, "factory", "import", True), (4, 12, "factory", "call", True)]),
    ("string-import-split-over-lines", "import importlib\nm = importlib.import_module(\n"
     "    'pkg.'\n    'ws')\n", [(2, 5, "factory", "string-import", False)]),
    ("call-with-arg", "from pkg.ws import make_manager\nmake_manager(object())\n",
     [(1, 20, "factory", "import", True), (2, 1, "factory", "call", True)]),
    ("call-keyword", "from pkg.ws import make_manager\nmake_manager(user_context=1)\n",
     [(1, 20, "factory", "import", True), (2, 1, "factory", "call", True)]),
    ("call-param-in-scope", "from pkg.ws import make_manager\n\ndef f(ctx):\n"
     "    return make_manager()\n",
     [(1, 20, "factory", "import", True), (4, 12, "factory", "call", True)]),
    ("call-annotated-param", "from pkg.ws import make_manager\n\ndef f(c: 'UserContext'):\n"
     "    return make_manager()\n",
     [(1, 20, "factory", "import", True), (4, 12, "factory", "call", True)]),
    ("call-local-before", "from pkg.ws import make_manager\n\ndef f():\n"
     "    user_context = 1\n    return make_manager()\n",
     [(1, 20, "factory", "import", True), (5, 12, "factory", "call", True)]),
    ("call-self-attribute", "from pkg.ws import make_manager\n\nclass A:\n"
     "    def __init__(self, c):\n        self.user_context = c\n\n    def m(self):\n"
     "        return make_manager()\n",
     [(1, 20, "factory", "import", True), (8, 16, "factory", "call", True)]),
    ("call-no-context", "from pkg.ws import make_manager\n\ndef f():\n    return make_manager()\n",
     [(1, 20, "factory", "import", False), (4, 12, "factory", "call", False)]),
    ("call-awaited", "from pkg.ws import make_manager\n\nasync def f(user_context):\n"
     "    return await make_manager(user_context)\n",
     [(1, 20, "factory", "import", True), (4, 18, "factory", "call", True)]),
    ("call-through-module", "from pkg import ws\n\ndef f(ctx):\n    return ws.make_manager()\n",
     [(4, 12, "factory", "call", True)]),
    ("reference-not-call", "from pkg.ws import make_manager\ncb = make_manager\n",
     [(1, 20, "factory", "import", False), (2, 6, "factory", "reference", False)]),
    ("call-star-args", "from pkg.ws import make_manager\nmake_manager(*[1])\n",
     [(1, 20, "factory", "import", False), (2, 1, "factory", "call", False)]),
    ("unrelated-same-name", "def make_manager(): ...\nmake_manager()\n", []),
    ("store-attribute", "import pkg.old\npkg.old.Thing = 1\n",
     [(2, 1, "moved", "attribute", False)]),
    ("decorator", "import pkg.old as o\n@o.Thing\ndef f(): ...\n",
     [(2, 2, "moved", "attribute", True)]),
    ("string-annotation", "import pkg.old as o\ndef f(x: 'o.Thing'): ...\n",
     [(2, 11, "moved", "attribute", False)]),  # never rewritten inside the string
    ("non-ascii-column", "x = 'é'; from pkg.old import Thing\n",
     [(1, 30, "moved", "import", True)]),
    # what the partial parse now takes: a moved name that keeps its name is hot only where it
    # may follow a dot or be imported; non-ASCII text outside identifiers
    ("attribute-over-a-newline", "import pkg.old\nx = (pkg.old.\n     Thing())\n",
     [(2, 6, "moved", "attribute", True)]),
    ("attribute-after-a-comment", "import pkg.old\nx = (pkg.old  # the old one\n     .Thing())\n",
     [(2, 6, "moved", "attribute", True)]),
    ("attribute-after-a-backslash", "import pkg.old\nx = pkg.old. \\\n    Thing()\n",
     [(2, 5, "moved", "attribute", True)]),
    ("bare-call-and-subscript", "from pkg.old import Thing\nx = [Thing(), Thing[0]]\n",
     [(1, 21, "moved", "import", True)]),
    ("string-annotation-nfkc", "import pkg.old as o\n# Thing\ndef f(x: 'o.\uff34hing'): ...\n",
     [(3, 11, "moved", "attribute", False)]),
    ("non-ascii-docstring", '"""Caf\u00e9."""\nfrom pkg.old import Thing\n',
     [(2, 21, "moved", "import", True)]),
    ("non-ascii-comment", "# caf\u00e9\nfrom pkg.old import Thing\n",
     [(2, 21, "moved", "import", True)]),
    ("non-ascii-string-then-nfkc-alias",
     "x = 'caf\u00e9'\nfrom pkg.ws import make_manager as \uff4d\n\ndef f(user_context):\n"
     "    return m(user_context)\n",
     [(2, 20, "factory", "import", True), (5, 12, "factory", "call", True)]),
]


BAD_FILES = [
    ("syntax-error", b"def f(:\n    pass\n", "unparseable: invalid syntax", 1),
    ("latin1-no-cookie", b"x = '\xe9'\nfrom pkg.old import Thing\n", "unparseable:", 0),
    ("null-byte", b"x = 1\x00\n", "unparseable:", 0),
]


SCANNED_FILES = [
    ("bom", b"\xef\xbb\xbffrom pkg.old import Thing\n", (1, 21)),
    ("crlf", b"import os\r\nfrom pkg.old import Thing\r\n", (2, 21)),
    ("latin1-cookie", b"# -*- coding: latin-1 -*-\nx = '\xe9'; from pkg.old import Thing\n",
     (2, 30)),
    ("utf8-cookie", b"# -*- coding: utf-8 -*-\nimport os\nfrom pkg.old import Thing\n", (3, 21)),
    ("latin1-cookie-ascii", b"#!/usr/bin/python\n# coding=latin-1\nfrom pkg.old import Thing\n",
     (3, 21)),
    ("no-final-newline", b"from pkg.old import Thing", (1, 21)),
    ("empty", b"", None),
    ("large", b"x = 1\n" * 150_000 + b"from pkg.old import Thing\n", (150_001, 21)),
]


def check_bad_file(tmp_path: Path, data: bytes, reason: str, line: int) -> None:
    """A file that cannot be parsed is one problem with its reason (and line), never a crash."""
    cfg = make_project(tmp_path, {"pkg/sub/bad.py": data + b"\n# Thing make_manager legacy\n"})
    result = detect.detect(cfg, use_cache=False)
    problems = [p for p in result.problems if p.path == "pkg/sub/bad.py"]
    assert len(problems) == 1 and problems[0].reason.startswith(reason)
    if line:
        assert problems[0].line == line


def check_odd_file(tmp_path: Path, data: bytes, where: tuple | None) -> None:
    """An odd but valid file (BOM, CRLF, cookie, empty, large) is scanned like any other."""
    cfg = make_project(tmp_path, {"pkg/sub/odd.py": data})
    result = detect.detect(cfg, use_cache=False)
    got = [(v.line, v.col) for v in result.violations if v.path == "pkg/sub/odd.py"]
    assert got == ([where] if where else [])
    assert not [p for p in result.problems if p.path == "pkg/sub/odd.py"]
