"""Per-file outcomes: one odd file never blocks a phase. A phase with an unparseable file and a
file only a newer Python compiles, among good files, migrates the good ones and lists the two;
the imports gate fails on them unless ``allow_manual``; ``--strict`` refuses everything."""

from __future__ import annotations

import hashlib
import shutil
import threading
from pathlib import Path

import pytest

from phasegate import cli
from phasegate import config as config_mod
from phasegate.plan import build_plan
from tests.helpers.journal_repo import git

PHASES = """\
[project]
root = "."

[rules.mv]
kind = "move"
old = "a.b.f"
new = "c.d.G"

[phases.p0]
files = ["app/**"]
rules = ["mv"]
gates = ["syntax", "imports"]
{phase}
{gates}
"""
GOOD = b"from a.b import f\n\nf()\n"
NEWER = b'from a.b import f\n\nd = {"k": 1}\nprint(f"{d["k"]}", f())\n'  # 3.12 nested quotes
BROKEN = b"from a.b import f\nprint 'py2 leftover', f\n"
FILES = {"a/__init__.py": b"", "a/b.py": b"def f(): ...\n", "c/__init__.py": b"",
         "c/d.py": b"def G(): ...\n", "app/__init__.py": b"", "app/one.py": GOOD,
         "app/two.py": GOOD, "app/newer.py": NEWER, "app/broken.py": BROKEN}
NOT_CHECKABLE = ("not checkable by Python 3.11 (line 4: f-string: unmatched '['): run phasegate"
                 " under the project's Python, or set [gates.syntax] python ="
                 ' "path/to/python3.X"')
UNPARSEABLE = "unparseable (line 2, column 0): parser error: error at 2:20: expected one of"
PY312 = shutil.which("python3.12") and Path.home() / ".pyenv/versions/3.12.1/bin/python3.12"


def repo(tmp_path: Path, *, phase: str = "", gates: str = "") -> Path:
    root = tmp_path / "repo"
    for rel, data in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    (root / "phases.toml").write_text(PHASES.format(phase=phase, gates=gates))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    return root / "phases.toml"


def digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*.py"))}


def test_the_plan_lists_the_two_and_plans_the_rest(tmp_path: Path) -> None:
    config, _ = config_mod.load(repo(tmp_path))
    plan = build_plan(config, "p0", jobs=1)
    assert [f.path for f in plan.changes] == ["app/one.py", "app/two.py"]
    files = [(s.path, s.line, s.rule, s.kind, s.reason) for s in plan.manual]
    assert [f[:4] for f in files] == [("app/broken.py", 1, "*", "file"),
                                      ("app/newer.py", 1, "*", "file")]
    assert files[0][4].startswith(UNPARSEABLE)
    assert files[1][4] == NOT_CHECKABLE


def test_imports_gate_fails_on_them_without_allow_manual(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo(tmp_path)
    before = digest(path.parent)
    assert cli.main(["migrate", "p0", "--config", str(path)]) == 3
    out = capsys.readouterr().out
    assert f"not rewritten app/newer.py: {NOT_CHECKABLE}" in out
    assert "FAIL imports" in out and "2 manual site(s)" in out
    assert f"app/newer.py:1:1: *: manual: {NOT_CHECKABLE}" in out
    assert "app/broken.py:1:1: *: manual: unparseable (line 2" in out
    assert digest(path.parent) == before  # rolled back


def test_allow_manual_migrates_the_good_ones(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = repo(tmp_path, phase="allow_manual = true")
    assert cli.main(["migrate", "p0", "--config", str(path)]) == 0
    root = path.parent
    assert (root / "app/one.py").read_bytes() == (root / "app/two.py").read_bytes() == \
        b"from c.d import G\n\nG()\n"
    assert (root / "app/newer.py").read_bytes() == NEWER
    assert (root / "app/broken.py").read_bytes() == BROKEN
    assert "committed 2 file(s), 2 site(s) rewritten, 2 left to a person" in \
        capsys.readouterr().out


def test_strict_refuses_the_phase(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo(tmp_path, phase="allow_manual = true")
    before = digest(path.parent)
    assert cli.main(["migrate", "p0", "--strict", "--config", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == ("phasegate: error: phase p0: 2 file(s) could not be rewritten; nothing was"
                      " written (--strict):")
    assert err[1].startswith(f"  app/broken.py: {UNPARSEABLE}")
    assert err[2] == f"  app/newer.py: {NOT_CHECKABLE}"
    assert digest(path.parent) == before
    assert cli.main(["plan", "p0", "--strict", "--config", str(path)]) == 2


@pytest.mark.skipif(not (PY312 and PY312.is_file()), reason="needs a python3.12 (pyenv)")
def test_the_syntax_gates_python_checks_what_this_one_cannot(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo(tmp_path, phase="allow_manual = true", gates=f'[gates.syntax]\npython = "{PY312}"')
    assert cli.main(["migrate", "p0", "--config", str(path)]) == 0
    assert (path.parent / "app/newer.py").read_bytes() == NEWER.replace(b"f()", b"G()") \
        .replace(b"from a.b import f", b"from c.d import G")
    out = capsys.readouterr().out
    assert "PASS syntax" in out and "compile for Python 3.12" in out
    assert "committed 3 file(s), 3 site(s) rewritten, 1 left to a person" in out
    # the rewritten file names neither 'b' nor a relative import: the prefilter shows it cannot
    # bind a.b.f any more, so detect need not parse it (it could not, under this Python)
    assert "app/newer.py" not in out.split("PASS imports", 1)[1]


def test_a_syntax_python_that_rejects_it_says_so(tmp_path: Path) -> None:
    import sys

    path = repo(tmp_path, gates=f'[gates.syntax]\npython = "{sys.executable}"')
    config, _ = config_mod.load(path)
    reasons = {s.path: s.reason for s in build_plan(config, "p0", jobs=1).manual}
    assert reasons["app/newer.py"] == (f"does not compile with {sys.executable} (line 4: "
                                       "f-string: unmatched '[')")


class _DyingPool:
    """A pool whose worker dies on the second batch it is given (as a killed process would)."""

    def __init__(self) -> None:
        self.batches = 0

    def submit(self, fn, items):  # type: ignore[no-untyped-def]
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        self.batches += 1
        future: Future[object] = Future()
        if self.batches == 2:  # it dies while the others finish
            threading.Timer(0.2, future.set_exception,
                            [BrokenProcessPool("a worker was killed")]).start()
        else:
            future.set_result(fn(items))
        return future


def test_a_killed_worker_fails_only_the_files_not_planned_yet(tmp_path: Path) -> None:
    """Each file has one outcome: those planned before the worker died keep theirs, the rest
    say the worker died (none is listed twice)."""
    from phasegate import plan as plan_mod
    from phasegate.rewrite.worker import Work

    rule = config_mod.Rule(id="mv", kind="move", old="a.b.f", new="c.d.G")
    work = [Work(str(tmp_path), f"app/m{i}.py", b"from a.b import f\n", (".",), (rule,), "")
            for i in range(12)]
    outcomes = list(plan_mod._run(work, 2, _DyingPool()))  # type: ignore[arg-type]
    assert sorted(o.path for o in outcomes) == sorted(w.rel for w in work)
    died = [o for o in outcomes if o.failure.startswith("worker process died")]
    assert 0 < len(died) < len(work)
    assert all(b"c.d" in o.after for o in outcomes if not o.failure)
