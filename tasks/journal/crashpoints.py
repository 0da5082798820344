"""Named crash points for fault-injection tests (test-only, inert unless the env var is set).

``PHASEGATE_CRASH=name[:occurrence]`` makes the process SIGKILL itself the ``occurrence``-th time
(default 1st) it reaches the point ``name``: no ``finally``, no atexit, no flush, exactly like
a power cut for everything that was not fsync'd. Every point is listed in :data:`POINTS` (the
crash tests assert they cover each one); :func:`hit` refuses a name not listed.
"""

from __future__ import annotations

import os
import signal

ENV = "PHASEGATE_CRASH"

APPLY_POINTS = (
    "apply-after-begin-log",  # the transaction dir and its log exist; nothing else
    "apply-after-preimages",  # pre- and post-image blobs are durable
    "apply-after-manifest",  # the manifest (with its hash) is durable
    "apply-after-prepared-log",  # 'prepared' logged; no file touched yet
    "apply-before-replace",  # per file: temp file written and fsync'd, target untouched
    "apply-after-replace",  # per file: os.replace done, directory not yet fsync'd
    "apply-after-dir-fsync",  # per file: directory fsync'd, 'replaced' not yet logged
    "apply-after-applied-log",  # every file replaced and 'applied' logged; gates not run
    "apply-after-gates",  # gates passed; targets not yet re-hashed
    "apply-before-commit-log",  # targets re-hashed; 'committed' not yet logged
    "apply-after-commit-log",  # committed; status not yet written to phases.toml
)
ROLLBACK_STEPS = (
    "after-start-log",  # 'rollback-started' logged; nothing restored
    "before-restore",  # per file: pre-image temp file written, target untouched
    "after-restore",  # per file: os.replace done, directory fsync'd, not yet logged
    "before-done-log",  # every file handled; outcome not yet logged
)
ROLLBACK_POINTS = tuple(f"rollback-{s}" for s in ROLLBACK_STEPS)
RECOVER_POINTS = tuple(f"recover-{s}" for s in ROLLBACK_STEPS)
POINTS = APPLY_POINTS + ROLLBACK_POINTS + RECOVER_POINTS

_seen: dict[str, int] = {}


def hit(name: str) -> None:
    """Die here (SIGKILL) if ``PHASEGATE_CRASH`` names this point and occurrence."""
    if name not in POINTS:
        raise ValueError(f"unknown crash point {name!r}")
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition(":")
    if point != name:
        return
    _seen[name] = _seen.get(name, 0) + 1
    if _seen[name] == (int(nth) if nth else 1):
        os.kill(os.getpid(), signal.SIGKILL)
