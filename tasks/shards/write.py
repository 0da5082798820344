"""Write a phase's shards into phases.toml, just before the phase, every other byte kept.

The shard tables are rendered with tomlkit and spliced in as text right before the phase's
``[phases.<id>]`` header (and the comment lines directly above it, which describe that phase).
The phase itself stays, byte for byte, after its shards: phases claim files in declaration order,
so the shards take the files they list, and the phase keeps every file of its globs that has no
violation (and any violation added later). The result is parsed back and checked: every table
that was there is unchanged, and the new phases sit in the phase order where the old one was.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import tomlkit
import tomlkit.exceptions

from ..errors import EXIT_USAGE, MigrationError
from .grouping import Shard

_HEADER = re.compile(r"^[ \t]*\[(?!\[)([^\]\n]*)\][ \t]*(?:#[^\n]*)?$")
COPIED = ("rules", "gates", "allow_manual", "format")  # what each shard takes from its phase


def render(phase_id: str, phase_table: dict[str, Any], shards: Sequence[Shard], how: str) -> str:
    """The TOML text of the shard tables, one blank line after each."""
    out = []
    for n, item in enumerate(shards, 1):
        lines = [f"# Shard {n} of {len(shards)} of {phase_id} ({how}): "
                 f"{item.fixable} fixable, {item.manual} manual site(s)",
                 f"[phases.{item.id}]",
                 f"title = {_value(item.title)}"]
        files = tomlkit.array()
        files.extend(f.path for f in item.files)
        files.multiline(True)
        lines.append(f"files = {files.as_string()}")
        lines += [f"{key} = {_value(phase_table[key])}" for key in COPIED if key in phase_table]
        out.append("\n".join(lines) + "\n\n")
    return "".join(out)


def _value(value: Any) -> str:
    return str(tomlkit.item(value).as_string())


def splice(text: str, phase_id: str, block: str) -> str:
    """``text`` with ``block`` inserted before the phase's header and its comment lines."""
    lines = text.splitlines(keepends=True)
    at = _header_line(lines, phase_id)
    while at > 0 and lines[at - 1].lstrip().startswith("#"):
        at -= 1
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    return "".join(lines[:at]) + block.replace("\n", newline) + "".join(lines[at:])


def _header_line(lines: list[str], phase_id: str) -> int:
    for number, line in enumerate(lines):
        match = _HEADER.match(line.rstrip("\r\n"))
        if match and _key_path(match.group(1)) == ["phases", phase_id]:
            return number
    raise MigrationError(f"phases.toml: no [phases.{phase_id}] table header to write the shards "
                         "before (a phase written as dotted keys or an inline table); add the "
                         "shards printed above by hand", EXIT_USAGE)


def _key_path(inner: str) -> list[str]:
    try:
        data: Any = tomlkit.parse(f"[{inner}]\n").unwrap()
    except tomlkit.exceptions.ParseError:
        return []
    path = []
    while isinstance(data, dict) and len(data) == 1:
        key = next(iter(data))
        path.append(str(key).lower())
        data = data[key]
    return path


def check(before: str, after: str, phase_id: str, shards: Sequence[Shard]) -> None:
    """Refuse a result that changed anything but adding the shards before the phase."""
    old = tomlkit.parse(before).unwrap()
    new = tomlkit.parse(after).unwrap()
    added = {s.id for s in shards}
    new_phases = new.get("phases", {})
    kept = {k: v for k, v in new_phases.items() if k not in added}
    rest_same = {k: v for k, v in new.items() if k != "phases"} == \
        {k: v for k, v in old.items() if k != "phases"}
    if kept != old.get("phases", {}) or not rest_same or not added <= set(new_phases):
        raise MigrationError("phases.toml: writing the shards would change other tables "
                             "(a table header inside a multi-line string?); nothing written",
                             EXIT_USAGE)
    order = [k.lower() for k in new_phases]
    where = order.index(phase_id)
    if order[where - len(shards):where] != [s.id for s in shards]:
        raise MigrationError(f"phases.toml: the shards did not land just before "
                             f"[phases.{phase_id}]; nothing written", EXIT_USAGE)
