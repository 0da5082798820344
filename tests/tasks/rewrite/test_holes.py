"""The statement-level engine (``rewrite/holes.py``) against the whole-file engine: byte-identical
output and the same sites on every golden case, every smallest-diff case, every kind's and
codemod's example, each of them also buried in code no rule is about (around, between and
inside their statements, with CRLF line ends), the vendored real files and a generated tree.
Then what ``punch`` keeps, table-driven, and the fallback when a hole is not found again."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest

from phasegate import config as config_mod
from phasegate.config import Rule
from phasegate.discover import module_name
from phasegate.plan import phase_rules
from phasegate.rewrite import engine as engine_mod
from phasegate.rewrite.engine import rewrite_source
from phasegate.rewrite.examples import codemod_cases, kind_cases
from phasegate.rewrite.holes import Holes, punch
from phasegate.rewrite.model import Example
from phasegate.semantics.analyze import analyze_source
from phasegate.semantics.rule_index import RuleIndex
from tests.helpers.rewrite_cases import GOLDEN, SMALLEST_DIFF, generate

DATA = Path(__file__).resolve().parents[2] / "data" / "rewrite"
ABCS = ("Callable", "Iterable", "Iterator", "Mapping", "MutableMapping", "Sequence", "Set",
        "Generator", "Awaitable")
TYPING = [Example({"kind": "move", "old": f"typing.{n}", "new": f"collections.abc.{n}"}, "", "")
          .build_rule(f"t-{n}") for n in ABCS] + \
    [Example({"kind": "module", "old": "mock", "new": "unittest.mock"}, "", "").build_rule("mock")]

# code no rule of any table is about, in the shapes that make statement boundaries hard:
# decorators, elif chains, try/except/else/finally, one-line bodies, ``;``, continuation lines,
# comments between statements, a lambda, a comprehension, a nested class
FILLER = '''\
@decorate_it(1)
def filler_one(p1, p2=2, *rest, **kw):
    """A docstring."""
    if p1:
        pass
    elif p2:
        q1 = 1; q2 = 2
    else:
        try:
            q3 = [i for i in range(3)]
        except ValueError as err:
            raise RuntimeError(err)
        else:
            q5 = 5
        finally:
            q4 = lambda r: r
    # a comment between statements
    return p1 \\
        + p2


class FillerTwo(Base):
    attr = 1  # a trailing comment

    def method(self): return self.attr

    class Inner:
        x = 1
'''
INDENTED_FILLER = "q6 = 6\nfor q7 in range(2):\n    q8 = q7\nwhile False:\n    break\n"


def _built(rule: object) -> list[Rule]:
    rules: list[dict[str, object]] = rule if isinstance(rule, list) else [rule]  # type: ignore
    return [Example(r, "", "").build_rule(f"r{i}") for i, r in enumerate(rules)]


def _between(source: str) -> str:
    """FILLER before each top-level statement of ``source``, and indented filler at the start
    of every block of it that begins on a line of its own."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.splitlines(keepends=True)
    inserts: dict[int, str] = {}
    for stmt in tree.body:
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", []))])
        inserts.setdefault(first - 1, FILLER + "\n")
    for node in ast.walk(tree):
        for block in (getattr(node, "body", None), getattr(node, "orelse", None)):
            if node is tree or not isinstance(block, list) or not block or \
                    not isinstance(block[0], ast.stmt) or block[0].lineno <= node.lineno:
                continue
            first = block[0]
            indent = lines[first.lineno - 1][:first.col_offset]
            if indent.strip() or first.lineno - 1 in inserts:
                continue
            inserts[first.lineno - 1] = "".join(indent + ln + "\n"
                                                for ln in INDENTED_FILLER.splitlines())
    out = []
    for n, line in enumerate(lines):
        out.append(inserts.get(n, ""))
        out.append(line)
    return "".join(out)


