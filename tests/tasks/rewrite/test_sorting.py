"""Issue 11, problem 7: new imports land where the project's sorter puts them when the file's
imports were sorted before (ruff's ``I`` rules with the project's settings, else ruff's
defaults); a file that was not sorted keeps the new import after the one it replaces."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from phasegate.config import Rule
from phasegate.rewrite import sorter, sorting
from phasegate.rewrite.harmless import harmless_lines
from phasegate.rewrite.model import FileOutcome
from phasegate.rewrite.worker import Work, plan_file

MOVE = Rule("mv", "move", "z.b.f", "a.d.G")
RUFF_FIRST_PARTY = '[tool.ruff.lint.isort]\nknown-first-party = ["a"]\n'

CASES = [
    ("sorted-stays-sorted", "",
     b"import os\n\nfrom m import e\nfrom z.b import f, h\n\nf(e, h, os)\n",
     b"import os\n\nfrom a.d import G\nfrom m import e\nfrom z.b import h\n\nG(e, h, os)\n"),
    ("project-settings", RUFF_FIRST_PARTY,
     b"import os\n\nfrom m import e\nfrom z.b import f, h\n\nf(e, h, os)\n",
     b"import os\n\nfrom m import e\nfrom z.b import h\n\nfrom a.d import G\n\nG(e, h, os)\n"),
    ("merged-name-sorted-in-its-line", "",
     b"from collections import OrderedDict\n\nfrom a.d import H\nfrom z.b import e, f\n\n"
     b"f(e, H, OrderedDict)\n",
     b"from collections import OrderedDict\n\nfrom a.d import G, H\nfrom z.b import e\n\n"
     b"G(e, H, OrderedDict)\n"),
    ("unsorted-left-alone", "",
     b"from z.b import f, h\nimport os\nfrom m import e\n\nf(e, h, os)\n",
     b"from z.b import h\nfrom a.d import G\nimport os\nfrom m import e\n\nG(e, h, os)\n"),
    ("untouched-lines-never-resorted", "",
     b"import os\n\nfrom m import e\nfrom z.b import f\n\n\ndef g():\n    import sys, json\n"
     b"    return f(e, os, sys, json)\n",
     b"import os\n\nfrom a.d import G\nfrom m import e\n\n\ndef g():\n    import sys, json\n"
     b"    return G(e, os, sys, json)\n"),
]


@pytest.mark.parametrize(("pyproject", "before", "after"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_new_imports_keep_the_sort(tmp_path: Path, pyproject: str, before: bytes,
                                   after: bytes) -> None:
    if pyproject:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    outcome = plan_file(Work(str(tmp_path), "app/x.py", before, (".",), (MOVE,), ""))
    assert outcome.failure == ""
    assert outcome.after == after


def test_a_new_import_sorted_first_in_its_block(tmp_path: Path) -> None:
    """Found on ansible: `import collections.abc`, added for `t.Iterator`, belongs at the top
    of a sorted block whose first line follows a comment."""
    rule = Rule("it", "move", "typing.Iterator", "collections.abc.Iterator")
    before = (b"# a comment\n\nimport dataclasses\nimport typing as t\n\n\n"
              b"def f() -> t.Iterator[int]:\n    return iter(())\n")
    outcome = plan_file(Work(str(tmp_path), "app/x.py", before, (".",), (rule,), ""))
    assert outcome.after == (b"# a comment\n\nimport collections.abc\nimport dataclasses\n\n\n"
                             b"def f() -> collections.abc.Iterator[int]:\n"
                             b"    return iter(())\n")


AFTER = b"try:\n    import b\n    import a\nexcept ImportError:\n    import c\n"
BLOCK = [{"location": {"row": 2, "column": 5}, "end_location": {"row": 4, "column": 1}}]


@pytest.mark.parametrize(("case", "result", "within", "same"), [
    ("sorted inside its block", b"try:\n    import a\n    import b\nexcept ImportError:\n"
     b"    import c\n", True, True),
    ("moved into the except block", b"try:\n    import b\nexcept ImportError:\n    import a\n"
     b"    import c\n", False, False),
])
def test_a_sorted_line_never_lands_in_another_block(case: str, result: bytes, within: bool,
                                                     same: bool) -> None:
    """The cheap check (every changed line inside one I001 range) and the whole-tree one
    agree; the whole-tree one runs only when the cheap one cannot tell."""
    assert sorting._within_one_block(AFTER, result, BLOCK) is within
    assert sorting._same_program(result, AFTER) is same


SAME_NAME = (Rule("f", "move", "z.b.f", "a.d.f"), Rule("h", "move", "z.b.h", "a.d.h"))


@pytest.mark.parametrize(("rules", "before"), [(MOVE, c[2]) for c in CASES] + [
    (SAME_NAME, b"import os\nfrom z.b import f\nimport sys\n\nf(os, sys)\n"),  # was sorted
    (SAME_NAME, b"import sys\nimport os\nfrom z.b import f\n\nf(os, sys)\n"),  # was not
    (SAME_NAME, b"from z.b import h, f\n\nf(h)\n"),  # a block of one line, only touched
    (SAME_NAME, b"# c\nfrom m import e\nfrom z.b import f\n\n\ndef g():\n    import sys, json\n"
     b"    from z.b import h\n    return f(e, h, sys, json)\n"),
], ids=[c[0] for c in CASES] + ["same-name-sorted", "same-name-unsorted", "one-line-block",
                                "nested-unsorted"])
def test_one_ruff_run_for_every_file_gives_the_same_bytes(tmp_path: Path, rules: object,
                                                          before: bytes) -> None:
    """What ``plan`` does for files on disk (ruff once over all of them, then a shortcut when
    every changed line sits in a block that was not sorted) equals asking ruff per file."""
    rules = rules if isinstance(rules, tuple) else (rules,)
    (tmp_path / "app").mkdir()
    (tmp_path / "app/x.py").write_bytes(before)
    known = sorting.unsorted_on_disk(str(tmp_path), ["app/x.py"])
    assert "app/x.py" in known
    alone = plan_file(Work(str(tmp_path), "app/x.py", before, (".",), rules, ""))
    batched = plan_file(Work(str(tmp_path), "app/x.py", before, (".",), rules, "", "",
                             known["app/x.py"]))
    if batched.sort_pending:  # the plan asks ruff about it, with other files, and finishes
        found = sorting.ruff_i001(batched.after, "app/x.py", str(tmp_path))
        batched = sorter.sorted_outcome(batched, str(tmp_path), known["app/x.py"], found)
    assert alone.failure == batched.failure == ""
    assert not alone.sort_pending and not batched.sort_pending
    assert batched.after == alone.after


# (id, pyproject, before, after, whether the sorter's answer is known without asking ruff):
# when it is, asking ruff must give ``after`` back unchanged
_HEAD = b"import os\n\nfrom django.utils.encoding import force_text\nfrom m import e\n\n"
STAYS_SORTED = [
    ("renamed-shorter", "", _HEAD + b"x = force_text(e, os)\n",
     _HEAD.replace(b"force_text", b"force_str") + b"x = force_str(e, os)\n", True),
    ("renamed-longer", "", _HEAD + b"x = force_text(e, os)\n",
     _HEAD.replace(b"force_text", b"force_texts") + b"x = force_texts(e, os)\n", False),
    ("renamed-first-letter", "",
     b"import os\n\nfrom k import zeta\nfrom m import e\n\nzeta(os, e)\n",
     b"import os\n\nfrom k import alp\nfrom m import e\n\nalp(os, e)\n", True),
    ("length-sort", "[tool.ruff.lint.isort]\nlength-sort = true\n",
     b"import os\n\nfrom m import e\nfrom kk import zeta_long\n\nzeta_long(os, e)\n",
     b"import os\n\nfrom m import e\nfrom kk import z\n\nz(os, e)\n", True),
    ("force-sort-within-sections", "[tool.ruff.lint.isort]\nforce-sort-within-sections = true\n",
     b"from k import zeta\nimport m\n\nzeta(m)\n", b"from k import alp\nimport m\n\nalp(m)\n",
     True),
    ("two-statements-of-the-module", "",
     b"from k import a as b\nfrom k import zeta\n\nzeta(b)\n",
     b"from k import a as b\nfrom k import alp\n\nalp(b)\n", False),
    ("module-changed", "", _HEAD + b"x = force_text(e, os)\n",
     _HEAD.replace(b"django.utils.encoding import force_text", b"django.utils import force_str")
     + b"x = force_str(e, os)\n", False),
    ("inside-brackets", "", b"from k import (\n    zeta,\n)\nfrom m import e\n\nzeta(e)\n",
     b"from k import (\n    alp,\n)\nfrom m import e\n\nalp(e)\n", False),
    ("two-names", "", b"from k import y, zeta\n\nzeta(y)\n", b"from k import y, alp\n\nalp(y)\n",
     False),
    ("a-comment", "", b"from k import zeta  # noqa\nfrom m import e\n\nzeta(e)\n",
     b"from k import alp  # noqa\nfrom m import e\n\nalp(e)\n", False),
    ("unsorted-block-in-place-and-code", "",
     b"from m import e\nimport os\nfrom k import zeta\n\nzeta(os, e)\n",
     b"from m import e\nimport os\nfrom k import alp\n\nalp(os, e)\n", True),
]


@pytest.mark.parametrize(("pyproject", "before", "after", "known"), [c[1:] for c in STAYS_SORTED],
                         ids=[c[0] for c in STAYS_SORTED])
def test_a_renamed_name_keeps_the_sort_without_ruff(tmp_path: Path, pyproject: str,
                                                    before: bytes, after: bytes,
                                                    known: bool) -> None:
    if pyproject:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    (tmp_path / "app").mkdir()
    (tmp_path / "app/x.py").write_bytes(before)
    unsorted = sorting.unsorted_on_disk(str(tmp_path), ["app/x.py"])["app/x.py"]
    outcome = FileOutcome("app/x.py", before, after,
                          harmless=harmless_lines(before, after, ast.parse(before)))
    assert sorter.stays_sorted(outcome, unsorted) is known
    if known:  # ruff, asked, agrees: nothing of the rewrite moves
        assert sorting.keep_sorted(before, after, "app/x.py", str(tmp_path), unsorted) == after


@pytest.mark.parametrize("pyproject", ["", "[tool.ruff.lint.isort]\nlength-sort = true\n",
                                       "[tool.ruff.lint.isort]\nforce-sort-within-sections = "
                                       "true\n"], ids=["defaults", "length-sort", "within"])
def test_the_sorter_orders_statements_by_module_not_by_names(tmp_path: Path,
                                                             pyproject: str) -> None:
    """What ``stays_sorted`` relies on: the statements of a block are ordered by their module
    (with length-sort, by its length, not the line's), so renaming a statement's one name
    moves nothing. Here the longer line first is sorted; a line-length order would not be."""
    if pyproject:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    (tmp_path / "app").mkdir()
    (tmp_path / "app/x.py").write_bytes(b"from aa import yyyyyyyyyyyy\nfrom bb import z\n\n"
                                        b"print(yyyyyyyyyyyy, z)\n")
    assert sorting.unsorted_on_disk(str(tmp_path), ["app/x.py"]) == {"app/x.py": []}
