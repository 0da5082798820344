"""phasegate.registry: built-in entries found by module, others added from outside."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from phasegate.registry import Registry


@dataclass(frozen=True)
class Entry:
    name: str


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A throwaway package whose two modules register one entry each (and a helper that does
    not, since its name starts with '_')."""
    pkg = tmp_path / "toy_entries"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from phasegate.registry import Registry\n"
                                     "REG = Registry('toy', 'toy_entries')\n")
    for name in ("beta", "alpha"):
        (pkg / f"{name}.py").write_text(
            "from dataclasses import dataclass\nfrom toy_entries import REG\n"
            f"@dataclass(frozen=True)\nclass E:\n    name: str\nREG.register(E({name!r}))\n")
    (pkg / "_helper.py").write_text("raise AssertionError('helpers are not imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "toy_entries"
    for mod in [m for m in sys.modules if m.startswith("toy_entries")]:
        del sys.modules[mod]


def test_builtins_are_found_by_module_on_first_read(package: str) -> None:
    import importlib

    reg = importlib.import_module(package).REG
    assert reg.names() == ("alpha", "beta")  # module order, not import order
    assert "alpha" in reg and reg.get("gamma") is None


def test_outside_entries_register_and_unregister(package: str) -> None:
    reg: Registry[Entry] = Registry("toy", package)
    reg.register(Entry("zeta"))
    assert reg.names()[-1] == "zeta" and [e.name for e in reg][-1] == "zeta"
    with pytest.raises(ValueError, match="toy 'zeta' is registered twice"):
        reg.register(Entry("zeta"))
    reg.register(Entry("zeta"), replace=True)
    reg.unregister("zeta")
    assert "zeta" not in reg
