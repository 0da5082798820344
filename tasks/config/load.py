"""Reading phases.toml: parse it, check every section, raise once with every problem.

``read`` parses with the standard library's ``tomllib`` (a few milliseconds); ``load`` with
tomlkit (tens of them), whose document state.py edits; a file ``tomllib`` refuses is read by
tomlkit, so its error is the one it always was.

Errors read ``phases.toml:12: rules.ws-factry.kind: unknown kind 'mov' (did you mean 'move'?)``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import codemods
from ..errors import EXIT_USAGE, MigrationError
from ..repo import in_worktree, worktree
from .kinds import KINDS, RuleInput
from .model import (
    PHASE_KEYS,
    PROJECT_KEYS,
    TOP_KEYS,
    Config,
    GateSettings,
    Phase,
    Rule,
)
from .problems import (
    Problems,
    as_bool,
    as_str,
    as_strlist,
    as_table,
    relpath,
    suggest,
    type_name,
)

if TYPE_CHECKING:
    import tomlkit
    import tomlkit.exceptions

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def read(path: Path | str | None = None) -> Config:
    """Parse and validate phases.toml, for a command that only reads it (no document to
    edit); raise one MigrationError listing every problem."""
    cfg_path = Path(path) if path is not None else Path("phases.toml")
    text = _text(cfg_path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return load(cfg_path)[0]  # tomlkit's error, with its line and column
    return validate(data, cfg_path.resolve(), text)


def load(path: Path | str | None = None) -> tuple[Config, tomlkit.TOMLDocument]:
    """Parse and validate phases.toml; raise one MigrationError listing every problem."""
    import tomlkit  # here: ``read`` does without it
    import tomlkit.exceptions

    cfg_path = Path(path) if path is not None else Path("phases.toml")
    text = _text(cfg_path)
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise MigrationError(
            f"{cfg_path.name}:{exc.line}:{exc.col}: invalid TOML: {_parse_reason(exc)}"
        ) from None
    config = validate(doc.unwrap(), cfg_path.resolve(), text)
    return config, doc


def _text(cfg_path: Path) -> str:
    try:
        return cfg_path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise MigrationError(f"{cfg_path}: not found (pass --config PATH)", EXIT_USAGE) from None
    except UnicodeDecodeError as exc:
        raise MigrationError(f"{cfg_path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise MigrationError(f"{cfg_path}: cannot read: {exc.strerror}") from None


def _parse_reason(exc: tomlkit.exceptions.ParseError) -> str:
    message = str(exc)
    return re.sub(r"\s+at line \d+ col \d+$", "", message)


def validate(data: dict[str, Any], cfg_path: Path, text: str = "") -> Config:
    p = Problems(cfg_path, text)
    p.unknown_keys(data, TOP_KEYS, "")
    project = as_table(p, data.get("project"), "project")
    if "project" not in data:
        p.add("project", "missing (required): a [project] table with at least root")
    p.unknown_keys(project, PROJECT_KEYS, "project")
    root_s = as_str(p, project.get("root"), "project.root", required="project" in data,
                  default=".")
    root = (cfg_path.parent / root_s).resolve()
    if root_s and not Path(root_s).is_absolute() and not root.is_dir():
        p.add("project.root", f"'{root_s}' is not a directory")
    elif Path(root_s).is_absolute():
        p.add("project.root", f"'{root_s}' is absolute; give it relative to {cfg_path.name}")
    repo = worktree(cfg_path.parent) or cfg_path.parent.resolve()
    if root_s and not root.is_relative_to(repo):
        p.add("project.root", f"'{root_s}' resolves to {root}, outside the repository that holds"
              f" {cfg_path.name} ({repo}); refusing to touch files there")
    exclude = tuple(relpath(p, e, f"project.exclude[{i}]")
                    for i, e in enumerate(as_strlist(p, project.get("exclude"), "project.exclude")))
    src = tuple(relpath(p, s, f"project.src[{i}]")
                for i, s in enumerate(as_strlist(p, project.get("src"), "project.src"))) or (".",)
    python = as_str(p, project.get("python"), "project.python", default="3.11")
    if python and not re.match(r"^3\.\d+$", python):
        p.add("project.python", f"'{python}' is not a Python version like '3.11'")
    state_s = as_str(p, project.get("state_dir"), "project.state_dir")
    if state_s and (cfg_path.parent / state_s).resolve().is_relative_to(root):
        p.add("project.state_dir", f"'{state_s}' is inside the project root; the journal must"
              " live outside the working tree")
    elif state_s and in_worktree(cfg_path.parent / state_s):
        p.add("project.state_dir", f"'{state_s}' is inside the git working tree "
              f"({worktree(cfg_path.parent)}); the journal must live outside it")
    fmt = as_str(p, project.get("format"), "project.format")
    if fmt not in ("", "ruff"):
        p.add("project.format", f"unknown formatter '{fmt}' (only 'ruff')")

    codemods = _codemods_dir(p, as_str(p, project.get("codemods"), "project.codemods"), cfg_path,
                             root)
    rule_table = as_table(p, data.get("rules"), "rules")
    rules = _rules(p, rule_table, codemods)
    gates = _gates(p, as_table(p, data.get("gates"), "gates"))
    phases = _phases(p, as_table(p, data.get("phases"), "phases"), rules, set(rule_table),
                     gates)
    baseline = _baseline(p, as_table(p, data.get("baseline"), "baseline"), rules)
    as_table(p, data.get("status"), "status")  # written by phasegate itself

    if p.items:
        raise MigrationError("\n".join(p.items), EXIT_USAGE)
    return Config(
        path=cfg_path, root=root, exclude=exclude, src=src, python=python,
        state_dir=(cfg_path.parent / state_s).resolve() if state_s else None, format=fmt,
        rules=rules, phases=phases, gates=gates, baseline=baseline, codemods=codemods,
    )


def _codemods_dir(p: Problems, value: str, cfg_path: Path, root: Path) -> Path | None:
    """``project.codemods``: a folder of the repo, given relative to phases.toml's folder."""
    if not value:
        return None
    folder = (cfg_path.parent / value).resolve()
    if Path(value).is_absolute():
        p.add("project.codemods", f"'{value}' is absolute; give it relative to {cfg_path.name}")
    elif not folder.is_relative_to(root):
        p.add("project.codemods", f"'{value}' is outside the project root")
    elif not folder.is_dir():
        p.add("project.codemods", f"'{value}' is not a directory")
    else:
        clash = sorted(set(codemods.project_files(folder)) & set(codemods.bundled()))
        for name in clash:
            p.add("project.codemods", f"'{value}/{name}.py' has the id of the bundled codemod"
                  f" '{name}'; rename it")
        return None if clash else folder
    return None


