"""The byte prefilter: a file is a candidate only when it could refer to a banned name. A banned
member (``a.b.home.name``) needs its name and its module's last part as a word, or a relative
import from a package; anything that can bind it is kept, on real code too."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

from phasegate.config import Rule
from phasegate.semantics import analyze
from phasegate.semantics.rule_index import RuleIndex

INDEX = RuleIndex.build([Rule(id="m", kind="move", old="a.b.home.name", new="a.c.name"),
                         Rule(id="mod", kind="module", old="x.legacy", new="x.modern")])

CASES = [
    ("from-import", b"from a.b.home import name\n", True),
    ("from-package", b"from a.b import home\nhome.name()\n", True),
    ("import-as", b"import a.b.home as h\nh.name\n", True),
    ("relative-module", b"from .home import name\n", True),
    ("relative-package", b"from . import name\n", True),
    ("relative-parent-split", b"from .. \\\n    import (\n    name)\n", True),
    ("relative-no-space", b"from.import name\n", True),
    ("relative-dot-space", b"from. import name\n", True),
    ("relative-form-feed", b"from\x0c. import name\n", True),
    ("relative-dots-continued", b"from .\\\n. import name\n", True),
    ("string-import", b"import importlib\nm = importlib.import_module('a.b.home')\nm.name\n",
     True),
    ("module-rule", b"import x.legacy\n", True),
    ("non-ascii", "# caf\u00e9\nfrom a.b.other import name\n".encode(), True),
    ("other-module", b"from a.b.other import name\n", False),
    ("home-inside-a-word", b"from a.b.to_home import name\nfrom q.home_x import y\n", False),
    ("home-without-name", b"import a.b.home\n", False),
    ("neither", b"print('hello')\n", False),
]


@pytest.mark.parametrize(("data", "expected"), [(d, e) for _, d, e in CASES],
                         ids=[i for i, _, _ in CASES])
def test_candidates(data: bytes, expected: bool) -> None:
    assert INDEX.is_candidate(data) is expected
    assert INDEX.candidate_by_every_needle(data) is expected


# the fast prefilter's shortcuts, each against the slow twin
TWIN_INDEX = RuleIndex.build([
    Rule(id="t", kind="move", old="a.b._text.to_text", new="a.c.to_text"),
    Rule(id="n", kind="move", old="a.b._text.to_native", new="a.c.to_native"),
    Rule(id="s", kind="move", old="typing.Set", new="collections.abc.Set"),
    Rule(id="m", kind="module", old="mock", new="unittest.mock")])
TWIN_CASES = [
    b"from a.b._text import to_text\n",
    b"x = to_text(y)\n",  # "_text" inside to_text only: not a word
    b"from a.b import _text\n",  # the module, no member
    b"import importlib\nimportlib.import_module('a.b._text')\n",
    b"import importlib\nimportlib.import_module('a.b._text').to_text\n",  # named: not bound
    b"__import__('a.b._text')\n",
    b"import importlib\nimportlib.import_module('x')\nto_text = 1\n",
    b"from . import to_text\n",
    b"from . import other\n",
    "# caf\u00e9\nto_native(x)\n".encode(),
    "# caf\u00e9\n".encode(),
    "# caf\u00e9\nimport importlib\nimportlib.import_module('a.b._text')\n".encode(),
    b"import mock\n",
    b"QuerySet = 1\n# typing\n",
    b"from typing import Set\n",
    b"typing_Set = 1\n",
    b"_text_to_text = 1\n",
]


@pytest.mark.parametrize("data", TWIN_CASES)
def test_prefilter_is_its_slow_twin(data: bytes) -> None:
    assert TWIN_INDEX.is_candidate(data) is TWIN_INDEX.candidate_by_every_needle(data)


COMMON = RuleIndex.build([
    Rule(id="join", kind="move", old="os.path.join", new="posixpath.join"),
    Rule(id="optional", kind="move", old="typing.Optional", new="typing_extensions.Optional"),
    Rule(id="any", kind="move", old="typing.Any", new="typing_extensions.Any"),
    Rule(id="od", kind="move", old="collections.OrderedDict", new="builtins.dict"),
    Rule(id="get", kind="move", old="email.utils.parseaddr", new="email.headerregistry.x"),
])


def test_every_file_with_a_finding_is_a_candidate() -> None:
    """The standard library, rules on names it uses a lot: every file the analysis finds a
    site in passes the prefilter (which drops most of the files that only name a member)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(root.glob("*.py")) + sorted((root / "email").glob("*.py"))
    with_sites = dropped = 0
    for path in files[:500]:
        data = path.read_bytes()
        found, problem = analyze.analyze_source(data, path.name, "stdlib.mod", False, COMMON)
        assert COMMON.is_candidate(data) is COMMON.candidate_by_every_needle(data), path
        if found:
            with_sites += 1
            assert COMMON.is_candidate(data), path
        elif problem is None and any(n in data for n in COMMON.needles) \
                and not COMMON.is_candidate(data):
            dropped += 1
    assert with_sites > 25 and dropped > 30, (with_sites, dropped)
