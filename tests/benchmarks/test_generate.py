"""The benchmark corpus generator: a small tree parses, holds every shape, and is reproducible."""

from __future__ import annotations

import ast
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
import tomlkit

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
from shapes import SHAPES  # noqa: E402

from phasegate import config  # noqa: E402
from phasegate.detect import engine as detect  # noqa: E402

# shape -> a line of source that only that shape writes
MARKERS = {
    "from-import": "from acme.core.config import get_settings\n\n\ndef current_settings_",
    "as-alias": "from acme.core.models import LegacyClient as Client",
    "import-dotted": "    return acme.core.old_utils.slugify(text)",
    "import-as-attr": "import acme.core.config as cfg_",
    "attr-chain": "    return acme.core.models.LegacyClient('chain')",
    "relative": "from ...core.config import get_settings as rel_settings_",
    "function-local": "    from acme.core.models import LegacyClient\n",
    "type-checking": "if TYPE_CHECKING:\n    from acme.core.models import LegacyClient",
    "try-except": "    from acme.core.old_utils import chunked as chunked_",
    "reexport": '__all__ = ["get_settings"]',
    "star": "from acme.core.config import *",
    "string-import": 'importlib.import_module("acme.core.old_utils")',
    "call-with-context": "    return create_websocket_manager(user_context=ctx)",
    "call-without-context": "    return websocket_factory.create_websocket_manager()",
}
# shape -> the detect kinds it must produce in its file
KINDS = {
    "from-import": {"import"}, "as-alias": {"import"}, "import-dotted": {"import", "attribute"},
    "import-as-attr": {"attribute"}, "attr-chain": {"attribute"}, "relative": {"import"},
    "function-local": {"import"}, "type-checking": {"import"}, "try-except": {"import"},
    "reexport": {"re-export"}, "star": {"import", "star-import"},
    "string-import": {"string-import"},
    "call-with-context": {"call"}, "call-without-context": {"call"},
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[generate.Module]]:
    out = tmp_path_factory.mktemp("corpus") / "tree"
    modules = generate.generate(out, files=60, density=0.4, seed=3, tests=4, size=3000)
    return out, modules


def test_every_python_file_parses(tree: tuple[Path, list[generate.Module]]) -> None:
    out, _ = tree
    files = sorted(out.rglob("*.py"))
    assert len(files) > 60
    for path in files:
        ast.parse(path.read_bytes(), filename=str(path))


def test_modules_have_roughly_the_requested_size(tree: tuple[Path, list[generate.Module]]) -> None:
    out, modules = tree
    sizes = [(out / m.rel).stat().st_size for m in modules]
    assert min(sizes) >= 3000 and max(sizes) < 3000 * 3


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_shape_is_planted(tree: tuple[Path, list[generate.Module]], shape: str) -> None:
    out, modules = tree
    users = [m for m in modules if shape in m.shapes]
    assert users, f"no module uses {shape}"
    assert MARKERS[shape] in (out / users[0].rel).read_text()


@pytest.mark.parametrize("shape", list(SHAPES))
def test_detect_finds_each_shape(tree: tuple[Path, list[generate.Module]], shape: str) -> None:
    out, modules = tree
    result = _detected(out)
    kinds_by_file: dict[str, set[str]] = {}
    for v in result.violations:
        kinds_by_file.setdefault(v.path, set()).add(v.kind)
    user = next(m for m in modules if shape in m.shapes)
    assert KINDS[shape] <= kinds_by_file.get(user.rel, set())


def test_decoys_are_not_flagged(tree: tuple[Path, list[generate.Module]]) -> None:
    out, modules = tree
    flagged = {v.path for v in _detected(out).violations}
    decoys = [m.rel for m in modules
              if not m.shapes and "def audit_note_" in (out / m.rel).read_text()]
    assert decoys, "no decoy module generated"
    assert not flagged & set(decoys)


def test_configs_name_the_same_banned_apis(tree: tuple[Path, list[generate.Module]]) -> None:
    out, _ = tree
    cfg, _ = config.load(out / "phases.toml")
    ruff = tomlkit.parse((out / "ruff.toml").read_text()).unwrap()
    banned = set(ruff["lint"]["flake8-tidy-imports"]["banned-api"])
    assert banned == {r.old for r in cfg.rules.values()}
    assert [p.id for p in cfg.phases] == ["p0", "p1", "p2"]
    assert {r.kind for r in cfg.rules.values()} == {"move", "module", "call"}


def test_generated_tests_pass_against_the_modules(
        tree: tuple[Path, list[generate.Module]]) -> None:
    out, _ = tree
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:xdist"], cwd=out,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert "20 passed" in run.stdout  # 4 files x 5 probes, each asserting a computed value


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    digests = []
    for name in ("a", "b"):
        generate.generate(tmp_path / name, files=8, density=0.5, seed=7, tests=2, size=2000)
        digests.append(_digest(tmp_path / name))
    generate.generate(tmp_path / "c", files=8, density=0.5, seed=8, tests=2, size=2000)
    assert digests[0] == digests[1] != _digest(tmp_path / "c")


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(root).as_posix().encode() + path.read_bytes())
    return h.hexdigest()


_DETECTED: dict[Path, detect.DetectResult] = {}


def _detected(out: Path) -> detect.DetectResult:
    if out not in _DETECTED:
        cfg, _ = config.load(out / "phases.toml")
        _DETECTED[out] = detect.detect(cfg, use_cache=False, jobs=1)
    return _DETECTED[out]
