"""Fixtures shared by the whole suite (helpers that are not fixtures live in tests/helpers/)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

collect_ignore = ["data"]  # vendored real code (tests/data/README.md), not tests of ours


@pytest.fixture
def fast_tmp(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs dir when there is one. SIGKILL loses nothing the page cache holds, so tmpfs
    tests the same thing as a disk here, minus seconds of fsync per test on a slow disk."""
    if not Path("/dev/shm").is_dir():
        yield tmp_path
        return
    path = Path(tempfile.mkdtemp(prefix="pg-crash-", dir="/dev/shm"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
