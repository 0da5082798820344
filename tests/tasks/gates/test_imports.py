"""The imports gate's view of what a module binds at top level (an added import naming anything
else is unresolved): every binding statement counts, nothing bound inside a def, class or lambda
does."""

from __future__ import annotations

import ast

import pytest

from phasegate.gates.imports import UNKNOWN, top_level_names

CASES = [
    ("def-class-assign", "def f(): ...\nclass C: ...\nx, (y, z) = 1, (2, 3)\nw: int = 1\n",
     {"f", "C", "x", "y", "z", "w"}),
    ("imports", "import a.b\nimport c as d\nfrom e import g, h as i\n", {"a", "d", "g", "i"}),
    ("blocks", "try:\n    import j\nexcept ImportError:\n    j = None\nif j:\n    k = 1\n",
     {"j", "k"}),
    ("for-and-with-targets", "for l in ():\n    pass\nwith open('f') as (m, n):\n    pass\n",
     {"l", "m", "n"}),
    ("walrus-module-scope", "if (o := 1):\n    p = [(q := 2) for _ in ()]\n", {"o", "p", "q"}),
    ("walrus-not-in-defs", "def r():\n    (s := 1)\nt = lambda: (u := 1)\n", {"r", "t"}),
    ("star-or-getattr-unknown", "from v import *\ndef __getattr__(name): ...\n",
     {UNKNOWN, "__getattr__"}),
]


@pytest.mark.parametrize(("source", "names"), [(s, n) for _, s, n in CASES],
                         ids=[i for i, _, _ in CASES])
def test_top_level_names(source: str, names: set[str]) -> None:
    assert top_level_names(ast.parse(source)) == names