def _variants(source: bytes) -> list[tuple[str, bytes]]:
    """The source as it is, and buried in filler; a BOM, a shebang and a coding cookie stay
    first, and the text keeps its encoding."""
    bom = b"\xef\xbb\xbf" if source.startswith(b"\xef\xbb\xbf") else b""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    text = source[len(bom):].decode(encoding.replace("utf-8-sig", "utf-8"))
    lines = text.splitlines(keepends=True)
    top = 0
    while top < len(lines) and lines[top].lstrip().startswith("#"):
        top += 1
    head, rest = "".join(lines[:top]), "".join(lines[top:])
    around = head + FILLER + "\n" + rest + "\n\n" + FILLER
    between = _between(text)

    def encoded(code: str) -> bytes:
        return bom + code.encode(encoding.replace("utf-8-sig", "utf-8"))

    return [("as-is", source), ("around", encoded(around)), ("between", encoded(between)),
            ("crlf", encoded(between.replace("\r\n", "\n").replace("\n", "\r\n")))]


def _same(data: bytes, path: str, rules: list[Rule]) -> str:
    """Which engines the statement-level run and the plan's run (detect's analysis first, so
    the import splice where it applies) used, after asserting both agree with the whole-file
    engine: ``"statements+splice"``, ``"file+file"``, ..."""
    module, is_pkg = module_name(path)
    found, problem = analyze_source(data, path, module, is_pkg, RuleIndex.build(rules))
    runs = [{"holes": True}, {"found": None if problem else found}]
    try:
        whole = rewrite_source(data, path, module, is_pkg, rules, holes=False)
    except Exception:  # noqa: BLE001 - the whole-file engine refuses it: so must the others
        for kw in runs:
            with pytest.raises(Exception):  # noqa: B017,PT011
                rewrite_source(data, path, module, is_pkg, rules, **kw)  # type: ignore[arg-type]
        return "refused"
    engines = []
    for kw in runs:
        other = rewrite_source(data, path, module, is_pkg, rules, **kw)  # type: ignore[arg-type]
        assert other.after == whole.after, (path, kw)
        assert (other.rewritten, other.manual) == (whole.rewritten, whole.manual), (path, kw)
        engines.append(other.engine)
    return "+".join(engines)


TABLE = [(f"golden:{c[0]}", c[1], c[2], c[3]) for c in GOLDEN] + \
    [(f"smallest:{c[0]}", c[1], c[2], c[3].encode()) for c in SMALLEST_DIFF]


@pytest.mark.parametrize(("case", "rule", "path", "before"), TABLE, ids=[t[0] for t in TABLE])
def test_golden_and_smallest_diff_cases_in_every_setting(case: str, rule: object, path: str,
                                                         before: bytes) -> None:
    engines = [_same(data, path, _built(rule)) for _, data in _variants(before)]
    # buried in filler, the statement-level engine ran
    assert any(e.startswith("statements") for e in engines[1:])


EXAMPLES = kind_cases() + codemod_cases()


@pytest.mark.parametrize("case", EXAMPLES, ids=[c.id for c in EXAMPLES])
def test_kind_and_codemod_examples(case: object) -> None:
    rule = case.example.build_rule("example", case.codemods)  # type: ignore[attr-defined]
    for _, data in _variants(case.example.before.encode()):  # type: ignore[attr-defined]
        _same(data, case.example.path, [rule])  # type: ignore[attr-defined]


def test_vendored_real_files() -> None:
    engines = []
    for path in sorted(DATA.rglob("*.py")):
        rel = str(path.relative_to(DATA))
        engines.append(_same(path.read_bytes(), rel, TYPING))
    assert sum(e.startswith("statements") for e in engines) >= 10
    assert sum(e.endswith("splice") for e in engines) >= 1


def test_generated_tree(tmp_path: Path) -> None:
    """Its files are all hot (every statement uses a rule's name): as they are, and buried in
    code no rule is about."""
    generate(tmp_path, 30)
    config, _ = config_mod.load(tmp_path / "phases.toml")
    rules = phase_rules(config, config.phase("two"))
    engines = [_same(data, str(rel), rules)
               for rel in (p.relative_to(tmp_path) for p in sorted(tmp_path.rglob("*.py")))
               for _, data in _variants((tmp_path / rel).read_bytes())[:2]]
    assert sum(e.startswith("statements") for e in engines) >= 10


