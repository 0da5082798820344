"""The statement lexer behind detect's partial parse: its boundaries are the parser's, it gives
up when unsure, and what it blanks out never changes detect's answer."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from phasegate import config
from phasegate.config import Rule
from phasegate.detect import engine as detect
from phasegate.semantics import analyze, chunks, hollow
from phasegate.semantics import partial as partials
from tests.helpers.detect_cases import (
    BAD_FILES,
    SCANNED_FILES,
    SHAPES,
    check_bad_file,
    check_odd_file,
    found,
)

# (id, source): the lexer must find exactly the parser's top-level statement starts
TRICKY = [
    ("docstring-with-code", '"""Doc.\nimport os\nfrom a import b\n"""\nx = 1\n'),
    ("single-quoted-triple", "x = '''\ndef f():\n'''\ny = 2\n"),
    ("escaped-quotes", "x = 'it\\'s'\ny = \"say \\\"hi\\\"\"\nz = 3\n"),
    ("raw-string-backslash-quote", "x = r'\\''\ny = 1\n"),
    ("triple-with-inner-quotes", 'x = """a "b" ""c"" d"""\ny = 1\n'),
    ("bytes-and-fstrings", "x = rb'(' + f'{y!r:>{w}}' + Rb\"[\"\nz = 1\n"),
    ("fstring-other-quotes", "x = f\"{d['k']}\"\ny = 1\n"),
    ("comment-with-quote-and-bracket", "x = 1  # don't ( [\ny = 2\n"),
    ("hash-in-string", "x = '#not a comment'\ny = 2\n"),
    ("brackets-at-column-0", "x = [\n1,\n2,\n]\ny = foo(\na)\n"),
    ("closing-bracket-at-column-0", "x = dict(\n    a=1,\n)\ny = 2\n"),
    ("backslash-continuation", "x = 1 + \\\n2\ny = 3\n"),
    ("string-continuation", "x = 'a\\\nb'\ny = 1\n"),
    ("decorators", "@dec\n@dec2(\n  x)\ndef f(): pass\n\nclass C: pass\n"),
    ("if-else-try-except", "if a:\n    b\nelif c:\n    d\nelse:\n    e\n"
     "try:\n    f\nexcept E:\n    g\nfinally:\n    h\nz = 1\n"),
    ("for-else-while-else", "for i in x:\n    pass\nelse:\n    pass\nwhile y:\n    pass\n"
     "else:\n    pass\n"),
    ("semicolons", "import a; import b\nx = 1; y = 2\n"),
    ("comment-lines-at-column-0-in-body", "def f():\n    x = 1\n# a comment\n    return x\n"
     "y = 1\n"),
    ("fstrings-3-11", "x = f'{d[\"k\"]}' + F\"{a!r:>{w}}\" + rf'{{}}' + fR\"{b}\"\ny = 1\n"),
    ("name-ending-in-f-before-string", "if\"a\" in x: pass\ny = 1\n"),
    ("match-statement", "match x:\n    case 1:\n        pass\ny = 2\n"),
    ("crlf", "import a\r\nx = (\r\n1)\r\ny = 2\r\n"),
    ("nested-brackets-and-strings", "x = f(g('(', \"]\"), [h(')')])\ny = {'a': (1,\n2)}\n"),
    ("empty-lines-and-comments-only", "# only\n\n# comments\n"),
    ("async-def", "async def f():\n    await g()\nx = 1\n"),
    ("else-like-names", "elsewhere = 1\nexcepted = 2\n"),
    ("leading-blank-and-comment", "\n# header\nx = 1\ny = 2\n"),
    ("first-line-indented-comment", "  # indented comment\nx = 1\n"),
]


def statement_starts(source: bytes) -> list[int]:
    starts = []
    for stmt in ast.parse(source).body:
        decorators = getattr(stmt, "decorator_list", None) or ()
        starts.append(min([stmt.lineno] + [d.lineno for d in decorators]))
    return starts


def chunk_lines(source: bytes) -> list[int]:
    spans = chunks.chunks(source)
    assert spans is not None
    return [1 + source.count(b"\n", 0, s) for s, _ in spans]


@pytest.mark.parametrize("nested", [False, True], ids=["3.11-fstrings", "3.12-fstrings"])
@pytest.mark.parametrize("source", [s for _, s in TRICKY], ids=[i for i, _ in TRICKY])
def test_boundaries_are_the_parsers(source: str, nested: bool,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunks, "NESTED_FSTRINGS", nested)  # both lexers, whatever runs this
    data = source.encode()
    assert chunk_lines(data) == sorted(set(statement_starts(data)))


UNSURE = [
    ("unterminated-string", b"x = 'abc\ny = 1\n"),
    ("unterminated-triple", b'x = """abc\ny = 1\n'),
    ("unbalanced-open", b"x = (1,\ny = 2\n"),
    ("unbalanced-close", b"x = 1)\ny = 2\n"),
    ("stray-backslash", b"x = 1 \\ y\n"),
    ("lone-cr", b"x = 1\ry = 2\n"),
    ("form-feed", b"x = 1\n\x0cy = 2\n"),
    ("coding-cookie", b"# -*- coding: latin-1 -*-\nx = '\xe9'\n"),
    ("ascii-under-a-wide-cookie", b"# -*- coding: utf-16 -*-\nx = 1\n"),
    ("unknown-cookie", b"# -*- coding: uft-8 -*-\nx = 1\n"),
    ("cookie-not-read", b"# no coding here\nx = 1\n"),
    ("not-utf8", b"x = '\xe9'\ny = 1\n"),
    ("null-byte", b"x = 1\x00\n"),
    ("non-ascii-name", "caf\u00e9 = 1\ny = 1\n".encode()),
    ("non-ascii-in-fstring", "x = f'{caf\u00e9}'\ny = 1\n".encode()),
    ("byte-order-mark", "\ufeffx = 1\ny = 2\n".encode()),
    # Python 3.12 lets a replacement field hold the f-string's own quote: seen with 3.11's
    # eyes the string ends early and a bracket or comment opens
    ("fstring-nested-quote-bracket", b'x = f"{"("}"\nimport os\ny = f"{")"}"\n'),
    ("fstring-nested-quote-comment", b'x = f"{"#"}"\ny = 1\n'),
    ("fstring-nested-quote-raw", b'x = rf"{d["k"]}"\ny = 1\n'),
    ("fstring-nested-quote-triple", b'x = f"""{d["""k"""]}"""\ny = 1\n'),
]


