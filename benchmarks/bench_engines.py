"""The statement-level rewrite engine against the whole-file one, on the real corpus: the same
bytes and sites for every candidate file, and what each costs.

    python benchmarks/bench_engines.py [--corpus /tmp/phasegate-bench/real] [--limit N]

Every file detect's prefilter keeps (the plan's candidates) is rewritten in this process by
``rewrite_source(..., holes=False)`` (the whole-file libcst engine) and ``holes=True`` (libcst
sees only the statements a rule can concern, ``tasks/rewrite/holes.py``); CPU time is summed per
engine. Exit 1 when any file differs in bytes or sites (each is printed), else 0. Also printed:
how many files took each path and the share of lines punched out.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402  (sibling module; this file runs as a script)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/phasegate-bench/real"))
    parser.add_argument("--phase", default="p0")
    parser.add_argument("--limit", type=int, default=0, help="only the first N candidates")
    args = parser.parse_args(argv)

    from phasegate import config as config_mod
    from phasegate.discover import discover, module_name
    from phasegate.plan import phase_rules
    from phasegate.rewrite.engine import rewrite_source
    from phasegate.rewrite.holes import punch
    from phasegate.semantics.rule_index import RuleIndex

    root = corpus.build(args.corpus)
    config, _ = config_mod.load(root / "phases.toml")
    rules = tuple(phase_rules(config, config.phase(args.phase)))
    index = RuleIndex.build(rules)
    files = [rel for rel in discover(config.root, config.exclude).files
             if index.is_candidate((root / rel).read_bytes())]
    files = files[:args.limit] if args.limit else files
    cpu = {"file": 0.0, "statements": 0.0}
    paths: dict[str, int] = {}
    differ: list[str] = []
    lines = punched = changed = 0
    for rel in files:
        data = (root / rel).read_bytes()
        module, is_pkg = module_name(rel, config.src)
        outcomes = {}
        for engine, holes in (("file", False), ("statements", True)):
            start = time.process_time()
            try:
                outcomes[engine] = rewrite_source(data, rel, module, is_pkg, rules, holes=holes)
            except Exception as exc:  # noqa: BLE001 - a file both refuse is a per-file outcome
                outcomes[engine] = type(exc).__name__  # type: ignore[assignment]
            cpu[engine] += time.process_time() - start
        whole, cut = outcomes["file"], outcomes["statements"]
        if isinstance(whole, str) or isinstance(cut, str):
            if whole != cut:
                differ.append(f"{rel}: {whole!r} vs {cut!r}")
            continue
        paths[cut.engine] = paths.get(cut.engine, 0) + 1
        changed += whole.after != data
        if (whole.after, whole.rewritten, whole.manual) != (cut.after, cut.rewritten, cut.manual):
            differ.append(rel)
        reduced = punch(data, rules)
        if reduced is not None:
            lines, punched = lines + reduced.lines, punched + reduced.punched
    print(f"candidates {len(files)}, changed {changed}, by path {paths}")
    print(f"lines punched out {punched:,} of {lines:,} in the files punched "
          f"({punched / max(lines, 1):.0%})")
    print(f"CPU whole-file {cpu['file']:.2f}s, statement-level {cpu['statements']:.2f}s: "
          f"{cpu['file'] / max(cpu['statements'], 1e-9):.1f}x")
    print(f"files that differ: {len(differ)}")
    for item in differ:
        print(f"  {item}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
