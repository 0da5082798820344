"""Hot offsets and lines: where a reference to a deprecated name can be."""

from __future__ import annotations

import pytest

from phasegate.config import Rule
from phasegate.semantics.hotspots import _aliases, hot_lines, hot_offsets
from phasegate.semantics.rule_index import RuleIndex

INDEX = RuleIndex.build([Rule(id="m", kind="move", old="pkg.core.config.get_settings",
                              new="pkg.core.settings.load")])


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
    (b"import pkg.core.config as c\nx = 1\nc.get_settings()\ny = c\n", [1, 3, 4]),
    (b"import importlib\nm = importlib.import_module('pkg.core.config')\n", [2]),
    (b"import importlib\nm = importlib.import_module(\n 'pkg.core.'\n 'config')\n", [4]),
    (b'"""config is a word in every docstring"""\nx = 1\n', []),
    (b"from pkg.core.config import *\nget_settings()\n", [1, 2]),
    (b"import a as cc\nacc = 1\ncc.x\n", [1, 3]),
], ids=["needle", "alias-uses", "string-import", "string-import-split", "docstring-word",
        "star-import", "alias-is-a-word"])
def test_hot_lines(source: bytes, lines: list[int]) -> None:
    assert hot_lines(source, INDEX, hot_offsets(source, INDEX)) == lines
