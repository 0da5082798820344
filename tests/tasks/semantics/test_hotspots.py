"""Hot offsets and lines: where a reference to a deprecated name can be."""

from __future__ import annotations

import ast

import pytest

from phasegate.config import Rule
from phasegate.semantics.analyze import analyze_source
from phasegate.semantics.chunks import non_ascii_strings
from phasegate.semantics.hotspots import _aliases, hot_lines, hot_offsets, naming_strings
from phasegate.semantics.rule_index import RuleIndex

INDEX = RuleIndex.build([Rule(id="m", kind="move", old="pkg.core.config.get_settings",
                              new="pkg.core.settings.load")])
# a call rule reports bare uses, so a name bound by ``as`` is hot wherever it is used
CALLS = RuleIndex.build([Rule(id="c", kind="call", old="pkg.core.config.get_settings",
                              new="pkg.core.settings.load", params=("name",),
                              arguments=(("name", "{name}"),))])


@pytest.mark.parametrize(("source", "aliases"), [
    (b"import a as b\n", {b"b"}),
    (b"from x import Canvas as C\n", {b"C"}),
    (b"from x import (alias as a1,\n    has as h)\n", {b"a1", b"h"}),
    (b"with open(p) as fh, lock as held:\n    pass\n", {b"fh", b"held"}),
    (b"from x import y as caf\xc3\xa9\n", {b"caf\xc3\xa9"}),
    (b"class Bias: pass\nbase = alias\n", set()),
], ids=["import", "name-ending-in-as", "parenthesised", "with", "non-ascii", "no-alias"])
def test_aliases(source: bytes, aliases: set[bytes]) -> None:
    assert _aliases(source) == aliases


@pytest.mark.parametrize(("source", "lines"), [
    (b"from pkg.core.config import get_settings\nx = 1\n", [1]),
    (b"import pkg.core.config as c\nx = 1\nc.get_settings()\ny = c\n", [1, 3]),
    (b"import importlib\nm = importlib.import_module('pkg.core.config')\n", [2]),
    (b"import importlib\nm = importlib.import_module(\n 'pkg.core.'\n 'config')\n", [4]),
    (b'"""config is a word in every docstring"""\nx = 1\n', []),
    (b"from pkg.core.config import *\nget_settings()\n", [1, 2]),
    (b"import a as cc\nacc = 1\ncc.x\n", []),  # a move: uses of an alias find nothing
    (b"x = get_settings()\ny = get_settings[0]\n", [1, 2]),  # it renames: every use counts
], ids=["needle", "alias-uses", "string-import", "string-import-split", "docstring-word",
        "star-import", "alias-not-for-a-move", "renamed-bare-use"])
def test_hot_lines(source: bytes, lines: list[int]) -> None:
    assert hot_lines(source, INDEX, hot_offsets(source, INDEX)) == lines


@pytest.mark.parametrize(("source", "lines"), [
    (b"import pkg.core.config as c\nx = 1\nc.get_settings()\ny = c\n", [1, 3, 4]),
    (b"import a as cc\nacc = 1\ncc.x\n", [1, 3]),
    (b"from pkg.core.config import get_settings\nx = get_settings()\n", [1, 2]),
], ids=["alias-uses", "alias-is-a-word", "bare-call"])
def test_hot_lines_with_a_call_rule(source: bytes, lines: list[int]) -> None:
    assert hot_lines(source, CALLS, hot_offsets(source, CALLS)) == lines


# a move that keeps the name: a bare call or subscript of it finds nothing, so it is not hot
QUIET = RuleIndex.build([Rule(id="q", kind="move", old="pkg._text.to_text",
                              new="pkg.converters.to_text")])


