"""Gates 1 and 2: every changed file compiles; ruff shows no diagnostic new since before."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config.model import Config, GateSettings
from ..config.problems import Problems, as_number, as_str, as_strlist
from .results import GateResult

MAX_DETAILS = 20
DEFAULT_LINT_SELECT = ("F401", "F811", "F821", "F822", "F823")
LINT_KEYS = ("select", "timeout", "command")


@dataclass(frozen=True)
class LintSettings(GateSettings):
    """``[gates.lint]``: the ruff codes that matter, and the ruff command to run."""

    select: tuple[str, ...] = DEFAULT_LINT_SELECT
    command: tuple[str, ...] = ()


def read_lint(p: Problems, body: Mapping[str, Any], key: str, name: str) -> LintSettings:
    return LintSettings(
        name=name, timeout=as_number(p, body.get("timeout"), f"{key}.timeout", 600.0,
                                     what="a positive number of seconds"),
        select=as_strlist(p, body.get("select"), f"{key}.select") or DEFAULT_LINT_SELECT,
        command=as_strlist(p, body.get("command"), f"{key}.command"))


@dataclass(frozen=True)
class SyntaxSettings(GateSettings):
    """``[gates.syntax]``: optionally the interpreter whose own grammar checks the files."""

    python: str = ""


def read_syntax(p: Problems, body: Mapping[str, Any], key: str, name: str) -> SyntaxSettings:
    return SyntaxSettings(
        name=name, timeout=as_number(p, body.get("timeout"), f"{key}.timeout", 600.0,
                                     what="a positive number of seconds"),
        python=as_str(p, body.get("python"), f"{key}.python"))


def syntax_python(config: Config) -> str:
    """``[gates.syntax] python``, or '' when the syntax gate compiles with this Python."""
    settings = config.gate("syntax")
    return settings.python if isinstance(settings, SyntaxSettings) else ""


def lint_settings(config: Config) -> LintSettings:
    settings = config.gate("lint")
    return settings if isinstance(settings, LintSettings) else LintSettings(name="lint")


def cap(details: Sequence[str]) -> list[str]:
    """The first MAX_DETAILS lines, and how many more there are."""
    more = len(details) - MAX_DETAILS
    return list(details[:MAX_DETAILS]) + ([f"... and {more} more"] if more > 0 else [])
Diagnostic = tuple[str, int, int, str, str]  # path, line, col, code, message


# Runs in the interpreter of the configured Python when one is on PATH (else this one, with the
# grammar of that version via feature_version): prints a JSON list of "path:line:col: msg".
_COMPILE = r"""
import ast, json, sys
if sys.argv[1] == "own":  # [gates.syntax] python: that interpreter's own grammar
    version = tuple(sys.version_info[:2])
else:
    major, minor = (int(p) for p in sys.argv[1].split(".")[:2])
    version = min((major, minor), tuple(sys.version_info[:2]))
errors = []
for rel in sys.argv[2:]:
    try:
        with open(rel, "rb") as fh:
            tree = ast.parse(fh.read(), filename=rel, feature_version=version)
        compile(tree, rel, "exec", dont_inherit=True)
    except SyntaxError as exc:
        errors.append(f"{rel}:{exc.lineno or 0}:{exc.offset or 0}: {exc.msg}")
    except (ValueError, OSError) as exc:
        errors.append(f"{rel}:0:0: {exc}")
