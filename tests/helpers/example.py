"""A copy of the bundled example in a fresh git repository, and phasegate run on it for real
(``python -m phasegate`` in a subprocess): used by the end-to-end and tracker-page tests."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import tomlkit

REPO = Path(__file__).resolve().parents[2]
ROOT = "examples/netra"
ISOLATION = "netra_backend/tests/mission_critical/test_multi_user_isolation.py"
CACHES = {"__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"}
TIMEOUT = 900


def git(cwd: Path, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
                         timeout=60)
    return out.stdout


def make_project(tmp_path: Path) -> Path:
    """A git repo holding a copy of phases.toml (recorded status dropped) and the example."""
    doc = tomlkit.parse((REPO / "phases.toml").read_text(encoding="utf-8"))
    doc.pop("status", None)  # start from a clean slate whatever the checkout recorded
    (tmp_path / "phases.toml").write_text(tomlkit.dumps(doc), encoding="utf-8")
    shutil.copytree(REPO / ROOT, tmp_path / ROOT, ignore=shutil.ignore_patterns(*CACHES))
    (tmp_path / ".gitignore").write_text("".join(f"{c}/\n" for c in sorted(CACHES)))
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "-c", "user.name=e2e", "-c", "user.email=e2e@example.invalid",
         "add", "-A")
    git(tmp_path, "-c", "user.name=e2e", "-c", "user.email=e2e@example.invalid",
         "commit", "-q", "-m", "start")
    return tmp_path


def phasegate(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CI": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PHASEGATE_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "phasegate", *args, "--config", str(project / "phases.toml")],
        cwd=project, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)


def snapshot(project: Path) -> dict[str, tuple[str, int]]:
    """path -> (sha256, mode) of every file of the example (caches left out)."""
    out = {}
    for path in sorted((project / ROOT).rglob("*")):
        if path.is_file() and not CACHES & set(path.relative_to(project).parts):
            rel = path.relative_to(project / ROOT).as_posix()
            out[rel] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mode)
    return out


def expect(proc: subprocess.CompletedProcess[str], code: int) -> None:
    assert proc.returncode == code, (
        f"exit {proc.returncode}, wanted {code}\n--- stdout\n{proc.stdout[-4000:]}"
        f"\n--- stderr\n{proc.stderr[-4000:]}")
