"""The reference model: which reads of a name may read an import (what the rewrite renames or
rewrites), one row per scoping shape; and detect and plan, which both resolve names through
it, agree on every call site of those shapes."""

from __future__ import annotations

import pytest

from phasegate.config import Rule
from phasegate.rewrite.engine import rewrite_source
from phasegate.semantics.analyze import RuleIndex, analyze_source
from phasegate.semantics.references import read_names


def _marked(src: str) -> tuple[bytes, set[tuple[int, int]]]:
    """The source without its ``^`` marks, and where each marked name starts (line, 1-based
    column): a ``^`` right before a name marks a read the import may be read by."""
    lines, marks = [], set()
    for n, line in enumerate(src.splitlines(), start=1):
        while "^" in line:
            col = line.index("^")
            marks.add((n, col + 1))
            line = line[:col] + line[col + 1:]
        lines.append(line)
    return ("\n".join(lines) + "\n").encode(), marks


def _reads_of(data: bytes, line: int, col: int) -> set[tuple[int, int]]:
    reads = read_names(data, "p/m.py", "p").of_import.get((line, col), [])
    return {r.at for r in reads if not r.in_string}


# (case, source with reads of the import on line 1 marked, where the import's alias starts)
CASES = [
    ("module reads after the import", "from a import f\n^f()\nx = ^f\n", (1, 15)),
    ("a read before the import reads nothing", "f()\nfrom a import f\n", (2, 15)),
    ("try/except fallback: before and after it",
     "try:\n    from a import f\nexcept ImportError:\n    f = None\n^f()\n", (2, 19)),
    ("rebound at module level: the rebinding is read after it",
     "from a import f\nf = wrap(^f)\nf()\n", (1, 15)),
    ("rebound in a branch: both may be read after it",
     "from a import f\nif x:\n    f = wrap(^f)\n^f()\n", (1, 15)),
    ("a loop target is read in the loop", "from a import f\nfor f in y:\n    f()\n^f()\n",
     (1, 15)),
    ("a match capture is read in its case",
     "from a import f\nmatch x:\n    case f:\n        f()\n    case _:\n        ^f()\n",
     (1, 15)),
    ("with ... as at module level", "from a import f\nwith x as f:\n    f()\n", (1, 15)),
    ("a function reads the module's bindings", "from a import f\ndef g():\n    return ^f()\n",
     (1, 15)),
    ("a function binding the name reads its own, even before",
     "from a import f\ndef g():\n    f()\n    f = 1\n    return f\n", (1, 15)),
    ("a parameter shadows it", "from a import f\ndef g(f):\n    return f()\n", (1, 15)),
    ("a default is read outside", "from a import f\ndef g(x=^f):\n    return x\n", (1, 15)),
    ("a lambda parameter shadows it", "from a import f\ny = lambda f: f\nz = lambda: ^f\n",
     (1, 15)),
    ("a comprehension's first iterable is read outside",
     "from a import f\nx = [f for f in ^f()]\n", (1, 15)),
    ("a comprehension's other parts are inside",
     "from a import f\nx = [^f for g in y]\nz = [f for g in y for f in g]\n", (1, 15)),
    ("a class body reads the module until it binds",
     "from a import f\nclass C:\n    x = ^f()\n    f = 1\n    y = f\n", (1, 15)),
    ("a method does not see the class's binding",
     "from a import f\nclass C:\n    f = 1\n    def m(self):\n        return ^f()\n", (1, 15)),
    ("global in a function: the module's",
     "from a import f\ndef g():\n    global f\n    f = 1\n    return ^f\n", (1, 15)),
    ("a for target shadows it in a function",
     "from a import f\ndef g():\n    for f in y:\n        f()\n", (1, 15)),
    ("with ... as and except ... as in a function",
     "from a import f\ndef g():\n    with x as f:\n        f()\n"
     "def h():\n    try:\n        pass\n    except E as f:\n        f()\n", (1, 15)),
    ("a walrus in a comprehension binds in the function",
     "from a import f\ndef g():\n    [(f := 1) for x in y]\n    return f\n", (1, 15)),
    ("del reads it", "from a import f\ndel ^f\n", (1, 15)),
    ("import a.b.c: a chain through it", "import a.b.c\n^a.b.c.X()\n^a.x\n", (1, 8)),
    ("import a.b.c: a chain through another import of a",
     "import a.b.c\nimport a.x\n^a.b.c.X()\na.x.Y\n^a.z\n", (1, 8)),
    ("an import inside a function", "def g():\n    from a import f\n    return ^f()\n", (2, 19)),
    # an adversarial review's findings
    ("nonlocal in a nested function binds in the enclosing one",
     "def outer():\n    from a import f\n    def inner():\n        nonlocal f\n        f = 1\n"
     "    inner()\n    return ^f()\n", (2, 19)),
    ("a nested function's global is not the enclosing function's",
     "from a import f\ndef outer():\n    f = 1\n    def inner():\n        global f\n"
     "    return f()\n", (1, 15)),
    ("a dotted read of a parameter, an import after it", "def g(a):\n    a.b.f()\n"
     "    import a.b.c\n", (3, 12)),
    ("a loop's read before a function's later import",
     "def g():\n    for i in x:\n        f()\n        class f: pass\n    from a import f\n",
     (5, 19)),
]


@pytest.mark.parametrize(("case", "src", "alias"), CASES, ids=[c[0] for c in CASES])
def test_which_reads_may_read_the_import(case: str, src: str, alias: tuple[int, int]) -> None:
    data, marks = _marked(src)
    assert _reads_of(data, *alias) == marks