@pytest.mark.parametrize("data", [d for _, d in UNSURE], ids=[i for i, _ in UNSURE])
def test_gives_up_when_unsure(data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunks, "NESTED_FSTRINGS", True)  # as on Python 3.12+
    assert chunks.chunks(data) is None


def test_gives_up_on_non_ascii_from_python_3_12(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunks, "NESTED_FSTRINGS", True)  # strings may hold their own quote
    assert chunks.chunks("# caf\u00e9\nx = 1\ny = 2\n".encode()) is None


# (id, source, offsets of the one-line strings that hold a non-ASCII byte, or None: unsure)
NON_ASCII = [
    ("comment", "# caf\u00e9\nx = 1\n", []),
    ("docstring", '"""Caf\u00e9.\n\nMore."""\nx = 1\n', []),
    ("one-line-docstring", '"""Caf\u00e9."""\nx = 1\n', [0]),
    ("string", "x = 'caf\u00e9'\ny = \"\u00e9\"\n", [4, 15]),
    ("string-continued", "x = 'caf\u00e9\\\nau lait'\n", []),
    ("raw-and-unicode-prefixes", "x = r'\u00e9\\\\' + u'\u00e9'\n", [5, 14]),
    ("quote-inside", "x = 'it\\'s \u00e9'\n# \u00e9 'not a string\n", [4]),
    ("identifier", "caf\u00e9 = 1\n", None),
    ("fullwidth-identifier", "\uff4d = 1\n", None),
    ("fstring", "x = f'caf\u00e9'\n", None),
    ("raw-fstring", "x = Rf'caf\u00e9'\n", None),
    ("bytes", "x = b'caf\u00e9'\n", None),
    ("byte-order-mark", "\ufeffx = 1\n", None),
    ("unterminated", "x = 'caf\u00e9\n", None),
    ("latin-1", None, None),
]


@pytest.mark.parametrize(("source", "offsets"), [(s, o) for _, s, o in NON_ASCII],
                         ids=[i for i, *_ in NON_ASCII])
def test_non_ascii_strings(source: str | None, offsets: list[int] | None,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunks, "NESTED_FSTRINGS", False)
    data = source.encode() if source is not None else b"x = '\xe9'\n"
    got = chunks.non_ascii_strings(data)
    assert (got if got is None else [len(data[:o].decode()) for o in got]) == offsets
    assert (chunks.chunks(data + b"y = 1\n") is None) is (offsets is None)


@pytest.mark.parametrize("cookie", [b"# -*- coding: utf-8 -*-", b"# coding=latin-1",
                                    b"# vim: set fileencoding=ascii :", b"#coding:cp1252"])
def test_ascii_files_with_an_ascii_compatible_cookie_are_split(cookie: bytes) -> None:
    data = cookie + b"\nimport os\nx = 1\n"
    assert chunk_lines(data) == [2, 3]
    assert chunks.chunks(b"#!/usr/bin/env python\n" + data) is not None


