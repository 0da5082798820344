"""``suggest --write``: append the ready rules phases.toml does not have yet.

The new ``[rules.<id>]`` tables are rendered with tomlkit and appended after everything already
in the file, so every byte of it (comments, layout, existing rules) stays as it was; each table
opens with a comment giving its evidence. The result is validated before it is written
(atomically, under the same lock as status writes).
"""

from __future__ import annotations

from datetime import UTC, datetime

import tomlkit

from .. import config as config_mod
from ..config import Config
from ..errors import MigrationError
from ..state import _locked, atomic_write
from .model import Suggestion
from .render import rule_table, status


def write(config: Config, suggestions: list[Suggestion]) -> list[str]:
    """Append the ready, new suggestions; returns the ids written."""
    fresh = [s for s in suggestions if status(s) == "ready"]
    if not fresh:
        return []
    with _locked(config):
        data = config.path.read_bytes()
        text = data.decode("utf-8")
        known = set(config_mod.read(config.path).rules)
        fresh = [s for s in fresh if s.id not in known]
        if not fresh:
            return []
        added = _appendix(fresh)
        newline = "\r\n" if "\r\n" in text else "\n"
        sep = "" if text.endswith(("\n", "\r\n")) or not text else newline
        out = text + sep + newline + added.replace("\n", newline)
        try:
            config_mod.validate(tomlkit.parse(out).unwrap(), config.path, out)
        except MigrationError as exc:
            raise MigrationError(f"suggest --write: the suggested rules do not validate, "
                                 f"nothing written:\n{exc.message}") from None
        atomic_write(config.path, out.encode("utf-8"))
    return [s.id for s in fresh]


def _appendix(fresh: list[Suggestion]) -> str:
    doc = tomlkit.document()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    doc.add(tomlkit.comment(f"Rules added by `phasegate suggest --write` on {stamp}, from the "
                            "deprecation markers in the code."))
    doc.add(tomlkit.comment("Review each one, then add its id to the rules of a phase."))
    rules = tomlkit.table(is_super_table=True)
    for sugg in fresh:
        rules.append(sugg.id, rule_table(sugg))
    doc.append("rules", rules)
    return tomlkit.dumps(doc)
