"""Realistic-looking module bodies: functions, classes, docstrings, comments (~20 KB a file).

Every function is pure and its result for a fixed input is known here, so the generated unit
tests assert real values (``expected``), not just that a call returned.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

WORDS = ("account", "batch", "cache", "channel", "config", "cursor", "event", "frame", "gateway",
         "handler", "index", "job", "ledger", "metric", "node", "order", "packet", "queue",
         "record", "route", "schema", "session", "shard", "signal", "stream", "tenant", "ticket",
         "token", "upload", "window", "worker", "zone")
VERBS = ("build", "collect", "compute", "merge", "normalise", "parse", "rank", "reduce",
         "render", "score", "split", "summarise", "validate", "weigh")
PROSE = ("Keeps the hot path allocation-free because callers run it per request.",
         "The order matters: downstream consumers rely on stable iteration.",
         "Values outside the window are clamped rather than dropped, see the incident notes.",
         "This mirrors the behaviour of the legacy service so dashboards keep matching.",
         "Negative inputs are legal here; they encode refunds and reversals.",
         "Kept deliberately simple; profiling showed no benefit from caching.")


@dataclass(frozen=True)
class Probe:
    """A call the generated tests make, with its expected result."""

    name: str  # function name (or Class.method for methods on a default instance)
    args: str  # source of the argument list
    expected: str  # source of the expected value


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = f"{rng.choice(VERBS)}_{rng.choice(WORDS)}_{rng.choice(WORDS)}"
        if name not in used:
            used.add(name)
            return name


def _function(rng: random.Random, used: set[str]) -> tuple[str, Probe]:
    name = _name(rng, used)
    a, b, c = rng.randint(2, 9), rng.randint(1, 50), rng.randint(3, 17)
    noun = rng.choice(WORDS)
    values = [rng.randint(-20, 40) for _ in range(rng.randint(3, 6))]
    expected = sum((v * a + b) % c if v >= 0 else -((-v) % c) for v in values)
    src = (
        f"def {name}(values: list[int], *, limit: int | None = None) -> int:\n"
        f'    """{name.replace("_", " ").capitalize()} over the given {noun} values.\n\n'
        f"    {rng.choice(PROSE)}\n"
        f"    Returns the folded total; ``limit`` caps how many values are read.\n"
        f'    """\n'
        f"    total = 0\n"
        f"    for position, value in enumerate(values):\n"
        f"        if limit is not None and position >= limit:\n"
        f"            break  # the caller asked for a prefix only\n"
        f"        if value >= 0:\n"
        f"            total += (value * {a} + {b}) % {c}\n"
        f"        else:\n"
        f"            # {rng.choice(PROSE)}\n"
        f"            total -= (-value) % {c}\n"
        f"    return total\n"
    )
    return src, Probe(name, repr(values), repr(expected))


def _class(rng: random.Random, used: set[str]) -> tuple[str, Probe]:
    noun = rng.choice(WORDS)
    cls = f"{noun.capitalize()}{rng.choice(WORDS).capitalize()}{rng.randint(10, 999)}"
    while cls in used:
        cls += "X"
    used.add(cls)
    scale = rng.randint(2, 7)
    key = rng.choice(WORDS)
    items = {rng.choice(WORDS): rng.randint(1, 99) for _ in range(4)}
    expected = sum(v * scale for k, v in items.items() if k != key)
    src = (
        f"class {cls}:\n"
        f'    """Tracks {noun} weights for one tenant.\n\n'
        f"    {rng.choice(PROSE)}\n"
        f'    """\n\n'
        f"    scale: int = {scale}\n\n"
        f"    def __init__(self, skip: str = {key!r}) -> None:\n"
        f"        self.skip = skip\n"
        f"        self.seen: dict[str, int] = {{}}\n\n"
        f"    def add(self, name: str, weight: int) -> None:\n"
        f"        # {rng.choice(PROSE)}\n"
        f"        self.seen[name] = self.seen.get(name, 0) + weight\n\n"
        f"    def weigh(self, items: dict[str, int]) -> int:\n"
        f'        """Sum of scaled weights, ignoring ``self.skip``."""\n'
        f"        for name, weight in items.items():\n"
        f"            if name != self.skip:\n"
        f"                self.add(name, weight * self.scale)\n"
        f"        return sum(self.seen.values())\n\n"
        f"    def __repr__(self) -> str:\n"
        f"        return f'{cls}(skip={{self.skip!r}}, seen={{len(self.seen)}})'\n"
    )
    return src, Probe(f"{cls}().weigh", repr(items), repr(expected))


def body(rng: random.Random, size: int) -> tuple[list[str], list[Probe]]:
    """Blocks of code adding up to about ``size`` bytes, and probes for the tests."""
    used: set[str] = set()
    blocks: list[str] = []
    probes: list[Probe] = []
    total = 0
    while total < size:
        src, probe = _class(rng, used) if rng.random() < 0.25 else _function(rng, used)
        blocks.append(src)
        probes.append(probe)
        total += len(src) + 2
    return blocks, probes
