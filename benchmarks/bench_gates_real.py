"""The gate on a real project's own test suite: migrate vs the same tests by hand, and a failing
tier vs a passing one (``python benchmarks/bench_gates.py --real``).

The project is tomlkit 0.13.2, its sdist from PyPI (pinned; it ships its 859 tests) kept in the
gitignored ``benchmarks/corpus``. Its own ``from typing import Iterator`` & co. are migrated to
``collections.abc`` with ``root = "."`` (phases.toml inside the tree, as the README recommends).
Rounds, interleaved after an untimed warm-up that records the baseline:

- ``by hand``: ``python -m pytest -p no:cacheprovider -q tests`` on the untouched tree;
- ``migrate (baseline cached)``: ``python -m phasegate migrate p0 --all-tests`` (plan, apply,
  syntax, lint, imports and the unit tier on the same tests, commit), then an untimed rollback;
- ``migrate, failing tier``: ``migrate p0 --all-tests --gates unit`` with a rule broken on
  purpose (``escape_string`` moved to an unrelated function), so the unit tier fails and the
  phase rolls back (exit 3); only the unit gate, as the lint gate would catch this rule first;
- ``plan alone``: ``python -m phasegate plan p0``, the libcst planning migrate does first, which
  costs the same whatever the suite (to split migrate's time into planning and gating).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from common import REPO, Series, fmt_s, timed

NAME, VERSION = "tomlkit", "0.13.2"
MOVES = ("Iterator", "Iterable", "Callable", "Collection", "Sequence", "Mapping")
BREAK = '\n[rules.broken]\nkind = "move"\nold = "tomlkit._utils.escape_string"\n' \
        'new = "tomlkit._compat.decode"\n'


def sdist() -> Path:
    """The pinned sdist, downloaded once with pip into benchmarks/corpus."""
    corpus = REPO / "benchmarks" / "corpus"
    target = corpus / f"{NAME}-{VERSION}.tar.gz"
    if not target.is_file():
        corpus.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                        "--no-binary", ":all:", "-d", str(corpus), f"{NAME}=={VERSION}"],
                       check=True)
    return target


def phases(rules: str, rule_ids: list[str]) -> str:
    listed = ", ".join(f'"{r}"' for r in rule_ids)
    return (f'[project]\nroot = "."\n\n{rules}\n[phases.p0]\nfiles = ["{NAME}/**"]\n'
            f"rules = [{listed}]\nallow_manual = true\n\n"
            '[gates.unit]\npaths = ["tests"]\nworkers = 0\ntimeout = 900\n')


def typing_rules() -> str:
    return "".join(f'[rules.typing-{m.lower()}]\nkind = "move"\nold = "typing.{m}"\n'
                   f'new = "collections.abc.{m}"\n\n' for m in MOVES)


def git(tree: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid",
                    *args], cwd=tree, check=True, capture_output=True)


def prepare(workdir: Path, broken: bool) -> Path:
    tree = workdir / f"real-{NAME}{'-broken' if broken else ''}"
    shutil.rmtree(tree, ignore_errors=True)
    with tarfile.open(sdist()) as tar:
        tar.extractall(workdir, filter="data")
    (workdir / f"{NAME}-{VERSION}").rename(tree)
    ids = [f"typing-{m.lower()}" for m in MOVES] + (["broken"] if broken else [])
    (tree / "phases.toml").write_text(phases(typing_rules() + (BREAK if broken else ""), ids))
    git(tree, "init", "-q")
    git(tree, "add", "-A")
    git(tree, "commit", "-qm", "sdist")
    return tree


def migrate_argv() -> list[str]:
    return [sys.executable, "-m", "phasegate", "migrate", "p0", "--all-tests"]


def plan_argv() -> list[str]:
    return [sys.executable, "-m", "phasegate", "plan", "p0"]


def hand_argv() -> list[str]:
    return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "tests"]


def real(workdir: Path, repeats: int) -> dict[str, object]:
    trees = {False: prepare(workdir, False), True: prepare(workdir, True)}
    series = {k: Series(k) for k in ("by hand", "migrate (baseline cached)",
                                     "migrate, failing tier", "plan alone")}
    codes: dict[str, set[int]] = {k: set() for k in series}
    for rnd in range(repeats + 1):  # round 0 records the baselines (untimed)
        for label in series:
            tree = trees[label == "migrate, failing tier"]
            argv = {"by hand": hand_argv(), "plan alone": plan_argv(),
                    "migrate, failing tier": migrate_argv() + ["--gates", "unit"]
                    }.get(label, migrate_argv())
            run = timed(argv, tree, stderr=workdir / "real.err")
            codes[label].add(run.returncode)
            if rnd:
                series[label].runs.append(run)
            if label == "migrate (baseline cached)" and run.returncode == 0:
                rollback = [sys.executable, "-m", "phasegate", "rollback", "p0"]
                subprocess.run(rollback, cwd=tree, check=True, capture_output=True)
    return {"series": series, "codes": codes, "tree": str(trees[False])}


def report(res: dict[str, object]) -> list[str]:
    s: dict[str, Series] = res["series"]  # type: ignore[assignment]
    hand, good, bad, plan = (s["by hand"], s["migrate (baseline cached)"],
                             s["migrate, failing tier"], s["plan alone"])
    codes: dict[str, set[int]] = res["codes"]  # type: ignore[assignment]
    shown = ", ".join(f"{k}: {sorted(v)}" for k, v in codes.items())
    lines = [f"Real project: {NAME} {VERSION} (sdist from PyPI, its own 859 tests); exit codes:"
             f" {shown}",
             "", "| run | median wall | min..max | median CPU | vs by hand (wall / CPU) |",
             "|---|---:|---:|---:|---:|"]
    for ser in (hand, good, bad, plan):
        lo, hi = ser.spread
        lines.append(f"| {ser.label} | {fmt_s(ser.median)} | {fmt_s(lo)}..{fmt_s(hi)} |"
                     f" {fmt_s(ser.cpu)} | {ser.median / hand.median:.2f}x /"
                     f" {ser.cpu / hand.cpu:.2f}x |")
    lines += ["", f"- migrate with the baseline cached / the same tests by hand:"
              f" **{good.median / hand.median:.2f}x** wall, **{good.cpu / hand.cpu:.2f}x** CPU"
              " (target <= 1.3x)",
              f"- the same without the planning (migrate - plan alone) / by hand:"
              f" **{(good.median - plan.median) / hand.median:.2f}x** wall,"
              f" **{(good.cpu - plan.cpu) / hand.cpu:.2f}x** CPU",
              f"- failing tier / passing migrate: **{bad.median / good.median:.2f}x** wall,"
              f" **{bad.cpu / good.cpu:.2f}x** CPU (target <= 2x)"]
    return lines
