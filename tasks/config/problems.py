"""Collecting configuration problems: each with its key path and line, all reported at once,
and the small typed readers (string, list, bool, table, relative path, dotted name) that add
them."""

from __future__ import annotations

import difflib
import re
from pathlib import Path, PurePosixPath
from typing import Any

DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Problems:
    """Collects every problem with its key path and line before failing once."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.items: list[str] = []

    def add(self, keypath: str, message: str) -> None:
        line = _locate(self.lines, keypath)
        where = f"{self.path.name}:{line}" if line else self.path.name
        self.items.append(f"{where}: {keypath}: {message}")

    def line_of(self, keypath: str) -> int:
        """The line of ``keypath`` (0 when it cannot be found)."""
        return _locate(self.lines, keypath)

    def unknown_keys(self, table: Any, allowed: tuple[str, ...], prefix: str) -> None:
        for key in table:
            if key not in allowed:
                self.add(f"{prefix}.{key}" if prefix else key,
                         f"unknown key '{key}'{suggest(key, allowed)}")


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


def as_str(p: Problems, value: Any, keypath: str, *, required: bool = False,
         default: str = "") -> str:
    if value is None:
        if required:
            p.add(keypath, "missing (required)")
        return default
    if not isinstance(value, str):
        p.add(keypath, f"must be a string, got {type_name(value)}")
        return default
    return str(value)


def as_strlist(p: Problems, value: Any, keypath: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list):
        p.add(keypath, f"must be a list of strings, got {type_name(value)}")
        return ()
    out = []
    for idx, item in enumerate(value):
        if not isinstance(item, str):
            p.add(f"{keypath}[{idx}]", f"must be a string, got {type_name(item)}")
        else:
            out.append(str(item))
    return tuple(out)


def as_bool(p: Problems, value: Any, keypath: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        p.add(keypath, f"must be true or false, got {type_name(value)}")
        return default
    return bool(value)


def type_name(value: Any) -> str:
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


def as_table(p: Problems, value: Any, keypath: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        p.add(keypath, f"must be a table, got {type_name(value)}")
        return {}
    return dict(value)


def relpath(p: Problems, value: str, keypath: str) -> str:
    """A path or glob relative to the root: absolute paths and '..' are refused."""
    posix = value.replace("\\", "/")
    if posix.startswith("/") or re.match(r"^[A-Za-z]:", posix):
        p.add(keypath, f"'{value}' is absolute; paths are relative to the root")
    elif ".." in PurePosixPath(posix).parts:
        p.add(keypath, f"'{value}' climbs out of the root ('..')")
    return posix


def dotted(p: Problems, value: str, keypath: str) -> None:
    if value and not DOTTED.match(value):
        p.add(keypath, f"'{value}' is not a dotted Python name")


def as_number(p: Problems, value: Any, keypath: str, default: float, *,
              low: float = 0.0, high: float | None = None, what: str = "a number > 0") -> float:
    """A number in (low, high] (``high`` None: unbounded), else a problem and the default."""
    if value is None:
        return default
    bad = isinstance(value, bool) or not isinstance(value, (int, float))
    if bad or value <= low or (high is not None and value > high):
        p.add(keypath, f"must be {what}, got {value!r}")
        return default
    return float(value)


def as_int(p: Problems, value: Any, keypath: str, default: int, *, minimum: int = 0) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        p.add(keypath, f"must be a whole number >= {minimum}, got {value!r}")
        return default
    return int(value)


def as_choice(p: Problems, value: Any, keypath: str, choices: tuple[str, ...],
              default: str, noun: str = "value") -> str:
    text = as_str(p, value, keypath, default=default)
    if text not in choices:
        p.add(keypath, f"unknown {noun} '{text}'{suggest(text, choices)}"
              f" (one of {', '.join(choices)})")
        return default
    return text


def as_env(p: Problems, value: Any, keypath: str) -> tuple[tuple[str, str], ...]:
    """An ``env`` table: variable name -> string value (numbers must be quoted)."""
    out = []
    for name, item in as_table(p, value, keypath).items():
        if not isinstance(item, str):
            p.add(f"{keypath}.{name}", f"must be a string, got {type_name(item)}")
            continue
        out.append((str(name), item))
    return tuple(out)