@pytest.mark.parametrize(("source", "lines"), [
    (b"from pkg._text import to_text\n", [1]),
    (b"from pkg._text import (\n    to_text)\n", [1, 2]),
    (b"from . import (\n    to_text)\n", [2]),
    (b"x = to_text(y)\nz = [to_text(a), to_text[1]]\nreturn to_text(b)\n", []),
    (b"x = _text.to_text(y)\n", [1]),
    (b"x = _text . to_text(y)\n", [1]),
    (b"x = (_text.\n     to_text(y))\n", [2]),
    (b"x = (_text  # the module\n     .to_text(y))\n", [2]),
    (b"x = (_text.  # the module\n     to_text(y))\n", [2]),
    (b"x = _text. \\\n    to_text(y)\n", [2]),
    (b"x = _text.\tto_text(y)\n", [1]),
    (b"x = _text.\x0cto_text(y)\n", [1]),
    (b"to_text(y)\n", [1]),  # the start of the file: kept
    (b"x = 1\nto_text(y)\n", []),  # a new statement
    (b"f(a,\n    to_text(y))\n", []),  # the line before ends in an operator
    (b"f(a,\r\n    to_text(y))\r\n", []),
    (b"f(a,  # note\n    to_text(y))\n", [2]),  # a comment: its end says nothing
    (b"x = (a.\n\n    to_text(y))\n", [3]),  # a blank line: kept
    (b"x = 1\rto_text(y)\n", [1, 2, 3]),  # a lone CR: every line is hot
    (b"x = f(to_text)\ny = to_text\nisinstance(x, to_text)\n", []),  # in no import
    (b"def f(x: to_text) -> to_text:\n    return {to_text: 1}\n", []),
    (b"from . import a, \\\n    to_text\n", [2]),
    (b"from . import (a,  # c\n    to_text)\n", [2]),
    (b"from . import (a,\n\n    to_text)\n", [3]),
    (b"import a; from . import to_text\n", [1]),
    (b"from . import a as to_text\n", [1]),
    (b"x = 1\n    # to_text is called\n", []),  # a comment line
    (b"x = 1  # to_text is called\n", [1]),  # a comment after code: kept
    (b"to_text\n", [1]),  # the start of the file: kept
    (b"x: 'to_text(y)' = 1\ny = 'to_text[1]'\nz = 'to_text is'\n", []),
    (b"x: 'a.to_text' = 1\ny = 'a to_text'\n", [1]),
    (b"my_to_text(y)\nto_texts = 1\nx.my_to_text\n", []),
    (b"from pkg._text import *\nx = to_text(y)\n", [1, 2]),  # a star import: every use
    (b"__all__ = ['to_text']\n", []),  # __all__ is read whatever is hot
], ids=["import", "import-parenthesised", "relative-import", "bare-calls-and-subscripts",
        "attribute", "attribute-spaced", "attribute-over-a-newline", "attribute-after-a-comment",
        "dot-then-comment", "backslash-continuation", "tab", "form-feed", "file-start",
        "line-start", "after-an-operator-line", "after-an-operator-line-crlf",
        "after-a-comment-line", "after-a-blank-line", "lone-cr", "in-no-import", "annotations",
        "import-continued", "import-with-a-comment", "import-with-a-blank-line",
        "import-after-a-semicolon",
        "import-as", "comment-line", "comment-after-code", "file-start-bare", "in-strings",
        "in-strings-after-a-dot",
        "inside-longer-words", "star-import", "all"])
def test_hot_lines_of_a_quiet_name(source: bytes, lines: list[int]) -> None:
    assert QUIET.quiet_names == {b"to_text"}
    assert hot_lines(source, QUIET, hot_offsets(source, QUIET)) == lines


def test_quiet_names_are_moves_that_keep_the_name() -> None:
    index = RuleIndex.build([
        Rule(id="a", kind="move", old="m.a.same", new="m.b.same"),
        Rule(id="b", kind="move", old="m.a.renamed", new="m.b.other"),
        Rule(id="c", kind="call", old="m.a.called", new="m.b.called", params=("x",),
             arguments=(("x", "{x}"),)),
        Rule(id="d", kind="move", old="m.c.shared", new="m.d.shared"),
        Rule(id="e", kind="move", old="m.e.shared", new="m.f.renamed"),
        Rule(id="f", kind="module", old="m.same2", new="m.other2"),
        Rule(id="g", kind="move", old="m.a.same2", new="m.b.same2"),
        Rule(id="h", kind="module", old="m.kept", new="n.kept"),
        Rule(id="i", kind="move", old="m.a.kept", new="m.b.kept"),
    ])
    assert index.quiet_names == {b"same", b"kept"}
    assert index.quiet_modules == {b"kept"}


