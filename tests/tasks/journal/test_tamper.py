"""A tampered or damaged journal is refused without writing; a crash-cut log line is not."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from phasegate import journal
from phasegate.errors import EXIT_USAGE, MigrationError
from phasegate.journal.store import Txn
from tests.helpers.journal_repo import make_plan, make_repo, snapshot


def _rehash(doc: dict[str, object]) -> None:
    body = doc["body"]
    doc["sha256"] = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"))
                                   .encode()).hexdigest()


def _edit_manifest(txn: Txn, edit: Callable[[dict[str, object]], None], rehash: bool) -> None:
    doc = json.loads(txn.manifest.read_text())
    edit(doc)
    if rehash:
        _rehash(doc)
    txn.manifest.write_text(json.dumps(doc))


def _entries(doc: dict[str, object]) -> list[dict[str, object]]:
    return doc["body"]["entries"]  # type: ignore[index, no-any-return]


def mismatch(txn: Txn) -> None:
    _edit_manifest(txn, lambda d: _entries(d)[0].update(mode=0o777), rehash=False)


def escape(txn: Txn) -> None:
    _edit_manifest(txn, lambda d: _entries(d)[0].update(path="../outside.py"), rehash=True)


def absolute(txn: Txn) -> None:
    _edit_manifest(txn, lambda d: _entries(d)[0].update(path="/etc/passwd"), rehash=True)


def wrong_blob(txn: Txn) -> None:
    doc = json.loads(txn.manifest.read_text())
    txn.blob(_entries(doc)[0]["pre"]).write_bytes(b"evil = True\n")  # type: ignore[arg-type]


def truncated_manifest(txn: Txn) -> None:
    data = txn.manifest.read_bytes()
    txn.manifest.write_bytes(data[: len(data) // 2])


def corrupt_log(txn: Txn) -> None:
    lines = txn.log.read_bytes().split(b"\n")
    lines[1] = b"{garbage"
    txn.log.write_bytes(b"\n".join(lines))


def truncated_log(txn: Txn) -> None:
    lines = txn.log.read_bytes().splitlines(keepends=True)
    keep = [ln for ln in lines if b'"step": "committed"' not in ln and b"prepared" not in ln]
    txn.log.write_bytes(b"".join(keep[:1]))  # cut at a line boundary, after 'begin'


CASES = {
    "manifest-hash-mismatch": (mismatch, "manifest.json does not match its sha256"),
    "path-escapes-root": (escape, "manifest path '../outside.py' escapes the project root"),
    "absolute-path": (absolute, "manifest path '/etc/passwd' is not a relative posix path"),
    "blob-hash-wrong": (wrong_blob, "does not match its sha256"),
    "manifest-truncated": (truncated_manifest, "manifest.json is missing or unreadable"),
    "log-corrupted": (corrupt_log, "log.jsonl line 2 is not a journal step"),
    "log-truncated": (truncated_log, "log.jsonl is truncated (its 'prepared' step is missing)"),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("committed", [True, False], ids=["rollback", "recover"])
def test_tampered_journal_is_refused_without_writing(tmp_path: Path, case: str,
                                                     committed: bool) -> None:
    config = make_repo(tmp_path)
    txn = journal.apply(config, "p0", make_plan(config))
    if committed:
        journal.commit(config, txn)
    tamper, message = CASES[case]
    tamper(txn.txn)
    state = snapshot(config.root)
    log_before = txn.txn.log.read_bytes()
    with pytest.raises(MigrationError) as err:
        journal.rollback_phase(config, "p0") if committed else journal.recover(config)
    assert message in err.value.message
    assert "refusing to use it (nothing was written" in err.value.message
    assert err.value.exit_code == EXIT_USAGE
    assert snapshot(config.root) == state
    assert txn.txn.log.read_bytes() == log_before
    assert not (tmp_path / "outside.py").exists()


def test_log_line_cut_by_a_crash_is_ignored(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    before = snapshot(config.root)
    txn = journal.apply(config, "p0", make_plan(config))
    with txn.txn.log.open("ab") as fh:
        fh.write(b'{"step": "commit')  # 'committed' was being appended when the power went
    assert journal.recover(config)[0].startswith("recovered: phase p0 was left half-applied")
    assert snapshot(config.root) == before


def test_log_that_lost_its_commit_line_is_not_taken_for_a_crash(tmp_path: Path) -> None:
    config = make_repo(tmp_path)
    txn = journal.apply(config, "p0", make_plan(config))
    journal.commit(config, txn)
    lines = txn.txn.log.read_bytes().splitlines(keepends=True)
    txn.txn.log.write_bytes(b"".join(lines[:-1]))  # the 'committed' line, cut cleanly
    state = snapshot(config.root)
    with pytest.raises(MigrationError) as err:
        journal.recover(config)  # without the marker this would roll back a committed phase
    assert "log.jsonl is truncated (its 'committed' step is missing)" in err.value.message
    assert snapshot(config.root) == state
