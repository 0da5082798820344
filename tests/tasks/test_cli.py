"""The CLI front: every command is listed, a command imports only itself, errors are one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from phasegate.cli import main

COMMANDS = ["detect", "watch", "plan", "migrate", "rollback", "recover", "verify", "status"]


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_has_its_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, "--help"]) == 0
    assert f"usage: phasegate {name}" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["detekt"], "invalid choice: 'detekt'"),
    ([], "the following arguments are required: COMMAND"),
    (["detect", "--format", "xml"], "invalid choice: 'xml'"),
], ids=["misspelt-command", "no-command", "bad-option"])
def test_usage_errors_exit_2(argv: list[str], message: str,
                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_running_a_command_imports_only_that_command(tmp_path: Path) -> None:
    code = ("import sys\nfrom phasegate.cli import main\n"
            "main(['detect', '--config', 'missing.toml'])\n"
            "print(sorted(m for m in sys.modules if m.startswith('phasegate.commands.')))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60, check=True)
    assert out.stdout.strip() == "['phasegate.commands._common', 'phasegate.commands.detect']"
    assert "phasegate: error:" in out.stderr and "missing.toml" in out.stderr
