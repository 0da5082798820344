"""Detect and plan agree, and a plan is idempotent -- on the bundled example and on a tree
generated here with every shape mixed into the same files.

For every phase: each fixable violation detect reports is rewritten by the plan, each manual
one is listed manual by the plan (same place, same rule, same kind); detect on the plan's
output finds nothing fixable for the phase's rules; planning the output again changes nothing.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from phasegate import config as config_mod
from phasegate.config import Config
from phasegate.detect.engine import detect, detect_sources
from phasegate.plan import build_plan, plan_sources

REPO = Path(__file__).resolve().parents[2]

Key = tuple[str, int, int, str, str]


def check_phase(config: Config, phase: str) -> tuple[int, int]:
    found = detect(config, phase=phase, use_cache=False)
    plan = build_plan(config, phase, jobs=1)
    detected: dict[Key, bool] = {(v.path, v.line, v.col, v.rule, v.kind): v.fixable
                                 for v in found.violations}
    planned: dict[Key, bool] = {(s.path, s.line, s.col, s.rule, s.kind): True
                                for s in plan.rewritten}
    planned.update({(s.path, s.line, s.col, s.rule, s.kind): False for s in plan.manual})
    assert detected == planned
    after = {f.path: f.after for f in plan.files}
    left = [v for v in detect_sources(config, after, phase=phase).violations if v.fixable]
    assert left == []
    again = plan_sources(config, phase, after)
    assert again.failures == [] and again.changes == []
    return len(plan.rewritten), len(plan.manual)


@pytest.mark.parametrize("phase", ["p0", "p1", "p2"])
def test_bundled_example(phase: str) -> None:
    config, _ = config_mod.load(REPO / "phases.toml")
    rewritten, _ = check_phase(config, phase)
    assert rewritten > 0


def test_seed_files_show_context_awareness() -> None:
    """The three P0 seed files: the user context is found as a parameter by name, by its
    annotation, and as self.user_context; the legacy `await` is dropped."""
    config, _ = config_mod.load(REPO / "phases.toml")
    plan = build_plan(config, "p0", jobs=1)
    after = {f.path: f.after.decode() for f in plan.files}
    fixtures = after["netra_backend/tests/e2e/thread_test_fixtures.py"]
    new = "WebSocketManager(user_context={0}, authorization_token=issue_authorization_token({0}))"
    assert f"self.manager = {new.format('self.user_context')}" in fixtures
    assert f"manager = {new.format('user_context')}\n" in fixtures  # `await` dropped
    assert f"return {new.format('context')}" in fixtures  # found by its annotation
    assert "create_websocket_manager" not in fixtures
    assert "ws_types" not in fixtures
    race = "netra_backend/tests/websocket_core/test_send_after_close_race_condition.py"
    assert "make_manager(user_context=user_context, authorization_token=" in after[race]
    assert "await make_manager" not in after[race]
    core = "netra_backend/tests/integration/test_agent_execution_core.py"
    assert "websocket_core.create_websocket_manager" not in after[core]
    assert ".WebSocketManager(user_context=ctx, authorization_token=" in after[core]
    assert {race, core, "netra_backend/tests/e2e/thread_test_fixtures.py"} <= \
        {f.path for f in plan.changes}
    assert [s.reason for s in plan.manual] == ["dynamic import by string: rewrite it by hand"]


SNIPPETS = [
    "from a.b import f\n\n\ndef use_{k}():\n    return f()\n",
    "import a.b\n\n\ndef attr_{k}():\n    return a.b.f\n",
    "from a.b import f as ff_{k}\n\nvalue_{k} = ff_{k}\n",
    "from a.b import e, f\n\npair_{k} = (e, f)\n",
    "from a.old import X\n\nx_{k} = X\n",
    "import a.old\n\ny_{k} = a.old.Y\n",
    "import a.old as old_{k}\n\nz_{k} = old_{k}.Z\n",
    "from ws.factory import create\n\n\ndef mk_{k}(ctx):\n    return create()\n",
    "from ws.factory import create\n\n\nasync def amk_{k}(user_context):\n"
    "    return await create(user_context=user_context)\n",
    "from ws.factory import create\n\n\ndef bad_{k}():\n    return create()\n",
    "import ws.factory as wf_{k}\n\n\ndef mod_{k}(c):\n    return wf_{k}.create(c)\n",
    "from ws.factory import create as make_{k}\n\n\nclass S{k}:\n"
    "    def __init__(self, c):\n        self.user_context = c\n\n"
    "    def run(self):\n        return make_{k}()\n",
    "from ws.factory import create\n\nhooks_{k} = [create]\n",
    "\n\ndef shadow_{k}(f):\n    return f  # not the import\n",
    "import importlib\n\nmod_{k} = importlib.import_module('a.old')\n",
    "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from a.b import f\n\n\n"
    "def typed_{k}(x: f) -> None:\n    return None\n",
    "try:\n    from a.b import f\nexcept ImportError:\n    f = None\n\nmaybe_{k} = f\n",
]
RELATIVE = "from ..b import f\n\nrel_{k} = f\n"
CONFIG = """\
[project]
root = "."

[rules.mv]
kind = "move"
old = "a.b.f"
new = "c.d.G"

[rules.md]
kind = "module"
old = "a.old"
new = "a.new"

[rules.ws]
kind = "call"
old = "ws.factory.create"
new = "ws.manager.Manager"
params = ["user_context"]
imports = ["ws.auth.issue"]

[rules.ws.arguments]
user_context = "{user_context}"
token = "issue({user_context})"

[rules.ws.context.user_context]
names = ["user_context", "ctx"]
attributes = ["self.user_context"]

[phases.one]
files = ["app/first/**"]
rules = ["mv", "md", "ws"]

[phases.two]
files = ["**/*.py"]
rules = ["mv", "md", "ws"]
"""


def generate(root: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    (root / "phases.toml").write_text(CONFIG)
    for i in range(count):
        folder = "app/first" if i % 3 == 0 else ("a/gen" if i % 5 == 0 else "app/rest")
        picks = rng.sample(SNIPPETS, 3) + ([RELATIVE] if folder == "a/gen" else [])
        body = "".join(s.format(k=f"{i}_{n}") for n, s in enumerate(picks))
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / f"m{i:03}.py").write_text(f'"""Generated file {i}."""\n' + body)
    for pkg in ("a", "a/gen", "app", "app/first", "app/rest"):
        (root / pkg / "__init__.py").touch()


def test_generated_tree(tmp_path: Path) -> None:
    generate(tmp_path, 45)
    config, _ = config_mod.load(tmp_path / "phases.toml")
    totals = [check_phase(config, phase) for phase in ("one", "two")]
    assert all(rewritten > 10 and manual > 0 for rewritten, manual in totals)
