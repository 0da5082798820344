"""CODEOWNERS: GitHub's pattern rules as a table, last match wins, sections, and the lookup
order on real git repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from phasegate import config as config_mod
from phasegate.errors import MigrationError
from phasegate.shards import codeowners as co
from phasegate.shards.split import owners_lookup
from tests.helpers.journal_repo import git

# (pattern, path, matches): GitHub's documented examples and the gitignore rules they rely on
MATCHES = [
    ("*", "README.md", True),
    ("*", "a/b/c.py", True),
    ("*.js", "app.js", True),
    ("*.js", "web/src/app.js", True),
    ("*.js", "app.jsx", False),
    ("/build/logs/", "build/logs/x.log", True),
    ("/build/logs/", "build/logs/deep/x.log", True),
    ("/build/logs/", "src/build/logs/x.log", False),
    ("/build/logs/", "build/logs", False),  # a trailing slash names a directory
    ("docs/*", "docs/getting-started.md", True),
    ("docs/*", "docs/build-app/troubleshooting.md", False),  # GitHub: not nested files
    ("apps/", "apps/x.py", True),
    ("apps/", "deep/nested/apps/x.py", True),  # no leading slash: any depth
    ("/docs/", "docs/a/b.md", True),
    ("/docs/", "src/docs/a.md", False),
    ("**/logs", "logs/a", True),
    ("**/logs", "build/logs/a", True),
    ("**/logs", "deeply/nested/logs/a", True),
    ("**/logs", "catalogs/a", False),
    ("src/**", "src/a.py", True),
    ("src/**", "src/a/b/c.py", True),
    ("src/**", "lib/src/a.py", False),  # a slash in the pattern anchors it
    ("a/**/b.py", "a/b.py", True),
    ("a/**/b.py", "a/x/y/b.py", True),
    ("a/**/b.py", "a/x/c.py", False),
    ("/apps/github", "apps/github/x.py", True),  # a directory name owns what is below it
    ("/apps/github", "apps/githubx/x.py", False),
    ("main.py", "pkg/main.py", True),
    ("pkg/main.py", "other/pkg/main.py", False),
    ("?.py", "a.py", True),
    ("?.py", "ab.py", False),
    ("*.py", "a/b.py/c.txt", True),  # gitignore: a matching directory owns its content
    ("path\\ with\\ spaces/", "path with spaces/a.py", True),
    ("\\#file.py", "#file.py", True),
    ("/", "anything/at/all.py", True),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), MATCHES,
                         ids=[f"{p}|{f}" for p, f, _ in MATCHES])
def test_pattern_table(pattern: str, path: str, expected: bool) -> None:
    assert bool(co.compile_pattern(pattern).fullmatch(path)) is expected


GITHUB = """\
# default owners
*                @acme/platform
*.js             @acme/web   # trailing comment
/docs/           @acme/docs docs@acme.io
/apps/           @octocat
/apps/github
/apps/web/**/*.py @acme/web @acme/py
"""


@pytest.mark.parametrize(("path", "owners"), [
    ("setup.py", ("@acme/platform",)),
    ("web/app.js", ("@acme/web",)),
    ("docs/app.js", ("@acme/docs", "docs@acme.io")),  # the later /docs/ beats *.js
    ("apps/x.py", ("@octocat",)),
    ("apps/github/x.py", ()),  # a pattern without owners: unowned, and it still wins
    ("apps/web/deep/x.py", ("@acme/py", "@acme/web")),
], ids=["default", "extension", "last-wins", "directory", "no-owner", "two-owners"])
def test_last_matching_line_wins(path: str, owners: tuple[str, ...]) -> None:
    parsed = co.parse(GITHUB)
    assert parsed.owners(path) == owners
    assert parsed.warnings == []


def test_unsupported_lines_are_reported_and_skipped() -> None:
    parsed = co.parse("* @a\n!secret.py @b\nsrc/[ab].py @c\nlib/ nobody\n", ".github/CODEOWNERS")
    assert parsed.warnings == [
        ".github/CODEOWNERS:2: '!secret.py': '!' negation is not supported in CODEOWNERS; "
        "line skipped (GitHub skips it too)",
        ".github/CODEOWNERS:3: 'src/[ab].py': '[...]' character ranges are not supported in "
        "CODEOWNERS; line skipped (GitHub skips it too)",
        ".github/CODEOWNERS:4: 'nobody' is not an owner (@user, @org/team or an e-mail "
        "address); ignored",
    ]
    assert parsed.owners("secret.py") == ("@a",)
    assert parsed.owners("lib/x.py") == ()  # the owner was not understood: nobody


def test_gitlab_sections_add_up_and_use_default_owners() -> None:
    text = ("* @all\n"
            "[Backend] @backend-leads\n"
            "app/\n"
            "app/api/ @api\n"
            "^[Docs][2] @writers\n"
            "*.md\n")
    parsed = co.parse(text)
    assert parsed.owners("app/models.py") == ("@all", "@backend-leads")
    assert parsed.owners("app/api/v1.py") == ("@all", "@api")  # last match in its section
    assert parsed.owners("app/README.md") == ("@all", "@backend-leads", "@writers")
    assert parsed.owners("tools/x.py") == ("@all",)


def _repo(tmp_path: Path, files: dict[str, str], root: str = ".") -> Path:
    repo = tmp_path / "repo"
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    (repo / "phases.toml").write_text(
        f'[project]\nroot = "{root}"\n\n[rules.r]\nkind = "move"\nold = "a.b"\nnew = "a.c"\n\n'
        '[phases.p]\nfiles = ["**/*.py"]\nrules = ["r"]\n')
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init")
    return repo


@pytest.mark.parametrize(("present", "used"), [
    ((".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"), ".github/CODEOWNERS"),
    (("CODEOWNERS", "docs/CODEOWNERS"), "CODEOWNERS"),
    (("docs/CODEOWNERS", ".gitlab/CODEOWNERS"), "docs/CODEOWNERS"),
    ((".gitlab/CODEOWNERS",), ".gitlab/CODEOWNERS"),
], ids=["github-dir-first", "root-next", "docs-next", "gitlab-last"])
def test_lookup_order_like_github(tmp_path: Path, present: tuple[str, ...], used: str) -> None:
    repo = _repo(tmp_path, {rel: f"* @from-{rel.replace('/', '-')}\n" for rel in present})
    config = config_mod.load(repo / "phases.toml")[0]
    owners_of, source = owners_lookup(config, None)
    assert owners_of("x.py") == (f"@from-{used.replace('/', '-')}",)
    assert source.path.endswith(used)


def test_patterns_are_relative_to_the_repository_not_the_project_root(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {".github/CODEOWNERS": "/svc/pay/ @pay\n", "svc/pay/a.py": ""},
                 root="svc")
    config = config_mod.load(repo / "phases.toml")[0]
    owners_of, _ = owners_lookup(config, None)
    assert owners_of("pay/a.py") == ("@pay",)  # the project root is svc/: prefixed back


def test_project_level_codeowners_is_relative_to_the_project(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"svc/.github/CODEOWNERS": "/pay/ @pay\n", "svc/pay/a.py": ""},
                 root="svc")
    config = config_mod.load(repo / "phases.toml")[0]
    owners_of, _ = owners_lookup(config, None)
    assert owners_of("pay/a.py") == ("@pay",)
    explicit, _ = owners_lookup(config, str(repo / "svc/.github/CODEOWNERS"))
    assert explicit("pay/a.py") == ("@pay",)  # the same reading when given explicitly


def test_no_codeowners_is_one_clear_error(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"a.py": ""})
    config = config_mod.load(repo / "phases.toml")[0]
    with pytest.raises(MigrationError) as info:
        owners_lookup(config, None)
    assert info.value.message == ("no CODEOWNERS in .github/, the root, docs/ or .gitlab/ of "
                                  "the repository or the project (pass --codeowners PATH, or "
                                  "use --by directory)")
    assert info.value.exit_code == 2
