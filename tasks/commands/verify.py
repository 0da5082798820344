"""Run the test tiers on the tree as it is, optionally one shard of them (exit 0 pass, 3 fail).

``--shard K/N`` splits each tier's test files deterministically into N shards balanced by the
durations in earlier JUnit reports (the journal records, ``--junit-dir``, ``--durations-from``)
or else by file size, so a CI matrix of N runners runs every test file exactly once. The
weights must be the same on every runner (same checkout, same reports) for that to hold.
Each tier is judged by its own policy, as migrate judges it: under ``no-new-failures`` the
known failures are those of the baseline most recently recorded for the tier (by migrate, on
the tree before its phase), so verify accepts a tree migrate accepted. Exit codes: 0 every tier
passed, 3 a tier failed (nothing is rolled back: verify changes nothing), 2 usage or config
error.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import time
from pathlib import Path

from .. import config as config_mod
from ..config import Config
from ..discover import discover
from ..errors import EXIT_GATE, EXIT_OK, EXIT_USAGE, MigrationError
from ..gates import junit as gates_junit
from ..gates import shard as gates_shard
from ..gates import tiers as gates_tests
from ..gates.baseline import latest_baseline
from ..gates.policy import Evidence, evaluate
from ..gates.results import GateResult
from ..gates.tier_gate import rerun_failures
from ._common import recover_first

TIERS = ("unit", "integration", "mission-critical")

ORDER = 40


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tier", action="append", choices=TIERS, metavar="TIER",
                        help="unit, integration or mission-critical (repeatable; default: every"
                             " configured tier)")
    parser.add_argument("--shard", metavar="K/N", help="run only shard K of N (1-based)")
    parser.add_argument("--junit-dir", metavar="DIR",
                        help="write one JUnit XML per tier here: <tier>.xml, or "
                             "<tier>-shard<K>of<N>.xml (default: the phasegate records)")
    parser.add_argument("--durations-from", metavar="DIR", action="append", default=[],
                        help="also read test durations from the JUnit XML files in DIR")


def records_root(config: Config) -> Path:
    """Where gate reports live: the journal's records when it exists, else the state dir."""
    try:
        from ..journal import records_dir

        return Path(records_dir(config, "_verify")).parent
    except ImportError:
        from ..statedir import state_dir

        return state_dir(config) / "records"


_SHARD_REPORT = re.compile(r"-shard\d+of\d+\.xml$")


def known_durations(config: Config, junit_dir: Path, extra: list[str]) -> dict[str, float]:
    """Seconds per test file from the JUnit reports phasegate and the user kept.

    Reports of shard runs are left out: running shard 1 must not change the weights shard 2
    is split with, or running the shards one after another would not cover every file once.
    """
    reports: list[Path] = []
    for base in [records_root(config), junit_dir, *map(Path, extra)]:
        if base.is_dir():
            reports.extend(p for p in base.rglob("*.xml") if not _SHARD_REPORT.search(p.name))
    return gates_junit.durations(sorted(set(reports)))


def run(args: argparse.Namespace) -> int:
    config = config_mod.read(args.config)
    shard = gates_shard.parse_shard(args.shard) if args.shard else None
    recover_first(config)  # never test a tree a crash left half-migrated
    tiers = [t for t in TIERS if t in args.tier] if args.tier else \
        [t for t in TIERS if _configured(config, t)]  # ladder order, once each
    for tier in tiers:
        if not _configured(config, tier):
            raise MigrationError(f"--tier {tier}: no [gates.{tier}] in {config.path.name}",
                                 EXIT_USAGE)
    junit_dir = Path(args.junit_dir) if args.junit_dir else records_root(config) / "_verify"
    junit_dir.mkdir(parents=True, exist_ok=True)
    durations = known_durations(config, junit_dir, args.durations_from)
    every = discover(config.root).files if shard else []
    results = [_verify_tier(config, tier, junit_dir, shard, every, durations) for tier in tiers]
    for result in results:
        print(result.line())
        print("".join(f"  {d}\n" for d in result.details), end="")
        if not result.passed and result.report:
            print(f"  full report: {result.report}")
    failed = [r.name for r in results if not r.passed]
    total = sum(r.duration for r in results)
    print(f"JUnit reports: {junit_dir}")
    print(f"verify: {len(results) - len(failed)} of {len(results)} tier(s) passed in {total:.2f}s"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return EXIT_GATE if failed else EXIT_OK


def _configured(config: Config, tier: str) -> bool:
    """Unit always runs (by default the whole suite); the other tiers only when configured."""
    return tier == "unit" or config.gate(tier).configured


def _verify_tier(config: Config, tier: str, junit_dir: Path, shard: tuple[int, int] | None,
                 every: list[str], durations: dict[str, float]) -> GateResult:
    gate = dataclasses.replace(gates_tests.tier(config, tier), repeat=1)
    base = latest_baseline(records_root(config) / "_baselines", tier)
    if base is not None:
        base = dataclasses.replace(base, collected=None)  # recorded for another selection
    files: list[str] | None = None
    note = ""
    stem = tier
    if shard is not None:
        k, n = shard
        tests = gates_shard.tier_files(config, gate, every)
        weights = gates_shard.weights(config.root, tests, durations)
        files = gates_shard.shard(tests, weights, k, n)
        note = f"shard {k}/{n}: {len(files)} of {len(tests)} test files"
        stem = f"{tier}-shard{k}of{n}"
        if not files:
            return GateResult(tier, True, 0.0, f"{note}: nothing to run")
    start = time.monotonic()
    workers = gates_tests.workers_for(gate, files if files is not None else
                                      gates_shard.tier_files(config, gate), durations)
    run = gates_tests.run_tier(config, gate, junit_dir, stem, gates_tests.Watch(files=files),
                               workers)
    evidence = Evidence([run], note=note)
    if base is not None:  # recorded for migrate's selection, not this run's: no counts compared
        base = dataclasses.replace(base, collected=None)
    known = base.failed if base is not None and gate.policy == "no-new-failures" else frozenset()
    rerun_failures(config, gate, junit_dir, stem, evidence, known)
    result = evaluate(tier, gate, evidence, base)
    return dataclasses.replace(result, duration=time.monotonic() - start)
