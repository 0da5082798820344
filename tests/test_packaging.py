"""What `pip install .` puts into an environment: phasegate alone (no top-level `tasks` or
`codemods`), every module of tasks/ and codemods/ inside it, and nothing that collides with a
project's own `tasks` package or Invoke's `tasks.py`."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from phasegate import __version__

REPO = Path(__file__).resolve().parents[1]


def _run(*argv: str, cwd: Path, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
         "--disable-pip-version-check", "-w", str(out), str(REPO), cwd=out)
    (built,) = out.glob("phasegate-*.whl")
    return built


def test_the_wheel_installs_phasegate_alone(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"phasegate", f"phasegate-{__version__}.dist-info"}


def test_the_wheel_holds_every_module(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    want = {f"phasegate/{p.relative_to(REPO / 'tasks').as_posix()}"
            for p in (REPO / "tasks").rglob("*.py") if "__pycache__" not in p.parts}
    want |= {f"phasegate/codemods/{p.relative_to(REPO / 'codemods').as_posix()}"
             for p in (REPO / "codemods").rglob("*.py") if "__pycache__" not in p.parts}
    assert want - names == set()  # a subpackage missing from pyproject's list would show here
    assert "phasegate/py.typed" in names


def test_installs_beside_a_projects_own_tasks(wheel: Path, tmp_path: Path) -> None:
    """A Celery-style `tasks` package installed into the same site-packages, and an Invoke
    `tasks.py` in the repository: each import gets its own, and `python -m phasegate` runs
    phasegate from inside that repository."""
    site = tmp_path / "site-packages"
    _run(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile",
         "--disable-pip-version-check", "--target", str(site), str(wheel), cwd=tmp_path)
    other = tmp_path / "celery-like"
    (other / "tasks").mkdir(parents=True)
    (other / "tasks" / "__init__.py").write_text("WHO = 'the celery tasks package'\n")
    (other / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "celery-like"\nversion = "1"\n'
        '[tool.setuptools]\npackages = ["tasks"]\n')
    _run(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
         "--disable-pip-version-check", "--target", str(site), str(other), cwd=tmp_path)
    assert (site / "phasegate" / "__init__.py").is_file()
    repo = tmp_path / "monorepo"
    repo.mkdir()
    (repo / "tasks.py").write_text("WHO = 'the invoke tasks.py'\n")
    env = {**os.environ, "PYTHONPATH": str(site)}
    version = _run(sys.executable, "-m", "phasegate", "--version", cwd=repo, env=env)
    assert version.stdout.strip() == f"phasegate {__version__}"
    probe = ("import phasegate, phasegate.cli, phasegate.codemods, tasks\n"
             "print(phasegate.__file__)\nprint(tasks.WHO)\n")
    where, who = _run(sys.executable, "-c", probe, cwd=repo, env=env).stdout.splitlines()
    assert Path(where).is_relative_to(site) and who == "the invoke tasks.py"
    elsewhere = _run(sys.executable, "-c", "import tasks; print(tasks.WHO)", cwd=tmp_path,
                     env=env).stdout.strip()
    assert elsewhere == "the celery tasks package"
