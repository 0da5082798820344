"""Detect: every import shape, flagged and not flagged; bad files; phases; the cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from phasegate import config
from phasegate import discover as discover_mod
from phasegate.cli import main
from phasegate.detect import engine as detect
from phasegate.detect import scan as detect_scan
from tests.helpers.detect_cases import (
    BAD_FILES,
    SCANNED_FILES,
    SHAPES,
    check_bad_file,
    check_odd_file,
    found,
    make_project,
)


@pytest.mark.parametrize(("source", "expected"), [(s, e) for _, s, e in SHAPES],
                         ids=[i for i, _, _ in SHAPES])
def test_import_shapes(tmp_path: Path, source: str, expected: list[tuple]) -> None:
    assert found(tmp_path, source) == sorted(expected)


def test_call_reason_names_the_missing_context(tmp_path: Path) -> None:
    cfg = make_project(tmp_path, {"pkg/sub/mod.py": "from pkg.ws import make_manager\n"
                                                     "make_manager()\n"})
    calls = [v for v in detect.detect(cfg, use_cache=False).violations if v.kind == "call"]
    assert [v.reason for v in calls] == ["no user context in scope"]


def test_provider_modules_are_not_flagged(tmp_path: Path) -> None:
    cfg = make_project(tmp_path, {"pkg/old.py": "from pkg.legacy import X\nclass Thing: ...\n"})
    paths = {v.path for v in detect.detect(cfg, use_cache=False).violations}
    assert "pkg/old.py" in paths  # flagged for the module rule, it provides only 'moved'
    cfg = make_project(tmp_path, {"pkg/legacy.py": "import pkg.legacy\n"})
    assert not [v for v in detect.detect(cfg, use_cache=False).violations
                if v.path == "pkg/legacy.py"]


@pytest.mark.parametrize(("data", "reason", "line"), [(d, r, n) for _, d, r, n in BAD_FILES],
                         ids=[i for i, *_ in BAD_FILES])
def test_bad_files_are_reported_not_crashed(tmp_path: Path, data: bytes, reason: str,
                                            line: int) -> None:
    check_bad_file(tmp_path, data, reason, line)


@pytest.mark.parametrize(("data", "where"), [(d, w) for _, d, w in SCANNED_FILES],
                         ids=[i for i, *_ in SCANNED_FILES])
def test_odd_files_are_scanned(tmp_path: Path, data: bytes, where: tuple | None) -> None:
    check_odd_file(tmp_path, data, where)


def test_phase_is_the_first_matching(tmp_path: Path) -> None:
    src = "from pkg.old import Thing\n"
    cfg = make_project(tmp_path, {"pkg/sub/first.py": src, "pkg/sub/other.py": src,
                                  "tools/x.py": src})
    phases = {v.path: v.phase for v in detect.detect(cfg, use_cache=False).violations}
    assert phases == {"pkg/sub/first.py": "p0", "pkg/sub/other.py": "p1",
                      "tools/x.py": "unassigned"}
    only = detect.detect(cfg, phase="p1", use_cache=False).violations
    assert {v.path for v in only} == {"pkg/sub/other.py"}


def test_gitignore_and_exclude_and_symlinks(tmp_path: Path) -> None:
    src = "from pkg.old import Thing\n"
    cfg = make_project(tmp_path, {"pkg/a.py": src, "build/gen.py": src, "pkg/gen/x.py": src})
    (tmp_path / ".gitignore").write_text("build/\n")
    os.symlink(tmp_path / "pkg" / "a.py", tmp_path / "pkg" / "link.py")
    text = (tmp_path / "phases.toml").read_text().replace(
        'root = "."', 'root = "."\nexclude = ["pkg/gen/**"]')
    (tmp_path / "phases.toml").write_text(text)
    cfg = config.load(tmp_path / "phases.toml")[0]
    result = detect.detect(cfg, use_cache=False)
    assert {v.path for v in result.violations} == {"pkg/a.py"}
    assert [(p.path, p.reason) for p in result.problems] == [
        ("pkg/link.py", "symlink (not followed)")]


def test_cache_skips_unchanged_files_and_sees_changes(tmp_path: Path) -> None:
    files = {f"pkg/m{i}.py": "from pkg.old import Thing\n" for i in range(60)}
    cfg = make_project(tmp_path, files)
    cold = detect.detect(cfg)
    warm = detect.detect(cfg)
    assert warm.violations == cold.violations and warm.files_parsed == 0
    assert warm.cache_hits == warm.files_scanned
    (tmp_path / "pkg/m3.py").write_text("import os\n")
    again = detect.detect(cfg)
    assert again.files_parsed == 0  # m3 no longer holds a needle: read, not parsed
    assert len(again.violations) == len(cold.violations) - 1


def test_a_cold_runs_cache_in_parts_reads_back_as_one(tmp_path: Path) -> None:
    """A cold run writes its workers' parts of the cache as they came (one pickled dict a
    batch); read back, they are the entries a serial run writes as one dict, and a damaged
    cache is a cold run."""
    files = {f"pkg/m{i}.py": "from pkg.old import Thing\n" if i % 3 else "x = 1\n"
             for i in range(150)}
    files["pkg/bad.py"] = "from pkg.old import Thing\ndef (:\n"
    cfg = make_project(tmp_path, files)
    path = detect._cache_path(cfg, detect.RuleIndex.build(detect.rules_for(cfg, None)))
    streamed = detect.detect(cfg, jobs=2)
    parts = path.read_bytes()
    entries = detect._load_cache(path)
    assert len(entries) == streamed.files_scanned > 150 and parts.count(b"\x80\x05") > 1
    path.unlink()
    serial = detect.detect(cfg, jobs=1)
    assert detect._load_cache(path) == entries
    assert (serial.violations, serial.problems) == (streamed.violations, streamed.problems)
    path.write_bytes(parts[:-7])
    assert detect._load_cache(path) == {}
    assert detect.detect(cfg, jobs=2).files_parsed == 101  # cold again


def test_parallel_equals_serial(tmp_path: Path) -> None:
    files = {f"pkg/m{i}.py": "import pkg.legacy\nfrom pkg.old import Thing\n"
             for i in range(120)}
    cfg = make_project(tmp_path, files)
    serial = detect.detect(cfg, use_cache=False, jobs=1)
    parallel = detect.detect(cfg, use_cache=False, jobs=2)  # no cache: the pool starts early
    assert serial.violations == parallel.violations and len(serial.violations) == 240
    (tmp_path / "pkg/m0.py").write_text("from pkg.old import Thing as T\n")
    for i in range(1, 60):  # a warm run with enough changed files for a pool of its own
        (tmp_path / f"pkg/m{i}.py").write_text("x = 1\n")
    detect.detect(cfg, jobs=2)
    warm = detect.detect(cfg, jobs=2)
    (tmp_path / "pkg/m60.py").write_text("x = 2\n")
    after = detect.detect(cfg, jobs=2)
    assert len(warm.violations) == 240 - 59 * 2 - 1 and warm.cache_hits == warm.files_scanned
    assert len(after.violations) == len(warm.violations) - 2


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_project(tmp_path, {"pkg/sub/mod.py": "from pkg.old import Thing\n"})
    cfg = str(tmp_path / "phases.toml")
    assert main(["detect", "--config", cfg, "--format", "json", "--no-cache"]) == 1
    (tmp_path / "pkg/sub/mod.py").write_text("from pkg.new import Thing\n")
    assert main(["detect", "--config", cfg, "--format", "json", "--no-cache"]) == 0
    assert main(["detect", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "not found" in capsys.readouterr().err


def test_codemod_rules_report_what_the_codemod_would_rewrite(tmp_path: Path) -> None:
    cfg = make_project(tmp_path, {"pkg/sub/mod.py": (
        "from pkg.ws import make_manager as mm\n"
        "mm(ctx=1)\n"
        "mm(other=2)\n"
        "mm(ctx=1, user_context=2)\n")})
    text = (tmp_path / "phases.toml").read_text() + (
        '\n[rules.kw]\nkind = "codemod"\ncodemod = "rename_kwarg"\nold = "pkg.ws.make_manager"\n'
        '[rules.kw.options]\nkeyword = "ctx"\nto = "user_context"\n')
    (tmp_path / "phases.toml").write_text(text)
    cfg = config.load(tmp_path / "phases.toml")[0]
    found = [(v.line, v.kind, v.fixable, v.reason) for v in detect.detect(cfg, use_cache=False)
             .violations if v.rule == "kw"]
    assert found == [(2, "call", True, ""),
                     (4, "call", False, "passes both 'ctx' and 'user_context'")]


def test_codemod_without_needles_is_run_on_every_file(tmp_path: Path) -> None:
    """Plan runs a codemod that names no needle on every file: detect must look there too."""
    make_project(tmp_path, {"pkg/sub/mod.py": "from pkg.ws import make_manager as mm\n"
                                              "mm(ctx=1)\n"})
    text = (tmp_path / "phases.toml").read_text() + (
        '\n[rules.kw]\nkind = "codemod"\ncodemod = "rename_kwarg"\n'
        '[rules.kw.options]\ncallee = "pkg.ws.make_manager"\nkeyword = "ctx"\n'
        'to = "user_context"\n')
    (tmp_path / "phases.toml").write_text(text.replace('rules = ["moved", "legacy", "factory"]',
                                                       'rules = ["kw"]'))
    cfg = config.load(tmp_path / "phases.toml")[0]
    found = [(v.path, v.line, v.kind) for v in detect.detect(cfg, use_cache=False).violations
             if v.rule == "kw"]
    assert found == [("pkg/sub/mod.py", 2, "call")]
    from phasegate.plan import build_plan

    plan = build_plan(cfg, "p1")
    assert [(f.path, [s.line for s in f.rewritten]) for f in plan.changes] == \
        [("pkg/sub/mod.py", [2])]


@pytest.mark.parametrize(("size", "limit", "reported"), [
    (0, 64, False), (64, 64, False), (65, 64, True), (200_000, 64, True), (200_000, 300_000, False),
], ids=["empty", "at-limit", "one-over", "far-over", "large-under"])
def test_read_is_bounded_and_reports_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               size: int, limit: int, reported: bool) -> None:
    body = (b"from pkg.old import Thing\n" + b"#" * size)[:size] if size else b""
    cfg = make_project(tmp_path, {"pkg/sub/big.py": body})
    monkeypatch.setattr(detect_scan, "MAX_BYTES", limit)
    result = detect.detect(cfg, use_cache=False, jobs=1)
    problems = [p.reason for p in result.problems if p.path == "pkg/sub/big.py"]
    assert problems == (["too large to scan (> 0 MB)"] if reported else [])
    read = detect_scan.read_file(str(tmp_path / "pkg/sub/big.py"), 10)
    assert read[:limit + 1] == body[:limit + 1]


def test_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = make_project(tmp_path, {"pkg/sub/secret.py": "from pkg.old import Thing\n"})
    real_open = os.open

    def refuse(path: str, flags: int, *args: int) -> int:
        if str(path).endswith("secret.py"):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse)  # root reads any file: refuse it the way EACCES does
    result = detect.detect(cfg, use_cache=False, jobs=1)
    assert [p.reason for p in result.problems if p.path == "pkg/sub/secret.py"] == \
        ["unreadable: Permission denied"]
    assert not [v for v in result.violations if v.path == "pkg/sub/secret.py"]


@pytest.mark.parametrize("name", ["Canvas", "alias", "pandas", "as_"])
def test_alias_of_a_name_ending_in_as(name: str) -> None:
    """``Canvas as C``: the "as" inside Canvas must not hide the alias C."""
    from phasegate.config import Rule
    from phasegate.semantics.analyze import RuleIndex, analyze_source

    index = RuleIndex.build([Rule(id="r", kind="call", old=f"pkg.gfx.{name}", new="pkg.gfx.New")])
    source = f"from pkg.gfx import {name} as C\n\ndef f():\n    return C()\n".encode()
    found, problem = analyze_source(source, "m.py", "m", False, index)
    assert problem is None
    assert [(v.line, v.kind) for v in found] == [(1, "import"), (4, "call")]


@pytest.mark.parametrize(("count", "cached", "pools"), [
    (5, False, 0), (120, False, 1), (120, True, 0),
], ids=["tiny-cold", "large-cold-forks-early", "large-warm"])
def test_workers_fork_early_only_for_a_large_cold_run(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      count: int, cached: bool,
                                                      pools: int) -> None:
    """A cold run on enough files forks its pool while discovery has only listed the files."""
    files = {f"pkg/m{i}.py": "from pkg.old import Thing\n" for i in range(count)}
    cfg = make_project(tmp_path, files)
    if cached:
        detect.detect(cfg, jobs=2)
    started: list[int] = []
    real_pool, real_fit = detect_scan.worker_pool, discover_mod.fit
    stats: list[str] = []
    monkeypatch.setattr(discover_mod, "fit", lambda p: stats.append(p) or real_fit(p))
    monkeypatch.setattr(detect_scan, "worker_pool",
                        lambda w: started.append(len(stats)) or real_pool(w))
    result = detect.detect(cfg, jobs=2)
    assert len(result.violations) == count
    early = [n for n in started if n == 0]  # forked before the first file was stat-ed
    assert len(early) == pools


def test_detect_does_not_import_libcst(tmp_path: Path) -> None:
    """detect is the ast model's: the rule kinds register themselves without loading libcst
    (about 120 ms of every start), which only plan and the codemod hooks need."""
    import subprocess
    import sys

    cfg = make_project(tmp_path, {"pkg/sub/mod.py": "from pkg.old import Thing\n"})
    code = ("import sys\nfrom phasegate.cli import main\n"
            f"code = main(['detect', '--no-cache', '--format', 'json', '--config', "
            f"{str(cfg.path)!r}])\n"
            "print(code, sorted(m for m in sys.modules if m.split('.')[0] == 'libcst'),"
            " file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PHASEGATE_NO_REPLAY": "1"})
    assert proc.stderr.strip().splitlines()[-1] == "1 []", proc.stderr


KEEPING = """\
[project]
root = "."

