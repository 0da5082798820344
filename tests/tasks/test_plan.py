"""build_plan and `phasegate plan` on small real projects: phase files, prefilter, the process
pool, per-file failures (nothing written), ruff formatting, diff/summary/json, exit codes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from phasegate import config as config_mod
from phasegate import plan as plan_mod
from phasegate.cli import main
from phasegate.errors import MigrationError
from phasegate.plan import build_plan, plan_file
from phasegate.rewrite import worker

CONFIG = """\
[project]
root = "."
{project}

[rules.mv]
kind = "move"
old = "a.b.f"
new = "c.d.G"

[phases.p0]
title = "First"
files = ["app/one*.py"]
rules = ["mv"]
{phase}

[phases.p1]
title = "Rest"
files = ["**/*.py"]
rules = ["mv"]
"""


def project(tmp_path: Path, files: dict[str, bytes], *, project: str = "",
            phase: str = "") -> Path:
    (tmp_path / "phases.toml").write_text(CONFIG.format(project=project, phase=phase))
    for rel, data in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return tmp_path / "phases.toml"


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*.py"))}


USES = b"from a.b import f\nf()\n"
MOVE = config_mod.Rule("mv", "move", "a.b.f", "c.d.G")


def test_plan_covers_the_phase_files_only(tmp_path: Path) -> None:
    cfg_path = project(tmp_path, {"app/one.py": USES, "app/two.py": USES,
                                  "app/one_clean.py": b"x = 1\n"})
    config, _ = config_mod.load(cfg_path)
    plan = build_plan(config, "p0")
    assert [f.path for f in plan.changes] == ["app/one.py"]
    assert plan.scanned == 2 and plan.candidates == 1  # the clean file is never parsed
    assert plan.changes[0].after == b"from c.d import G\nG()\n"
    assert [(s.line, s.col, s.kind) for s in plan.rewritten] == [(1, 17, "import")]
    assert [f.path for f in build_plan(config, "p1").changes] == ["app/two.py"]


@pytest.mark.parametrize(("source", "parsed"), [
    (b"from a.b import f\n", True),
    (b"fff = 1\nof = 2\n", False),  # the name only inside other words
    (b"f = 1\n", False),  # the name without its module: it cannot be the banned one
    (b"from . import f\n", True),  # inside the package ``a.b`` it can
    (b"import importlib\nimportlib.import_module('a.b')\n", True),  # imported by string
])
def test_plan_parses_what_detect_would(tmp_path: Path, source: bytes, parsed: bool) -> None:
    """The plan's candidates are detect's: a file detect cannot find a site in is never
    parsed (the rewrite changes only files holding a site)."""
    config, _ = config_mod.load(project(tmp_path, {"app/one.py": source}))
    assert build_plan(config, "p0").candidates == int(parsed)


def test_pool_and_serial_agree(tmp_path: Path) -> None:
    files = {f"app/one_{i:02}.py": USES + f"x{i} = f\n".encode() for i in range(12)}
    config, _ = config_mod.load(project(tmp_path, files))
    serial = build_plan(config, "p0", jobs=1)
    pooled = build_plan(config, "p0", jobs=2)
    assert len(serial.changes) == 12
    assert [(f.path, f.after, f.rewritten) for f in serial.files] == \
        [(f.path, f.after, f.rewritten) for f in pooled.files]


def test_reading_in_the_pool_agrees_with_reading_here(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """On a large tree the pool's workers read and prefilter the files: the same candidates,
    the same files too large to rewrite, the same plan."""
    files = {f"app/one_{i:02}.py": USES + f"x{i} = f\n".encode() for i in range(12)}
    files |= {f"app/one_cold_{i:02}.py": b"x = 1\n" for i in range(40)}
    files["app/one_big.py"] = USES + b"#" * 400 + b"\n"
    config, _ = config_mod.load(project(tmp_path, files))
    monkeypatch.setattr(plan_mod, "MAX_BYTES", 300)  # inherited by the forked workers
    serial = build_plan(config, "p0", jobs=1)
    monkeypatch.setattr(plan_mod, "READ_PARALLEL_MIN", 1)
    pooled = build_plan(config, "p0", jobs=2)
    assert (serial.candidates, serial.scanned) == (pooled.candidates, pooled.scanned) == (12, 53)
    assert serial.failures == pooled.failures
    assert [p.path for p in pooled.failures] == ["app/one_big.py"]
    assert [(f.path, f.after, f.rewritten) for f in serial.files] == \
        [(f.path, f.after, f.rewritten) for f in pooled.files]


def test_strict_failures_name_every_file_and_nothing_is_written(tmp_path: Path) -> None:
    cfg_path = project(tmp_path, {"app/one.py": USES,
                                  "app/one_bad.py": b"from a.b import f\ndef (:\n",
                                  "app/one_worse.py": b"import a.b\nf = (\n",
                                  "app/one_other.py": b"g = (\n"})
    config, _ = config_mod.load(cfg_path)
    before = digest(tmp_path)
    with pytest.raises(MigrationError) as err:
        build_plan(config, "p0", strict=True)
    lines = err.value.message.splitlines()
    assert lines[0] == ("phase p0: 2 file(s) could not be rewritten; nothing was written"
                        " (--strict):")
    assert lines[1].startswith("  app/one_bad.py: unparseable (line 2, column")
    assert lines[2].startswith("  app/one_worse.py: unparseable (line ")
    assert len(lines) == 3  # one_other.py never mentions the old name: not even parsed
    assert digest(tmp_path) == before


class FakePanic(BaseException):
    """Stands in for libcst's native PanicException, which is a BaseException."""