@pytest.mark.parametrize(("body", "unsure"), [
    (b"{a} {b!r:>10}", False), (b"{y!r:>{w}}", False), (b"{{literal}}", False),
    (b"{a}{{b}}{c:{d}}", False), (b"{{{a}}}", False), (b"", False),
    (b"{", True), (b"}", True), (b"{a}}", True), (b"}}{a:{", True), (b"{'{'}", True),
], ids=["plain", "nested-spec", "escaped", "mixed", "escaped-around-field", "empty",
        "open", "close", "stray-close", "cut-inside-a-nested-field", "brace-in-inner-string"])
def test_fstring_braces(body: bytes, unsure: bool) -> None:
    """What a 3.11-style reading of an f-string leaves unbalanced when 3.12 nested a quote."""
    for prefix in (b"f", b"rf", b"Fr"):
        data = prefix + b'"' + body + b'"'
        assert chunks._fstring_unsure(data, len(prefix), len(data)) is unsure
    assert chunks._fstring_unsure(b'"{"', 0, 3) is False  # not an f-string


def _library_files(limit: int) -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in root.glob("*.py"))
    files += sorted(p for p in (root / "email").glob("*.py"))
    return files[:limit]


def test_boundaries_match_the_parser_on_the_standard_library() -> None:
    checked = 0
    for path in _library_files(250):
        data = path.read_bytes()
        try:
            expected = sorted(set(statement_starts(data)))
        except SyntaxError:
            continue
        if chunks.chunks(data) is None:
            continue  # cookies, form feeds: parsed whole, which is always right
        assert chunk_lines(data) == expected, path
        checked += 1
    assert checked > 150, f"only {checked} files were checked (python {sys.version})"


def test_kept_statements_include_the_bindings_the_hot_ones_use() -> None:
    source = (b"import acme\n"
              b"import os\n"
              b"LIMIT = 3\n"
              b"def unrelated():\n    return os.getcwd()\n"
              b"def use():\n    return acme.core.config.get_settings()\n"
              b"class Other:\n    pass\n")
    hot = [source.index(b"get_settings")]
    partial = partials.partial_source(source, hot)
    assert partial is not None
    kept = [line for line in partial.source.decode().splitlines() if line.strip()]
    assert kept == ["import acme", "def use():", "    return acme.core.config.get_settings()"]
    assert partial.source.count(b"\n") == source.count(b"\n")  # every line where it was


def test_a_def_that_rebinds_a_used_name_is_kept() -> None:
    source = (b"from acme.core.config import get_settings as gs\n"
              b"def gs():\n    return 1\n"
              b"x = 1\n"
              b"def use():\n    return gs()\n"
              b"def long_unrelated():\n" + b"    x = 1\n" * 40)
    hot = [source.index(b"get_settings"), source.index(b"gs()")]
    partial = partials.partial_source(source, hot)
    assert partial is not None and b"def gs():" in partial.source
    assert b"x = 1" not in partial.source


def test_global_or_walrus_in_a_def_keeps_it_when_it_mentions_a_used_name() -> None:
    source = (b"import acme\n"
              b"def setup():\n    global acme\n    acme = None\n"
              b"def other():\n    x = 1\n    return x\n"
              b"def use():\n    return acme.core.config.get_settings()\n")
    partial = partials.partial_source(source, [source.index(b"get_settings")])
    assert partial is not None and b"global acme" in partial.source
    assert b"def other" not in partial.source


# (id, a def or class that mentions the used name "acme", whether it may bind it)
BINDERS = [
    ("walrus-in-body", b"def other():\n    if (acme := 1):\n        return acme\n", False),
    ("walrus-in-a-method", b"class Other:\n    def m(self):\n        return (acme := 2)\n",
     False),
    ("walrus-in-a-default", b"def other(x=(acme := 1)):\n    return x\n", True),
    ("walrus-in-a-decorator", b"@register(acme := 1)\ndef other():\n    return acme\n", True),
    ("walrus-in-a-base", b"class Other(\n    (acme := object),\n):\n    pass\n", True),
    ("walrus-header-with-a-string", b"def other(x='(', y=(acme := 1)):\n    return x\n", True),
    ("walrus-one-line-def", b"def other(): return (acme := 1)\n", True),
    ("global-statement", b"def other():\n    x = 1; global acme\n    acme = x\n", True),
    ("global-in-a-comment", b"def other():\n    # the global acme\n    return acme\n", False),
    ("global-a-word", b"def other():\n    global_acme = acme\n    return global_acme\n", False),
]


