"""phasegate's nox sessions: glue only; every decision lives in the package (``tasks/``,
installed as ``phasegate``).

Per phase of phases.toml: ``plan-<phase>``, ``migrate-<phase>`` (``-- --branch`` migrates it
on its own git branch), ``rollback-<phase>``, ``split-<phase>``; plus
``detect``, ``verify``, ``status``, ``recover`` and the project's own ``tests``, ``lint``,
``bench``. Sessions that change files (migrate-*, rollback-*, recover, split-* with --write),
``verify`` and the slow ``bench`` are not run by a bare ``nox``. ``nox -s SESSION -- ARGS``
passes ARGS to phasegate (or pytest). See docs/sessions.md.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import nox

HERE = Path(__file__).resolve().parent
CONFIG = Path(os.environ.get("PHASEGATE_CONFIG", HERE / "phases.toml"))
# One venv shared by every migration session, so `nox -s migrate-p0` after `nox -s detect`
# does not install again (nox gives each session its own venv otherwise).
SHARED_ENV = HERE / ".nox" / "phasegate"
# What a non-zero phasegate exit means (phasegate.errors; 70 is cli.EXIT_INTERNAL).
EXIT_MEANING = {1: "violations found / changes pending", 2: "usage or configuration error",
                3: "a gate failed and the phase was rolled back",
                4: "rollback left conflicts", 70: "internal error"}

nox.options.default_venv_backend = "virtualenv"
nox.options.reuse_venv = "yes"


def phase_ids() -> list[str]:
    """Phase ids from phases.toml via phasegate.config; a broken config yields none (the static
    sessions still exist and report the error when run)."""
    try:
        from phasegate import config

        return [phase.id for phase in config.load(CONFIG)[0].phases]
    except ImportError:  # phasegate is not installed beside nox: read just the ids
        return _ids_stdlib()
    except Exception:  # noqa: BLE001 - MigrationError and friends: sessions report it
        return []


def _ids_stdlib() -> list[str]:
    try:
        import tomllib
    except ImportError:  # Python 3.10: nox depends on tomli there
        import tomli as tomllib
    try:
        with open(CONFIG, "rb") as fh:
            phases = tomllib.load(fh).get("phases", {})
    except (OSError, ValueError):
        return []
    return [str(pid).lower() for pid in phases] if isinstance(phases, dict) else []


def shared_env(session: nox.Session) -> Path:
    """Create .nox/phasegate (once, again when pyproject.toml changes) and return its bin dir."""
    bindir = SHARED_ENV / ("Scripts" if os.name == "nt" else "bin")
    stamp = SHARED_ENV / ".phasegate-installed"
    want = hashlib.sha256((HERE / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text() == want and (bindir / "phasegate").exists():
        return bindir
    session.run(sys.executable, "-m", "virtualenv", "--quiet", str(SHARED_ENV), external=True)
    session.run(str(bindir / "python"), "-m", "pip", "install", "--quiet",
                "--disable-pip-version-check", "-e", f"{HERE}[html]", external=True)
    stamp.write_text(want)
    return bindir


def phasegate(session: nox.Session, *args: str, ok: Iterable[int] = (0,)) -> None:
    """Run phasegate in the shared venv; a failing exit becomes one session.error line."""
    bindir = shared_env(session)
    env = {"PATH": os.pathsep.join([str(bindir), os.environ.get("PATH", "")]),
           "VIRTUAL_ENV": str(SHARED_ENV)}
    try:
        session.run(str(bindir / "phasegate"), *args, external=True, env=env,
                    success_codes=list(ok))
    except nox.command.CommandFailed as exc:
        code = exc.return_code
        meaning = "a test tier failed" if args[0] == "verify" and code == 3 else \
            EXIT_MEANING.get(code, "failed")
        session.error(f"phasegate {args[0]} exited {code}: {meaning}")


def _session(name: str, doc: str, body: Callable[[nox.Session], None]) -> None:
    body.__doc__ = doc
    body.__name__ = name.replace("-", "_")
    nox.session(name=name, python=False)(body)


@nox.session(python=False)
def detect(session: nox.Session) -> None:
    """Report deprecated-name uses per rule x phase (`-- --check` fails when any is found)."""
    args = [a for a in session.posargs if a != "--check"]
    strict = "--check" in session.posargs or "--baseline" in args
    phasegate(session, "detect", *args, ok=(0,) if strict else (0, 1))


@nox.session(python=False)
def watch(session: nox.Session) -> None:
    """Watch the tree in the background so a repeated detect replays at once (`-- --stop`)."""
    phasegate(session, "watch", *session.posargs,
              ok=(0, 1) if "--status" in session.posargs else (0,))


@nox.session(python=False)
def suggest(session: nox.Session) -> None:
    """Propose rules from the deprecation markers in the code (`-- --write` adds them)."""
    phasegate(session, "suggest", *session.posargs)


@nox.session(python=False)
def verify(session: nox.Session) -> None:
    """Run the gate ladder's test tiers on the tree as it is (`-- --shard 1/4`)."""
    phasegate(session, "verify", *session.posargs)


