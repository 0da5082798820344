"""phases.toml: parsed once into frozen dataclasses, every problem collected before failing.

Errors read ``phases.toml:12: rules.ws-factry.kind: unknown kind 'mov' (did you mean 'move'?)``.
The tomlkit document is kept only so state (status, baseline) can be written back with its
comments and layout intact; see :mod:`tasks.state`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import tomlkit
import tomlkit.exceptions

from ..errors import EXIT_USAGE, MigrationError

RULE_KINDS = ("move", "module", "call", "codemod")
GATE_NAMES = ("syntax", "lint", "imports", "unit", "integration", "mission-critical")
TEST_GATES = ("unit", "integration", "mission-critical")
POLICIES = ("all-pass", "no-new-failures")
DEFAULT_LINT_SELECT = ("F401", "F811", "F821", "F822", "F823")
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

TOP_KEYS = ("project", "rules", "phases", "gates", "baseline", "status")
PROJECT_KEYS = ("root", "exclude", "src", "python", "state_dir", "format")
RULE_KEYS = {
    "move": ("kind", "old", "new", "message", "aliases"),
    "module": ("kind", "old", "new", "message", "aliases"),
    "call": (
        "kind", "old", "new", "message", "aliases", "params", "arguments", "context",
        "imports", "awaitable",
    ),
    "codemod": ("kind", "codemod", "old", "new", "message", "options", "needles"),
}
CONTEXT_KEYS = ("names", "attributes", "annotations")
PHASE_KEYS = ("title", "files", "rules", "gates", "allow_manual", "format")
GATE_KEYS = {
    "syntax": ("timeout",),
    "lint": ("select", "timeout", "command"),
    "imports": ("timeout",),
    "unit": ("paths", "markers", "policy", "timeout", "workers", "args", "affected"),
    "integration": ("paths", "markers", "policy", "timeout", "workers", "args"),
    "mission-critical": ("paths", "markers", "policy", "timeout", "workers", "args"),
}


@dataclass(frozen=True)
class ContextSource:
    """Where a required call argument may be found in scope when the call site lacks it."""

    names: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    annotations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    old: str
    new: str = ""
    message: str = ""
    aliases: tuple[str, ...] = ()
    # kind = "call"
    params: tuple[str, ...] = ()
    arguments: tuple[tuple[str, str], ...] = ()
    context: tuple[tuple[str, ContextSource], ...] = ()
    imports: tuple[str, ...] = ()
    awaitable: bool = False
    # kind = "codemod"
    codemod: str = ""
    options: tuple[tuple[str, Any], ...] = ()
    needles: tuple[str, ...] = ()

    @property
    def olds(self) -> tuple[str, ...]:
        """Every qualified name this rule bans: ``old`` and its aliases (re-exports)."""
        return ((self.old,) if self.old else ()) + self.aliases

    @property
    def required(self) -> tuple[str, ...]:
        """Placeholders the call template needs, in order of first use."""
        seen: list[str] = []
        for _, template in self.arguments:
            for name in _PLACEHOLDER.findall(template):
                if name not in seen:
                    seen.append(name)
        return tuple(seen)


@dataclass(frozen=True)
class Phase:
    id: str
    title: str
    files: tuple[str, ...]
    rules: tuple[str, ...]
    gates: tuple[str, ...]
    allow_manual: bool = False
    format: str = ""


@dataclass(frozen=True)
class GateConfig:
    name: str
    paths: tuple[str, ...] = ()
    markers: str = ""
    policy: str = "no-new-failures"
    timeout: float = 600.0
    workers: str = "auto"
    args: tuple[str, ...] = ()
    affected: bool = True
    select: tuple[str, ...] = DEFAULT_LINT_SELECT
    command: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    path: Path
    root: Path
    exclude: tuple[str, ...]
    src: tuple[str, ...]
    python: str
    state_dir: Path | None
    format: str
    rules: dict[str, Rule] = field(hash=False)
    phases: tuple[Phase, ...]
    gates: dict[str, GateConfig] = field(hash=False)
    baseline: dict[str, int] = field(hash=False)

    def phase(self, phase_id: str) -> Phase:
        for phase in self.phases:
            if phase.id == phase_id.lower():
                return phase
        known = [p.id for p in self.phases]
        raise MigrationError(
            f"{self.path.name}: unknown phase '{phase_id}'{_suggest(phase_id, known)}"
            f" (phases: {', '.join(known) or 'none'})"
        )

    def gate(self, name: str) -> GateConfig:
        return self.gates.get(name) or _default_gate(name)


def _default_gate(name: str) -> GateConfig:
    policy = "all-pass" if name == "mission-critical" else "no-new-failures"
    return GateConfig(name=name, policy=policy)


def _suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Problems:
    """Collects every problem with its key path and line before failing once."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.items: list[str] = []

    def add(self, keypath: str, message: str) -> None:
        line = _locate(self.lines, keypath)
        where = f"{self.path.name}:{line}" if line else self.path.name
        self.items.append(f"{where}: {keypath}: {message}")

    def unknown_keys(self, table: Any, allowed: tuple[str, ...], prefix: str) -> None:
        for key in table:
            if key not in allowed:
                self.add(f"{prefix}.{key}" if prefix else key,
                         f"unknown key '{key}'{_suggest(key, allowed)}")