print(json.dumps(errors))
"""


@functools.lru_cache(maxsize=8)
def interpreter(python: str) -> str:
    """``pythonX.Y`` for the configured version when it is not this one, is on PATH and really
    runs as that version (a pyenv shim may not); else this interpreter."""
    if python == f"{sys.version_info[0]}.{sys.version_info[1]}":
        return sys.executable
    found = shutil.which(f"python{python}")
    if not found:
        return sys.executable
    try:
        probe = subprocess.run([found, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return sys.executable
    return found if probe.returncode == 0 and probe.stdout.strip() == python else sys.executable


NOT_CHECKABLE = ("not checkable by Python {version} ({error}): run phasegate under the "
                 "project's Python, or set [gates.syntax] python = \"path/to/python3.X\"")


@functools.lru_cache(maxsize=8)
def python_version(python: str) -> str:
    """``X.Y`` of an interpreter ('' when it does not run)."""
    if python == sys.executable:
        return f"{sys.version_info[0]}.{sys.version_info[1]}"
    try:
        probe = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return probe.stdout.strip() if probe.returncode == 0 else ""


def compile_error(python: str, data: bytes, name: str, timeout: float = 60.0) -> str:
    """'' when ``python`` (an interpreter path, or '' for this one) compiles ``data``; else
    ``line N: message``, or a ``not checkable by Python X.Y`` reason when it cannot run."""
    if not python or python == sys.executable:
        try:
            compile(data, name, "exec", dont_inherit=True)
        except SyntaxError as exc:
            return f"line {exc.lineno or 0}: {exc.msg}"
        except ValueError as exc:
            return f"line 0: {exc}"
        return ""
    script = ("import sys\ntry:\n    compile(sys.stdin.buffer.read(), sys.argv[1], 'exec',"
              " dont_inherit=True)\nexcept SyntaxError as e:\n"
              "    print(f'line {e.lineno or 0}: {e.msg}')\n")
    try:
        out = subprocess.run([python, "-c", script, name], input=data, capture_output=True,
                             timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return NOT_CHECKABLE.format(version=python, error=f"{python} did not run: {exc}")
    text = out.stdout.decode("utf-8", "replace").strip()
    if out.returncode != 0:
        err = out.stderr.decode("utf-8", "replace").strip().splitlines()
        return NOT_CHECKABLE.format(version=python_version(python) or python,
                                    error=err[-1] if err else f"exit {out.returncode}")
    return text


def syntax_errors(config: Config, changed: Sequence[str], log: Path) -> list[str] | str:
    """``path:line:col: message`` per changed file that does not compile, or why it could not
    be checked."""
    files = [f for f in changed if f.endswith(".py") and (config.root / f).is_file()]
    if not files:
        return []  # not Python, or deleted by the phase: nothing to compile
    own = syntax_python(config)
    argv = [own or interpreter(config.python), "-c", _COMPILE, "own" if own else config.python,
            *files]
    from . import runner as gates_runner  # here: reading the config needs no runner

    out = gates_runner.run(argv, cwd=config.root, timeout=config.gate("syntax").timeout,
                           log=log)
    if out.timed_out:
        return f"timed out after {config.gate('syntax').timeout:g}s"
    lines = out.tail(1)
    try:
        errors = json.loads(lines[0]) if lines else None
    except ValueError:
        errors = None
    if not isinstance(errors, list):
        return f"the compile check failed (exit {out.returncode}): {' | '.join(out.tail(3))}"
    return [str(e) for e in errors]


def syntax_gate(config: Config, changed: Sequence[str], log: Path) -> GateResult:
    start = time.monotonic()
    errors = syntax_errors(config, changed, log)
    if isinstance(errors, str):
        return GateResult("syntax", False, time.monotonic() - start, errors, [], str(log))
    own = syntax_python(config)
    python = own or interpreter(config.python)
    where = "" if python == sys.executable else f" ({python})"
    version = python_version(python) if own else config.python
    summary = (f"{len(changed)} file(s) compile for Python {version}{where}" if not errors
               else f"{len(errors)} of {len(changed)} file(s) do not compile")
    return GateResult("syntax", not errors, time.monotonic() - start, summary, cap(errors))


def ruff_argv(config: Config, files: Sequence[str]) -> list[str]:
    gate = lint_settings(config)
    base = list(gate.command) if gate.command else [_ruff()]
    target = "py" + config.python.replace(".", "")
    return [*base, "check", "--select", ",".join(gate.select), "--output-format", "json",
            "--exit-zero", "--no-fix", "--no-cache", "--target-version", target, "--", *files]


def _ruff() -> str:
    beside = Path(sys.executable).parent / "ruff"
    return str(beside) if beside.is_file() else "ruff"


def lint(config: Config, files: Sequence[str], log: Path) -> list[Diagnostic] | str:
    """ruff's diagnostics on ``files`` (existing ones only), or the reason ruff failed."""
    present = [f for f in files if f.endswith((".py", ".pyi")) and (config.root / f).is_file()]
    if not present:
        return []
    from . import runner as gates_runner  # here: reading the config needs no runner

    out = gates_runner.run(ruff_argv(config, present), cwd=config.root,
                           timeout=config.gate("lint").timeout, log=log)
    if out.timed_out:
        return f"ruff timed out after {config.gate('lint').timeout:g}s"
    try:
        items = json.loads(_json_part(out.text()))
    except ValueError:
        tail = " | ".join(out.tail(3))
        return f"ruff failed (exit {out.returncode}): {tail}"
    return [_diagnostic(config.root, item) for item in items]


def _json_part(text: str) -> str:
    """ruff may print warnings before the JSON array; keep the array."""
    start = text.find("[")
    return text[start:] if start >= 0 else text


def _diagnostic(root: Path, item: Mapping[str, object]) -> Diagnostic:
    filename = str(item.get("filename", ""))
    try:
        rel = Path(filename).resolve().relative_to(root).as_posix()
    except ValueError:
        rel = filename
    loc = item.get("location") or {}
    row = int(loc.get("row", 0)) if isinstance(loc, dict) else 0
    col = int(loc.get("column", 0)) if isinstance(loc, dict) else 0
    code = str(item.get("code") or "syntax-error")
    return rel, row, col, code, str(item.get("message", ""))


def by_file(diags: Sequence[Diagnostic]) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for path, _, _, code, message in diags:
        out.setdefault(path, []).append((code, message))
    return out


def new_diagnostics(before: Mapping[str, Sequence[tuple[str, str]]],
                    after: Sequence[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics in ``after`` beyond those before, matched by (path, code, message).

    Lines are ignored so that a diagnostic that only moved is not new; counts matter, so a
    second identical diagnostic in the same file is.
    """
    budget = Counter((p, c, m) for p, items in before.items() for c, m in items)
    fresh = []
    for diag in sorted(after):
        key = (diag[0], diag[3], diag[4])
        if budget[key] > 0:
            budget[key] -= 1
        else:
            fresh.append(diag)
    return fresh


def lint_gate(config: Config, changed: Sequence[str], before: Mapping[str, list[tuple[str, str]]],
              log: Path) -> GateResult:
    start = time.monotonic()
    after = lint(config, changed, log)
    if isinstance(after, str):
        return GateResult("lint", False, time.monotonic() - start, after, [], str(log))
    fresh = new_diagnostics({p: before.get(p, []) for p in changed}, after)
    details = [f"{p}:{line}:{col}: {code} {msg}" for p, line, col, code, msg in fresh]
    select = ",".join(lint_settings(config).select)
    summary = (f"no new diagnostics ({select}) in {len(changed)} file(s)" if not fresh
               else f"{len(fresh)} new diagnostic(s) ({select})")
    return GateResult("lint", not fresh, time.monotonic() - start, summary,
                      cap(details), str(log))