@pytest.mark.parametrize(("chunk", "binds"), [(c, b) for _, c, b in BINDERS],
                         ids=[i for i, *_ in BINDERS])
def test_a_def_binds_other_names_only_by_global_or_a_walrus_in_its_header(
        chunk: bytes, binds: bool) -> None:
    source = (b"import acme\n" + chunk
              + b"def use():\n    return acme.core.config.get_settings()\n"
              + b"def unrelated():\n" + b"    pass\n" * 30 + b"w = (q := 1)\n")
    partial = partials.partial_source(source, [source.index(b"get_settings")])
    assert partial is not None
    assert (chunk in partial.source) is binds

def test_misaligned_trees_are_refused() -> None:
    source = b"x = 1\ny = 2\nz = 3\n"
    partial = partials.partial_source(source, [source.index(b"y")])
    assert partial is not None
    assert partials.aligned(ast.parse(partial.source), partial)
    assert not partials.aligned(ast.parse(b"\ny = 2; w = 0\nq = 1\n"), partial)


@pytest.fixture
def always_partial(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analyze, "PARTIAL_MIN_BYTES", 0)
    monkeypatch.setattr(analyze, "PARTIAL_MAX_HOT", 0)


def test_string_mentions_are_never_kept_as_code(always_partial: None) -> None:
    source = (b'"""Docs.\nfrom pkg.old import Thing\nThing()\n"""\n'
              b"import os\n"
              b"def f():\n    return '''\nfrom pkg.old import Thing\n'''\n")
    index = analyze.RuleIndex.build([_move_rule()])
    found, problem = analyze.analyze_source(source, "m.py", "m", False, index)
    assert problem is None and found == []