MOVE = Example({"kind": "move", "old": "a.b.f", "new": "c.d.G"}, "", "").build_rule("mv")
HEAD = "# one\n# two\n"


@pytest.mark.parametrize(("case", "source", "kept", "punched"), [
    ("cold statements go, the use and every import stay", HEAD +
     "import os\nx = 1\nfrom a.b import f\ny = f()\nz = 2\n",
     ["import os", "from a.b import f", "y = f()"], ["x = 1", "z = 2"]),
    ("inside a kept def only the cold statements go", HEAD +
     "def g():\n    x = 1\n    return f()\n", ["def g():", "return f()"], ["x = 1"]),
    ("an elif is never punched alone", HEAD +
     "if f:\n    pass\nelif x:\n    y = 1\nelse:\n    z = 2\n", ["elif x:", "else:"],
     ["y = 1", "z = 2"]),
    ("a one-line body stays with its header", HEAD +
     "class A: x = f\ndef g(): return 1\n", ["class A: x = f"], ["def g(): return 1"]),
    ("statements sharing a line go together", HEAD +
     "x = 1; y = f\nz = 2; w = 3\n", ["x = 1; y = f"], ["z = 2; w = 3"]),
    ("a decorator goes with its def", HEAD +
     "@dec\ndef g():\n    pass\nf()\n", ["f()"], ["@dec", "def g():"]),
    ("a star import always stays", HEAD + "from os import *\nx = 1\nf()\n",
     ["from os import *"], ["x = 1"]),
    ("a local bound by a relevant import is a word", HEAD +
     "import a.b as m\nx = m\ny = 2\n", ["x = m"], ["y = 2"]),
    ("a fresh alias's prefix is a word", HEAD + "d_G_2 = 1\ny = 2\n", ["d_G_2 = 1"],
     ["y = 2"]),
    ("a non-ASCII line is hot", HEAD + "ｆ = 1\ny = 2\n", ["ｆ = 1"], ["y = 2"]),
    ("the first two lines are never punched", "x = 1\ny = 2\nz = 3\n", ["x = 1", "y = 2"],
     ["z = 3"]),
])
def test_what_punch_keeps(case: str, source: str, kept: list[str], punched: list[str]) -> None:
    holes = punch(source.encode(), [MOVE])
    assert holes is not None
    reduced = holes.source.decode()
    assert len(reduced.splitlines()) == len(source.splitlines())  # every line stays put
    assert all(line in reduced for line in kept)
    assert not any(line in reduced for line in punched)
    ast.parse(holes.source)
    assert holes.fill(holes.source) == source.encode()


@pytest.mark.parametrize(("case", "data"), [
    ("a lone CR line end", b"# one\n# two\nx = 1\ry = 2\n"),
    ("an encoding that is not ASCII-compatible", b"# -*- coding: utf-16 -*-\nx = 1\n"),
    ("a syntax error", b"# one\n# two\nx = (\n"),
    ("nothing cold", b"# one\n# two\nfrom a.b import f\n"),
])
def test_files_punch_leaves_whole(case: str, data: bytes) -> None:
    assert punch(data, [MOVE]) is None


