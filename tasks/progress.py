"""Progress for long steps: a rich bar on a terminal, plain log lines in CI or when piped."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
PLAIN_MIN = 100  # in plain mode, steps this small finish too fast to deserve log lines


def interactive() -> bool:
    """A rich bar only on a real terminal and never when ``CI`` is set."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def track(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    """Yield ``items``, showing progress on stderr; in plain mode one line at start and end."""
    if total < PLAIN_MIN and not interactive():
        yield from items
        return
    if interactive():
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task(label, total=total)
            for item in items:
                yield item
                bar.advance(task)
        return
    start = time.monotonic()
    log(f"{label}: {total} item(s)")
    yield from items
    log(f"{label}: done in {time.monotonic() - start:.2f}s")


def log(message: str) -> None:
    """One plain progress line on stderr (never mixed into stdout reports)."""
    print(f"[phasegate] {message}", file=sys.stderr, flush=True)
