"""The pytest plugin every test tier loads: selection, an early stop, and what JUnit cannot say.

- **Selection** (``PHASEGATE_SELECT``, a file of absolute paths): collect only those test
  files. Passing hundreds of test files to pytest as arguments makes its collection
  super-linear (measured with pytest 9: 100 files of a 600-file package 9.4 s, 300 files 23 s,
  the whole directory 9.7 s); walking the tier's directories and ignoring the rest is linear.
- **Which copy is tested** (``PHASEGATE_MODULES``: the dotted modules the phase changed, and
  ``PHASEGATE_ROOT``): once the tests are collected (so imported, with conftest and
  ``pythonpath`` applied), each module's file must be under the root; when one is not (a
  non-editable install shadows the tree), every test is deselected and the report says so.
- **Early stop** (``PHASEGATE_KNOWN``: test ids that do not count; ``PHASEGATE_STOP_AFTER``):
  stop the run after that many failing tests not known, in the process that sees every report
  (the xdist controller, or the only process).
- **Facts** (``PHASEGATE_FACTS``, a JSON file written at the end): tests collected, collection
  errors, failing tests' node ids (to re-run them), the modules' files, why it stopped.

Copied next to the gate's records as ``_phasegate_select.py`` and loaded with
``-p _phasegate_select`` from PYTHONPATH, so it must not import phasegate (the target repo may
have its own ``tasks`` package). Test ids are JUnit's (``classname::name``, xunit1).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

_ALWAYS = ("conftest.py", "__init__.py")  # package structure and fixtures stay collected


def _lines(env: str) -> list[str]:
    listing = os.environ.get(env)
    if not listing:
        return []
    return [line for line in Path(listing).read_text("utf-8").splitlines() if line]


def _selected() -> frozenset[str] | None:
    if not os.environ.get("PHASEGATE_SELECT"):
        return None
    return frozenset(os.path.realpath(line) for line in _lines("PHASEGATE_SELECT"))


_KEEP = _selected()
_KNOWN = frozenset(_lines("PHASEGATE_KNOWN"))
_STOP_AFTER = int(os.environ.get("PHASEGATE_STOP_AFTER") or 0)
_FACTS: dict[str, Any] = {"collected": None, "collection_errors": [], "failed": {},
                          "origins": {}, "outside": {}, "stopped": ""}
_SESSION: list[Any] = []


def junit_id(nodeid: str) -> str:
    """The id pytest's JUnit XML gives a test (xunit1 ``classname::name``, no prefix)."""
    path, bracket, params = nodeid.partition("[")
    names = path.split("::")
    names[0] = re.sub(r"\.py$", "", names[0].replace("/", "."))
    names[-1] += bracket + params
    return f"{'.'.join(names[:-1])}::{names[-1]}" if len(names) > 1 else names[0]


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    """Ignore every Python file that is not selected (None: let pytest decide)."""
    if _KEEP is None or collection_path.suffix != ".py" or collection_path.name in _ALWAYS:
        return None
    return True if os.path.realpath(collection_path) not in _KEEP else None


def pytest_sessionstart(session: Any) -> None:
    _SESSION.append(session)
    _FACTS["rootdir"] = str(session.config.rootpath)


def pytest_collectreport(report: Any) -> None:
    if report.failed and report.nodeid not in _FACTS["collection_errors"]:
        _FACTS["collection_errors"].append(report.nodeid or ".")


def pytest_collection_modifyitems(session: Any, config: Any, items: list[Any]) -> None:
    """After collection the tests' imports have run: see where the changed modules live."""
    root = os.environ.get("PHASEGATE_ROOT")
    modules = _lines("PHASEGATE_MODULES")
    if not root or not modules:
        return
    origins = {m: _origin(m) for m in modules}
    _FACTS["origins"] = {m: f for m, f in origins.items() if f}
    real_root = os.path.realpath(root) + os.sep
    outside = {m: f for m, f in origins.items() if f and
               not os.path.realpath(f).startswith(real_root)}
    if outside:
        _FACTS["outside"] = outside
        config.hook.pytest_deselected(items=list(items))
        items[:] = []
        _FACTS["stopped"] = "the changed modules import from outside the root"


def _origin(module: str) -> str:
    loaded = sys.modules.get(module)
    path = getattr(loaded, "__file__", None) if loaded is not None else None
    if path:
        return str(path)
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError, AttributeError):
        return ""
    return str(spec.origin) if spec is not None and spec.has_location else ""


def pytest_collection_finish(session: Any) -> None:
    _FACTS["collected"] = len(session.items)


def pytest_runtest_logreport(report: Any) -> None:
    if not report.failed:
        return
    test = junit_id(report.nodeid)
    _FACTS["failed"].setdefault(test, report.nodeid)
    if _STOP_AFTER <= 0 or _FACTS["stopped"] or not _SESSION:
        return
    new = [t for t in _FACTS["failed"] if t not in _KNOWN]
    if len(new) >= _STOP_AFTER:
        _stop(_SESSION[0], f"{len(new)} failing test(s) beyond the known ones")


def _stop(session: Any, why: str) -> None:
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controller sees every report and decides
    _FACTS["stopped"] = why
    dsession = session.config.pluginmanager.getplugin("dsession")
    if dsession is not None:
        dsession.shouldstop = why  # xdist's controller: shuts the workers down
    else:
        session.shouldfail = why  # as --maxfail does: pytest exits 1, not "interrupted"


def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist's controller: merge what a worker collected and saw."""
    out = getattr(node, "workeroutput", {}).get("phasegate") or {}
    if out.get("collected") is not None:
        _FACTS["collected"] = max(_FACTS["collected"] or 0, out["collected"])
    for err in out.get("collection_errors", []):
        if err not in _FACTS["collection_errors"]:
            _FACTS["collection_errors"].append(err)
    _FACTS["origins"].update(out.get("origins", {}))
    _FACTS["outside"].update(out.get("outside", {}))
    _FACTS["stopped"] = _FACTS["stopped"] or out.get("stopped", "")


def pytest_sessionfinish(session: Any) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["phasegate"] = _FACTS
        return
    target = os.environ.get("PHASEGATE_FACTS")
    if target:
        Path(target).write_text(json.dumps(_FACTS), "utf-8")
