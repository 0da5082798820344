"""Gate 3: nothing fixable of the phase remains, and every import the phase added resolves.

An added import resolves when its module is a file of the repo (``config.root`` + ``config.src``)
or is found in the environment that runs the tests, and the imported name exists in it. Names
of a repo module are read statically when they can be (a top-level def, class, assignment or
import, a submodule); when they cannot (a star import, a module ``__getattr__``), and for every
module outside the repo, a subprocess in the tests' environment imports the module and looks
the name up: a star-importing module such as ``collections.abc`` accepts no typo.
"""

from __future__ import annotations

import ast
import json
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ..config import Config, Phase
from ..discover import discover, module_name
from . import runner as gates_runner
from .affected import absolute_module, package_of
from .results import GateResult
from .static import cap, compile_error

Ref = tuple[str, str]  # (module, name) ; name "" for ``import module``
UNKNOWN = "*"  # a module whose names cannot be listed statically


def import_refs(source: bytes, rel: str, src: Sequence[str]) -> set[Ref]:
    """Every (module, name) an import statement of the file refers to, made absolute."""
    try:
        tree = ast.parse(source, filename=rel)
    except (SyntaxError, ValueError):
        return set()
    package = package_of(rel, src)[1]
    refs: set[Ref] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            refs.update((alias.name, "") for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = absolute_module(node.module or "", node.level, package)
            if base is not None:
                refs.update((base, alias.name) for alias in node.names if alias.name != "*")
    return refs


def top_level_names(tree: ast.Module) -> set[str]:
    """Names a module binds at top level (into if/try/with blocks); UNKNOWN if it cannot tell."""
    names: set[str] = set()
    stack: list[ast.stmt] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    names.add(UNKNOWN)
                else:
                    names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            stack.extend(_blocks(node))
            targets = [node.target] if isinstance(node, ast.For) else \
                [i.optional_vars for i in getattr(node, "items", []) if i.optional_vars]
            for target in targets:  # `for x in ...:` and `with ... as x:` bind x too
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, getattr(ast, "TypeAlias", ())):  # 3.12's `type X = ...`
            type_name = getattr(node, "name", None)
            names.update([type_name.id] if isinstance(type_name, ast.Name) else [])
        names |= _walrus_targets(node)
    if "__getattr__" in names:
        names.add(UNKNOWN)
    return names


def _walrus_targets(node: ast.AST) -> set[str]:
    """Names ``:=`` binds in the module's scope: not inside a def, class or lambda (a
    comprehension's walrus binds in the enclosing scope, so it counts)."""
    out: set[str] = set()
    todo = [] if isinstance(node, _SCOPES) else list(ast.iter_child_nodes(node))
    while todo:
        child = todo.pop()
        if isinstance(child, ast.NamedExpr) and isinstance(child.target, ast.Name):
            out.add(child.target.id)
        if not isinstance(child, (*_SCOPES, ast.stmt)):  # statements are walked by the caller
            todo.extend(ast.iter_child_nodes(child))
    return out


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _blocks(node: ast.stmt) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for attr in ("body", "orelse", "finalbody"):
        out.extend(getattr(node, attr, []))
    for handler in getattr(node, "handlers", []):
        out.extend(handler.body)
    return out


def unresolved(config: Config, added: Iterable[tuple[str, Ref]], log: Path) -> list[str]:
    """``path: import ...: reason`` for each added reference that does not resolve."""
    repo = _repo_modules(config)
    problems: list[str] = []
    outside: list[tuple[str, Ref]] = []
    for rel, ref in sorted(set(added)):
        module, name = ref
        reason = _check_repo(config.root, repo, module, name) if module in repo else UNKNOWN
        if reason == UNKNOWN:  # not in the repo, or its names cannot be read statically
            outside.append((rel, ref))
        elif reason:
            problems.append(f"{rel}: {_show(ref)}: {reason}")
    if outside:
        paths = [str((config.root / s).resolve()) for s in config.src]
        verdicts = _check_environment(config.root, sorted({ref for _, ref in outside}),
                                      config.gate("imports").timeout, log, paths)
        for rel, ref in outside:
            reason = verdicts.get(_show(ref), "")
            if reason:
                problems.append(f"{rel}: {_show(ref)}: {reason}")
    return problems


def _show(ref: Ref) -> str:
    return f"from {ref[0]} import {ref[1]}" if ref[1] else f"import {ref[0]}"


def _repo_modules(config: Config) -> dict[str, str]:
    """Dotted module -> file; packages without an __init__ (namespace packages) map to ''."""
    files = discover(config.root).files
    out: dict[str, str] = {}
    for rel in files:
        if rel.endswith(".py"):
            out.setdefault(module_name(rel, config.src)[0], rel)
    for dotted in list(out):
        parts = dotted.split(".")
        for i in range(1, len(parts)):
            out.setdefault(".".join(parts[:i]), "")
    return out


def _check_repo(root: Path, repo: Mapping[str, str], module: str, name: str) -> str:
    if not name or f"{module}.{name}" in repo:
        return ""
    if not repo[module]:
        return f"'{name}' is not a module of the namespace package '{module}'"
    try:
        tree = ast.parse((root / repo[module]).read_bytes(), filename=repo[module])
    except (OSError, SyntaxError, ValueError) as exc:
        return f"cannot read {repo[module]}: {exc}"
    names = top_level_names(tree)
    if name in names:
        return ""
    if UNKNOWN in names:
        return UNKNOWN  # a star import or __getattr__: import it and look
    return f"'{name}' is not defined in {repo[module]}"


