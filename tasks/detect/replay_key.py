"""The installed code's part of a replay record's key (:mod:`.replay`): an edited phasegate
file or an installed or removed dependency makes every record miss. Builtins only, like the
rest of the replay's path.
"""

from __future__ import annotations

import importlib.util
import os
import sys

PACKAGE = sys.modules[__name__.rsplit(".", 2)[0]]  # phasegate itself (imported before us)


def code_stats() -> tuple[tuple[str, int, int, int, int], ...]:
    """The lstat of every .py file phasegate runs (tasks and codemods), to notice an edit."""
    pkg = os.path.dirname(os.path.abspath(PACKAGE.__file__ or ""))
    # phasegate.codemods is inside pkg when installed, a folder of its own in an editable install
    spec = importlib.util.find_spec(f"{PACKAGE.__name__}.codemods")
    tops = {pkg, *(os.path.abspath(p) for p in (spec and spec.submodule_search_locations) or ())}
    out: list[tuple[str, int, int, int, int]] = []
    for top in sorted(tops):
        todo = [top]
        while todo:
            with os.scandir(todo.pop()) as it:
                for entry in it:
                    if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                        todo.append(entry.path)
                    elif entry.name.endswith(".py"):
                        st = entry.stat(follow_symlinks=False)
                        out.append((entry.path, st.st_size, st.st_mtime_ns, st.st_ino,
                                    st.st_ctime_ns))
    return tuple(sorted(set(out)))  # installed: codemods/ is inside pkg


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