def _locate(lines: list[str], keypath: str) -> int:
    """Best-effort line of a key path: the key inside its table, else the table's header."""
    parts = [re.sub(r"\[\d+\]$", "", p) for p in re.split(r"\.(?![^\[]*\])", keypath)]
    for idx, line in enumerate(lines):
        if line.strip().startswith("[") and _header_matches(line.strip(), parts):
            return idx + 1
    for depth in range(len(parts) - 1, -1, -1):
        table, key = parts[:depth], parts[depth]
        header = -1
        if table:
            header = next((i for i, line in enumerate(lines) if line.strip().startswith("[")
                           and _header_matches(line.strip(), table)), -2)
            if header == -2:
                continue
        for idx in range(header + 1, len(lines)):
            stripped = lines[idx].strip()
            if stripped.startswith("["):
                break
            if re.match(rf'^"?{re.escape(key)}"?\s*=', stripped):
                return idx + 1
        if header >= 0:
            return header + 1
    return 0


def _header_matches(header: str, parts: list[str]) -> bool:
    inner = header.strip("[] \t")
    names = [p.strip().strip('"').strip("'") for p in inner.split(".")]
    return names == parts


def _str(p: _Problems, value: Any, keypath: str, *, required: bool = False,
         default: str = "") -> str:
    if value is None:
        if required:
            p.add(keypath, "missing (required)")
        return default
    if not isinstance(value, str):
        p.add(keypath, f"must be a string, got {_type(value)}")
        return default
    return str(value)


def _strlist(p: _Problems, value: Any, keypath: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list):
        p.add(keypath, f"must be a list of strings, got {_type(value)}")
        return ()
    out = []
    for idx, item in enumerate(value):
        if not isinstance(item, str):
            p.add(f"{keypath}[{idx}]", f"must be a string, got {_type(item)}")
        else:
            out.append(str(item))
    return tuple(out)


