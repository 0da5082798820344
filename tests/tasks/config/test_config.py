"""phases.toml validation: every bad config gives its whole, exact message and exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from phasegate import config
from phasegate.errors import EXIT_USAGE, MigrationError

GOOD = """\
[project]
root = "."
exclude = ["**/migrations/**"]

[rules.ws-factory]
kind = "call"
old = "pkg.ws.create_manager"
new = "pkg.ws.Manager"
params = ["user_context"]
[rules.ws-factory.arguments]
user_context = "{user_context}"
[rules.ws-factory.context.user_context]
names = ["user_context"]

[rules.moved]
kind = "move"
old = "pkg.a.f"
new = "pkg.b.g"

[phases.p0]
title = "Golden Path"
files = ["pkg/**"]
rules = ["ws-factory", "moved"]
gates = ["syntax", "lint"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "phases.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_config_parses_into_frozen_dataclasses(tmp_path: Path) -> None:
    cfg, doc = config.load(write(tmp_path, GOOD))
    assert cfg.root == tmp_path.resolve()
    assert cfg.exclude == ("**/migrations/**",)
    rule = cfg.rules["ws-factory"]
    assert rule.kind == "call" and rule.params == ("user_context",)
    assert rule.required == ("user_context",)
    assert cfg.phase("P0").gates == ("syntax", "lint")
    assert cfg.gate("mission-critical").policy == "all-pass"
    assert cfg.gate("unit").policy == "no-new-failures"
    with pytest.raises(AttributeError):
        cfg.phases[0].title = "x"  # type: ignore[misc]
    assert "Golden Path" in doc.as_string()


BAD = [
    ("unknown-top-key", GOOD + "[projet]\nx = 1\n",
     "phases.toml:25: projet: unknown key 'projet' (did you mean 'project'?)"),
    ("unknown-rule-kind", GOOD.replace('kind = "move"', 'kind = "mov"'),
     "phases.toml:16: rules.moved.kind: unknown kind 'mov' (did you mean 'move'?)"
     " (one of call, codemod, module, move)"),
    ("misspelt-rule-id", GOOD.replace('rules = ["ws-factory", "moved"]',
                                      'rules = ["ws-factry", "moved"]'),
     "phases.toml:23: phases.p0.rules[0]: unknown rule 'ws-factry' (did you mean 'ws-factory'?)"),
    ("unknown-gate", GOOD.replace('gates = ["syntax", "lint"]', 'gates = ["syntax", "lnt"]'),
     "phases.toml:24: phases.p0.gates[1]: unknown gate 'lnt' (did you mean 'lint'?)"),
    ("absolute-phase-glob", GOOD.replace('files = ["pkg/**"]', 'files = ["/etc/**"]'),
     "phases.toml:22: phases.p0.files[0]: '/etc/**' is absolute; paths are relative to the root"),
    ("climbing-phase-glob", GOOD.replace('files = ["pkg/**"]', 'files = ["../other/**"]'),
     "phases.toml:22: phases.p0.files[0]: '../other/**' climbs out of the root ('..')"),
    ("missing-old", GOOD.replace('old = "pkg.a.f"\n', ''),
     "phases.toml:15: rules.moved.old: missing (required)"),
    ("old-not-dotted", GOOD.replace('old = "pkg.a.f"', 'old = "pkg.a-f"'),
     "phases.toml:17: rules.moved.old: 'pkg.a-f' is not a dotted Python name"),
    ("move-without-module", GOOD.replace('old = "pkg.a.f"', 'old = "f"'),
     "phases.toml:17: rules.moved.old: 'f' must name a symbol inside a module (a.b.name)"),
    ("wrong-type-files", GOOD.replace('files = ["pkg/**"]', 'files = "pkg/**"'),
     "phases.toml:22: phases.p0.files: must be a list of strings, got a string"),
    ("unknown-phase-key", GOOD.replace('title = "Golden Path"', 'titel = "Golden Path"'),
     "phases.toml:21: phases.p0.titel: unknown key 'titel' (did you mean 'title'?)"),
    ("unknown-rule-key", GOOD.replace('new = "pkg.b.g"', 'new = "pkg.b.g"\nmesage = "x"'),
     "phases.toml:19: rules.moved.mesage: unknown key 'mesage' (did you mean 'message'?)"),
    ("bad-placeholder", GOOD.replace('user_context = "{user_context}"',
                                     'user_context = "{user_contxt}"'),
     "phases.toml:10: rules.ws-factory.arguments: placeholder '{user_contxt}' is neither in"
     " params nor in context (did you mean 'user_context'?)"),
    ("missing-files", GOOD.replace('files = ["pkg/**"]\n', ''),
     "phases.toml:20: phases.p0.files: missing (required): globs or paths relative to the root"),
    ("bad-policy", GOOD + '[gates.unit]\npolicy = "no-new-fails"\n',
     "phases.toml:26: gates.unit.policy: unknown policy 'no-new-fails' (did you mean"
     " 'no-new-failures'?) (one of all-pass, no-new-failures, pass-rate)"),
    ("bad-timeout", GOOD + '[gates.unit]\ntimeout = -1\n',
     "phases.toml:26: gates.unit.timeout: must be a positive number of seconds, got -1"),
    ("unknown-gate-table", GOOD + '[gates.unti]\ntimeout = 5\n',
     "phases.toml:25: gates.unti: unknown gate 'unti' (did you mean 'unit'?) (a gate of your"
     " own needs command = [...])"),
    ("root-not-a-dir", GOOD.replace('root = "."', 'root = "nowhere"'),
     "phases.toml:2: project.root: 'nowhere' is not a directory"),
    ("bool-as-string", GOOD.replace('title = "Golden Path"', 'allow_manual = "yes"'),
     "phases.toml:21: phases.p0.allow_manual: must be true or false, got a string"),
    ("baseline-negative", GOOD + "[baseline]\nmoved = -3\n",
     "phases.toml:26: baseline.moved: must be a count >= 0, got -3"),
    ("unknown-codemod", GOOD + '[rules.custom]\nkind = "codemod"\ncodemod = "no_such_codemod"\n',
     None),
    ("state-dir-in-tree", GOOD.replace('root = "."', 'root = "."\nstate_dir = ".pg"'),
     "phases.toml:3: project.state_dir: '.pg' is inside the project root; the journal must"
     " live outside the working tree"),
    ("no-project", GOOD.replace('[project]\nroot = "."\nexclude = ["**/migrations/**"]\n', ''),
     "phases.toml: project: missing (required): a [project] table with at least root"),
]


@pytest.mark.parametrize(("text", "expected"), [(t, e) for _, t, e in BAD],
                         ids=[i for i, _, _ in BAD])
def test_bad_config_gives_one_exact_line(tmp_path: Path, text: str, expected: str | None) -> None:
    with pytest.raises(MigrationError) as info:
        config.load(write(tmp_path, text))
    assert info.value.exit_code == EXIT_USAGE
    if expected is None:
        assert "unknown codemod 'no_such_codemod'" in info.value.message
    else:
        assert info.value.message == expected


def test_every_problem_is_collected_before_failing(tmp_path: Path) -> None:
    text = GOOD.replace('kind = "move"', 'kind = "mov"').replace(
        'gates = ["syntax", "lint"]', 'gates = ["synax"]')
    with pytest.raises(MigrationError) as info:
        config.load(write(tmp_path, text))
    lines = info.value.message.splitlines()
    assert len(lines) == 2  # the bad kind and the phase's unknown gate
    assert "unknown kind 'mov'" in lines[0]
    assert "unknown gate 'synax'" in lines[1]


def test_invalid_toml_names_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(MigrationError) as info:
        config.load(write(tmp_path, "[project]\nroot = \n"))
    assert info.value.message.startswith("phases.toml:2:")
    assert "invalid TOML" in info.value.message


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(MigrationError) as info:
        config.load(tmp_path / "nope.toml")
    assert info.value.message == f"{tmp_path / 'nope.toml'}: not found (pass --config PATH)"


def test_unknown_phase_suggests(tmp_path: Path) -> None:
    cfg, _ = config.load(write(tmp_path, GOOD))
    with pytest.raises(MigrationError) as info:
        cfg.phase("p9")
    assert info.value.message == "phases.toml: unknown phase 'p9' (phases: p0)"
