"""A tiny target repo for the gate tests: a src package, three test tiers, one phase.

Imported by the other test_gates*/test_verify modules; it holds no tests of its own.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

from phasegate import config as config_mod
from phasegate.config import Config
from phasegate.gates import ladder as gates

PHASES = """\
[project]
root = "."
src = ["src"]
state_dir = "../state"

[rules.old-helper]
kind = "move"
old = "app.legacy.helper"
new = "app.modern.helper"

[phases.p0]
files = ["src/app/**"]
rules = ["old-helper"]
{phase_extra}

[gates.unit]
paths = ["tests/unit"]
workers = {workers}
timeout = {timeout}

[gates.integration]
paths = ["tests/integration"]
workers = 0
timeout = {timeout}

[gates.mission-critical]
paths = ["tests/critical"]
workers = 0
timeout = {timeout}
"""

FILES = {
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\n',
    "src/app/__init__.py": "",
    "src/app/legacy.py": "def helper():\n    return 1\n",
    "src/app/modern.py": "def helper():\n    return 1\n",
    "src/app/core.py": "from app.modern import helper\n\n\ndef run():\n    return helper()\n",
    "src/app/other.py": "import os\n\n\ndef other():\n    return 2\n",
    "src/app/leaf.py": "def leaf():\n    return 3\n",
    "tests/unit/test_core.py": "from app.core import run\n\n\ndef test_run():\n"
                               "    assert run() == 1\n",
    "tests/unit/test_other.py": "from app.other import other\n\n\ndef test_other():\n"
                                "    assert other() == 2\n",
    "tests/unit/test_leaf.py": "from app.leaf import leaf\n\n\ndef test_leaf():\n"
                               "    assert leaf() == 3\n",
    "tests/integration/test_flow.py": "import app.core\n\n\ndef test_flow():\n"
                                      "    assert app.core.run() == 1\n",
    "tests/critical/test_money.py": "from app.other import other\n\n\ndef test_money():\n"
                                    "    assert other() == 2\n",
}


def make_repo(tmp_path: Path, *, workers: int = 0, timeout: float = 60,
              phase_extra: str = "", files: dict[str, str] | None = None) -> Config:
    """Write the repo under tmp_path/repo and return its loaded Config."""
    root = tmp_path / "repo"
    for rel, text in {**FILES, **(files or {})}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    (root / "phases.toml").write_text(PHASES.format(workers=workers, timeout=timeout,
                                                    phase_extra=phase_extra))
    return config_mod.load(root / "phases.toml")[0]


def write(config: Config, rel: str, text: str) -> None:
    path = config.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


CORE = "src/app/core.py"


def records(config: Config) -> Path:
    return config.root.parent / "state" / "records" / "p0"


def ladder(config: Config, changed: list[str], baseline: gates.Baseline, **kw: object
           ) -> gates.LadderResult:
    return gates.run_ladder(config, config.phase("p0"), changed, baseline=baseline,
                            records_dir=records(config), **kw)  # type: ignore[arg-type]


def snapshot(config: Config, changed: list[str] | None = None,
             gates_: tuple[str, ...] = ()) -> gates.Baseline:
    """before_apply, narrowed to some gates so a test records only the baselines it needs."""
    phase = config.phase("p0")
    if gates_:
        phase = replace(phase, gates=gates_)
    return gates.before_apply(config, phase, records(config), changed=changed)
