"""tasks/report/history.py: records, the append under the lock, corrupt lines, thinning."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from phasegate import config as config_mod
from phasegate.model import DetectResult, Violation
from phasegate.report import history
from phasegate.report.history import Record

ROOT = Path(__file__).resolve().parents[3]
CONFIG = """\
[project]
root = "."

[rules.old-make]
kind = "move"
old = "pkg.old.make"
new = "pkg.new.make"

[phases.p0]
files = ["a/**"]
rules = ["old-make"]
gates = ["syntax"]

[status.p0]
status = "complete"
"""


def rec(n: int, *, event: str = "detect", phase: str | None = None,
        status: str = "pending", fixable: int | None = None) -> Record:
    """Record number ``n``; its counts fall with ``n`` unless ``fixable`` says otherwise."""
    left = max(0, 50 - n) if fixable is None else fixable
    return Record(time=f"2026-01-01T00:{n // 60:02d}:{n % 60:02d}Z", event=event, phase=phase,
                  commit=f"{n:040x}", counts={"p0": {"old-make": (left, 1)}},
                  files={"p0": 1 + left // 10}, status={"p0": status})


def write(path: Path, records: list[Record]) -> None:
    path.write_text("".join(r.to_json() + "\n" for r in records))


def test_make_record_counts_fixable_and_manual_per_phase_and_rule(tmp_path: Path) -> None:
    (tmp_path / "phases.toml").write_text(CONFIG)
    config = config_mod.load(tmp_path / "phases.toml")[0]
    result = DetectResult(violations=[
        Violation("a/x.py", 1, 1, "old-make", "import", "pkg.old.make", "p0"),
        Violation("a/x.py", 2, 1, "old-make", "import", "pkg.old.make", "p0"),
        Violation("a/y.py", 1, 1, "old-make", "call", "pkg.old.make", "p0", fixable=False,
                  reason="dynamic"),
        Violation("b/z.py", 1, 1, "old-make", "import", "pkg.old.make", "unassigned"),
    ])
    made = history.make_record(config, result, event="migrated", phase="p0")
    assert (made.event, made.phase, made.commit) == ("migrated", "p0", None)  # not a git repo
    assert made.counts == {"p0": {"old-make": (2, 1)}, "unassigned": {"old-make": (1, 0)}}
    assert made.files == {"p0": 2, "unassigned": 1}
    assert made.status == {"p0": "complete"}
    assert history.parse_line(made.to_json().encode()) == made


BAD_LINES = [
    (b'{"v":1,"time":"2026-01-01T00:00:00Z","event":"detect","counts":{"p0"',
     "not JSON (Expecting"),
    (b"[1, 2]", "not a version-1 record"),
    (b'{"v":2,"time":"t","event":"detect"}', "not a version-1 record"),
    (b'{"v":1,"time":"t","event":"exploded"}', "no time or an unknown event"),
    (b'{"v":1,"time":"t","event":"detect","counts":{"p0":{"r":[1]}},"files":{},"status":{}}',
     "counts are not phase -> rule -> [fixable, manual]"),
    (b'{"v":1,"time":"t","event":"detect","counts":{},"files":{"p0":-1},"status":{}}',
     "counts are not phase -> rule -> [fixable, manual]"),
    (b'\xff\xfe{"v":1}', "not JSON"),
]


@pytest.mark.parametrize(("line", "why"), BAD_LINES, ids=[
    "cut-short", "not-an-object", "other-version", "unknown-event", "one-count", "negative",
    "not-utf8"])
def test_a_line_that_is_not_a_record_says_why(line: bytes, why: str) -> None:
    with pytest.raises(ValueError) as err:
        history.parse_line(line)
    assert str(err.value).startswith(why)


def test_truncated_last_line_is_skipped_with_a_warning(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "history.jsonl"
    good = [rec(1), rec(2)]
    write(path, good)
    with path.open("ab") as fh:
        fh.write(rec(3).to_json().encode()[:40])  # a crash cut the last append short
    records, warnings = history.load(path)
    assert records == good
    assert warnings == [f"{path}:3: skipped a record that does not read: not JSON "
                        "(Unterminated string starting at) (cut short: no newline)"]
    assert history.read(path) == good
    assert capsys.readouterr().err == f"phasegate: warning: {warnings[0]}\n"

    # the next append starts a line of its own: the cut line stays skipped, the new one reads
    history.append(path, rec(4), lock=tmp_path / "lock")
    records, warnings = history.load(path)
    assert records == [*good, rec(4)]
    assert [w.split(": skipped")[0] for w in warnings] == [f"{path}:3"]


def test_corrupt_line_in_the_middle_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    path.write_text(rec(1).to_json() + "\n{oops\n\n" + rec(2).to_json() + "\n")
    records, warnings = history.load(path)
    assert records == [rec(1), rec(2)]
    assert len(warnings) == 1 and warnings[0].startswith(f"{path}:2: skipped a record")


def test_missing_history_is_empty_without_a_warning(tmp_path: Path) -> None:
    assert history.load(tmp_path / "none.jsonl") == ([], [])


APPENDER = """\
import sys
from pathlib import Path
from phasegate.report import history
from phasegate.report.history import Record
path, lock, who = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
for i in range(int(sys.argv[4])):
    # ~50 KB a line: far past PIPE_BUF, so only the lock keeps lines whole (32 of them stay
    # below the bound that would thin the file)
    note = who * 50_000
    history.append(path, Record(time=f"t{i}", note=note), lock=lock)
