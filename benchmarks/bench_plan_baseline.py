"""This commit's ``phasegate plan`` against another install's, on the real corpus, all its rules.

    python benchmarks/bench_plan_baseline.py --baseline-python PATH [--repeats 3] [--phase p0]

``PATH`` is a python whose ``-m phasegate`` is the other commit (e.g. a venv with
``pip install`` of an older checkout). Both run ``plan PHASE --format json`` on the corpus
(``corpus.py``) with phasegate's cache deleted before every run, in interleaved rounds (the
first tool alternates); printed: medians of wall and CPU (user + system of the process tree),
their ratios, and whether both printed the same JSON.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402  (sibling module; this file runs as a script)
from common import Series, timed  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-python", required=True)
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/phasegate-bench/real"))
    parser.add_argument("--phase", default="p0")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    root = corpus.build(args.corpus)
    pythons = {"this commit": sys.executable, "baseline": args.baseline_python}
    series = {label: Series(label) for label in pythons}
    outputs: dict[str, bytes] = {}
    for rnd in range(args.repeats):
        order = list(pythons) if rnd % 2 == 0 else list(reversed(pythons))
        for label in order:
            shutil.rmtree(root / ".git" / "phasegate", ignore_errors=True)
            run = timed([pythons[label], "-m", "phasegate", "plan", args.phase, "--format",
                         "json"], root, keep_stdout=True)
            series[label].runs.append(run)
            outputs[label] = run.stdout
            print(f"round {rnd + 1}: {label} {run.seconds:.2f}s wall, {run.cpu:.2f}s CPU, "
                  f"exit {run.returncode}", file=sys.stderr)
    new, old = series["this commit"], series["baseline"]
    print("| run | median wall | median CPU |\n|---|---:|---:|")
    for s in (new, old):
        print(f"| {s.label} | {s.median:.2f}s | {s.cpu:.2f}s |")
    print(f"\nbaseline / this commit: **{old.median / new.median:.1f}x** wall, "
          f"**{old.cpu / new.cpu:.1f}x** CPU; same JSON: "
          f"{outputs['this commit'] == outputs['baseline']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
