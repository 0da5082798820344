"""Run every phasegate benchmark and print one markdown report (what `nox -s bench` runs).

    python benchmarks/run.py [--sizes 1000,10000] [--big] [--no-real] [--repeats 5]
                              [--only detect,plan,gates]

Trees are generated once under ``--workdir`` and reused while their parameters match.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_detect  # noqa: E402
import bench_gates  # noqa: E402
import bench_plan  # noqa: E402
from common import machine  # noqa: E402


def section(title: str, main: object, argv: list[str]) -> list[str]:
    print(f"== {title}: {' '.join(argv)}", file=sys.stderr)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(argv)  # type: ignore[operator]
    return [f"## {title}", "", f"`{' '.join(argv)}`", "", out.getvalue().rstrip(), ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="detect and plan tree sizes")
    parser.add_argument("--big", action="store_true", help="detect also on 50,000 files")
    parser.add_argument("--no-real", action="store_true",
                        help="skip the real corpus (pinned wheels, ~18k files; corpus.py)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rename-sizes", default="1000",
                        help="sizes RenameCommand really runs on (others are extrapolated)")
    parser.add_argument("--reuse-rename", action="store_true")
    parser.add_argument("--gate-files", type=int, default=2000)
    parser.add_argument("--gate-tests", type=int, default=600)
    parser.add_argument("--example", action="store_true", help="gates on the bundled example")
    parser.add_argument("--only", default="detect,plan,gates")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/phasegate-bench"))
    parser.add_argument("--output", "-o", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    work = ["--workdir", str(args.workdir)]
    info = machine()
    lines = ["# phasegate benchmarks", "", "| machine | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in info.items()]
    lines += [f"| load average at start | {' '.join(f'{x:.2f}' for x in os.getloadavg())} |", ""]
    if "detect" in only:
        lines += section("detect vs ruff TID251", bench_detect.main,
                         ["--sizes", args.sizes, "--repeats", str(args.repeats), *work]
                         + (["--big"] if args.big else [])
                         + ([] if args.no_real else ["--real"]))
    if "plan" in only:
        lines += section("plan vs RenameCommand", bench_plan.main,
                         ["--sizes", args.sizes, "--rename-sizes", args.rename_sizes,
                          "--repeats", str(max(1, args.repeats // 2)), *work]
                         + (["--reuse-rename"] if args.reuse_rename else []))
    if "gates" in only:
        lines += section("gates", bench_gates.main,
                         ["--files", str(args.gate_files), "--tests", str(args.gate_tests),
                          "--repeats", str(max(1, args.repeats // 2)), *work]
                         + (["--example"] if args.example else []))
    lines.append(f"Load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.output:
        args.output.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
