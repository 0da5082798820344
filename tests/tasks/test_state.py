"""tasks.state: status and baseline written back into phases.toml, every comment kept."""

from __future__ import annotations

import difflib
import os
import stat
from pathlib import Path

import pytest

from phasegate import config as config_mod
from phasegate import state
from phasegate.errors import MigrationError
from phasegate.model import DetectResult, Violation

COMMENTED = """\
# phasegate migration plan -- a heavily commented file.
# Every comment, blank line and odd spacing here must survive a status write.

[project]   # the project table
root = "."  # relative to this file
exclude = [
    "**/migrations/**",  # generated
    # "**/vendored/**",
]

# ---- rules ---------------------------------------------------------------
[rules.ws-factory]
kind = "move"         # move | module | call | codemod
old = "pkg.old.make"  # deprecated
new = "pkg.new.Make"
message = "use Make"  # shown in reports

[rules.ws-module]
kind = "module"
old = "pkg.legacy"
new = "pkg.modern"

# ---- phases --------------------------------------------------------------
[phases.p0]  # golden path first
title = "Golden Path"
files = ["pkg/e2e/**"]   # globs
rules = ["ws-factory"]
gates = ["syntax", "lint"]

[phases.p1]
title = "Isolation"
files = ["pkg/**"]
rules = ["ws-factory", "ws-module"]
gates = ["syntax"]
# trailing comment at the very end, no blank line after
"""


def _load(tmp_path: Path, text: str = COMMENTED, *, newline: str = "\n") -> config_mod.Config:
    path = tmp_path / "phases.toml"
    path.write_bytes(text.replace("\n", newline).encode())
    return config_mod.load(path)[0]


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


GATES = [
    {"name": "syntax", "passed": True, "duration": 0.1234, "summary": "12 files compile"},
    {"name": "lint", "passed": False, "duration": 2, "summary": "F401 unused\nimport"},
]


def test_record_phase_only_adds_status_tables(tmp_path: Path) -> None:
    config = _load(tmp_path)
    state.record_phase(config, "p0", status="in-progress", counts_before={"ws-factory": 7})
    state.record_phase(config, "P0", status="complete", counts_after=0, gates=GATES,
                       files_done=["pkg/e2e/b.py", "pkg/e2e/a.py"], files_pending=[])
    after = config.path.read_text()
    removed, added = _changed_lines(COMMENTED, after)
    assert removed == []
    assert after.startswith(COMMENTED)  # every original byte kept, in place
    assert all(line == "" or line.startswith("[status.") or " = " in line for line in added)
    status = state.read_status(config)["p0"]
    assert status["status"] == "complete"
    assert status["violations_before"] == 7  # kept from the first write
    assert status["violations_after"] == 0
    assert status["files_done"] == ["pkg/e2e/a.py", "pkg/e2e/b.py"]
    assert status["gates"] == {
        "syntax": {"result": "pass", "duration": 0.12, "summary": "12 files compile"},
        "lint": {"result": "fail", "duration": 2.0, "summary": "F401 unused import"},
    }
    assert status["updated"].endswith("Z") and "T" in status["updated"]
    config_mod.load(config.path)  # still a valid phases.toml


def test_rewrite_replaces_only_that_phase(tmp_path: Path) -> None:
    config = _load(tmp_path)
    state.record_phase(config, "p0", status="complete", gates=GATES)
    state.record_phase(config, "p1", status="in-progress", counts_before=3)
    middle = config.path.read_text()
    state.record_phase(config, "p0", status="rolled-back", gates=[GATES[0]])
    removed, added = _changed_lines(middle, config.path.read_text())
    removed = [line for line in removed if not line.startswith("updated = ")]
    added = [line for line in added if not line.startswith("updated = ")]
    assert sorted(removed) == sorted([
        'status = "complete"', "[status.p0.gates.lint]", 'result = "fail"', "duration = 2.0",
        'summary = "F401 unused import"', "",
    ])
    assert added == ['status = "rolled-back"', "files_done = []"]  # undone: nothing is done
    status = state.read_status(config)
    assert status["p1"]["status"] == "in-progress"
    assert list(status["p0"]["gates"]) == ["syntax"]


@pytest.mark.parametrize("bad", ["done", "", "Complete"])
def test_unknown_status_refused_file_untouched(tmp_path: Path, bad: str) -> None:
    config = _load(tmp_path)
    with pytest.raises(MigrationError, match=f"unknown phase status '{bad}'"):
        state.record_phase(config, "p0", status=bad)
    assert config.path.read_text() == COMMENTED


def test_unknown_phase_refused(tmp_path: Path) -> None:
    config = _load(tmp_path)
    with pytest.raises(MigrationError, match="unknown phase 'p9'"):
        state.record_phase(config, "p9", status="complete")
    assert config.path.read_text() == COMMENTED


def test_crlf_file_stays_crlf(tmp_path: Path) -> None:
    config = _load(tmp_path, newline="\r\n")
    state.record_phase(config, "p0", status="complete", gates=GATES)
    state.write_baseline(config, {"ws-factory": 4, "ws-module": 0})
    data = config.path.read_bytes()
    assert data.startswith(COMMENTED.replace("\n", "\r\n").encode())
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert config_mod.load(config.path)[0].baseline == {"ws-factory": 4, "ws-module": 0}


