"""Parts of a replay record's key (:mod:`.replay`): the installed code (an edited phasegate
file or an installed or removed dependency makes every record miss) and the config asked for.
Builtins only, like the rest of the replay's path.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing's: the replay's path imports only builtins
if TYPE_CHECKING:
    from typing import Any

PACKAGE = sys.modules[__name__.rsplit(".", 2)[0]]  # phasegate itself (imported before us)


def code_stats() -> tuple[tuple[str, int, int, int, int], ...]:
    """The lstat of every .py file phasegate runs (tasks and codemods), to notice an edit."""
    pkg = os.path.dirname(os.path.abspath(PACKAGE.__file__ or ""))
    # phasegate.codemods is inside pkg when installed, a folder of its own in an editable install
    spec = _find_spec(f"{PACKAGE.__name__}.codemods")
    tops = {pkg, *(os.path.abspath(p) for p in (spec and spec.submodule_search_locations) or ())}
    return tuple(sorted({st for top in sorted(tops) for st in tree_stats(top)}))


def _find_spec(name: str) -> Any:
    """``importlib.util.find_spec`` for a submodule of phasegate, through the import system's
    own function when it has it: importing ``importlib.util`` is a millisecond of a replay."""
    try:
        import _frozen_importlib

        return _frozen_importlib._find_spec(name, PACKAGE.__path__)  # type: ignore[attr-defined]
    except (ImportError, AttributeError):
        import importlib.util

        return importlib.util.find_spec(name)


def tree_stats(top: str) -> list[tuple[str, int, int, int, int]]:
    """The lstat of every ``.py`` file under ``top`` (not in ``__pycache__``); none when
    ``top`` cannot be read (a folder that went is a different answer from one with files)."""
    out: list[tuple[str, int, int, int, int]] = []
    todo = [top]
    while todo:
        try:
            with os.scandir(todo.pop()) as it:
                for entry in it:
                    if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                        todo.append(entry.path)
                    elif entry.name.endswith(".py"):
                        st = entry.stat(follow_symlinks=False)
                        out.append((entry.path, st.st_size, st.st_mtime_ns, st.st_ino,
                                    st.st_ctime_ns))
        except OSError:
            continue
    return out


def path_stats() -> tuple[tuple[str, int, int], ...]:
    """sys.path directories' mtimes: installing or removing a package changes one."""
    out = []
    for entry in sys.path:
        try:
            st = os.stat(entry or ".")
        except OSError:
            continue
        out.append((entry, st.st_mtime_ns, st.st_ino))
    return tuple(out)


def config_arg(argv: list[str]) -> str:
    """The config the command will read: the last --config wins, as with argparse."""
    found = os.environ.get("PHASEGATE_CONFIG") or "phases.toml"
    for i, arg in enumerate(argv):
        if arg == "--config" and i + 1 < len(argv):
            found = argv[i + 1]
        elif arg.startswith("--config="):
            found = arg[len("--config="):]
    return found