def _rules(p: Problems, table: dict[str, Any], codemods: Path | None) -> dict[str, Rule]:
    """Each rule validated by its kind's module (``phasegate.rewrite.kinds`` or registered)."""
    rules: dict[str, Rule] = {}
    kinds = sorted(KINDS.names())
    for rule_id, body in table.items():
        key = f"rules.{rule_id}"
        if not _ID.match(rule_id):
            p.add(key, f"rule id '{rule_id}' must be letters, digits, '-' or '_'")
        if not isinstance(body, dict):
            p.add(key, f"must be a table, got {type_name(body)}")
            continue
        kind = as_str(p, body.get("kind"), f"{key}.kind", required=True)
        spec = KINDS.get(kind) if kind else None
        if kind and spec is None:
            p.add(f"{key}.kind", f"unknown kind '{kind}'{suggest(kind, kinds)}"
                  f" (one of {', '.join(kinds)})")
        if spec is None:
            continue
        p.unknown_keys(body, ("kind", *spec.keys), key)
        rule = spec.build(RuleInput(p, rule_id, body, key, codemods))
        if rule is not None and rule.old and rule.old == rule.new:
            p.add(f"{key}.new", f"'{rule.new}' is the same as old; the rule would change nothing")
        if rule is not None:
            rules[rule_id] = rule
    return rules


def _phases(p: Problems, table: dict[str, Any], rules: dict[str, Rule],
            declared: set[str], gate_settings: dict[str, GateSettings]) -> tuple[Phase, ...]:
    phases = []
    seen: dict[str, str] = {}
    for phase_id, body in table.items():
        key = f"phases.{phase_id}"
        if phase_id.lower() in seen:
            first = f"phases.{seen[phase_id.lower()]}"
            p.add(key, f"duplicate of {first} (line {p.line_of(first)}; phase ids are "
                  "case-insensitive)")
            continue
        seen[phase_id.lower()] = phase_id
        if not _ID.match(phase_id):
            p.add(key, f"phase id '{phase_id}' must be letters, digits, '-' or '_'")
        if not isinstance(body, dict):
            p.add(key, f"must be a table, got {type_name(body)}")
            continue
        p.unknown_keys(body, PHASE_KEYS, key)
        files = as_strlist(p, body.get("files"), f"{key}.files")
        if "files" not in body:
            p.add(f"{key}.files", "missing (required): globs or paths relative to the root")
        files = tuple(relpath(p, f, f"{key}.files[{i}]") for i, f in enumerate(files))
        rule_ids = as_strlist(p, body.get("rules"), f"{key}.rules")
        for idx, rid in enumerate(rule_ids):
            if rid not in declared:
                p.add(f"{key}.rules[{idx}]",
                      f"unknown rule '{rid}'{suggest(rid, sorted(declared))}")
        from ..gates.spec import phase_gates  # the gate registry; late: it loads gate modules

        listed = as_strlist(p, body.get("gates"), f"{key}.gates") if "gates" in body else None
        gates = phase_gates(p, listed, f"{key}.gates", gate_settings)  # in ladder order
        fmt = as_str(p, body.get("format"), f"{key}.format")
        if fmt not in ("", "ruff"):
            p.add(f"{key}.format", f"unknown formatter '{fmt}' (only 'ruff')")
        phases.append(Phase(
            id=phase_id.lower(),
            title=as_str(p, body.get("title"), f"{key}.title", default=phase_id),
            files=files, rules=tuple(r for r in rule_ids if r in rules), gates=gates,
            allow_manual=as_bool(p, body.get("allow_manual"), f"{key}.allow_manual", False),
            format=fmt,
        ))
    return tuple(phases)


def _gates(p: Problems, table: dict[str, Any]) -> dict[str, GateSettings]:
    """Each gate's spec reads its own table (see phasegate.gates.spec)."""
    from ..gates.spec import read_gates  # the gate registry; late: it loads gate modules

    return read_gates(p, table)


def _baseline(p: Problems, table: dict[str, Any], rules: dict[str, Rule]) -> dict[str, int]:
    out: dict[str, int] = {}
    for rule_id, count in table.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            p.add(f"baseline.{rule_id}", f"must be a count >= 0, got {count!r}")
            continue
        if rule_id not in rules:
            p.add(f"baseline.{rule_id}",
                  f"unknown rule '{rule_id}'{suggest(rule_id, list(rules))}")
        out[rule_id] = int(count)
    return out