"""


def test_concurrent_appends_never_interleave_a_line(tmp_path: Path) -> None:
    path, lock = tmp_path / "history.jsonl", tmp_path / "history.lock"
    procs = [subprocess.Popen([sys.executable, "-c", APPENDER, str(path), str(lock), who, "8"],
                              cwd=ROOT) for who in "abcd"]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    records, warnings = history.load(path)
    assert warnings == []
    assert sorted(r.note[0] for r in records) == sorted("abcd" * 8)
    assert all(len(set(r.note)) == 1 for r in records)


def test_a_writer_waits_for_the_lock(tmp_path: Path) -> None:
    path, lock = tmp_path / "history.jsonl", tmp_path / "history.lock"
    with history._locked(lock):
        proc = subprocess.Popen([sys.executable, "-c", APPENDER, str(path), str(lock), "z",
                                 "1"], cwd=ROOT)
        time.sleep(1.0)
        assert proc.poll() is None, "the append did not wait for the lock"
        assert not path.exists()
    assert proc.wait(timeout=60) == 0
    assert [r.note[:1] for r in history.load(path)[0]] == ["z"]


def test_a_lock_held_too_long_is_a_clear_error(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    lock = tmp_path / "history.lock"
    monkeypatch.setattr(history, "LOCK_WAIT", 0.1)
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, sys, time\n"
                               "f = open(sys.argv[1], 'w'); fcntl.flock(f, fcntl.LOCK_EX)\n"
                               "print('ready', flush=True); time.sleep(30)", str(lock)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
        with pytest.raises(history.MigrationError) as err:
            history.append(tmp_path / "h.jsonl", rec(1), lock=lock)
        assert err.value.message == f"history not recorded: {lock} stayed locked for 0s"
    finally:
        holder.kill()
        holder.wait()


# -- thinning -------------------------------------------------------------------------------

def test_thin_keeps_first_last_and_every_phase_event() -> None:
    records = [rec(i) for i in range(300)]
    records[40] = rec(40, event="migrated", phase="p0", status="complete")
    records[41:120] = [rec(i, status="complete") for i in range(41, 120)]
    records[120] = rec(120, event="rolled-back", phase="p0", status="rolled-back")
    # a CI history sees p0 land only as a status change between two detects
    records[200:] = [rec(i, status="complete") for i in range(200, 300)]
    kept = history.thin(records, 50)
    assert len(kept) <= 50
    assert kept[0] == records[0] and kept[-1] == records[-1]
    for must in (records[40], records[41], records[120], records[121], records[200]):
        assert must in kept
    assert kept == sorted(kept, key=lambda r: r.time), "order kept"
    assert [r.time for r in kept] == [r.time for r in records if r in kept]


def test_thin_drops_records_that_say_nothing_new_first() -> None:
    flat = [rec(0)] + [rec(i, fixable=7) for i in range(1, 10)] + [rec(10, fixable=3)]
    assert history.thin(flat, 5) == [rec(0), rec(1, fixable=7), rec(10, fixable=3)]


def test_thin_keeps_recent_detail() -> None:
    kept = history.thin([rec(i, fixable=100 - i) for i in range(100)], 40)
    times = [int(r.time[-3:-1]) + 60 * int(r.time[-6:-4]) for r in kept]
    assert len(kept) == 40
    assert times[-10:] == list(range(90, 100)), "the newest records are all kept"


@pytest.mark.parametrize(("n", "keep", "want"), [(3, 10, 3), (10, 10, 10), (11, 10, 10),
                                                 (2, 1, 2)])
def test_thin_sizes(n: int, keep: int, want: int) -> None:
    assert len(history.thin([rec(i) for i in range(n)], keep)) == want


def test_append_thins_the_file_past_its_bound(tmp_path: Path) -> None:
    path, lock = tmp_path / "history.jsonl", tmp_path / "history.lock"
    event = rec(5, event="migrated", phase="p0", status="complete")
    for i in range(40):
        history.append(path, event if i == 5 else rec(i, status="complete" if i > 5 else
                                                       "pending"), lock=lock, max_bytes=4000)
    records, warnings = history.load(path)
    assert warnings == []
    assert path.stat().st_size <= 4000 + len(rec(39).to_json()) + 1
    assert records[0] == rec(0) and records[-1] == rec(39, status="complete")
    assert event in records
    assert len(records) < 40


def test_record_failure_is_a_warning_not_an_error(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "phases.toml").write_text(CONFIG)
    config = config_mod.load(tmp_path / "phases.toml")[0]
    (tmp_path / "a-file").write_text("")
    history.record(config, DetectResult(), history_file=tmp_path / "a-file" / "history.jsonl")
    err = capsys.readouterr().err
    assert err.startswith("phasegate: warning: history not recorded: ")
    assert "a-file" in err


def test_record_json_is_one_compact_line() -> None:
    line = rec(3).to_json()
    assert "\n" not in line
    assert json.loads(line)["counts"] == {"p0": {"old-make": [47, 1]}}