def _bool(p: _Problems, value: Any, keypath: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        p.add(keypath, f"must be true or false, got {_type(value)}")
        return default
    return bool(value)


def _type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _table(p: _Problems, value: Any, keypath: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        p.add(keypath, f"must be a table, got {_type(value)}")
        return {}
    return dict(value)


def _relpath(p: _Problems, value: str, keypath: str) -> str:
    """A path or glob relative to the root: absolute paths and '..' are refused."""
    posix = value.replace("\\", "/")
    if posix.startswith("/") or re.match(r"^[A-Za-z]:", posix):
        p.add(keypath, f"'{value}' is absolute; paths are relative to the root")
    elif ".." in PurePosixPath(posix).parts:
        p.add(keypath, f"'{value}' climbs out of the root ('..')")
    return posix


def _dotted(p: _Problems, value: str, keypath: str) -> None:
    if value and not _DOTTED.match(value):
        p.add(keypath, f"'{value}' is not a dotted Python name")


def load(path: Path | str | None = None) -> tuple[Config, tomlkit.TOMLDocument]:
    """Parse and validate phases.toml; raise one MigrationError listing every problem."""
    cfg_path = Path(path) if path is not None else Path("phases.toml")
    try:
        text = cfg_path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise MigrationError(f"{cfg_path}: not found (pass --config PATH)", EXIT_USAGE) from None
    except UnicodeDecodeError as exc:
        raise MigrationError(f"{cfg_path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise MigrationError(f"{cfg_path}: cannot read: {exc.strerror}") from None
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise MigrationError(
            f"{cfg_path.name}:{exc.line}:{exc.col}: invalid TOML: {_parse_reason(exc)}"
        ) from None
    config = validate(doc.unwrap(), cfg_path.resolve(), text)
    return config, doc


def _parse_reason(exc: tomlkit.exceptions.ParseError) -> str:
    message = str(exc)
    return re.sub(r"\s+at line \d+ col \d+$", "", message)


def validate(data: dict[str, Any], cfg_path: Path, text: str = "") -> Config:
    p = _Problems(cfg_path, text)
    p.unknown_keys(data, TOP_KEYS, "")
    project = _table(p, data.get("project"), "project")
    if "project" not in data:
        p.add("project", "missing (required): a [project] table with at least root")
    p.unknown_keys(project, PROJECT_KEYS, "project")
    root_s = _str(p, project.get("root"), "project.root", required="project" in data,
                  default=".")
    root = (cfg_path.parent / root_s).resolve()
    if root_s and not Path(root_s).is_absolute() and not root.is_dir():
        p.add("project.root", f"'{root_s}' is not a directory")
    elif Path(root_s).is_absolute():
        p.add("project.root", f"'{root_s}' is absolute; give it relative to {cfg_path.name}")
    exclude = tuple(_relpath(p, e, f"project.exclude[{i}]")
                    for i, e in enumerate(_strlist(p, project.get("exclude"), "project.exclude")))
    src = tuple(_relpath(p, s, f"project.src[{i}]")
                for i, s in enumerate(_strlist(p, project.get("src"), "project.src"))) or (".",)
    python = _str(p, project.get("python"), "project.python", default="3.11")
    if python and not re.match(r"^3\.\d+$", python):
        p.add("project.python", f"'{python}' is not a Python version like '3.11'")
    state_s = _str(p, project.get("state_dir"), "project.state_dir")
    if state_s and (cfg_path.parent / state_s).resolve().is_relative_to(root):
        p.add("project.state_dir", f"'{state_s}' is inside the project root; the journal must"
              " live outside the working tree")
    fmt = _str(p, project.get("format"), "project.format")
    if fmt not in ("", "ruff"):
        p.add("project.format", f"unknown formatter '{fmt}' (only 'ruff')")

    rule_table = _table(p, data.get("rules"), "rules")
    rules = _rules(p, rule_table)
    phases = _phases(p, _table(p, data.get("phases"), "phases"), rules, set(rule_table))
    gates = _gates(p, _table(p, data.get("gates"), "gates"))
    baseline = _baseline(p, _table(p, data.get("baseline"), "baseline"), rules)
    _table(p, data.get("status"), "status")  # written by phasegate itself

    if p.items:
        raise MigrationError("\n".join(p.items), EXIT_USAGE)
    return Config(
        path=cfg_path, root=root, exclude=exclude, src=src, python=python,
        state_dir=(cfg_path.parent / state_s).resolve() if state_s else None, format=fmt,
        rules=rules, phases=phases, gates=gates, baseline=baseline,
    )


def _rules(p: _Problems, table: dict[str, Any]) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for rule_id, body in table.items():
        key = f"rules.{rule_id}"
        if not _ID.match(rule_id):
            p.add(key, f"rule id '{rule_id}' must be letters, digits, '-' or '_'")
        if not isinstance(body, dict):
            p.add(key, f"must be a table, got {_type(body)}")
            continue
        kind = _str(p, body.get("kind"), f"{key}.kind", required=True)
        if kind and kind not in RULE_KINDS:
            p.add(f"{key}.kind", f"unknown kind '{kind}'{_suggest(kind, RULE_KINDS)}"
                  f" (one of {', '.join(RULE_KINDS)})")
            continue
        if not kind:
            continue
        p.unknown_keys(body, RULE_KEYS[kind], key)
        rule = _rule(p, rule_id, kind, body, key)
        if rule is not None:
            rules[rule_id] = rule
    return rules


def _rule(p: _Problems, rule_id: str, kind: str, body: dict[str, Any], key: str) -> Rule | None:
    needs_old = kind != "codemod"
    old = _str(p, body.get("old"), f"{key}.old", required=needs_old)
    new = _str(p, body.get("new"), f"{key}.new", required=kind in ("move", "module", "call"))
    _dotted(p, old, f"{key}.old")
    _dotted(p, new, f"{key}.new")
    aliases = _strlist(p, body.get("aliases"), f"{key}.aliases")
    for idx, alias in enumerate(aliases):
        _dotted(p, alias, f"{key}.aliases[{idx}]")
    if kind == "move" and old and "." not in old:
        p.add(f"{key}.old", f"'{old}' must name a symbol inside a module (a.b.name)")
    message = _str(p, body.get("message"), f"{key}.message")
    if kind == "call":
        return _call_rule(p, rule_id, body, key, old, new, message, aliases)
    if kind == "codemod":
        name = _str(p, body.get("codemod"), f"{key}.codemod", required=True)
        options = _table(p, body.get("options"), f"{key}.options")
        needles = _strlist(p, body.get("needles"), f"{key}.needles")
        if name:
            from ..rewrite import codemods as codemod_registry

            known = codemod_registry.names()
            if name not in known:
                p.add(f"{key}.codemod", f"unknown codemod '{name}'{_suggest(name, known)}"
                      f" (available: {', '.join(known) or 'none'})")
        return Rule(id=rule_id, kind=kind, old=old, new=new, message=message,
                    codemod=name, options=tuple(options.items()), needles=needles)
    return Rule(id=rule_id, kind=kind, old=old, new=new, message=message, aliases=aliases)


def _call_rule(p: _Problems, rule_id: str, body: dict[str, Any], key: str, old: str, new: str,
               message: str, aliases: tuple[str, ...]) -> Rule:
    params = _strlist(p, body.get("params"), f"{key}.params")
    arguments = _table(p, body.get("arguments"), f"{key}.arguments")
    args: list[tuple[str, str]] = []
    for name, template in arguments.items():
        if not isinstance(template, str):
            p.add(f"{key}.arguments.{name}", f"must be a string template, got {_type(template)}")
            continue
        args.append((name, template))
    context: list[tuple[str, ContextSource]] = []
    for name, src in _table(p, body.get("context"), f"{key}.context").items():
        ckey = f"{key}.context.{name}"
        if not isinstance(src, dict):
            p.add(ckey, f"must be a table, got {_type(src)}")
            continue
        p.unknown_keys(src, CONTEXT_KEYS, ckey)
        context.append((name, ContextSource(
            names=_strlist(p, src.get("names"), f"{ckey}.names"),
            attributes=_strlist(p, src.get("attributes"), f"{ckey}.attributes"),
            annotations=_strlist(p, src.get("annotations"), f"{ckey}.annotations"),
        )))
    imports = _strlist(p, body.get("imports"), f"{key}.imports")
    for idx, imp in enumerate(imports):
        _dotted(p, imp, f"{key}.imports[{idx}]")
        if "." not in imp:
            p.add(f"{key}.imports[{idx}]", f"'{imp}' must be module.name")
    rule = Rule(id=rule_id, kind="call", old=old, new=new, message=message, aliases=aliases,
                params=params, arguments=tuple(args), context=tuple(context), imports=imports,
                awaitable=_bool(p, body.get("awaitable"), f"{key}.awaitable", False))
    known = set(params) | {n for n, _ in context}
    for name in rule.required:
        if name not in known:
            p.add(f"{key}.arguments", f"placeholder '{{{name}}}' is neither in params nor in"
                  f" context{_suggest(name, sorted(known))}")
    return rule


def _phases(p: _Problems, table: dict[str, Any], rules: dict[str, Rule],
            declared: set[str]) -> tuple[Phase, ...]:
    phases = []
    for phase_id, body in table.items():
        key = f"phases.{phase_id}"
        if not _ID.match(phase_id):
            p.add(key, f"phase id '{phase_id}' must be letters, digits, '-' or '_'")
        if not isinstance(body, dict):
            p.add(key, f"must be a table, got {_type(body)}")
            continue
        p.unknown_keys(body, PHASE_KEYS, key)
        files = _strlist(p, body.get("files"), f"{key}.files")
        if "files" not in body:
            p.add(f"{key}.files", "missing (required): globs or paths relative to the root")
        files = tuple(_relpath(p, f, f"{key}.files[{i}]") for i, f in enumerate(files))
        rule_ids = _strlist(p, body.get("rules"), f"{key}.rules")
        for idx, rid in enumerate(rule_ids):
            if rid not in declared:
                p.add(f"{key}.rules[{idx}]",
                      f"unknown rule '{rid}'{_suggest(rid, sorted(declared))}")
        gates = _strlist(p, body.get("gates"), f"{key}.gates")
        if "gates" not in body:
            gates = GATE_NAMES
        for idx, gate in enumerate(gates):
            if gate not in GATE_NAMES:
                p.add(f"{key}.gates[{idx}]", f"unknown gate '{gate}'{_suggest(gate, GATE_NAMES)}")
        gates = tuple(g for g in GATE_NAMES if g in gates)  # the ladder's order, always
        fmt = _str(p, body.get("format"), f"{key}.format")
        if fmt not in ("", "ruff"):
            p.add(f"{key}.format", f"unknown formatter '{fmt}' (only 'ruff')")
        phases.append(Phase(
            id=phase_id.lower(), title=_str(p, body.get("title"), f"{key}.title", default=phase_id),
            files=files, rules=tuple(r for r in rule_ids if r in rules), gates=gates,
            allow_manual=_bool(p, body.get("allow_manual"), f"{key}.allow_manual", False),
            format=fmt,
        ))
    return tuple(phases)


def _gates(p: _Problems, table: dict[str, Any]) -> dict[str, GateConfig]:
    gates: dict[str, GateConfig] = {}
    for name, body in table.items():
        key = f"gates.{name}"
        if name not in GATE_KEYS:
            p.add(key, f"unknown gate '{name}'{_suggest(name, GATE_NAMES)}")
            continue
        if not isinstance(body, dict):
            p.add(key, f"must be a table, got {_type(body)}")
            continue
        p.unknown_keys(body, GATE_KEYS[name], key)
        base = _default_gate(name)
        timeout = body.get("timeout", base.timeout)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            p.add(f"{key}.timeout", f"must be a positive number of seconds, got {timeout!r}")
            timeout = base.timeout
        policy = _str(p, body.get("policy"), f"{key}.policy", default=base.policy)
        if policy not in POLICIES:
            p.add(f"{key}.policy", f"unknown policy '{policy}'{_suggest(policy, POLICIES)}"
                  f" (one of {', '.join(POLICIES)})")
        workers = body.get("workers", "auto")
        if isinstance(workers, bool) or not (workers == "auto" or
                                             (isinstance(workers, int) and workers >= 0)):
            p.add(f"{key}.workers", f"must be \"auto\" or a number >= 0, got {workers!r}")
            workers = "auto"
        paths = tuple(_relpath(p, s, f"{key}.paths[{i}]")
                      for i, s in enumerate(_strlist(p, body.get("paths"), f"{key}.paths")))
        gates[name] = GateConfig(
            name=name, paths=paths, markers=_str(p, body.get("markers"), f"{key}.markers"),
            policy=policy, timeout=float(timeout), workers=str(workers),
            args=_strlist(p, body.get("args"), f"{key}.args"),
            affected=_bool(p, body.get("affected"), f"{key}.affected", True),
            select=_strlist(p, body.get("select"), f"{key}.select") or DEFAULT_LINT_SELECT,
            command=_strlist(p, body.get("command"), f"{key}.command"),
        )
    return gates


def _baseline(p: _Problems, table: dict[str, Any], rules: dict[str, Rule]) -> dict[str, int]:
    out: dict[str, int] = {}
    for rule_id, count in table.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            p.add(f"baseline.{rule_id}", f"must be a count >= 0, got {count!r}")
            continue
        if rule_id not in rules:
            p.add(f"baseline.{rule_id}",
                  f"unknown rule '{rule_id}'{_suggest(rule_id, list(rules))}")
        out[rule_id] = int(count)
    return out