[rules.mv]
kind = "move"
old = "a.b.f"
new = "c.d.f"

[phases.p0]
title = "Only"
files = ["**/*.py"]
rules = ["mv"]
"""


def test_a_candidate_no_import_can_bind_is_dismissed_unparsed(tmp_path: Path) -> None:
    """The prefilter keeps a file naming ``f`` and ``b``, but no line of it can hold a finding
    (a name-keeping move is found only in imports and attribute chains): detect dismisses it
    without parsing, like the files the prefilter drops, while one with an import is parsed
    (and reported when it cannot be). plan still lists both unparseable files as failures."""
    (tmp_path / "phases.toml").write_text(KEEPING)
    (tmp_path / "app").mkdir()
    (tmp_path / "app/cold.py").write_bytes(b"def k(:\n    return b(f)\n")
    (tmp_path / "app/hot.py").write_bytes(b"from a.b import f\ndef k(:\n    return f\n")
    cfg, _ = config.load(tmp_path / "phases.toml")
    result = detect.detect(cfg, use_cache=False)
    assert [p.path for p in result.problems] == ["app/hot.py"]

    from phasegate.plan import build_plan

    plan = build_plan(cfg, "p0", jobs=1)
    assert sorted(p.path for p in plan.failures) == ["app/cold.py", "app/hot.py"]