def test_baseline_keeps_comments_drops_stale_rules(tmp_path: Path) -> None:
    text = COMMENTED + '\n[baseline]  # the ratchet\n# counts per rule\nws-factory = 9  # was 9\n'
    text += "ws-module = 2\n"
    config = _load(tmp_path, text)
    state.write_baseline(config, {"ws-factory": 5})
    removed, added = _changed_lines(text, config.path.read_text())
    assert removed == ["ws-factory = 9  # was 9", "ws-module = 2"]
    assert added == ["ws-factory = 5  # was 9"]
    assert config_mod.load(config.path)[0].baseline == {"ws-factory": 5}


def test_baseline_added_when_missing(tmp_path: Path) -> None:
    config = _load(tmp_path)
    state.write_baseline(config, {"ws-factory": 3, "ws-module": 1})
    after = config.path.read_text()
    assert after.startswith(COMMENTED)
    assert after[len(COMMENTED):] == "\n[baseline]\nws-factory = 3\nws-module = 1\n"


def _violation(path: str, phase: str) -> Violation:
    return Violation(path, 1, 1, "ws-factory", "import", "pkg.old.make", phase)


def test_record_detect_updates_recorded_phases_only(tmp_path: Path) -> None:
    config = _load(tmp_path)
    state.record_phase(config, "p1", status="complete", counts_before=8, counts_after=0)
    result = DetectResult(violations=[_violation("pkg/e2e/a.py", "p0"),
                                      _violation("pkg/x.py", "p1")])
    state.record_detect(config, result)
    status = state.read_status(config)
    assert list(status) == ["p1"]  # p0 was never recorded: implicitly pending, file kept clean
    assert (status["p1"]["status"], status["p1"]["violations_before"]) == ("complete", 8)
    assert status["p1"]["violations_now"] == 1
    before = os.stat(config.path).st_ino, config.path.read_bytes()
    state.record_detect(config, result)  # nothing changed: the file is not rewritten
    assert (os.stat(config.path).st_ino, config.path.read_bytes()) == before


def test_record_detect_never_recorded_leaves_file_alone(tmp_path: Path) -> None:
    config = _load(tmp_path)
    state.record_detect(config, DetectResult(violations=[_violation("pkg/x.py", "p1")]))
    assert config.path.read_text() == COMMENTED


def test_record_detect_pending_phase_tracks_before(tmp_path: Path) -> None:
    config = _load(tmp_path)
    state.record_phase(config, "p0", status="pending", counts_before=5)
    state.record_detect(config, DetectResult(violations=[_violation("pkg/e2e/a.py", "p0")]))
    status = state.read_status(config)["p0"]
    assert (status["violations_before"], status["violations_now"]) == (1, 1)


def test_record_detect_limited_to_one_phase(tmp_path: Path) -> None:
    config = _load(tmp_path)
    state.record_phase(config, "p0", status="complete")
    state.record_phase(config, "p1", status="complete")
    state.record_detect(config, DetectResult(violations=[_violation("pkg/x.py", "p1")]),
                        phase="p1")
    status = state.read_status(config)
    assert "violations_now" not in status["p0"]
    assert status["p1"]["violations_now"] == 1


def test_write_is_atomic_and_keeps_mode(tmp_path: Path) -> None:
    config = _load(tmp_path)
    os.chmod(config.path, 0o640)
    inode = os.stat(config.path).st_ino
    state.record_phase(config, "p0", status="pending")
    st = os.stat(config.path)
    assert stat.S_IMODE(st.st_mode) == 0o640
    assert st.st_ino != inode  # replaced, not rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["phases.toml"]  # no tmp left


def test_unparseable_file_one_clear_error(tmp_path: Path) -> None:
    config = _load(tmp_path)
    config.path.write_text("[project\n")
    with pytest.raises(MigrationError, match=r"^phases.toml: cannot record status: "):
        state.record_phase(config, "p0", status="pending")
    assert config.path.read_text() == "[project\n"


def test_status_tables_split_by_another_table(tmp_path: Path) -> None:
    text = (COMMENTED + '\n[status.p0]\nstatus = "complete"\n\n[baseline]  # kept here\n'
            'ws-factory = 1\n\n[status.p1]\nstatus = "pending"\n')
    config = _load(tmp_path, text)
    state.record_phase(config, "p1", status="complete", gates=GATES[:1])
    state.record_phase(config, "p0", status="rolled-back")
    after = config.path.read_text()
    status = state.read_status(config)
    assert (status["p0"]["status"], status["p1"]["status"]) == ("rolled-back", "complete")
    assert status["p1"]["gates"]["syntax"]["result"] == "pass"
    assert after.startswith(COMMENTED)
    assert "[baseline]  # kept here\nws-factory = 1\n" in after
    assert config_mod.load(config.path)[0].baseline == {"ws-factory": 1}


def _hammer(path: str, phases: list[str]) -> None:
    config = config_mod.load(path)[0]
    for round_ in range(4):
        for phase in phases:
            state.record_phase(config, phase, status="in-progress", counts_before=round_)


def test_concurrent_writers_lose_no_update(tmp_path: Path) -> None:
    import multiprocessing

    text = COMMENTED + "".join(
        f'\n[phases.q{i}]\nfiles = ["q{i}/**"]\nrules = ["ws-factory"]\n' for i in range(8))
    st = f"../{tmp_path.name}-st"  # outside the root, as phasegate requires
    config = _load(tmp_path, text.replace('root = "."', f'root = "."\nstate_dir = "{st}"'))
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_hammer, args=(str(config.path), [f"q{i}" for i in part]))
             for part in (range(0, 4), range(4, 8))]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    status = state.read_status(config)
    assert {p: status[p]["violations_before"] for p in status} == {f"q{i}": 3 for i in range(8)}
    assert (tmp_path.parent / f"{tmp_path.name}-st" / "phases-toml.lock").exists()
