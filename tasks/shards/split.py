"""The split use case: a phase's files with violations -> shards -> (maybe) phases.toml.

Steps, each a plain function: ``files_with_sites`` (detect, limited to the phase),
``owners_lookup`` (the CODEOWNERS that applies, and the path prefix from the project root to
the directory its patterns are relative to), ``split`` (the shards), ``write`` (splice them
into phases.toml, after a backup in the state dir).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..errors import EXIT_USAGE, MigrationError
from ..repo import worktree
from . import codeowners as co
from . import grouping
from . import write as writer
from .grouping import FileSites, Shard


@dataclass
class Split:
    phase: str
    by: str
    shards: list[Shard]
    untouched: int  # files of the phase without a violation (they stay in the phase)
    source: str = ""  # the CODEOWNERS read, as shown
    warnings: list[str] = field(default_factory=list)


def files_with_sites(config: Config, phase_id: str) -> tuple[list[FileSites], int]:
    """(each file of the phase with a violation and its fixable/manual counts, how many files
    of the phase have none)."""
    from ..detect.engine import assign_phase, detect
    from ..discover import discover

    result = detect(config, phase=phase_id)
    fixable = Counter(v.path for v in result.violations if v.fixable)
    manual = Counter(v.path for v in result.violations if not v.fixable)
    paths = sorted(set(fixable) | set(manual))
    listed = discover(config.root, config.exclude).files
    phase_files = sum(1 for rel in listed if assign_phase(config, rel) == phase_id)
    return [FileSites(p, fixable[p], manual[p]) for p in paths], phase_files - len(paths)


def owners_lookup(config: Config, explicit: str | None
                  ) -> tuple[Callable[[str], tuple[str, ...]], co.Codeowners]:
    """Who owns a file (a path relative to the project root), from the CODEOWNERS that applies.

    Found like GitHub finds it (``.github/``, root, ``docs/``, then GitLab's ``.gitlab/``) under
    the repository root, then under the project root. Patterns are relative to the directory
    that holds the file (minus a ``.github``/``docs``/``.gitlab`` folder), so an explicit
    ``--codeowners PATH`` reads the same as when it is found."""
    if explicit:
        path = Path(explicit).resolve()
        base = path.parent.parent if path.parent.name in (".github", "docs", ".gitlab") \
            else path.parent
        shown = explicit
    else:
        found = co.find(_dedupe([_toplevel(config.root), config.root]))
        if found is None:
            raise MigrationError("no CODEOWNERS in .github/, the root, docs/ or .gitlab/ of the "
                                 "repository or the project (pass --codeowners PATH, or use "
                                 "--by directory)", EXIT_USAGE)
        path, base = found
        shown = _shown(path)
    owners = co.load(path, shown)
    prefix = _prefix(config.root, base, shown)
    return (lambda rel: owners.owners(prefix + rel)), owners


def split(config: Config, phase_id: str, *, by: str, max_files: int | None = None,
          codeowners: str | None = None) -> Split:
    phase = config.phase(phase_id)
    if max_files is not None and max_files < 1:
        raise MigrationError(f"--max-files: must be at least 1 (got {max_files})", EXIT_USAGE)
    files, untouched = files_with_sites(config, phase.id)
    owners_of, source = None, None
    if by == "codeowners":
        owners_of, source = owners_lookup(config, codeowners)
    taken = [p.id for p in config.phases]
    shards = grouping.shard(phase.id, phase.title, files, by=by, owners_of=owners_of,
                            limit=max_files, taken=taken)
    return Split(phase.id, by, shards, untouched, source.path if source else "",
                 list(source.warnings) if source else [])


def write(config: Config, result: Split, how: str) -> Path:
    """Splice the shards into phases.toml; returns where the backup of the old file is."""
    from ..journal import fsutil
    from ..statedir import state_dir

    path = config.path
    data = path.read_bytes()
    text = data.decode("utf-8")
    table = _phase_table(text, result.phase)
    new = writer.splice(text, result.phase, writer.render(result.phase, table, result.shards,
                                                          how))
    writer.check(text, new, result.phase, result.shards)
    _check_claims(config, new, result.shards)
    backup = state_dir(config) / "split" / f"{path.name}.{time.strftime('%Y%m%dT%H%M%S')}.bak"
    backup.parent.mkdir(parents=True, exist_ok=True)
    fsutil.write_durable(backup, data)
    if path.read_bytes() != data:
        raise MigrationError(f"{path.name} changed while the shards were computed; nothing "
                             "written (run split again)", EXIT_USAGE)
    fsutil.write_durable(path, new.encode("utf-8"), path.stat().st_mode & 0o7777)
    return backup


def _check_claims(config: Config, text: str, shards: list[Shard]) -> None:
    """Under the new phases.toml every sharded file belongs to its shard (a file at the root,
    listed without a slash, would also claim same-named files deeper down)."""
    import tomlkit

    from ..config import validate
    from ..detect.engine import assign_phase

    new = validate(tomlkit.parse(text).unwrap(), config.path, text)
    for item in shards:
        for f in item.files:
            owner = assign_phase(new, f.path)
            if owner != item.id:
                raise MigrationError(f"phases.toml: after the split {f.path} would belong to "
                                     f"phase {owner}, not {item.id}; nothing written", EXIT_USAGE)


def _phase_table(text: str, phase_id: str) -> dict[str, object]:
    import tomlkit

    phases = tomlkit.parse(text).unwrap().get("phases", {})
    return next(dict(v) for k, v in phases.items() if str(k).lower() == phase_id)


def _toplevel(root: Path) -> Path:
    return worktree(root) or root


def _dedupe(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.resolve() not in [o.resolve() for o in out]:
            out.append(p)
    return out


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _prefix(root: Path, base: Path, shown: str) -> str:
    """The project root relative to the CODEOWNERS base, as a path prefix ('' or 'a/b/')."""
    try:
        rel = root.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        raise MigrationError(f"{shown}: the project root {root} is not inside {base}, the "
                             "directory its patterns are relative to", EXIT_USAGE) from None
    return "" if rel == "." else rel + "/"