def test_a_panic_in_the_parser_is_a_per_file_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise FakePanic("internal error: entered unreachable code")

    monkeypatch.setattr(worker, "rewrite_source", boom)
    outcome = plan_file(("/", "app/x.py", USES, (".",), (MOVE,), ""))
    assert outcome.failure == "FakePanic: internal error: entered unreachable code"
    assert outcome.after == USES


def test_keyboard_interrupt_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    def stop(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(worker, "rewrite_source", stop)
    with pytest.raises(KeyboardInterrupt):
        plan_file(("/", "app/x.py", USES, (".",), (MOVE,), ""))


def test_names_only_in_strings_skip_the_libcst_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> None:
        raise AssertionError("libcst pass should not run")

    monkeypatch.setattr(worker, "rewrite_source", boom)
    decoy = b'"""from a.b import f"""\n# f()\n\n\ndef g(f):\n    return f\n'
    outcome = plan_file(("/", "app/x.py", decoy, (".",), (MOVE,), ""))
    assert outcome.failure == "" and outcome.after is decoy


def test_ruff_format_runs_only_on_changed_files(tmp_path: Path) -> None:
    ugly = b"x = [1,2]\n"
    cfg_path = project(tmp_path, {"app/one.py": b"from a.b import f\ny = f( 1 )\n",
                                  "app/one_b.py": b"from a.b import e\n" + ugly},
                       phase='format = "ruff"')
    config, _ = config_mod.load(cfg_path)
    plan = build_plan(config, "p0")
    assert [f.path for f in plan.changes] == ["app/one.py"]
    assert plan.changes[0].after == b"from c.d import G\n\ny = G(1)\n"


def test_cli_plan_text_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg_path = project(tmp_path, {"app/one.py": USES, "app/two.py": b"x = 1\n"})
    before = digest(tmp_path)
    assert main(["plan", "p0", "--config", str(cfg_path)]) == 1
    out = capsys.readouterr().out
    assert "--- a/app/one.py\n+++ b/app/one.py\n" in out
    assert "-from a.b import f\n-f()\n+from c.d import G\n+G()\n" in out
    assert "phase p0 (First): 1 file(s) changed, 1 site(s) rewritten, 0 left to a person" in out
    assert digest(tmp_path) == before
    assert main(["plan", "p1", "--config", str(cfg_path)]) == 0
    assert main(["plan", "--config", str(cfg_path)]) == 2
    assert "give one PHASE or --all" in capsys.readouterr().err
    assert main(["plan", "p9", "--config", str(cfg_path)]) == 2


def test_cli_plan_json_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg_path = project(tmp_path, {"app/one.py": USES, "app/two.py": USES + b"__all__ = ['f']\n"})
    assert main(["plan", "--all", "--format", "json", "--config", str(cfg_path)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "phasegate.plan/1"
    assert [p["phase"] for p in data["phases"]] == ["p0", "p1"]
    p0, p1 = data["phases"]
    assert p0["summary"] == {"files_scanned": 1, "files_parsed": 1, "files_changed": 1,
                             "sites_rewritten": 1, "sites_manual": 0, "manual_reasons": {}}
    assert p0["files"][0]["rewritten"] == [{"path": "app/one.py", "line": 1, "col": 17,
                                            "rule": "mv", "kind": "import", "reason": ""}]
    assert p0["files"][0]["diff"].startswith("--- a/app/one.py")
    assert p1["summary"]["files_changed"] == 1  # a re-export keeps its public name
    assert "-from a.b import f\n+from c.d import G as f\n f()\n" in p1["files"][0]["diff"]
    assert [s["kind"] for s in p1["files"][0]["rewritten"]] == ["import", "re-export"]


def test_workers_are_spawn_safe() -> None:
    """plan_file and its arguments survive a spawn-started pool (macOS, Windows)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    work = [("/", f"app/x{i}.py", USES, (".",), (MOVE,), "") for i in range(2)]
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        outcomes = list(pool.map(plan_file, work))
    assert [o.after for o in outcomes] == [b"from c.d import G\nG()\n"] * 2
    assert [o.rewritten[0].path for o in outcomes] == ["app/x0.py", "app/x1.py"]
