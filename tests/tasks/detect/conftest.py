"""The ``project`` fixture: a real git repository for the replay and watcher tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.replay_repo import Project, make_project


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str],
            monkeypatch: pytest.MonkeyPatch) -> Project:
    return make_project(tmp_path, capsys, monkeypatch)