@nox.session(python=False)
def status(session: nox.Session) -> None:
    """Print the tracker: per phase its status, counts, gates, files (`-- --format html -o F`)."""
    phasegate(session, "status", *session.posargs)


@nox.session(python=False)
def recover(session: nox.Session) -> None:
    """Roll back any phase a crash left half-applied (changes files)."""
    phasegate(session, "recover", *session.posargs)


def _plan(phase: str) -> Callable[[nox.Session], None]:
    def body(session: nox.Session) -> None:
        phasegate(session, "plan", phase, *session.posargs, ok=(0, 1))
    return body


def _migrate(phase: str) -> Callable[[nox.Session], None]:
    def body(session: nox.Session) -> None:
        phasegate(session, "migrate", phase, *session.posargs)
        if not any(a == "--branch" or a.startswith("--branch=") for a in session.posargs):
            phasegate(session, "status")  # --branch left this tree as it was: nothing to show
    return body


def _split(phase: str) -> Callable[[nox.Session], None]:
    def body(session: nox.Session) -> None:
        phasegate(session, "split", phase, *session.posargs)
    return body


def _rollback(phase: str) -> Callable[[nox.Session], None]:
    def body(session: nox.Session) -> None:
        phasegate(session, "rollback", phase, *session.posargs)
        phasegate(session, "status")
    return body


PHASES = phase_ids()
for _pid in PHASES:
    _session(f"plan-{_pid}", f"Dry run of phase {_pid}: the diff and the manual sites.",
             _plan(_pid))
    _session(f"migrate-{_pid}", f"Migrate phase {_pid} through its gates, or roll it back "
             "(changes files).", _migrate(_pid))
    _session(f"rollback-{_pid}", f"Restore phase {_pid}'s files byte for byte "
             "(changes files).", _rollback(_pid))
    _session(f"split-{_pid}", f"Shards of phase {_pid} by code owner (`-- --by directory "
             "--max-files N --write`).", _split(_pid))


@nox.session
def tests(session: nox.Session) -> None:
    """phasegate's own test suite: pytest -n auto (the README's test command)."""
    session.install("-e", ".[test]", "nox")  # nox: tests/test_noxfile.py runs `nox -l`
    session.run("pytest", "-n", "auto", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check, and mypy --strict on the phasegate package (tasks/ and codemods/)."""
    session.install("-e", ".[test]")
    session.run("ruff", "check", ".")
    # mypy knows no package-dir mapping: link the package as it installs, then check that
    tree = Path(session.create_tmp()) / "typecheck"
    shutil.rmtree(tree, ignore_errors=True)
    (tree / "phasegate").mkdir(parents=True)
    for entry in [*(HERE / "tasks").iterdir(), HERE / "codemods"]:
        (tree / "phasegate" / entry.name).symlink_to(entry)
    session.run("mypy", "--strict", "--config-file", str(HERE / "pyproject.toml"), "-p",
                "phasegate", *session.posargs, env={"MYPYPATH": str(tree)})


@nox.session
def bench(session: nox.Session) -> None:
    """Side-by-side benchmark of detect against ruff TID251 (slow; see BENCHMARKS.md)."""
    session.install(".")  # as a user installs it: an editable install's import hook costs ~10 ms
    #                       at every start, a third of a warm detect
    session.run("python", "benchmarks/run.py", *session.posargs)


# A bare `nox` runs only what changes nothing and is quick: no migrate-*, rollback-*, recover
# (they change files), no bench (slow), no verify (every test tier; on the bundled example the
# mission-critical tier fails by design until p0 is migrated).
nox.options.sessions = ["detect", *(f"plan-{p}" for p in PHASES), "status", "lint", "tests"]
