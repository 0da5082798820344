"""What the history shows: the text table of ``phasegate status --history`` and the burndown
series the HTML page charts (plain values, no charting library here)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from .history import Record
from .history_thin import same


@dataclass(frozen=True)
class Series:
    rule: str
    manual: bool  # False: the fixable sites of the rule
    values: tuple[int, ...]  # one per point of the burndown

    @property
    def title(self) -> str:
        return f"{self.rule} · {'manual' if self.manual else 'fixable'}"


@dataclass(frozen=True)
class Burndown:
    phase: str
    labels: tuple[str, ...]  # one per point: its time, and the event when there is one
    events: tuple[tuple[int, str], ...]  # (point, "p0 migrated") for the phase's events
    series: tuple[Series, ...]  # manual ones first: they are the floor a migration leaves

    @property
    def event_labels(self) -> tuple[str, ...]:
        return tuple(self.labels[i] for i, _ in self.events)


def phases_of(config: Config, records: list[Record]) -> list[str]:
    """Declared phases, then any other phase a record counted (e.g. unassigned)."""
    declared = [p.id for p in config.phases]
    seen = {p for r in records for p in r.counts}
    return declared + sorted(seen - set(declared))


def with_now(records: list[Record], now: Record) -> list[Record]:
    """``records`` with the counts of this very run as the last point, unless the last
    record already says the same."""
    return records if records and same(records[-1], now) else [*records, now]


# -- text (`phasegate status --history`) ------------------------------------------------------

def event_label(record: Record) -> str:
    return record.event if record.phase is None else f"{record.phase} {record.event}"


def render_text(config: Config, records: list[Record], path: Path) -> str:
    """One line per record: time, commit, event, then per phase ``fixable+manual (files)``."""
    if not records:
        return f"no history yet in {path} (every whole-project detect adds a record)\n"
    phases = phases_of(config, records)
    header = ("Time", "Commit", "Event", *phases)
    grid = [header] + [(r.time, (r.commit or "-")[:8], event_label(r) + _note(r),
                        *(_cell(r, p) for p in phases)) for r in records]
    widths = [max(len(row[i]) for row in grid) for i in range(len(header))]
    out = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
           for row in grid]
    out.insert(1, "  ".join("-" * w for w in widths))
    out += ["", f"{len(records)} record(s) in {path}; per phase: fixable+manual (files pending)"]
    return "\n".join(out) + "\n"


def _note(record: Record) -> str:
    return f" ({record.note})" if record.note else ""


def _cell(record: Record, phase: str) -> str:
    fixable, manual = record.total(phase)
    return f"{fixable}+{manual} ({record.files.get(phase, 0)})"


# -- the burndown of one phase ----------------------------------------------------------------

def phase_event(record: Record, previous: Record | None, phase: str) -> str:
    """What happened to ``phase`` at ``record``: ``migrated``, ``rolled back (gate lint
    failed)``, ``status complete`` (phases.toml changed between two runs), or ``""``."""
    if record.event != "detect" and record.phase == phase:
        return record.event.replace("-", " ") + _note(record)
    then = previous.status.get(phase, "pending") if previous else "pending"
    now = record.status.get(phase, "pending")
    return f"status {now}" if previous is not None and now != then else ""


def burndown(records: list[Record], phase: str, rules: list[str]) -> Burndown:
    """Per rule of ``phase`` (declared order, then others), its fixable and manual counts at
    every record; rules never counted in the phase are left out."""
    seen = {r for rec in records for r in rec.counts.get(phase, {})}
    order = [r for r in rules if r in seen] + sorted(seen - set(rules))
    labels: list[str] = []
    events: list[tuple[int, str]] = []
    for i, rec in enumerate(records):
        what = phase_event(rec, records[i - 1] if i else None, phase)
        stamp = _short_time(rec.time)
        labels.append(f"{stamp} ▲ {phase} {what}" if what else stamp)
        if what:
            events.append((i, f"{phase} {what}"))
    series = [Series(rule, manual, tuple(rec.counts.get(phase, {}).get(rule, (0, 0))[manual]
                                         for rec in records))
              for manual in (True, False) for rule in order]
    return Burndown(phase, tuple(labels), tuple(events),
                    tuple(s for s in series if any(s.values)))


def _short_time(iso: str) -> str:
    """``2026-11-25T03:40:00Z`` -> ``11-25 03:40`` (the year and seconds crowd the axis)."""
    return f"{iso[5:10]} {iso[11:16]}" if len(iso) >= 16 else iso
