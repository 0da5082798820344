"""Issue 13 rows 16 and 17: a FIFO named like a source file, and a file with an undecodable
byte in a comment, are per-file outcomes that detect and plan both report."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from phasegate import cli
from phasegate.decoding import undecodable
from phasegate.detect.engine import detect
from phasegate.discover import discover
from phasegate.plan import build_plan
from tests.helpers.journal_repo import make_repo


def test_an_untracked_fifo_is_reported_not_a_regular_file(tmp_path: Path) -> None:
    cfg = make_repo(tmp_path)
    os.mkfifo(cfg.root / "src/app/x.py")
    (cfg.root / ".gitignore").write_text("ignored.py\n")
    os.mkfifo(cfg.root / "src/app/ignored.py")  # ignored by git: not ours to report
    found = discover(cfg.root)
    assert [(p.path, p.reason) for p in found.skipped] == [("src/app/x.py",
                                                            "not a regular file")]
    assert [(p.path, p.reason) for p in detect(cfg, use_cache=False).problems] == [
        ("src/app/x.py", "not a regular file")]
    assert [(p.path, p.reason) for p in build_plan(cfg, "p0").skipped] == [
        ("src/app/x.py", "not a regular file")]


BAD_COMMENT = b"from app.legacy import helper\n# caf\xff\nhelper()\n"


@pytest.mark.parametrize(("data", "why"), [
    (BAD_COMMENT, "undecodable: byte 0xff at offset 35 is not valid utf-8"),
    (b"# -*- coding: latin-1 -*-\nx = '\xff'\n", ""),
    (b"# -*- coding: nope -*-\n", "undecodable: unknown encoding: nope"),
    (b"\xef\xbb\xbfx = 1\n", ""),
])
def test_undecodable(data: bytes, why: str) -> None:
    assert undecodable(data) == why


def test_invalid_utf8_in_a_comment_is_reported_by_detect_and_plan(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = make_repo(tmp_path)
    (cfg.root / "src/app/lf.py").write_bytes(BAD_COMMENT)
    why = "undecodable: byte 0xff at offset 35 is not valid utf-8"
    assert ("src/app/lf.py", why) in [(p.path, p.reason)
                                      for p in detect(cfg, use_cache=False).problems]
    plan = build_plan(cfg, "p0")  # no raw UnicodeDecodeError; the other files still planned
    assert [(p.path, p.reason) for p in plan.skipped] == [("src/app/lf.py", why)]
    assert len(plan.changes) == 5
    assert cli.main(["plan", "p0", "--config", str(cfg.path)]) == 1
    assert f"  skipped src/app/lf.py: {why}\n" in capsys.readouterr().out
