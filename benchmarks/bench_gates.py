"""The gate ladder's test tiers vs the same pytest commands by hand; affected-test selection.

    python benchmarks/bench_gates.py [--files 2000 --tests 600] [--repeats 3] [--example]
    python benchmarks/bench_gates.py --real [--repeats 5]   (see bench_gates_real.py)

On a generated tree with a few thousand tests, interleaved per round:
- ``by hand``: the exact pytest argv the unit gate builds (``tasks.gates_tests.pytest_argv``);
- ``ladder, all tests``: ``tasks.gates.run_ladder(only=["unit"], all_tests=True)`` in a fresh
  interpreter (startup, config, JUnit parsing: all of phasegate's overhead counts);
- ``ladder, affected``: the same with affected-test selection for a phase touching
  a random 5% of the modules, once with the import-graph cache deleted and once with it kept.
A first, untimed round warms up (the ladder records test durations, which decide xdist or not,
and caches the import graph). With ``--example``, the same overhead comparison on the bundled
example (repo phases.toml, p0).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, Series, ensure_tree, fmt_s, timed  # noqa: E402


def driver(argv: list[str]) -> int:
    """In a fresh interpreter: run the ladder's test gates and print their results as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("phase")
    parser.add_argument("records", type=Path)
    parser.add_argument("--changed", type=Path)
    parser.add_argument("--all-tests", action="store_true")
    parser.add_argument("--gates", default="unit")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from phasegate import config
    from phasegate.gates import ladder as gates

    cfg, _ = config.load(args.config)
    changed = args.changed.read_text().split() if args.changed else []
    result = gates.run_ladder(cfg, cfg.phase(args.phase), changed, baseline=gates.Baseline(),
                              records_dir=args.records, only=args.gates.split(","),
                              all_tests=args.all_tests)
    print(json.dumps([{"name": g.name, "passed": g.passed, "duration": g.duration,
                       "summary": g.summary} for g in result.results]))
    return 0


def ladder_argv(config: Path, phase: str, records: Path, *, changed: Path | None = None,
                all_tests: bool, gates: str = "unit") -> list[str]:
    argv = [sys.executable, str(Path(__file__).resolve()), "--driver", str(config), phase,
            str(records), "--gates", gates]
    if changed:
        argv += ["--changed", str(changed)]
    return argv + (["--all-tests"] if all_tests else [])


def by_hand_argvs(config: Path, names: list[str], junit_dir: Path,
                  workers_from: Path | None = None) -> list[list[str]]:
    """The pytest commands the ladder runs for these gates, built by phasegate itself.

    With ``workers_from`` (the ladder run's records dir), xdist or not is decided exactly as the
    ladder decides it from the durations recorded there; without it, the configured ``-n``.
    """
    sys.path.insert(0, str(REPO))
    from phasegate import config as config_mod
    from phasegate.discover import discover
    from phasegate.gates import shard as gates_shard
    from phasegate.gates import tiers as gates_tests
    from phasegate.gates.tier_gate import workers as tier_workers

    cfg, _ = config_mod.load(config)
    every = discover(cfg.root).files
    argvs = []
    for g in names:
        if g != "unit" and not cfg.gate(g).configured:
            continue
        gate = gates_tests.tier(cfg, g)
        workers = None
        if workers_from is not None:
            tests = gates_shard.tier_files(cfg, gate, every)
            workers = tier_workers(cfg, g, tests, workers_from)
        argv = gates_tests.pytest_argv(gate, junit_dir / f"{g}.xml", None, workers)
        at = argv.index(gates_tests.PLUGIN)  # by hand: without phasegate's plugin
        argvs.append(argv[:at - 1] + argv[at + 1:])
    return argvs


def run_series(cwd: Path, argvs: list[list[str]], series: Series,
               before: list[Path] = ()) -> list[object]:
    for path in before:
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    runs = [timed(argv, cwd, keep_stdout=True) for argv in argvs]
    total = runs[0]
    total.seconds = sum(r.seconds for r in runs)
    total.returncode = max(r.returncode for r in runs)
    total.cpu = sum(r.cpu for r in runs)
    series.runs.append(total)
    try:
        return json.loads(runs[-1].stdout or b"null") or []
    except json.JSONDecodeError:
        return []


