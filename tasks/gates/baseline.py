"""Tier baselines: what a tier's tests did on the untouched tree, stored by what they could see.

A baseline is reused while the tree hash, the interpreter and the tier's command are the same.
The hash covers what the tests can see: Python files and files up to 256 KiB by content,
larger files by size and mtime, no byte code, and phases.toml without the ``[status]`` tables
phasegate itself rewrites on every run (with ``root = "."`` the file is inside the tree).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import tomlkit
import tomlkit.exceptions

from ..config.model import Config
from ..discover import discover
from .results import TierBaseline
from .tiers import TierSettings

_CONTENT_BYTES = 256 * 1024  # larger data files are stamped by size and mtime
_OWN_TABLES = ("status",)
_DERIVED = (".pyc", ".pyo")  # written by phasegate (state.py), never read by a test


def tree_hash(config: Config) -> str:
    """What a baseline depends on: the content of every Python file and every file up to 256 KiB
    (configs, fixtures), the size and mtime of larger ones, so a changed one is never missed."""
    digest = hashlib.sha256()
    own = _inside(config.root, config.state_dir)  # phasegate's own records change every run
    cfg = _inside(config.root, config.path)
    for rel in discover(config.root, suffix="").files:
        if own and (rel == own or rel.startswith(own + "/")):
            continue
        if rel.endswith(_DERIVED) or "__pycache__/" in rel:
            continue  # byte code the test run itself writes; its source is hashed
        path = config.root / rel
        try:
            if rel == cfg:
                stamp = hashlib.sha256(_without_status(path.read_bytes())).digest()
            else:
                st = path.stat()
                small = st.st_size <= _CONTENT_BYTES or rel.endswith(".py")
                # content for what is cheap to read: a test that rewrites its own fixture with
                # the same bytes must not cost the next run its baseline
                stamp = (hashlib.sha256(path.read_bytes()).digest() if small
                         else f"{st.st_size}:{st.st_mtime_ns}".encode())
        except OSError:
            continue
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0" + stamp)
    return digest.hexdigest()


def _without_status(data: bytes) -> bytes:
    """phases.toml's values minus the tables phasegate writes, canonically (layout and blank
    lines phasegate adds around them do not count); the bytes as they are if unparsable."""
    try:
        values = tomlkit.parse(data.decode("utf-8")).unwrap()
    except (UnicodeDecodeError, tomlkit.exceptions.ParseError):
        return data
    for table in _OWN_TABLES:
        values.pop(table, None)
    return json.dumps(values, sort_keys=True, default=str).encode("utf-8")


def _inside(root: Path, path: Path | None) -> str:
    """``path`` relative to ``root`` (posix) when it is inside it, else ''."""
    if path is None:
        return ""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return ""


def baseline_key(tree: str, gate: TierSettings, files: Sequence[str] | None) -> str:
    """What a recorded baseline is valid for: this tree, this command, these files (or all)."""
    spec = [tree, sys.version, gate.workers, gate.markers, *gate.paths, "--", *gate.args,
            "--env--", *(f"{k}={v}" for k, v in gate.env),
            "--files--", *(files if files is not None else ["<all>"])]
    return hashlib.sha256("\0".join(spec).encode()).hexdigest()[:32]


def load_baseline(store: Path, name: str, key: str) -> TierBaseline | None:
    return _read(store / f"{name}-{key}.json", name, key)


def latest_baseline(store: Path, name: str) -> TierBaseline | None:
    """The baseline most recently recorded or reused for a tier (what ``verify`` compares
    against: the known failures of the tree before the newest phase)."""
    return _read(store / f"{name}-latest.json", name, "latest")


def _read(path: Path, name: str, key: str) -> TierBaseline | None:
    try:
        data = json.loads(path.read_text("utf-8"))
        collected = data.get("collected")
        return TierBaseline(name, str(data.get("key", key)), frozenset(data["failed"]),
                            int(data["total"]), True, int(data.get("passed", 0)),
                            int(collected) if isinstance(collected, int) else None)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def save_baseline(store: Path, tier: TierBaseline, *, latest_only: bool = False) -> None:
    store.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"key": tier.key, "failed": sorted(tier.failed), "total": tier.total,
                       "passed": tier.passed, "collected": tier.collected})
    for stem in ([] if latest_only else [f"{tier.gate}-{tier.key}"]) + [f"{tier.gate}-latest"]:
        tmp = store / f".{stem}.tmp"
        tmp.write_text(data, "utf-8")
        os.replace(tmp, store / f"{stem}.json")
