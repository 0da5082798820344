"""Hypothesis state machine over apply, user edit, user delete, crash, recover, rollback, commit.

Invariant: no byte a user wrote is ever lost. Every version a user wrote is, at all times,
either the file's current content or stored in the journal (a pre-image blob or a conflict
copy); a file the user deleted is never brought back. Crashes are simulated in-process by
raising out of a crash point (what was durable stays, nothing after it runs); the
SIGKILL tests in test_crash_*.py cover the real thing.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from phasegate import config as config_mod
from phasegate import journal
from phasegate.errors import MigrationError
from phasegate.journal import crashpoints
from phasegate.journal.fsutil import TMP_MARK
from phasegate.journal.store import journal_dir
from tests.helpers.journal_repo import PHASES, Change

NAMES = ("a.py", "b.py", "c.py")
# tmpfs where there is one: this machine checks the logic; fsync's cost tests nothing here
FAST_TMP = "/dev/shm" if Path("/dev/shm").is_dir() else None
CONTENTS = st.sampled_from([
    b"from app.legacy import helper\n",
    b"from app.legacy import helper\r\nhelper()\r\n",
    b"\xef\xbb\xbfimport app.legacy\n",
    b"# caf\xe9 latin-1\nimport app.legacy as x\n",
    b"x = 1\n",
    b"",
])
CRASH_AT = st.sampled_from([p for p in crashpoints.APPLY_POINTS if p != "apply-after-commit-log"]
                           + list(crashpoints.ROLLBACK_POINTS))


class Crash(BaseException):
    """Stands for SIGKILL: not an Exception, so no handler of ours catches it."""


class JournalMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="pg-sm-", dir=FAST_TMP))
        root = self.tmp / "repo"
        (root / "src/app").mkdir(parents=True)
        (root / "phases.toml").write_text(PHASES.format(extra='state_dir = "../state"'))
        for name in NAMES:
            (root / "src/app" / name).write_bytes(b"from app.legacy import helper\n")
        self.config = config_mod.load(root / "phases.toml")[0]
        self.written = {n: [b"from app.legacy import helper\n"] for n in NAMES}
        self.deleted: set[str] = set()
        self.open: journal.Transaction | None = None

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, name: str) -> Path:
        return self.config.root / "src/app" / name

    def plan(self) -> list[Change]:
        out = []
        for name in NAMES:
            if self.path(name).exists():
                data = self.path(name).read_bytes()
                out.append(Change(f"src/app/{name}", data, data.replace(b"legacy", b"modern")))
        return out

    def _crashing(self, point: str) -> None:
        def hit(name: str) -> None:
            if name == point:
                raise Crash(name)
        crashpoints.hit = hit  # type: ignore[assignment]

    @rule(name=st.sampled_from(NAMES), data=CONTENTS)
    def user_edit(self, name: str, data: bytes) -> None:
        self.path(name).write_bytes(data)
        self.written[name].append(data)
        self.deleted.discard(name)

    @rule(name=st.sampled_from(NAMES))
    def user_delete(self, name: str) -> None:
        if self.path(name).exists():
            self.path(name).unlink()
            self.deleted.add(name)

    @precondition(lambda self: self.open is None)
    @rule()
    def apply(self) -> None:
        journal.recover(self.config)  # what migrate does first
        try:
            self.open = journal.apply(self.config, "p0", self.plan())
        except MigrationError:
            self.open = None

    @precondition(lambda self: self.open is not None)
    @rule()
    def commit(self) -> None:
        assert self.open is not None
        try:
            journal.commit(self.config, self.open)
        except MigrationError:
            journal.rollback(self.config, self.open)  # what migrate does after a failed check
        self.open = None

    @rule(point=CRASH_AT)
    def crash(self, point: str) -> None:
        saved = crashpoints.hit
        self._crashing(point)
        try:
            if point.startswith("rollback"):
                journal.rollback_phase(self.config)
            else:
                self.open = None
                transaction = journal.apply(self.config, "p0", self.plan())
                journal.commit(self.config, transaction)
        except (Crash, MigrationError):
            pass
        finally:
            crashpoints.hit = saved  # type: ignore[assignment]
        self.open = None  # the process died: nothing of it survives but what is on disk

    @rule()
    def recover(self) -> None:
        journal.recover(self.config)
        self.open = None
        leftovers = [p for p in self.config.root.rglob("*") if TMP_MARK in p.name]
        assert leftovers == []

    @rule()
    def rollback(self) -> None:
        self.open = None
        try:
            journal.rollback_phase(self.config)
        except MigrationError:
            pass

    def stored(self) -> set[str]:
        base = journal_dir(self.config)
        files = [p for p in base.rglob("*") if p.is_file() and "blobs" in p.parts
                 or "conflicts" in p.parts]
        return {hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}

    @invariant()
    def no_user_byte_is_lost(self) -> None:
        kept = self.stored()
        for name in NAMES:
            path = self.path(name)
            if name in self.deleted:
                assert not path.exists(), f"{name}: deleted by the user, brought back"
                continue
            current = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""
            last = hashlib.sha256(self.written[name][-1]).hexdigest()
            assert last == current or last in kept, f"{name}: the user's last version is lost"


TestJournalMachine = JournalMachine.TestCase
TestJournalMachine.settings = settings(max_examples=40, stateful_step_count=15, deadline=None,
                                       database=None,  # leave no .hypothesis/ in the checkout
                                       suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _no_env_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(crashpoints.ENV, raising=False)