def generated(workdir: Path, files: int, tests: int, repeats: int,
              seed: int = 1) -> dict[str, object]:
    tree = ensure_tree(workdir / f"gates-{files}-{tests}", files, tests=tests)
    cfg = tree / "phases.toml"
    mods = sorted(str(p.relative_to(tree)) for p in (tree / "acme").glob("*/*/mod_*.py"))
    changed = workdir / f"changed-{files}.txt"
    # a random 5% (seeded): every 20th module would line up with the tests' own spacing
    touched = sorted(random.Random(seed).sample(mods, max(1, len(mods) // 20)))
    changed.write_text("\n".join(touched))
    rec = workdir / "records"
    modes = {
        "by hand (full unit tier)": (
            lambda: by_hand_argvs(cfg, ["unit"], rec / "hand", rec / "all" / "unit"), []),
        "by hand, naive -n auto": (lambda: by_hand_argvs(cfg, ["unit"], rec / "hand"), []),
        "ladder, all tests": (lambda: [ladder_argv(cfg, "p0", rec / "all" / "unit",
                                                   changed=changed, all_tests=True)], []),
        "ladder, affected (graph cold)": (
            lambda: [ladder_argv(cfg, "p0", rec / "cold" / "unit", changed=changed,
                                 all_tests=False)],
            [rec / "cold" / "import-graph.json"]),
        "ladder, affected (graph cached)": (
            lambda: [ladder_argv(cfg, "p0", rec / "warm" / "unit", changed=changed,
                                 all_tests=False)], []),
    }
    (rec / "hand").mkdir(parents=True, exist_ok=True)
    series = {label: Series(label) for label in modes}
    summaries: dict[str, object] = {}
    for rnd in range(repeats + 1):  # round 0 warms up: durations recorded, graph cached
        for label, (argvs, before) in modes.items():
            target = series[label] if rnd else Series("warm-up")
            summaries[label] = run_series(tree, argvs(), target, before)
    return {"tree": str(tree), "changed_modules": len(touched), "modules": len(mods),
            "series": series, "summaries": summaries}


def example(workdir: Path, repeats: int) -> dict[str, object] | None:
    cfg = REPO / "phases.toml"
    if not cfg.exists() or not (REPO / "examples" / "netra").is_dir():
        return None
    sys.path.insert(0, str(REPO))
    from phasegate import config as config_mod
    from phasegate.gates.tiers import TierSettings

    loaded, _ = config_mod.load(cfg)
    phase = loaded.phase("p0")
    tiers = [g for g in phase.gates if isinstance(loaded.gate(g), TierSettings)]
    rec = workdir / "example-records"
    (rec / "hand").mkdir(parents=True, exist_ok=True)
    modes = {"by hand": lambda: by_hand_argvs(cfg, tiers, rec / "hand", rec / "all" / "p0"),
             "by hand, naive -n auto": lambda: by_hand_argvs(cfg, tiers, rec / "hand"),
             "ladder, all tests": lambda: [ladder_argv(cfg, "p0", rec / "all" / "p0",
                                                       all_tests=True, gates=",".join(tiers))]}
    series = {label: Series(label) for label in modes}
    summaries: dict[str, object] = {}
    for rnd in range(repeats + 1):  # round 0 warms up, as above
        for label, argvs in modes.items():
            target = series[label] if rnd else Series("warm-up")
            summaries[label] = run_series(loaded.root, argvs(), target)
    return {"tiers": tiers, "series": series, "summaries": summaries}


def report(gen: dict[str, object], ex: dict[str, object] | None) -> list[str]:
    s: dict[str, Series] = gen["series"]  # type: ignore[assignment]
    hand = s["by hand (full unit tier)"].median
    full = s["ladder, all tests"].median
    lines = [f"Generated tree {gen['tree']}: {gen['modules']} modules; the phase touches"
             f" {gen['changed_modules']} (a seeded random 5%).", "",
             "| run | median wall | min..max | vs by hand | median CPU (process tree) |",
             "|---|---:|---:|---:|---:|"]
    for label, ser in s.items():
        lo, hi = ser.spread
        lines.append(f"| {label} | {fmt_s(ser.median)} | {fmt_s(lo)}..{fmt_s(hi)}"
                     f" | {ser.median / hand:.2f}x | {fmt_s(ser.cpu)} |")
    codes = {k: sorted({r.returncode for r in v.runs}) for k, v in s.items()}
    cold = s["ladder, affected (graph cold)"].median
    warm = s["ladder, affected (graph cached)"].median
    hand_cpu, full_cpu = s["by hand (full unit tier)"].cpu, s["ladder, all tests"].cpu
    over, over_cpu = (full / hand - 1) * 100, (full_cpu / hand_cpu - 1) * 100
    lines += ["", f"- ladder overhead over the same pytest command by hand: **{over:+.1f}%**"
              f" wall, **{over_cpu:+.1f}%** CPU"
              " (target <= +10%).",
              f"- affected selection speed-up over the full unit gate: **{full / cold:.1f}x**"
              f" with the import graph built in the run, **{full / warm:.1f}x** with it cached"
              " (target >= 5x).",
              f"- gate summaries: {json.dumps(gen['summaries'])}",
              f"- exit codes: {json.dumps(codes)}"]
    if ex is None:
        lines += ["", "Bundled example: not measured (no phases.toml / examples/netra yet)."]
    else:
        es: dict[str, Series] = ex["series"]  # type: ignore[assignment]
        h, lad = es["by hand"].median, es["ladder, all tests"].median
        naive = es["by hand, naive -n auto"].median
        lines += ["", f"Bundled example (p0 tiers {ex['tiers']}): by hand {fmt_s(h)}"
                  f" (CPU {fmt_s(es['by hand'].cpu)}), naive -n auto {fmt_s(naive)}, ladder"
                  f" {fmt_s(lad)} (CPU {fmt_s(es['ladder, all tests'].cpu)}): overhead"
                  f" **{(lad / h - 1) * 100:+.1f}%** wall,"
                  f" **{(es['ladder, all tests'].cpu / es['by hand'].cpu - 1) * 100:+.1f}%** CPU;"
                  f" summaries {json.dumps(ex['summaries'])}"]
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--driver"]:
        return driver(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--tests", type=int, default=600, help="test files (5 tests each)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--example", action="store_true", help="also the bundled example")
    parser.add_argument("--real", action="store_true",
                        help="only the real project's suite (tomlkit from PyPI)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/phasegate-bench"))
    args = parser.parse_args(argv)
    if args.real:
        import bench_gates_real

        args.workdir.mkdir(parents=True, exist_ok=True)
        print("\n".join(bench_gates_real.report(bench_gates_real.real(args.workdir,
                                                                      args.repeats))))
        return 0
    print(f"gates: {args.files:,} modules, {args.tests * 5:,} tests, {args.repeats} rounds ...",
          file=sys.stderr)
    gen = generated(args.workdir, args.files, args.tests, args.repeats)
    ex = example(args.workdir, args.repeats) if args.example else None
    print("\n".join(report(gen, ex)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