@pytest.mark.parametrize(("case", "src", "strings"), [
    ("an annotation", "from a import f\nx: 'f' = 1\n", 1),
    ("a return annotation over two lines", 'from a import f\ndef g() -> """\nf""": ...\n', 1),
    ("typing.cast's first argument", "import typing\nfrom a import f\ny = typing.cast('f', x)\n",
     1),
    ("a TypeVar bound",
     "from typing import TypeVar\nfrom a import f\nT = TypeVar('T', bound='f')\n", 1),
    ("a typing subscript outside an annotation",
     "from typing import Optional\nfrom a import f\nX = Optional['f']\n", 1),
    ("typing.cast by keyword",
     "from typing import cast\nfrom a import f\ny = cast(typ='f', val=x)\n", 1),
    ("not inside Literal", "from typing import Literal\nfrom a import f\nx: Literal['f'] = 'f'\n",
     0),
    ("not a plain string", "from a import f\nx = 'f'\n", 0),
])
def test_a_string_type_expression_reads_the_name(case: str, src: str, strings: int) -> None:
    data = src.encode()
    line = next(n for n, text in enumerate(src.splitlines(), 1) if text == "from a import f")
    reads = read_names(data, "p/m.py", "p").of_import.get((line, 15), [])
    assert sum(r.in_string for r in reads) == strings


def test_columns_are_characters_on_a_non_ascii_line() -> None:
    data = "from a import f\nx = ('é', ^f())\n".replace("^", "").encode()
    assert _reads_of(data, 1, 15) == {(2, 11)}


CALL = Rule(id="cr", kind="call", old="a.f", new="b.G")
MOVE = Rule(id="mv", kind="move", old="a.f", new="b.G")


@pytest.mark.parametrize(("case", "src", "alias"), [c for c in CASES if "import a." not in c[1]],
                         ids=[c[0] for c in CASES if "import a." not in c[1]])
def test_detect_and_plan_agree_on_every_call(case: str, src: str, alias: tuple[int, int]) -> None:
    """Detect reports a call site exactly where the plan finds one (rewritten or left to a
    person): both ask the same model."""
    data, _ = _marked(src)
    found, problem = analyze_source(data, "p/m.py", "p.m", False, RuleIndex.build([CALL]))
    assert problem is None
    detected = sorted((v.line, v.col) for v in found if v.kind in ("call", "reference"))
    out = rewrite_source(data, "p/m.py", "p.m", False, [CALL], holes=False)
    planned = sorted((s.line, s.col) for s in out.rewritten + out.manual
                     if s.kind in ("call", "reference"))
    assert detected == planned


@pytest.mark.parametrize("rule", [CALL, MOVE], ids=["call", "move"])
@pytest.mark.parametrize(("case", "src"), [
    ("at module level", "from a import f\n__all__ = ['f']\n"),
    ("inside try/except ImportError", "try:\n    from a import f\nexcept ImportError:\n"
     "    f = None\n__all__ = ['f']\n"),
    ("before the import", "__all__ = ['f']\nfrom a import f\n"),
    ("rebound after the import", "from a import f\nf = 1\n__all__ = ('f',)\n"),
])
def test_detect_and_plan_agree_on_re_exports(case: str, src: str, rule: Rule) -> None:
    """An ``__all__`` entry is resolved once, by the model: detect reports the re-export site
    the plan rewrites or leaves to a person, with the same decision."""
    data = src.encode()
    found, _ = analyze_source(data, "p/m.py", "p.m", False, RuleIndex.build([rule]))
    detected = sorted((v.line, v.col, v.reason) for v in found if v.kind == "re-export")
    out = rewrite_source(data, "p/m.py", "p.m", False, [rule], holes=False)
    planned = sorted((s.line, s.col, s.reason) for s in out.rewritten + out.manual
                     if s.kind == "re-export")
    assert detected == planned
    assert bool(detected) == (case not in ("before the import", "rebound after the import"))


@pytest.mark.parametrize(("src", "bound"), [
    ("def g():\n    global a\n", False),
    ("def g():\n    global a\n    a = 1\n", True),
    ("def g():\n    a = 1\n    def h():\n        nonlocal a\n", True),
    ("import a\n", False),
], ids=["declared only", "global and bound", "nonlocal", "an import"])
def test_names_bound_other_than_by_an_import(src: str, bound: bool) -> None:
    """A fresh alias is never a name bound otherwise; a bare ``global a`` binds nothing."""
    assert ("a" in read_names(src.encode(), "p/m.py", "p").other_bound) is bound


@pytest.mark.parametrize(("rule", "src", "kind"), [
    (CALL, "def _load():\n    global f\n    from a import f\nf = None\n_load()\nf(1)\n", "call"),
    (MOVE, "def _load():\n    global m\n    import a as m\n_load()\nm.f()\n", "attribute"),
], ids=["a later module binding does not replace it", "a chain through it"])
def test_an_import_made_through_global_elsewhere_is_left_to_a_person(rule: Rule, src: str,
                                                                      kind: str) -> None:
    """A function's ``global f`` import binds the module's ``f`` whenever it is called: no
    module binding replaces it, and no rename can follow it (the import stays in the function),
    so each read is a site left to a person and the file keeps its imports."""
    out = rewrite_source(src.encode(), "p/m.py", "p.m", False, [rule], holes=False)
    assert out.after == src.encode()
    last = len(src.splitlines())
    assert [(s.line, s.kind) for s in out.manual if s.line == last] == [(last, kind)]
    assert all("global/nonlocal" in s.reason for s in out.manual if s.line == last)
