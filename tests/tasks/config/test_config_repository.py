"""Issue 13, rows 1, 6, 11 and 15: configs that would reach outside the repository, put the
journal into the working tree, declare one phase twice or a rule that changes nothing. Each
is refused with its whole, exact message (exit 2) before anything runs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from phasegate import config
from phasegate.errors import EXIT_USAGE, MigrationError

BASE = """\
[project]
root = "{root}"
{extra}
[rules.moved]
kind = "move"
old = "pkg.a.f"
new = "{new}"

[phases.p0]
files = ["pkg/**"]
rules = ["moved"]
gates = ["syntax"]
{phases}"""


def repo(tmp_path: Path, *, root: str = ".", extra: str = "", new: str = "pkg.b.g",
         phases: str = "") -> Path:
    """A git repo at tmp_path/repo with phases.toml, a sub dir, a link to a neighbour."""
    top = tmp_path / "repo"
    (top / "sub").mkdir(parents=True)
    (tmp_path / "neighbor" / "netra").mkdir(parents=True)
    (top / "link").symlink_to(tmp_path / "neighbor" / "netra")
    subprocess.run(["git", "init", "-q", str(top)], check=True)
    path = top / "phases.toml"
    path.write_text(BASE.format(root=root, extra=extra, new=new, phases=phases))
    return path


def refused(path: Path) -> str:
    with pytest.raises(MigrationError) as info:
        config.load(path)
    assert info.value.exit_code == EXIT_USAGE
    return info.value.message


@pytest.mark.parametrize("root", ["../neighbor/netra", "link", "../.."])
def test_root_outside_the_repository_is_refused(tmp_path: Path, root: str) -> None:
    path = repo(tmp_path, root=root)
    resolved = (path.parent / root).resolve()
    top = path.parent.resolve()
    assert refused(path) == (
        f"phases.toml:2: project.root: '{root}' resolves to {resolved}, outside the repository "
        f"that holds phases.toml ({top}); refusing to touch files there")


def test_root_outside_the_config_dir_is_refused_without_git(tmp_path: Path) -> None:
    (tmp_path / "neighbor").mkdir()
    (tmp_path / "here").mkdir()
    path = tmp_path / "here" / "phases.toml"
    path.write_text(BASE.format(root="../neighbor", extra="", new="pkg.b.g", phases=""))
    assert refused(path) == (
        f"phases.toml:2: project.root: '../neighbor' resolves to {tmp_path / 'neighbor'}, "
        f"outside the repository that holds phases.toml ({tmp_path / 'here'}); refusing to "
        "touch files there")


def test_root_inside_the_repository_is_accepted(tmp_path: Path) -> None:
    assert config.load(repo(tmp_path, root="sub"))[0].root == tmp_path / "repo" / "sub"


def test_state_dir_in_the_working_tree_outside_root_is_refused(tmp_path: Path) -> None:
    path = repo(tmp_path, root="sub", extra='state_dir = ".pgstate"\n')
    assert refused(path) == (
        f"phases.toml:3: project.state_dir: '.pgstate' is inside the git working tree "
        f"({path.parent}); the journal must live outside it")


def test_state_dir_outside_the_working_tree_is_accepted(tmp_path: Path) -> None:
    path = repo(tmp_path, root="sub", extra='state_dir = "../state"\n')
    assert config.load(path)[0].state_dir == tmp_path / "state"


def test_phase_ids_differing_in_case_are_duplicates(tmp_path: Path) -> None:
    path = repo(tmp_path, phases='\n[phases.P0]\nfiles = ["other/**"]\nrules = ["moved"]\n')
    assert refused(path) == ("phases.toml:14: phases.P0: duplicate of phases.p0 (line 9; phase "
                             "ids are case-insensitive)")


def test_rule_whose_new_is_its_old_is_refused(tmp_path: Path) -> None:
    path = repo(tmp_path, new="pkg.a.f")
    assert refused(path) == ("phases.toml:7: rules.moved.new: 'pkg.a.f' is the same as old; "
                             "the rule would change nothing")
