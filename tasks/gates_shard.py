"""Which test files make up a tier, and a deterministic split of them into N balanced shards.

Every runner of a CI matrix computes the same split from the same inputs (the file list and
the weights), so shards 1..N together run every test file exactly once. Weights are recorded
durations when available, else file sizes; either way they must be the same on every runner.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from tasks.config import Config, GateConfig
from tasks.discover import discover
from tasks.errors import EXIT_USAGE, MigrationError

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def is_test_file(rel: str) -> bool:
    """pytest's default ``python_files``: test_*.py and *_test.py."""
    name = rel.rsplit("/", 1)[-1]
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def in_paths(rel: str, paths: Sequence[str]) -> bool:
    """Whether ``rel`` is under one of the tier's paths (a directory, a file or a glob)."""
    if not paths:
        return True
    for raw in paths:
        pat = raw.strip("/")
        if pat in ("", "."):
            return True
        if rel == pat or rel.startswith(pat + "/"):
            return True
        if any(ch in pat for ch in "*?[") and (
                fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(rel, pat + "/*")):
            return True
    return False


def tier_files(config: Config, gate: GateConfig, all_files: Sequence[str] | None = None
               ) -> list[str]:
    """The tier's test files, sorted (posix, relative to the root)."""
    files = all_files if all_files is not None else discover(config.root).files
    return sorted(f for f in files if is_test_file(f) and in_paths(f, gate.paths))


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` with 1 <= K <= N, else a usage error."""
    match = _SHARD.match(text)
    if not match:
        raise MigrationError(f"--shard: '{text}' is not K/N (for example 2/4)", EXIT_USAGE)
    k, n = int(match.group(1)), int(match.group(2))
    if n < 1 or not 1 <= k <= n:
        raise MigrationError(f"--shard: '{text}' needs 1 <= K <= N", EXIT_USAGE)
    return k, n


def weights(root: Path, files: Sequence[str], durations: Mapping[str, float]) -> dict[str, float]:
    """Recorded seconds per file; files with no record are estimated from their size.

    The estimate scales size by the seconds-per-byte of the recorded files, so a new test
    file does not throw the balance off; with no records at all, sizes alone are the weights.
    """
    sizes = {f: _size(root / f) for f in files}
    known = [f for f in files if f in durations]
    if not known:
        return {f: float(s) for f, s in sizes.items()}
    known_bytes = sum(sizes[f] for f in known) or 1
    rate = sum(max(durations[f], 0.0) for f in known) / known_bytes
    return {f: max(durations[f], 0.0) if f in durations else sizes[f] * rate for f in files}


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def split(files: Sequence[str], weight: Mapping[str, float], n: int) -> list[list[str]]:
    """Longest-processing-time first: heaviest file to the lightest shard; ties by name/index."""
    shards: list[list[str]] = [[] for _ in range(n)]
    loads = [0.0] * n
    for f in sorted(files, key=lambda f: (-weight.get(f, 0.0), f)):
        idx = min(range(n), key=lambda i: (loads[i], len(shards[i]), i))
        shards[idx].append(f)
        loads[idx] += weight.get(f, 0.0)
    return [sorted(s) for s in shards]


def shard(files: Sequence[str], weight: Mapping[str, float], k: int, n: int) -> list[str]:
    """The files of shard ``k`` (1-based) of ``n``."""
    return split(files, weight, n)[k - 1]