def test_a_hole_missing_from_the_output_falls_back_to_the_whole_file(
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = (HEAD + "from a.b import f\nx = 1\nf()\n").encode()
    monkeypatch.setattr(Holes, "fill", lambda self, after: None)
    outcome = rewrite_source(data, "p/m.py", "p.m", False, [MOVE], holes=True)
    assert outcome.engine == "file"
    assert outcome.after == (HEAD + "from c.d import G\nx = 1\nG()\n").encode()


def test_small_savings_are_not_worth_a_second_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (HEAD + "from a.b import f\nf()\n" * 20 + "x = 1\n").encode()
    assert rewrite_source(data, "p/m.py", "p.m", False, [MOVE]).engine == "file"
    monkeypatch.setattr(engine_mod, "WORTH_IT", 0.0)
    assert rewrite_source(data, "p/m.py", "p.m", False, [MOVE]).engine == "statements"


SAME = [Example({"kind": "move", "old": f"a.b.{n}", "new": f"c.d.{n}"}, "", "").build_rule(n)
        for n in ("f", "h")]


IN_PLACE = Example({"kind": "move", "old": "a.b.f", "new": "a.b.g"}, "", "").build_rule("ip")
SPLICE_RULES = {"same": SAME, "move": [MOVE], "in place": [IN_PLACE]}


@pytest.mark.parametrize(("case", "rules", "path", "source", "spliced"), [
    ("one name", "same", "p/m.py", "from a.b import f\nf()\n", True),
    ("two names, an alias, a comment", "same", "p/m.py",
     "import os\nfrom a.b import f, h as k  # keep\nf(k, os)\n", True),
    ("indented in a function", "same", "p/m.py",
     "def g():\n    from a.b import f\n    return f\n", True),
    ("CRLF, no final newline", "same", "p/m.py", "from a.b import h\r\nh()", True),
    ("the new module already imported", "same", "p/m.py",
     "from c.d import x\nfrom a.b import f\nf(x)\n", True),
    ("the new module already imported, indented", "same", "p/m.py",
     "if y:\n    from c.d import x\n    from a.b import f\nf(x)\n", False),
    ("the new module's name elsewhere, not imported", "same", "p/m.py",
     "from a.b import f\nd = f()  # d\n", True),
    ("the new module's package imported", "same", "p/m.py",
     "import c\nfrom a.b import f\nf(c)\n", True),
    ("the new module's package imported, its name spelled", "same", "p/m.py",
     "import c\nfrom a.b import f\nf(c, 'd')\n", True),
    ("the new module imported plainly", "same", "p/m.py",
     "import c.d\nfrom a.b import f\nf(c.d)\n", True),
    ("renamed, the old name imported plainly too", "move", "p/m.py",
     "import f\nfrom a.b import f\nf()\n", False),
    ("parenthesized", "same", "p/m.py", "from a.b import (f)\nf()\n", True),
    ("parenthesized over lines", "same", "p/m.py", "from a.b import (\n    f,\n    h,\n)\nf(h)\n",
     True),
    ("spacing as written", "same", "p/m.py", "from a.b import f,h\nf(h)\n", True),
    ("relative", "same", "a/m.py", "from .b import f\nf()\n", False),
    ("another relative import", "same", "p/m.py", "from . import x\nfrom a.b import f\nf(x)\n",
     True),
    ("a relative import of the new module", "same", "c/m.py",
     "from . import d\nfrom a.b import f\nf(d)\n", True),
    ("a relative import from the new module", "same", "c/m.py",
     "from .d import x\nfrom a.b import f\nf(x)\n", False),
    ("re-exported", "same", "p/m.py", "from a.b import f\n__all__ = ['f']\n", False),
    ("an attribute use", "same", "p/m.py", "import a.b\na.b.f()\n", False),
    ("the same name twice", "same", "p/m.py",
     "try:\n    from a.b import f\nexcept ImportError:\n    from a.b import f\nf()\n", False),
    ("the file is the new module", "same", "c/d.py", "from a.b import f\nf()\n", False),
    # a statement split: the names that stay keep the line, a new line follows
    ("a name that stays", "same", "p/m.py", "from a.b import f, e\nf(e)\n", True),
    ("a name that stays, a comment, CRLF", "same", "p/m.py",
     "from a.b import e, f  # c\r\nf(e)\r\n", True),
    ("a name that stays, the file's first newline", "same", "p/m.py",
     "import os\nfrom a.b import e, f\r\nf(e, os)\n", True),
    ("a name that stays, indented", "same", "p/m.py",
     "if x:\n    from a.b import e, h as k, f\nf(e, k)\n", True),
    ("a name that stays, over lines", "same", "p/m.py",
     "from a.b import (\n    e,\n    f,\n)\nf(e)\n", False),
    ("a name that stays, last line", "same", "p/m.py", "from a.b import e, f", False),
    ("a name that stays, after a continuation", "same", "p/m.py",
     "x = 1; \\\nfrom a.b import e, f\nf(e)\n", False),
    ("two statements moving to one module", "same", "p/m.py",
     "from a.b import f\nimport os\nfrom a.b import h\nf(h, os)\n", True),
    ("two statements moving to one module, one split", "same", "p/m.py",
     "from a.b import f\nfrom a.b import e, h\nf(h, e)\n", False),
    ("two statements moving to one module it imports already", "same", "p/m.py",
     "from a.b import f\nfrom a.b import h\nfrom c.d import x\nf(h, x)\n", False),
    # the new module imported already: the names join that import (as libcst merges them)
    ("merged into an import of the new module", "same", "p/m.py",
     "from a.b import f\nfrom c.d import x\nf(x)\n", True),
    ("merged, before it, its comment goes with the line", "same", "p/m.py",
     "from c.d import x  # keep\nfrom a.b import f, h  # goes\nf(x, h)\n", True),
    ("merged, a name that stays keeps the line", "same", "p/m.py",
     "import os\nfrom a.b import e, f\nfrom c.d import x\nf(x, e, os)\n", True),
    ("merged and renamed", "move", "p/m.py",
     "import os\nfrom a.b import f\nfrom c.d import x\nf(x, os)\n", True),
    ("merged, a comment above the line that goes", "same", "p/m.py",
     "import os\n# about f\nfrom a.b import f\nfrom c.d import x\nf(x, os)\n", False),
    ("merged, a blank line above the line that goes", "same", "p/m.py",
     "import os\n\nfrom a.b import f\nfrom c.d import x\nf(x, os)\n", False),
    ("merged, the import over lines", "same", "p/m.py",
     "from a.b import f\nfrom c.d import (\n    x,\n)\nf(x)\n", False),
    ("merged, the import under try", "same", "p/m.py",
     "from a.b import f\ntry:\n    from c.d import x\nexcept ImportError:\n    x = 1\nf(x)\n",
     False),
    ("merged, two imports of the new module", "same", "p/m.py",
     "from a.b import f\nfrom c.d import x\nfrom c.d import y\nf(x, y)\n", False),
    # a rename: every use follows (which uses, the semantic model both engines ask decides)
    ("renamed, every use", "move", "p/m.py",
     "from a.b import f\n\n\ndef k(x=f):\n    return [f(i) for i in x], f\n\n\nclass C(f):\n"
     "    y = f\n", True),
    ("renamed, a use before the import", "move", "p/m.py",
     "t = f\nfrom a.b import f\nf()\n", True),
    ("renamed, lone CR line ends", "move", "p/m.py", "from a.b import f\rf()\r", False),
    ("renamed, aliased", "move", "p/m.py", "from a.b import f as ff\nff()\n", True),
    ("renamed, a keyword argument and an attribute of the same name", "move", "p/m.py",
     "from a.b import f\nf(f=1).f\n", True),
    ("renamed, in place, with a sibling", "in place", "p/m.py",
     "from a.b import e, f\nf(e)\n", True),
    ("renamed, in place, over lines", "in place", "p/m.py",
     "from a.b import (\n    e,  # one\n    f,  # two\n)\nf(e)\n", True),
    ("renamed, in place, another import of the module", "in place", "p/m.py",
     "from a.b import f\nfrom a.b import e\nf(e)\n", False),
    ("renamed, in place, the module itself imported", "in place", "p/m.py",
     "from a import b\nfrom a.b import f\nf(b)\n", True),
    ("renamed, in place, the module itself imported, a use through it", "in place", "p/m.py",
     "from a import b\nfrom a.b import f\nf(b.f)\n", False),
    ("renamed, the new name exists", "move", "p/m.py", "from a.b import f\nG = 1\nf(G)\n", False),
    ("renamed, the new name in a comment", "move", "p/m.py", "from a.b import f\nf()  # G\n",
     False),
    ("renamed, assigned again", "move", "p/m.py", "from a.b import f\nf = f()\n", False),
    ("renamed, a parameter", "move", "p/m.py", "from a.b import f\ndef k(f): return f\nf()\n",
     True),
    ("renamed, a local in a function and its closure", "move", "p/m.py",
     "from a.b import f\ndef k(x=f):\n    f = 1\n    def n():\n        return f\n    return f\n"
     "f()\n", True),
    ("renamed, a local used before its binding", "move", "p/m.py",
     "from a.b import f\ndef k():\n    y = f\n    f = 1\n    return y\nf()\n", True),
    ("renamed, a method of the same name", "move", "p/m.py",
     "from a.b import f\nclass C:\n    x = f\n    def f(self):\n        return f\n    y = f\n"
     "f()\n", True),
    ("renamed, a comprehension target and a lambda parameter", "move", "p/m.py",
     "from a.b import f\nx = [f for f in f()]\ny = lambda f: f\nz = {f: 1 for g in f()}\n",
     True),
    ("renamed, a loop, an except and a with target in a function", "move", "p/m.py",
     "from a.b import f\ndef k():\n    for f in ():\n        pass\n    try:\n        pass\n"
     "    except E as f:\n        pass\n    with x as f:\n        return f\nf()\n", True),
    # an adversarial review's families (each once made the splice differ from libcst)
    ("renamed, a TypeVar bound string", "move", "p/m.py",
     "from typing import TypeVar\nfrom a.b import f\nT = TypeVar('T', bound='f')\nf()\n", False),
    ("renamed, a typing subscript string", "move", "p/m.py",
     "from typing import Optional\nfrom a.b import f\nX = Optional['f']\nf()\n", False),
    ("renamed, an escaped string annotation", "move", "p/m.py",
     "from a.b import f\nx: '\\x66' = 1\nf()\n", False),
    ("renamed, a bytes annotation", "move", "p/m.py", "from a.b import f\nx: b'f' = 1\nf()\n",
     False),
    ("renamed, cast by keyword", "move", "p/m.py",
     "from typing import cast\nfrom a.b import f\nx = cast(typ='f', val=1)\nf()\n", False),
    ("renamed, a decorator before the import", "move", "p/m.py",
     "@f\ndef k(): pass\nfrom a.b import f\n", True),
    ("renamed, an earlier branch", "move", "p/m.py",
     "if x:\n    f()\nelse:\n    from a.b import f\n", True),
    ("a final bare CR", "same", "p/m.py", "from a.b import f\nx = 1\r", False),
    ("renamed in place, the module spaced", "in place", "p/m.py", "from a . b import f\nf()\n",
     False),
    ("renamed, match patterns", "move", "p/m.py",
     "from a.b import f\nmatch x:\n    case f():\n        pass\n    case f.y:\n        pass\n",
     True),
    ("merged, the name imported there already", "same", "p/m.py",
     "import os\nfrom a.b import f\nfrom c.d import f\nf(os)\n", False),
    ("renamed, a walrus", "move", "p/m.py",
     "from a.b import f\ndef k():\n    if (f := 1):\n        return f\nf()\n", True),
    ("renamed, a def", "move", "p/m.py", "from a.b import f\nf()\ndef f(): pass\n", False),
    ("renamed, declared global", "move", "p/m.py",
     "from a.b import f\ndef k():\n    global f\n    return f()\n", True),
    ("renamed, an except name", "move", "p/m.py",
     "from a.b import f\ntry:\n    f()\nexcept E as f:\n    pass\n", False),
    ("renamed, deleted", "move", "p/m.py", "from a.b import f\nf()\ndel f\n", False),
    ("renamed, used in an f-string", "move", "p/m.py", "from a.b import f\nx = f'{f()}'\n",
     True),
    ("renamed, a star import", "move", "p/m.py", "from a.b import f\nfrom x import *\nf()\n",
     False),
    ("renamed, imported inside a function", "move", "p/m.py",
     "def k():\n    from a.b import f\n    return f()\n", False),
    ("renamed, imported under if", "move", "p/m.py",
     "if x:\n    from a.b import f\nf()\n", True),
    ("renamed, a non-ASCII string", "move", "p/m.py",
     "from a.b import f\nx = 'é' + f('é')\n", True),
    ("renamed, a latin-1 cookie", "move", "p/m.py",
     "# -*- coding: latin-1 -*-\nfrom a.b import f\nx = '\xe9' + f()\n", False),
])
def test_when_the_import_splice_applies(case: str, rules: str, path: str, source: str,
                                        spliced: bool) -> None:
    data = source.encode("latin-1" if "latin-1" in source else "utf-8")
    engines = _same(data, path, SPLICE_RULES[rules])
    assert engines.endswith("splice") is spliced, engines


CALL_RULE = {"kind": "call", "old": "ws.factory.create", "new": "ws.manager.Manager",
             "params": ["user_context"],
             "arguments": {"user_context": "{user_context}", "token": "issue({user_context})"},
             "context": {"user_context": {"names": ["user_context"]}},
             "imports": ["ws.auth.issue"]}
MOVE_RULE = {"kind": "move", "old": "a.b.f", "new": "c.d.G"}
SAME_RULES = [{"kind": "move", "old": f"a.b.{n}", "new": f"c.d.{n}"} for n in ("f", "h")]


@pytest.mark.parametrize(("case", "path", "rules", "source"), [
    ("from-import of a middle part binds a word", "p/m.py", [MOVE_RULE],
     HEAD + "from a import b\nb.f()\ny = b.e\n"),
    ("relative import of a middle part", "a/m.py", [MOVE_RULE],
     HEAD + "from . import b\nb.f()\ny = b.e\n"),
    ("call rule's module imported from its parent", "p/m.py", [CALL_RULE],
     HEAD + "from ws import factory\ndef g(user_context):\n    return factory.create()\n"
     "y = factory.other\n"),
    ("module rule's parent imported", "p/m.py",
     [{"kind": "module", "old": "x.y.old", "new": "p.q.new"}],
     HEAD + "from x import y\ny.old.X\nz = y.keep\n"),
    ("the new module imported relatively", "c/d/x.py", SAME_RULES,
     "from . import g\nfrom a.b import f\nf(g)\n"),
    ("the new module imported from two levels up", "c/d/sub/__init__.py", SAME_RULES,
     "from .. import g\nfrom a.b import f\nf(g)\n"),
    ("the new name already imported relatively", "c/d/x.py", SAME_RULES,
     "from . import f\ndef k():\n    from a.b import f\n    return f\n"),
    ("a backslash joins a cold statement to a use", "p/m.py", [MOVE_RULE],
     HEAD + "from a.b import f\ndef g():\n    x = 1; \\\nf()\n    y = 2\n"),
    ("a backslash joins a parameter's use", "p/m.py", [MOVE_RULE],
     HEAD + "from a.b import f\ndef g(f):\n    x = 1; \\\nf()\n"),
    ("a form feed in a block's indentation", "p/m.py", [MOVE_RULE],
     HEAD + "def g():\n    from a.b import f\n\x0c    x = 1\n    return f()\n"),
    ("a form feed before a top-level statement", "p/m.py", [MOVE_RULE],
     HEAD + "from a.b import f\n\x0cx = 1\nf()\n"),
])
def test_cases_an_adversarial_review_found(case: str, path: str, rules: list[dict[str, object]],
                                           source: str) -> None:
    """Each once made the statement-level engine or the splice differ from the whole file
    (a dropped import, a merge missed, a parse error, a wrong scope, a form feed kept)."""
    _same(source.encode(), path, _built(rules))