def test_a_syntax_error_in_a_blanked_statement_is_not_seen(always_partial: None) -> None:
    index = analyze.RuleIndex.build([_move_rule()])
    # a hot line that is no import: the lexer reads the whole file, gives up on the unclosed
    # bracket, and the whole file is parsed and reported
    source = b"import pkg.old\nx = pkg.old.Thing\n\ndef broken(:\n    pass\n"
    found, problem = analyze.analyze_source(source, "m.py", "m", False, index)
    assert problem is not None and problem.line == 4
    # only import lines hot: the lexer reads up to the last of them, the error is not seen
    source = b"from pkg.old import Thing\n\ndef broken(:\n    pass\n"
    found, problem = analyze.analyze_source(source, "m.py", "m", False, index)
    assert problem is None and [(v.line, v.kind) for v in found] == [(1, "import")]
    # in the body of a def kept only for the name it binds: its body is not parsed
    source = (b"import pkg.old\n\ndef helper(x):\n    y = 1\n    broken = = 1\n"
              b"    return x\n\nvalue = helper(pkg.old.Thing)\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(partials, "NAME_ONLY_MIN_BYTES", 0)
        found, problem = analyze.analyze_source(source, "m.py", "m", False, index)
    assert problem is None and [(v.line, v.kind) for v in found] == [(8, "attribute")]
    source = b"from pkg.old import Thing\n\ndef broken():\n    return 1 +\n"
    found, problem = analyze.analyze_source(source, "m.py", "m", False, index)
    assert problem is None and [(v.line, v.kind) for v in found] == [(1, "import")]


def _move_rule() -> Rule:
    return Rule(id="moved", kind="move", old="pkg.old.Thing", new="pkg.new.Thing")


# Every table of test_detect again, with every file parsed partially: the same answers.
@pytest.mark.parametrize(("source", "expected"), [(s, e) for _, s, e in SHAPES],
                         ids=[i for i, _, _ in SHAPES])
def test_import_shapes_partially_parsed(always_partial: None, tmp_path: Path, source: str,
                                        expected: list[tuple]) -> None:
    padded = source + "\n\ndef _padding():\n    return 1\n"  # something to blank out
    assert found(tmp_path, padded) == sorted(expected)


@pytest.mark.parametrize(("data", "reason", "line"), [(d, r, n) for _, d, r, n in BAD_FILES],
                         ids=[i for i, *_ in BAD_FILES])
def test_bad_files_partially_parsed(always_partial: None, tmp_path: Path, data: bytes,
                                    reason: str, line: int) -> None:
    check_bad_file(tmp_path, data, reason, line)


@pytest.mark.parametrize(("data", "where"), [(d, w) for _, d, w in SCANNED_FILES],
                         ids=[i for i, *_ in SCANNED_FILES])
def test_odd_files_partially_parsed(always_partial: None, tmp_path: Path, data: bytes,
                                    where: tuple | None) -> None:
    check_odd_file(tmp_path, data, where)


@pytest.mark.slow
def test_generated_tree_same_answer_partial_or_whole(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    generator = Path(__file__).resolve().parents[3] / "benchmarks" / "generate.py"
    out = tmp_path / "tree"
    subprocess.run([sys.executable, str(generator), str(out), "--files", "80", "--density",
                    "0.5", "--size", "8000", "--no-git"], check=True, capture_output=True,
                   timeout=300, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    cfg = config.load(out / "phases.toml")[0]
    monkeypatch.setattr(analyze, "PARTIAL_MIN_BYTES", 10**12)
    whole = detect.detect(cfg, use_cache=False, jobs=1)
    monkeypatch.setattr(analyze, "PARTIAL_MIN_BYTES", 0)
    monkeypatch.setattr(analyze, "PARTIAL_MAX_HOT", 0)
    calls: list[int] = []
    real = partials.partial_source

    def counting(data: bytes, hot: list[int]) -> partials.Partial | None:
        partial = real(data, hot)
        calls.append(partial is not None)
        return partial

    monkeypatch.setattr(analyze, "partial_source", counting)
    partly = detect.detect(cfg, use_cache=False, jobs=1)
    assert sum(calls) > 20, "the partial parse was not exercised"
    assert len(whole.violations) > 40
    assert partly.violations == whole.violations and partly.problems == whole.problems


def test_nothing_is_blanked_when_most_of_the_file_is_needed() -> None:
    source = b"from pkg.old import Thing\n\ndef big():\n" + b"    Thing()\n" * 30 + b"x = 1\n"
    hot = [i for i in range(len(source)) if source.startswith(b"Thing", i)]
    assert partials.partial_source(source, hot) is None
    assert partials.partial_source(source, hot[:1]) is not None  # the import alone: blank big()


REAL_RULES = [
    Rule(id="join", kind="move", old="os.path.join", new="posixpath.join"),
    Rule(id="optional", kind="move", old="typing.Optional", new="typing.Union"),
    Rule(id="od", kind="move", old="collections.OrderedDict", new="builtins.dict"),
    Rule(id="logger", kind="call", old="logging.getLogger", new="logging.Logger",
         params=("name",), arguments=(("name", "{name}"),)),
    Rule(id="abc", kind="module", old="collections.abc", new="typing"),
    Rule(id="dataclass", kind="move", old="dataclasses.dataclass", new="attrs.define"),
]


@pytest.mark.parametrize("rules", [REAL_RULES, [r for r in REAL_RULES if r.kind != "call"]],
                         ids=["with-a-call-rule", "classes-hollowed"])
def test_standard_library_same_answer_partial_or_whole(monkeypatch: pytest.MonkeyPatch,
                                                       rules: list[Rule]) -> None:
    """Real code, rules on names it uses a lot: the partial parse changes no finding (without
    a call rule, large classes are hollowed too)."""
    index = analyze.RuleIndex.build(rules)
    compared = findings = 0
    for path in _library_files(400):
        data = path.read_bytes()
        if len(data) < 2000 or not index.is_candidate(data):
            continue
        monkeypatch.setattr(analyze, "PARTIAL_MIN_BYTES", 0)
        monkeypatch.setattr(analyze, "PARTIAL_MAX_HOT", 0)
        partly = analyze.analyze_source(data, path.name, "stdlib.mod", False, index)
        monkeypatch.setattr(analyze, "PARTIAL_MIN_BYTES", 10**12)
        whole = analyze.analyze_source(data, path.name, "stdlib.mod", False, index)
        assert partly == whole, path
        compared += 1
        findings += len(whole[0])
    assert compared > 60 and findings > 100, (compared, findings)


QUIET = Rule(id="text", kind="move", old="pkg._text.to_text", new="pkg.converters.to_text")
RENAMED = Rule(id="gadget", kind="move", old="pkg.old.Gadget", new="pkg.new.Widget")
_PADDING = "\n\ndef _padding():\n    return 1\n" * 3

# (id, source): files the partial parse now takes (it did not before), each compared with the
# whole-file parse
NOW_PARTIAL = [
    ("quiet-bare-calls", "from pkg._text import to_text\n\ndef f(x):\n    return to_text(x)\n"
     "\ndef g(m):\n    return m.to_text(1), m.\\\n        to_text(2)\n"),
    ("quiet-attribute-over-lines", "from pkg import _text\n\ndef f(x):\n    return (_text  # c\n"
     "        .to_text(x))\n\ndef g(x):\n    return to_text[x]\n"),
    ("renamed-in-string-annotation", "from pkg.old import Gadget\n\ndef f(x: 'Gadget'): ...\n"
     "\ndef g():\n    return Gadget()\n"),
    ("renamed-bare-call", "from pkg.old import Gadget\n\ndef g():\n    return Gadget()\n"),
    ("utf8-cookie", "# -*- coding: utf-8 -*-\nfrom pkg.old import Gadget\nx = Gadget\n"),
    ("non-ascii-docstring", '"""Caf\u00e9.\n\nMore."""\nfrom pkg.old import Gadget\n'),
    ("non-ascii-annotation", "import pkg.old as o\n\ndef f(x: 'o.Gadget', y: 'caf\u00e9'): ...\n"),
    ("nfkc-in-annotation", "import pkg.old as o\n# Gadget\n\ndef f(x: 'o.\uff27adget'): ...\n"),
    ("non-ascii-string-beside-a-use", "from pkg import _text\nx = ('caf\u00e9', _text.to_text)\n"),
]


@pytest.mark.parametrize("source", [s for _, s in NOW_PARTIAL], ids=[i for i, _ in NOW_PARTIAL])
def test_now_partial_same_answer_as_whole(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunks, "NESTED_FSTRINGS", False)
    index = analyze.RuleIndex.build([QUIET, RENAMED])
    data = (source + _PADDING).encode()
    assert index.is_candidate(data)
    partly = _both_ways(data, index, monkeypatch)
    assert partly[0], "no finding to compare"


def _both_ways(data: bytes, index: analyze.RuleIndex, monkeypatch: pytest.MonkeyPatch,
               path: str = "pkg/sub/mod.py", module: str = "pkg.sub.mod",
               used: list[bool] | None = None) -> tuple[list, object]:
    """The file's findings with the partial parse forced, asserted equal to the whole-file
    parse's; ``used`` collects whether the partial parse was taken."""
    real = analyze.parse_partial
    taken: list[bool] = []

    def counting(*args: object) -> ast.Module | None:
        tree = real(*args)  # type: ignore[arg-type]
        taken.append(tree is not None)
        return tree

    monkeypatch.setattr(analyze, "parse_partial", counting)
    monkeypatch.setattr(analyze, "PARTIAL_MIN_BYTES", 0)
    monkeypatch.setattr(analyze, "PARTIAL_MAX_HOT", 0)
    partly = analyze.analyze_source(data, path, module, False, index)
    monkeypatch.setattr(analyze, "PARTIAL_MIN_BYTES", 10**12)
    whole = analyze.analyze_source(data, path, module, False, index)
    assert partly == whole
    if used is None:
        assert True in taken, "the partial parse was not taken"
    else:
        used.append(True in taken)
    return partly


REAL_CODE_RULES = [
    Rule(id=f"typing-{n.lower()}", kind="move", old=f"typing.{n}", new=f"collections.abc.{n}")
    for n in ("Mapping", "MutableMapping", "Sequence", "Iterable", "Callable", "Set",
              "Iterator")
] + [Rule(id="mock", kind="module", old="mock", new="unittest.mock"),
     Rule(id="renamed", kind="move", old="typing.List", new="builtins.list")]


def test_real_files_same_answer_partial_or_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real vendored code (tests/data: rich's typing imports, google-auth's mock), rules on
    names it uses: the partial parse, taken wherever it can be, changes no finding."""
    index = analyze.RuleIndex.build(REAL_CODE_RULES)
    root = Path(__file__).resolve().parents[2] / "data"
    used: list[bool] = []
    findings = 0
    for path in sorted(root.rglob("*.py")):
        data = path.read_bytes()
        if index.is_candidate(data):
            rel = path.relative_to(root).as_posix()
            found, _ = _both_ways(data, index, monkeypatch, rel,
                                  rel[:-3].replace("/", "."), used)
            findings += len(found)
    assert sum(used) >= 10 and findings >= 30, (sum(used), len(used), findings)


# (id, source, whether only its import statements are parsed)
IMPORTS_ONLY = [
    ("plain", "import os\nfrom pkg._text import to_text\n\ndef f(x):\n    return to_text(x)\n",
     True),
    ("comment-and-alias", "from .._text import to_text as t  # noqa\nx = t(1)\n", True),
    ("crlf", "import os\r\nfrom pkg._text import to_text\r\ny = to_text(1)\r\n", True),
    ("in-a-docstring", '"""\nfrom pkg._text import to_text\n"""\nfrom pkg._text import to_text\n',
     False),
    ("parenthesised", "from pkg._text import (\n    to_text,\n)\n", False),
    ("continued", "from pkg._text import \\\n    to_text\n", False),
    ("indented", "try:\n    from pkg._text import to_text\nexcept ImportError:\n    pass\n", False),
    ("two-on-a-line", "import os; from pkg._text import to_text\n", False),
    ("attribute-use", "from pkg import _text\nx = _text.to_text(1)\n", False),
    ("star", "from pkg._text import *\nx = to_text(1)\n", False),
    # the lexer reads up to the last import kept: a syntax error after it is not seen (as in
    # any statement a partial parse leaves out); one before it still sends the file whole
    ("unbalanced-later", "from pkg._text import to_text\n\ndef f(:\n    pass\n", True),
    ("unbalanced-before", "x = (\nfrom pkg._text import to_text\n", False),
    ("unclosed-string-before", "x = \"\"\"\nfrom pkg._text import to_text\n", False),
    # a triple-quoted string holding a quote, closed after the import inside it: lexed only
    # up to that line, it must not read as '' and 'abc'
    ("in-a-triple-string-with-a-quote",
     "X = '''abc'\nfrom pkg._text import to_text\n'''\nfrom pkg._text import to_text\n",
     False),
    ("in-a-triple-string-with-a-quote-alone",
     "X = '''abc'\nfrom pkg._text import to_text\n'''\n", False),
]


@pytest.mark.parametrize(("source", "alone"), [(s, a) for _, s, a in IMPORTS_ONLY],
                         ids=[i for i, *_ in IMPORTS_ONLY])
def test_import_statements_alone(source: str, alone: bool,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    index = analyze.RuleIndex.build([QUIET])
    data = (source + _PADDING).encode()
    offsets = analyze.hot_offsets(data, index)
    partial = partials.import_statements(data, offsets)
    assert (partial is not None) is alone
    if partial is not None:
        kept = [line for line in partial.source.splitlines() if line.strip()]
        assert kept and all(b"import" in line for line in kept)
        assert partial.source.count(b"\n") <= data.count(b"\n")
    if b"def f(:" not in data and b"x = (" not in data and b'x = """' not in data:
        _both_ways(data, index, monkeypatch, used=[])


def test_no_import_statements_alone_beside_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """``__all__`` is read whatever is hot: a file that has one is parsed partially instead."""
    index = analyze.RuleIndex.build([QUIET])
    data = (b"from pkg._text import to_text\n__all__ = ['to_text']\n" + _PADDING.encode())
    assert partials.import_statements(data, analyze.hot_offsets(data, index)) is not None
    found, _ = _both_ways(data, index, monkeypatch)
    assert [v.kind for v in found] == ["import", "re-export"]


# (id, source, the first lines of the body statements a hollowed class keeps, or None: not
# hollowed): each compared with the whole-file parse (hollow.HOLLOW_MIN_BYTES set to 0)
HOLLOWED = [
    ("method-uses-import",
     "from pkg.old import Gadget\n\nclass A:\n    x = 1\n\n    def one(self):\n"
     "        return Gadget()\n\n    def two(self):\n        return 2\n", [6]),
    ("class-scope-binding-read-at-class-level",
     "from pkg.old import Gadget\n\nclass A:\n    def Gadget(self):\n        return 1\n"
     "    y = Gadget\n    def other(self):\n        return 3\n", [4, 6]),
    ("decorator-reads-class-scope",
     "from pkg.old import Gadget\n\nclass A:\n    deco = staticmethod(len)\n    other = 1\n"
     "    @deco\n    def m(self, x=Gadget):\n        return x\n", [4, 6]),
    ("method-body-does-not-read-class-scope",
     "from pkg.old import Gadget\n\nclass A:\n    Widget = 1\n    def m(self):\n"
     "        return Gadget, Widget\n    def n(self):\n        return 2\n", [5]),
    ("global-in-a-method-kept",
     "import pkg.old\n\nclass A:\n    def reset(self):\n        global pkg\n"
     "        pkg = None\n    def use(self):\n        return pkg.old.Gadget\n"
     "    def n(self):\n        return 2\n", [4, 7]),
    ("walrus-in-a-default-kept",
     "from pkg.old import Gadget\n\nclass A:\n    def m(self, x=(g := 1)):\n        return x\n"
     "    y = (g, Gadget)\n    def n(self):\n        return 2\n", [4, 6]),
    ("hot-only-in-the-header",
     "from pkg.old import Gadget\n\nclass A(Gadget):\n    '''Docs.'''\n"
     "    def n(self):\n        return 2\n", [4]),
    ("nested-class-and-clauses",
     "from pkg.old import Gadget\n\nclass A:\n    try:\n        import json\n"
     "    except ImportError:\n        json = None\n    else:\n        pass\n"
     "    class B:\n        def m(self):\n            return Gadget\n"
     "    @property\n    def p(self):\n        return 1\n", [10]),
    ("strings-at-column-0",
     "from pkg.old import Gadget\n\nclass A:\n    def doc(self):\n        return '''\n"
     "x = 1\n'''\n    def m(self):\n        return Gadget\n", [8]),
    ("tabs", "from pkg.old import Gadget\n\nclass A:\n\tdef m(self):\n\t\treturn Gadget\n"
     "\tdef n(self):\n\t\treturn 2\n", [4]),
    ("one-statement", "from pkg.old import Gadget\n\nclass A:\n    def m(self):\n"
     "        return Gadget\n", None),
    ("comments-and-brackets-anywhere",
     "from pkg.old import Gadget\n\nclass A:\n    def m(self):\n        return Gadget\n"
     "  # a comment is fine\n    def n(self):\n        return (1,\n  2)\n", [4]),
]


@pytest.mark.parametrize(("source", "kept"), [(s, k) for _, s, k in HOLLOWED],
                         ids=[i for i, *_ in HOLLOWED])
def test_hollowed_class_same_answer_as_whole(source: str, kept: list[int] | None,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hollow, "HOLLOW_MIN_BYTES", 0)
    assert _first_cut(source, monkeypatch) == kept


def test_no_class_is_hollowed_with_a_call_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """A call rule's context search reads ``self.<attr>`` set in any method of the class."""
    monkeypatch.setattr(hollow, "HOLLOW_MIN_BYTES", 0)
    call = Rule(id="c", kind="call", old="pkg.old.make", new="pkg.new.Made",
                params=("ctx",), arguments=(("ctx", "{ctx}"),),
                context=(("ctx", config.ContextSource(attributes=("self.ctx",))),))
    index = analyze.RuleIndex.build([call])
    data = (b"from pkg.old import make\n\nclass A:\n    def __init__(self, c):\n"
            b"        self.ctx = c\n    def m(self):\n        return make()\n"
            + _PADDING.encode() * 10)
    found, _ = _both_ways(data, index, monkeypatch)
    assert [(v.kind, v.fixable) for v in found if v.line == 7] == [("call", True)]
    hot = analyze.hot_offsets(data, index)
    assert partials.partial_source(data, hot, classes=True) is not None  # would hollow
    monkeypatch.setattr(analyze, "partial_source_in_classes", None)  # never asked for
    monkeypatch.setattr(analyze, "PARTIAL_MIN_BYTES", 0)
    monkeypatch.setattr(analyze, "PARTIAL_MAX_HOT", 0)
    assert analyze.analyze_source(data, "pkg/sub/mod.py", "pkg.sub.mod", False,
                                  index) == (found, None)


# (id, source, the first lines of the body statements kept of a def or class kept only for
# its name, or None: kept whole): each compared with the whole-file parse
NAME_ONLY = [
    ("base-class", "from pkg.old import Gadget\n\nclass Base:\n    '''Docs.'''\n"
     "    def m(self):\n        return 1\n\nclass A(Base):\n    x = Gadget\n", [4]),
    ("decorator", "import pkg.old\n\ndef deco(f):\n    g = f\n    return g\n\n"
     "@deco\ndef use():\n    return pkg.old.Gadget\n", [4]),
    ("global-in-it", "import pkg.old\n\ndef reset():\n    global pkg\n    pkg = None\n\n"
     "@reset\ndef use():\n    return pkg.old.Gadget\n", None),
    ("walrus-in-its-header", "from pkg.old import Gadget\n\ndef f(x=(g := 1)):\n"
     "    y = 2\n    return x\n\nv = (f, g, Gadget)\n", None),
]


@pytest.mark.parametrize(("source", "kept"), [(s, k) for _, s, k in NAME_ONLY],
                         ids=[i for i, *_ in NAME_ONLY])
def test_kept_for_its_name_only_same_answer_as_whole(source: str, kept: list[int] | None,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(partials, "NAME_ONLY_MIN_BYTES", 0)
    assert _first_cut(source, monkeypatch) == kept


def _first_cut(source: str, monkeypatch: pytest.MonkeyPatch) -> list[int] | None:
    """The first lines of the body statements kept of the first class or def the partial
    parse cut (None: none cut), its findings asserted equal to the whole-file parse's."""
    index = analyze.RuleIndex.build([RENAMED])
    data = (source + _PADDING).encode()
    built: list[partials.Partial | None] = []
    real = partials.partial_source

    def recording(data: bytes, hot: list[int], *, classes: bool = False
                  ) -> partials.Partial | None:
        built.append(real(data, hot, classes=classes))
        return built[-1]

    monkeypatch.setattr(partials, "partial_source", recording)
    found, _ = _both_ways(data, index, monkeypatch)
    assert found, "no finding to compare"
    inner = [lines for p in built if p is not None for _, lines in p.inner]
    return [first for first, _ in inner[0]] if inner else None