# a module rule that keeps its name: hot also before ``import`` and in a string
QUIET_MODULE = RuleIndex.build([Rule(id="mock", kind="module", old="mock",
                                     new="unittest.mock")])


@pytest.mark.parametrize(("source", "lines"), [
    (b"import mock\n", [1]),
    (b"import os, mock\n", [1]),
    (b"from mock import patch\n", [1]),
    (b"from mock.sub import patch\n", [1]),
    (b"from mock \\\n    import patch\n", [1]),
    (b"from pkg import mock\n", [1]),
    (b"x = 1\ny = importlib.import_module('mock')\nz = __import__(\"mock\")\n", [2, 3]),
    (b"x = 1\ny = a.mock\n", [2]),
    (b"x = 1\nwith mock.patch('x'):\n    mock(1)\n", []),
    (b'x = 1\n"""Tests that mock\nthings: mock them."""\n', []),
    (b"x = 1\n# mock it\n", []),
], ids=["import", "import-second", "from-import", "from-submodule", "from-continued",
        "from-package", "string-imports", "attribute", "uses", "docstring", "comment"])
def test_hot_lines_of_a_quiet_module(source: bytes, lines: list[int]) -> None:
    assert QUIET_MODULE.quiet_names == QUIET_MODULE.quiet_modules == {b"mock"}
    assert hot_lines(source, QUIET_MODULE, hot_offsets(source, QUIET_MODULE)) == lines


# (id, source, index, whether its one non-ASCII one-line string stays hot): Python reads an
# annotation's names under NFKC, so only a string whose NFKC text holds a hot word can name one
NAMING_STRINGS = [
    ("accent", "x: 'caf\u00e9' = 1\n", INDEX, False),
    ("box-drawing", "print('\u2500\u2502 done')\n", INDEX, False),
    ("fullwidth-name", "def f(x: 'c.\uff47et_settings'): ...\n", INDEX, True),
    ("ligature-in-module", "x: 'pkg.core.con\ufb01g.thing'\n", INDEX, True),
    ("plain-name-beside-non-ascii", "x = {'get_settings': '\u00e9'}\n", INDEX, True),
    ("new-lines-escaped", "print('line\\n\u2500\u2500')\n", INDEX, False),
    ("message", "raise ValueError('done \u2192 next')\n", INDEX, False),
    ("alias-with-a-call-rule", "import pkg.core.config as cfg\nf: 'cfg\u00e9'\n", CALLS, True),
    ("alias-without-one", "import pkg.core.config as cfg\nf: 'cfg\u00e9'\n", INDEX, False),
    # a concatenation or an escape may complete a name the words cannot see
    ("concatenated", "def f(x: '\uff27et_set' 'tings'): ...\n", INDEX, True),
    ("escaped", "def f(x: 'get_s\\x65ttings\u00e9'): ...\n", INDEX, True),
    ("two-strings", "def f(x: 'get_se' 'ttings', y: 'caf\u00e9'): ...\n", INDEX, True),
    ("form-feed-between", "def f(x: 'get_se'\f'ttings|\u00e9'): ...\n", INDEX, True),
]


@pytest.mark.parametrize(("source", "index", "hot"), [(s, i, h) for _, s, i, h in NAMING_STRINGS],
                         ids=[i for i, *_ in NAMING_STRINGS])
def test_naming_strings(source: str, index: RuleIndex, hot: bool) -> None:
    data = source.encode()
    texts = non_ascii_strings(data)
    assert texts is not None
    texts = [t for t in texts if not data[t:t + 1].isspace()]
    assert len(texts) == 1 or hot  # a second string on the line keeps the first one hot
    assert naming_strings(data, texts, index) == (texts if hot else [])
    if texts and hot:  # the whole-file parse and the partial one give the same answer
        assert analyze_source(data, "m.py", "m", False, index) == analyze_source(
            data, "m.py", "m", False, index, tree=ast.parse(data))
