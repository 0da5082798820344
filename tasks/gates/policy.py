"""From a tier's pytest runs to a verdict: what blocks, what is only reported.

Never green by default. Blocking whatever the policy: a timeout, a pytest that left no report,
tests that imported another copy of the changed modules, a test module that could not be
collected, a run of no test (unless ``allow_empty``), fewer tests collected than before the
phase. Then the policy: ``all-pass`` (any failing test), ``no-new-failures`` (failing tests the
baseline does not know), ``pass-rate`` (passed / (passed + failed) below ``min_pass_rate``).
A test that failed and then passed on a re-run, or passed in some repetitions only, is flaky:
reported, blocking only with ``flaky = "fail"`` (or, across repetitions, ``consistent``). A
baseline failure that passes now is reported as fixed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .results import GateResult, TierBaseline
from .static import cap
from .tiers import TierRun, TierSettings

NO_TESTS = 5  # pytest: no tests were collected
_EXIT_MEANING = {2: "interrupted", 3: "internal error", 4: "usage error"}
_CONFTEST = re.compile(r"ImportError while loading conftest '([^']+)'")


@dataclass
class Evidence:
    """Every run of one tier after the phase: repetitions, and re-runs of its failures."""

    runs: list[TierRun]
    flaky: dict[str, str] = field(default_factory=dict)  # test -> why (passed on a re-run)
    note: str = ""  # the selection, for the summary


def broken(name: str, gate: TierSettings, run: TierRun, sel: str) -> GateResult | None:
    """A run that says nothing reliable about the tests, as a failing result."""
    out, rep = run.outcome, run.report
    if out.timed_out:
        return GateResult(name, False, out.duration, f"timed out after {gate.timeout:g}s{sel}",
                          ["last output:", *out.tail(8)], str(out.log))
    outside = run.facts.get("outside") or {}
    if outside:
        details = [f"{m} imports from {f}" for m, f in sorted(outside.items())]
        return GateResult(name, False, out.duration, "the tests would import another copy of"
                          " the changed code, not the tree being migrated: install the project"
                          f" editable (pip install -e .) or set pytest's pythonpath{sel}",
                          details, str(out.log))
    stopped = out.returncode == 2 and run.facts.get("stopped")  # xdist's way to stop early
    if rep is None or (out.returncode not in (0, 1, NO_TESTS) and not stopped):
        return GateResult(name, False, out.duration, f"pytest exited {out.returncode}"
                          f" ({_meaning(run)}){sel}", out.tail(10), str(out.log))
    return None


def _meaning(run: TierRun) -> str:
    for line in run.outcome.tail(60):
        found = _CONFTEST.search(line)
        if found:
            return f"a conftest does not import: {found.group(1)}"
    return _EXIT_MEANING.get(run.outcome.returncode, "no report")


@dataclass
class Tally:
    passes: Counter[str] = field(default_factory=Counter)  # test -> runs it passed
    seen: Counter[str] = field(default_factory=Counter)  # test -> runs it was in
    failed: dict[str, str] = field(default_factory=dict)  # test -> first failure message
    skipped: set[str] = field(default_factory=set)
    collection_errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, runs: list[TierRun]) -> Tally:
        tally = cls()
        for run in runs:
            rep = run.report
            if rep is None:
                continue
            tally.passes.update(rep.passed)
            tally.seen.update([*rep.passed, *rep.failed])
            for test, why in rep.failed.items():
                tally.failed.setdefault(test, why)
            tally.skipped |= rep.skipped - rep.passed - set(rep.failed)
            tally.collection_errors.update(rep.collection_errors)
        return tally


def evaluate(name: str, gate: TierSettings, ev: Evidence,
             baseline: TierBaseline | None) -> GateResult:
    """The verdict on a tier's runs under its policy (see the module docstring)."""
    sel = f"; {ev.note}" if ev.note else ""
    duration = sum(r.outcome.duration for r in ev.runs)
    for run in ev.runs:
        bad = broken(name, gate, run, sel)
        if bad is not None:
            return GateResult(name, False, duration, bad.summary, bad.details, bad.report)
    t = Tally.of(ev.runs)
    where = str(ev.runs[0].junit)
    collected = max((r.collected or 0) for r in ev.runs)
    n = len(ev.runs)
    inconsistent = {x: f"passed {t.passes[x]} of {t.seen[x]} runs" for x in t.seen
                    if 0 < t.passes[x] < t.seen[x]}
    flaky = {**ev.flaky, **({} if gate.consistent else inconsistent)}
    failing = {x: why for x, why in t.failed.items() if x not in flaky and x not in inconsistent}
    passed = {x for x in t.passes if x not in failing}
    known = (baseline.failed if baseline and gate.policy == "no-new-failures" else frozenset())
    new = sorted(x for x in failing if x not in known)
    fixed = sorted(x for x in (baseline.failed if baseline else ()) if x in passed)
    counts = _counts(len(passed), len(failing), len(failing) - len(new) if known else 0,
                     len(t.skipped), flaky, fixed)
    ran = len(t.seen) + len(t.skipped)
    counts += f"; {ran} of {collected} collected test(s) ran" + (f" x{n}" if n > 1 else "")
    facts: dict[str, object] = {"flaky": sorted(flaky), "fixed": fixed, "ran": ran,
                                "collected": collected}
    blocking: list[str] = []
    details: list[str] = []
    if t.collection_errors:
        blocking.append(f"{len(t.collection_errors)} test module(s) could not be collected")
        details += [f"not collected: {m}: {why}" for m, why in sorted(t.collection_errors.items())]
    if ran == 0 and not gate.allow_empty:
        blocking.append("no test ran (a tier that tests nothing is not a pass; allow_empty ="
                        " true to accept it)")
    stopped = next((r.facts.get("stopped") for r in ev.runs if r.facts.get("stopped")), "")
    if baseline and baseline.collected is not None and collected < baseline.collected:
        blocking.append(f"{baseline.collected - collected} fewer test(s) collected than before"
                        f" the phase ({collected} < {baseline.collected})")
    elif baseline and baseline.collected is not None and not stopped \
            and len(t.seen) < baseline.passed + len(baseline.failed):
        gone = baseline.passed + len(baseline.failed) - len(t.seen)  # same selection, as many
        blocking.append(f"{gone} test(s) that ran before the phase were skipped after it")
    if gate.consistent and inconsistent:
        blocking.append(f"{len(inconsistent)} test(s) not consistent over {n} runs")
        details += [f"inconsistent: {x}: {why}" for x, why in sorted(inconsistent.items())]
    if flaky and gate.flaky == "fail":
        blocking.append(f"{len(flaky)} flaky test(s) (flaky = \"fail\")")
    policy = _policy(gate, baseline, len(passed), len(failing), new, facts)
    if policy.startswith("!"):
        policy = policy[1:]
        what = "new failure(s)" if known or gate.policy == "no-new-failures" else \
            "failing test(s)"
        blocking.insert(0, f"{len(new)} {what}" if gate.policy != "pass-rate" else
                        "pass rate below the minimum")
    failures = failing if gate.policy != "no-new-failures" else {x: failing[x] for x in new}
    details = [f"{x}: {why}" for x, why in sorted(failures.items())] + details
    details += [f"flaky: {x}: {why}" for x, why in sorted(flaky.items())]
    details += [f"fixed: {x} (failed before the phase, passes now)" for x in fixed]
    if stopped and ran < collected * n:
        details.append(f"stopped early ({stopped}): {collected * n - ran} test(s) not run")
    head = "; ".join(blocking) + ": " if blocking else ""
    if ran == 0 and gate.allow_empty:
        head = "ran nothing (allow_empty = true): "
    return GateResult(name, not blocking, duration, f"{head}{counts}; {policy}{sel}",
                      cap(details), where, facts)