# Runs in the target environment (same interpreter as the tests, cwd = root, the repo's source
# directories first on sys.path) so that it sees what pytest will see; imports each module and
# looks each name up; prints {"from m import n": "reason" | ""}.
_PROBE = r"""
import importlib, importlib.util, json, sys
sys.path[:0] = json.loads(sys.argv[2]) + [""]
out = {}
for module, name in json.loads(sys.argv[1]):
    key = f"from {module} import {name}" if name else f"import {module}"
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        out[key] = f"no module named '{module}'"
        continue
    try:
        loaded = importlib.import_module(module)
    except BaseException as exc:
        out[key] = f"'{module}' does not import: {type(exc).__name__}: {exc}"[:300]
        continue
    if not name or hasattr(loaded, name):
        out[key] = ""
        continue
    try:
        importlib.import_module(f"{module}.{name}")
        out[key] = ""
    except ImportError:
        out[key] = f"'{name}' is not defined in {module}"
    except BaseException as exc:
        out[key] = f"'{module}.{name}' does not import: {type(exc).__name__}: {exc}"[:300]
print(json.dumps(out))
"""


def _check_environment(root: Path, refs: Sequence[Ref], timeout: float, log: Path,
                       paths: Sequence[str] = ()) -> dict[str, str]:
    argv = [sys.executable, "-c", _PROBE, json.dumps(list(refs)), json.dumps(list(paths))]
    out = gates_runner.run(argv, cwd=root, timeout=timeout, log=log)
    lines = out.tail(1)
    try:
        result = json.loads(lines[0]) if lines and not out.timed_out else None
    except ValueError:
        result = None
    if not isinstance(result, dict):
        why = f"timed out after {timeout:g}s" if out.timed_out else f"exit {out.returncode}"
        return {_show(r): f"could not check the environment ({why}; see {log})" for r in refs}
    return {str(k): str(v) for k, v in result.items()}


def added_refs(config: Config, changed: Sequence[str], before: Mapping[str, bytes]
               ) -> list[tuple[str, Ref]]:
    """The import references each changed file has now and did not have before."""
    out: list[tuple[str, Ref]] = []
    for rel in changed:
        path = config.root / rel
        if not rel.endswith(".py") or not path.is_file():
            continue
        after = import_refs(path.read_bytes(), rel, config.src)
        # With no pre-image every import counts as added: stricter, never looser.
        prior = import_refs(before[rel], rel, config.src) if rel in before else set()
        out.extend((rel, ref) for ref in sorted(after - prior))
    return out


def leftovers(config: Config, phase: Phase, changed: Sequence[str],
              manual_sites: Sequence[object]) -> tuple[list[str], list[str], list[str]]:
    """(fixable violations left, manual sites, files detect could not read) in the phase."""
    from ..detect.engine import detect  # imported late: detect pulls in the analysis engine

    result = detect(config, phase=phase.id)
    rules = set(phase.rules)
    mine = [v for v in result.violations if v.phase == phase.id and v.rule in rules]
    fixable = [f"{v.path}:{v.line}:{v.col}: {v.rule}: {v.name} ({v.kind})"
               for v in mine if v.fixable]
    manual = {(v.path, v.line, v.col, v.rule): v.reason for v in mine if not v.fixable}
    # the plan's manual sites carry the lines of the file before the rewrite: one is kept only
    # where detect, on the rewritten file, did not find the same site again
    seen = {(path, rule, why) for (path, _, _, rule), why in manual.items()}
    for site in manual_sites:
        key = (str(getattr(site, "path", "")), int(getattr(site, "line", 0)),
               int(getattr(site, "col", 0)), str(getattr(site, "rule", "")))
        why = str(getattr(site, "reason", ""))
        if (key[0], key[3], why) not in seen:
            manual.setdefault(key, why)
    wanted = set(changed)
    broken = []
    for problem in (p for p in result.problems if p.path in wanted):
        if _newer_syntax(config, problem.path):  # compiled by [gates.syntax] python only
            manual[(problem.path, problem.line or 1, 1, "*")] = \
                f"detect cannot read it under this Python ({problem.reason}): check it there"
        else:
            broken.append(f"{problem.path}: {problem.reason}")
    sites = [f"{p}:{ln}:{c}: {r}: manual: {why}" for (p, ln, c, r), why in sorted(manual.items())]
    return fixable, sites, broken


def _newer_syntax(config: Config, rel: str) -> bool:
    from .static import syntax_python

    python = syntax_python(config)
    if not python:
        return False
    try:
        data = (config.root / rel).read_bytes()
    except OSError:
        return False
    return compile_error(python, data, rel) == ""


def imports_gate(config: Config, phase: Phase, changed: Sequence[str],
                 before: Mapping[str, bytes], manual_sites: Sequence[object],
                 log: Path) -> GateResult:
    start = time.monotonic()
    fixable, sites, broken = leftovers(config, phase, changed, manual_sites)
    added = added_refs(config, changed, before)
    bad_imports = unresolved(config, added, log)
    details = [f"left: {f}" for f in fixable] + [f"unresolved: {b}" for b in bad_imports] + \
        [f"unreadable: {b}" for b in broken] + sites
    blocking = bool(fixable or bad_imports or broken or (sites and not phase.allow_manual))
    parts = [f"{len(fixable)} fixable left", f"{len(added)} added import(s),"
             f" {len(bad_imports)} unresolved", f"{len(sites)} manual site(s)"
             + (" (allowed)" if sites and phase.allow_manual else "")]
    if broken:
        parts.append(f"{len(broken)} unreadable")
    return GateResult("imports", not blocking, time.monotonic() - start, "; ".join(parts),
                      cap(details))
