"""Which test files make up a tier, and a deterministic split of them into N balanced shards.

Every runner of a CI matrix computes the same split from the same inputs (the file list and
the weights), so shards 1..N together run every test file exactly once. Weights are recorded
durations when available, else file sizes; either way they must be the same on every runner.
"""

from __future__ import annotations

import configparser
import fnmatch
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import tomlkit
import tomlkit.exceptions

from ..config import Config
from ..discover import discover
from ..errors import EXIT_USAGE, MigrationError
from .tiers import TierSettings

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


DEFAULT_PYTHON_FILES = ("test_*.py", "*_test.py")


def is_test_file(rel: str, patterns: Sequence[str] = DEFAULT_PYTHON_FILES) -> bool:
    """Whether pytest would collect the file: its name matches one of ``python_files``."""
    name = rel.rsplit("/", 1)[-1]
    return name.endswith(".py") and any(fnmatch.fnmatch(name, p) for p in patterns)


def python_files(root: Path) -> tuple[str, ...]:
    """pytest's ``python_files`` from the root's pytest.ini, pyproject.toml, tox.ini or
    setup.cfg (the first that configures pytest, as pytest picks it), else the default."""
    for name, section in (("pytest.ini", "pytest"), ("pyproject.toml", ""),
                          ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
        path = root / name
        if not path.is_file():
            continue
        found = _toml_python_files(path) if not section else _ini_python_files(path, section)
        if found is not None:
            return found or DEFAULT_PYTHON_FILES
    return DEFAULT_PYTHON_FILES


def _ini_python_files(path: Path, section: str) -> tuple[str, ...] | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None
    if not parser.has_section(section):
        return None
    return tuple(parser.get(section, "python_files", fallback="").split())


def _toml_python_files(path: Path) -> tuple[str, ...] | None:
    try:
        data = tomlkit.parse(path.read_text("utf-8")).unwrap()
    except (OSError, ValueError, tomlkit.exceptions.TOMLKitError):
        return None
    options = data.get("tool", {}).get("pytest", {}).get("ini_options")
    if not isinstance(options, dict):
        return None
    value = options.get("python_files", [])
    return tuple(value.split() if isinstance(value, str) else map(str, value))


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


def tier_files(config: Config, gate: TierSettings, all_files: Sequence[str] | None = None
               ) -> list[str]:
    """The tier's test files, sorted (posix, relative to the root)."""
    files = all_files if all_files is not None else discover(config.root).files
    patterns = python_files(config.root)
    return sorted(f for f in files if is_test_file(f, patterns) and in_paths(f, gate.paths))


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