def _counts(passed: int, failed: int, old: int, skipped: int, flaky: dict[str, str],
            fixed: list[str]) -> str:
    text = f"{passed} passed, {failed} failed"
    if old:
        text += f" ({old} known from the baseline)"
    for count, word in ((skipped, "skipped"), (len(flaky), "flaky"), (len(fixed), "fixed")):
        if count:
            text += f", {count} {word}"
    return text


def _policy(gate: TierSettings, baseline: TierBaseline | None, passed: int, failed: int,
            new: list[str], facts: dict[str, object]) -> str:
    """The policy's words for the summary; prefixed with '!' when it blocks."""
    if gate.policy == "pass-rate":
        if not passed + failed and gate.allow_empty:
            return "pass-rate n/a (nothing ran)"  # allowed: the summary says it ran nothing
        rate = passed / (passed + failed) if passed + failed else 0.0
        before = baseline.rate if baseline else None
        facts.update(pass_rate=round(rate, 4), min_pass_rate=gate.min_pass_rate)
        if before is not None:
            facts["pass_rate_before"] = round(before, 4)
        was = f"; {before:.1%} before" if before is not None else ""
        text = f"pass-rate {rate:.1%} (min {gate.min_pass_rate:.0%}{was})"
        return ("!" if rate < gate.min_pass_rate else "") + text
    if gate.policy == "no-new-failures" and baseline is None:
        return ("!" if new else "") + "all-pass (no baseline)"
    return ("!" if new else "") + gate.policy
