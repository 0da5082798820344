"""Plain values the gate ladder returns: one GateResult per gate, a LadderResult, a Baseline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class GateResult:
    """The outcome of one gate: what a person reads first (summary), then details, then report."""

    name: str
    passed: bool
    duration: float
    summary: str
    details: list[str] = field(default_factory=list)  # first failing tests or diagnostics
    report: str | None = None  # where the full report is (JUnit XML, log)
    facts: dict[str, Any] = field(default_factory=dict)  # pass rates, flaky and fixed tests

    def line(self) -> str:
        status = "PASS" if self.passed else "FAIL"
        return f"{status} {self.name:<16} {self.duration:6.2f}s  {self.summary}"


@dataclass
class LadderResult:
    results: list[GateResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def first_failure(self) -> GateResult | None:
        return next((r for r in self.results if not r.passed), None)


@dataclass(frozen=True)
class TierBaseline:
    """Failing test ids of one test tier on the untouched tree."""

    gate: str
    key: str  # hash of the tree and the command it was recorded for
    failed: frozenset[str]
    total: int  # tests that ran
    reused: bool = False
    passed: int = 0
    collected: int | None = None  # tests pytest collected (None: not known)

    @property
    def rate(self) -> float | None:
        """Pass rate of the tests that ran and were not skipped (None when none did)."""
        ran = self.passed + len(self.failed)
        return self.passed / ran if ran else None


@dataclass
class Baseline:
    """What the tree looked like before apply, for the gates that compare before and after."""

    sources: dict[str, bytes] = field(default_factory=dict)  # pre-images of the files snapshotted
    lint: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # path -> (code, message)
    lint_ok: bool = True  # False when ruff could not run before apply
    tiers: dict[str, TierBaseline] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    commands: dict[str, list[str]] = field(default_factory=dict)  # command gate -> output lines
    extra: dict[str, str] = field(default_factory=dict)  # shared by the gates (the tree hash)
