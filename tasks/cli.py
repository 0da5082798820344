"""The phasegate CLI: one sub-command per module in ``tasks/commands``, found automatically.

Every command is ``run(args) -> int``; this module is the one top-level handler that turns a
:class:`MigrationError` into one clear line and its exit code, and anything unexpected into a
short message plus the path of the saved traceback.
"""

from __future__ import annotations

import os
import sys

from . import __version__, commands
from .errors import EXIT_USAGE, MigrationError

TYPE_CHECKING = False  # not typing's: `detect` may replay before anything else is imported
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from types import ModuleType

EXIT_INTERNAL = 70  # a bug in phasegate: the traceback is saved, the tree is left as it was


def _command_modules(only: str | None = None) -> list[ModuleType]:
    """Every command module, or just the one named ``only`` (when there is one by that name):
    running a command need not import the others."""
    import importlib
    import pkgutil

    names = sorted(i.name for i in pkgutil.iter_modules(commands.__path__)
                   if not i.name.startswith("_"))
    wanted = (only or "").replace("-", "_")
    if wanted in names:
        names = [wanted]
    mods = [importlib.import_module(f"{__package__}.commands.{name}") for name in names]
    return sorted(mods, key=lambda m: getattr(m, "ORDER", 50))


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser for every command; with ``only``, for that one command alone."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="phasegate",
        description="Take a Python codebase off deprecated APIs in phases, gated and reversible.",
    )
    parser.add_argument("--version", action="version", version=f"phasegate {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for mod in _command_modules(only):
        name = mod.__name__.rsplit(".", 1)[-1].replace("_", "-")
        doc = (mod.__doc__ or "").strip().splitlines()[0] if mod.__doc__ else ""
        cmd = sub.add_parser(name, help=doc, description=doc)
        cmd.add_argument("--config", default=os.environ.get("PHASEGATE_CONFIG", "phases.toml"),
                         metavar="PATH", help="phases.toml to use (default: ./phases.toml)")
        mod.add_arguments(cmd)
        cmd.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(argv) if argv is not None else sys.argv[1:]
    try:
        return _dispatch(args_list)
    except MigrationError as exc:
        print(f"phasegate: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("phasegate: interrupted", file=sys.stderr)
        return 130
    except Exception:  # noqa: BLE001 - the one place that catches everything
        import tempfile
        import traceback

        fd, path = tempfile.mkstemp(prefix="phasegate-crash-", suffix=".txt")
        with os.fdopen(fd, "w") as fh:
            fh.write(traceback.format_exc())
        exc_type, exc_value = sys.exc_info()[:2]
        name = exc_type.__name__ if exc_type else "error"
        print(f"phasegate: internal error ({name}: {exc_value}); traceback saved to {path}",
              file=sys.stderr)
        return EXIT_INTERNAL


def _dispatch(args_list: list[str]) -> int:
    if args_list[:1] == ["detect"]:
        # before the parser imports every command: an unchanged tree replays its last answer
        from .detect.replay import replay

        replayed = replay(args_list[1:])
        if replayed is not None:
            return replayed
    parser = build_parser(args_list[0] if args_list else None)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help exits 0
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    _clean_stray_worktrees(getattr(args, "config", None))
    return int(args._run(args))


def _clean_stray_worktrees(config: str | None) -> None:
    """Before any command: a worktree a killed `migrate --branch` left is recovered and removed
    (tasks/branches/worktree.py; costs a walk up to .git and one listdir when there is none)."""
    from .branches.worktree import clean_stray

    for line in clean_stray(config):
        print(line, file=sys.stderr)
