"""`phasegate split` on a git copy of the bundled example: shards cover every file with a
violation exactly once, respect --max-files, and --write only inserts the shard tables."""

from __future__ import annotations

import difflib
from collections import Counter
from pathlib import Path

import pytest

from phasegate import cli
from phasegate import config as config_mod
from phasegate.detect.engine import detect
from tests.helpers.branch_repo import example_repo


@pytest.fixture(scope="module")
def p2_counts(tmp_path_factory: pytest.TempPathFactory) -> Counter[str]:
    """path -> violations, for the files of p2 before any split."""
    root = example_repo(tmp_path_factory.mktemp("p2"))
    config = config_mod.load(root / "phases.toml")[0]
    return Counter(v.path for v in detect(config, phase="p2", use_cache=False).violations)


def test_split_prints_the_shards_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], p2_counts: Counter[str]) -> None:
    root = example_repo(tmp_path)
    before = (root / "phases.toml").read_bytes()
    assert cli.main(["split", "p2", "--config", str(root / "phases.toml")]) == 0
    out = capsys.readouterr().out
    assert "p2-agents    @netra/agents  8 file(s), 11 fixable, 4 manual\n" in out
    assert "  netra_backend/app/tools/search_tool.py  (0 fixable, 1 manual)\n" in out
    assert (f"phase p2: {len(p2_counts)} file(s) with violations in 3 shard(s) (owners from "
            f"{root / 'examples/netra/.github/CODEOWNERS'}); ") in out
    assert out.endswith("nothing written: pass --write to put these 3 phase(s) into "
                        "phases.toml before p2\n")
    assert (root / "phases.toml").read_bytes() == before


@pytest.mark.parametrize("by", ["codeowners", "directory"])
def test_write_inserts_shards_before_the_phase_and_keeps_every_other_byte(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], p2_counts: Counter[str],
        by: str) -> None:
    root = example_repo(tmp_path)
    path = root / "phases.toml"
    before = path.read_text().splitlines(keepends=True)
    assert cli.main(["split", "p2", "--by", by, "--max-files", "5", "--write",
                     "--config", str(path)]) == 0
    assert "(the old file is saved at " in capsys.readouterr().out
    after = path.read_text().splitlines(keepends=True)
    # one contiguous insertion of whole lines, right before the comment block that introduces
    # p2: every other line (comments, the other phases, p2 itself) is byte for byte the same
    ops = [op for op in difflib.SequenceMatcher(None, before, after, autojunk=False)
           .get_opcodes() if op[0] != "equal"]
    assert [op[0] for op in ops] == ["insert"]
    _, at, _, start, end = ops[0]
    assert before[at].startswith("# P2: everything else.")
    assert after[start].startswith("# Shard 1 of ") and after[end - 1] == "\n"
    assert after[:start] + after[end:] == before
    # the shards: every file with a violation in exactly one, at most 5 files each
    config = config_mod.load(path)[0]
    ids = [p.id for p in config.phases]
    shards = [p for p in config.phases if p.id.startswith("p2-")]
    assert ids == ["p0", "p1", *(s.id for s in shards), "p2"]
    assert all(1 <= len(s.files) <= 5 for s in shards)
    listed = [f for s in shards for f in s.files]
    assert sorted(listed) == sorted(p2_counts)
    now = detect(config, use_cache=False).violations
    assert Counter(v.path for v in now if v.phase.startswith("p2-")) == p2_counts
    assert not [v for v in now if v.phase == "p2"]  # what p2 keeps has no violation
    # a second split has nothing left to cut
    assert cli.main(["split", "p2", "--by", by, "--write", "--config", str(path)]) == 0
    assert "phase p2: no file has a violation; nothing to split" in capsys.readouterr().out
    assert path.read_text().splitlines(keepends=True) == after


@pytest.mark.parametrize(("argv", "message"), [
    (["--max-files", "0"], "phasegate: error: --max-files: must be at least 1 (got 0)\n"),
    (["--codeowners", "nowhere/CODEOWNERS"], "phasegate: error: nowhere/CODEOWNERS: not found\n"),
    (["--by", "team"], None),
], ids=["max-files", "missing-codeowners", "bad-by"])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          argv: list[str], message: str | None) -> None:
    root = example_repo(tmp_path)
    before = (root / "phases.toml").read_bytes()
    code = cli.main(["split", "p2", *argv, "--write", "--config", str(root / "phases.toml")])
    assert code == 2
    err = capsys.readouterr().err
    if message is not None:
        assert err == message
    else:
        assert "argument --by: invalid choice: 'team'" in err
    assert (root / "phases.toml").read_bytes() == before
