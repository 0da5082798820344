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
    from typing import NoReturn, TextIO

EXIT_INTERNAL = 70  # a bug in phasegate: the traceback is saved, the tree is left as it was


def _command_modules(only: str | None = None) -> list[ModuleType]:
    """Every command module, or just the one named ``only`` (when there is one by that name):
    running a command need not import the others."""
    import importlib

    wanted = (only or "").replace("-", "_")
    if wanted.isidentifier() and not wanted.startswith("_") and \
            any(os.path.isfile(os.path.join(d, f"{wanted}.py")) for d in commands.__path__):
        names = [wanted]  # without pkgutil, which imports inspect (~15 ms of every start)
    else:
        import pkgutil

        names = sorted(i.name for i in pkgutil.iter_modules(commands.__path__)
                       if not i.name.startswith("_"))
    mods = [importlib.import_module(f"{__package__}.commands.{name}") for name in names]
    return sorted(mods, key=lambda m: getattr(m, "ORDER", 50))


def _parser_class() -> type[argparse.ArgumentParser]:
    import argparse

    class OneLineParser(argparse.ArgumentParser):
        """A usage error is one line, like every other error (the usage block is --help's)."""

        def error(self, message: str) -> NoReturn:
            raise MigrationError(f"{message} (see {self.prog} --help)", EXIT_USAGE)

    return OneLineParser


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser for every command; with ``only``, for that one command alone."""
    parser = _parser_class()(
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
    pipe_safe()
    try:
        return _dispatch(args_list, whole_process=argv is None)
    except MigrationError as exc:
        print(f"phasegate: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("phasegate: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # the environment (a path, a full disk), before any tree write
        print(f"phasegate: error: {_os_error(exc)}", file=sys.stderr)
        return EXIT_USAGE
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


def _os_error(exc: OSError) -> str:
    """One line naming the path and the OS error. Commands that write the tree turn their own
    OS errors into outcomes (rolled back, conflicts); what reaches here changed nothing."""
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}; nothing was changed"


class _PipeSafe:
    """A text stream whose reader may go away (``phasegate status | head -1``): on EPIPE it
    stops writing and the run goes on to its own outcome and exit code, like the CLIs people
    pipe into ``head``. The descriptor is pointed at /dev/null so the final flush is quiet."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.closed_reader = False

    def write(self, text: str) -> int:
        if not self.closed_reader:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._reader_gone()
        return len(text)

    def flush(self) -> None:
        if not self.closed_reader:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._reader_gone()

    def _reader_gone(self) -> None:
        self.closed_reader = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self._stream.fileno())
        os.close(devnull)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def pipe_safe() -> None:
    """Wrap stdout and stderr (once) so a closed reader never becomes an error."""
    if not isinstance(sys.stdout, _PipeSafe) and hasattr(sys.stdout, "fileno"):
        sys.stdout = _PipeSafe(sys.stdout)
    if not isinstance(sys.stderr, _PipeSafe) and hasattr(sys.stderr, "fileno"):
        sys.stderr = _PipeSafe(sys.stderr)


def _dispatch(args_list: list[str], whole_process: bool = False) -> int:
    """Run the command; ``whole_process``: phasegate is this process (not called in-process)."""
    try:
        return _run(args_list, whole_process)
    finally:
        from . import early_git

        early_git.drop()  # whatever git was asked early and not used: reaped


def _run(args_list: list[str], whole_process: bool = False) -> int:
    if args_list[:1] == ["detect"]:
        # before the parser imports every command: an unchanged tree replays its last answer
        from .detect.replay import replay

        replayed = replay(args_list[1:])
        if replayed is not None:
            if whole_process:  # the console script: nothing is left to tear down (~3 ms)
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(replayed)
            return replayed
        from . import early_git

        early_git.for_detect_command(args_list[1:])  # git lists while the imports below run
    parser = build_parser(args_list[0] if args_list else None)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # --help and --version exit 0 (usage errors raise, one line)
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    _clean_stray_worktrees(getattr(args, "config", None))
    code = int(args._run(args))
    sys.stdout.flush()  # a reader gone by now must not turn the outcome into an error
    return code


def _clean_stray_worktrees(config: str | None) -> None:
    """Before any command: a worktree a killed `migrate --branch` left is recovered and removed
    (tasks/branches/worktree.py; costs a walk up to .git and one listdir when there is none)."""
    from .branches.worktree import clean_stray

    lines = clean_stray(config)
    if lines:  # a worktree recovered and removed: git's early answers may be out of date
        from . import early_git

        early_git.drop()
    for line in lines:
        print(line, file=sys.stderr)
