"""The import splice and the statement-level rewrite engine against the whole-file one, on the
real corpus: the same bytes and sites for every candidate file, and what each costs.

    python benchmarks/bench_engines.py [--corpus /tmp/phasegate-bench/real] [--limit N]
    python benchmarks/bench_engines.py --config TREE/bench-rewrite.toml --phase rewrite

``--config`` runs on any tree instead of the corpus (e.g. bench_rewrite.py's django-cms tree,
whose Django renames exercise the rename splice).

Every file detect's prefilter keeps (the plan's candidates) is rewritten in this process by
``rewrite_source(..., holes=False)`` (the whole-file libcst engine), ``holes=True`` (libcst
sees only the statements a rule can concern, ``tasks/rewrite/holes.py``) and as ``plan`` does
it (detect's analysis first, then the import splice of ``tasks/rewrite/splice.py`` where it
applies, else the statement-level engine where it pays, else the whole file); CPU time is
summed per engine (the plan's includes its detect analysis). Exit 1 when any file differs in
bytes or sites from the whole-file engine (each is printed), else 0. Also printed: how many
files took each path and the share of lines punched out.
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
    parser.add_argument("--config", type=Path, default=None,
                        help="a phases.toml of another tree (default: the corpus')")
    parser.add_argument("--phase", default="p0")
    parser.add_argument("--limit", type=int, default=0, help="only the first N candidates")
    args = parser.parse_args(argv)

    from phasegate import config as config_mod
    from phasegate.discover import discover, module_name
    from phasegate.plan import phase_rules
    from phasegate.rewrite.engine import rewrite_source
    from phasegate.rewrite.holes import punch
    from phasegate.semantics.analyze import analyze_source
    from phasegate.semantics.rule_index import RuleIndex

    if args.config is not None:
        config, _ = config_mod.load(args.config)
        root = config.root
    else:
        root = corpus.build(args.corpus)
        config, _ = config_mod.load(root / "phases.toml")
    rules = tuple(phase_rules(config, config.phase(args.phase)))
    index = RuleIndex.build(rules)
    files = [rel for rel in discover(config.root, config.exclude).files
             if index.is_candidate((root / rel).read_bytes())]
    files = files[:args.limit] if args.limit else files
    cpu = {"file": 0.0, "statements": 0.0, "plan": 0.0}
    paths: dict[str, int] = {}
    differ: list[str] = []
    lines = punched = changed = 0
    for rel in files:
        data = (root / rel).read_bytes()
        module, is_pkg = module_name(rel, config.src)
        outcomes = {}
        for engine, holes in (("file", False), ("statements", True), ("plan", None)):
            start = time.process_time()
            try:
                found = None
                if holes is None:
                    found, problem = analyze_source(data, rel, module, is_pkg, index)
                    found = None if problem else found
                outcomes[engine] = rewrite_source(data, rel, module, is_pkg, rules, holes=holes,
                                                  found=found)
            except Exception as exc:  # noqa: BLE001 - a file all refuse is a per-file outcome
                outcomes[engine] = type(exc).__name__  # type: ignore[assignment]
            cpu[engine] += time.process_time() - start
        whole = outcomes["file"]
        for engine in ("statements", "plan"):
            other = outcomes[engine]
            if isinstance(whole, str) or isinstance(other, str):
                if whole != other:
                    differ.append(f"{rel} ({engine}): {whole!r} vs {other!r}")
            elif (whole.after, whole.rewritten, whole.manual) != \
                    (other.after, other.rewritten, other.manual):
                differ.append(f"{rel} ({engine})")
        if isinstance(whole, str) or isinstance(outcomes["plan"], str):
            continue
        path = outcomes["plan"].engine  # type: ignore[union-attr]
        paths[path] = paths.get(path, 0) + 1
        changed += whole.after != data
        reduced = punch(data, rules)
        if reduced is not None:
            lines, punched = lines + reduced.lines, punched + reduced.punched
    print(f"candidates {len(files)}, changed {changed}, plan's path per file {paths}")
    print(f"lines punched out {punched:,} of {lines:,} in the files punched "
          f"({punched / max(lines, 1):.0%})")
    for engine in ("statements", "plan"):
        print(f"CPU whole-file {cpu['file']:.2f}s, {engine} {cpu[engine]:.2f}s: "
              f"{cpu['file'] / max(cpu[engine], 1e-9):.1f}x")
    print(f"files that differ: {len(differ)}")
    for item in differ:
        print(f"  {item}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
