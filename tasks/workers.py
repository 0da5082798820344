"""Starting a process pool, or failing cleanly when the system cannot start one.

Under a memory limit (``ulimit -v``) or a process limit, forking the workers may succeed while
the pool's manager thread cannot start. ``concurrent.futures`` then leaves forked workers that
wait forever for work, and the interpreter hangs at exit joining them. Here the pool is started
at once (one no-op task): when that fails the workers already forked are killed and the run
gets one error line; inside ``migrate`` that error rolls the phase back.
"""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor

from .errors import EXIT_USAGE, MigrationError


def start_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes whose workers are running, or MigrationError."""
    ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    try:
        pool.submit(int)  # forks the workers and starts the manager thread now
    except (OSError, RuntimeError, MemoryError) as exc:
        _abandon(pool)
        raise MigrationError(f"cannot start {workers} worker process(es): "
                             f"{type(exc).__name__}: {exc} (try fewer with -j, or more memory)",
                             EXIT_USAGE) from None
    return pool


def _abandon(pool: ProcessPoolExecutor) -> None:
    """Kill whatever the failed start forked, so nothing waits for it at exit."""
    processes = getattr(pool, "_processes", None) or {}
    for proc in list(processes.values()):
        proc.kill()
        proc.join(5)
    try:
        pool.shutdown(wait=False, cancel_futures=True)
    except RuntimeError:
        pass
