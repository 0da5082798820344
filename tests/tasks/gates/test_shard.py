"""Shards: a deterministic split so that shards 1..N run every test file exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phasegate.errors import MigrationError
from phasegate.gates import shard as gates_shard

FILES = [f"tests/test_{i:02d}.py" for i in range(13)]
WEIGHTS = {f: float((i * 7) % 11 + 1) for i, f in enumerate(FILES)}


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_shards_cover_every_file_exactly_once(n: int) -> None:
    shards = [gates_shard.shard(FILES, WEIGHTS, k, n) for k in range(1, n + 1)]
    flat = [f for s in shards for f in s]
    assert sorted(flat) == FILES  # every file, none twice
    assert shards == [gates_shard.shard(list(reversed(FILES)), dict(WEIGHTS), k, n)
                      for k in range(1, n + 1)]  # input order does not matter
    loads = [sum(WEIGHTS[f] for f in s) for s in shards]
    assert max(loads) - min(loads) <= max(WEIGHTS.values())  # greedy balance bound


def test_more_shards_than_files_leaves_some_empty() -> None:
    shards = gates_shard.split(FILES[:2], WEIGHTS, 4)
    assert sorted(f for s in shards for f in s) == FILES[:2]
    assert sum(1 for s in shards if not s) == 2


@pytest.mark.parametrize(("text", "expected"), [("1/1", (1, 1)), ("3/4", (3, 4)),
                                                (" 2 / 5 ", (2, 5))])
def test_parse_shard(text: str, expected: tuple[int, int]) -> None:
    assert gates_shard.parse_shard(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("0/4", "--shard: '0/4' needs 1 <= K <= N"),
    ("5/4", "--shard: '5/4' needs 1 <= K <= N"),
    ("1/0", "--shard: '1/0' needs 1 <= K <= N"),
    ("2", "--shard: '2' is not K/N (for example 2/4)"),
    ("a/b", "--shard: 'a/b' is not K/N (for example 2/4)"),
])
def test_bad_shards_are_usage_errors(text: str, message: str) -> None:
    with pytest.raises(MigrationError) as err:
        gates_shard.parse_shard(text)
    assert (str(err.value), err.value.exit_code) == (message, 2)


def test_weights_use_durations_and_estimate_the_rest_by_size(tmp_path: Path) -> None:
    for name, size in [("a.py", 100), ("b.py", 300), ("c.py", 200)]:
        (tmp_path / name).write_bytes(b"#" * size)
    by_size = gates_shard.weights(tmp_path, ["a.py", "b.py", "c.py"], {})
    assert by_size == {"a.py": 100.0, "b.py": 300.0, "c.py": 200.0}
    mixed = gates_shard.weights(tmp_path, ["a.py", "b.py", "c.py"], {"a.py": 2.0, "b.py": 6.0})
    assert mixed == {"a.py": 2.0, "b.py": 6.0, "c.py": pytest.approx(4.0)}


@pytest.mark.parametrize(("rel", "paths", "inside"), [
    ("tests/unit/test_a.py", ("tests/unit",), True),
    ("tests/unit/test_a.py", ("tests/unit/",), True),
    ("tests/unitx/test_a.py", ("tests/unit",), False),
    ("tests/unit/test_a.py", ("tests/*/test_a.py",), True),
    ("tests/unit/test_a.py", ("tests/*",), True),
    ("tests/unit/test_a.py", (), True),
    ("tests/unit/test_a.py", ("tests/unit/test_a.py",), True),
])
def test_in_paths(rel: str, paths: tuple[str, ...], inside: bool) -> None:
    assert gates_shard.in_paths(rel, paths) is inside


@pytest.mark.parametrize(("rel", "is_test"), [("t/test_a.py", True), ("t/a_test.py", True),
                                               ("t/conftest.py", False), ("t/test_a.txt", False),
                                               ("t/helper.py", False)])
def test_is_test_file(rel: str, is_test: bool) -> None:
    assert gates_shard.is_test_file(rel) is is_test


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("pytest.ini", "[pytest]\npython_files = check_*.py\n", ("check_*.py",)),
    ("pytest.ini", "[pytest]\ntestpaths = t\n", ("test_*.py", "*_test.py")),
    ("pyproject.toml", '[tool.pytest.ini_options]\npython_files = ["a_*.py", "b_*.py"]\n',
     ("a_*.py", "b_*.py")),
    ("pyproject.toml", '[tool.ruff]\nline-length = 1\n', ("test_*.py", "*_test.py")),
    ("setup.cfg", "[tool:pytest]\npython_files = t_*.py x_*.py\n", ("t_*.py", "x_*.py")),
    ("tox.ini", "[tox]\nenvlist = py\n", ("test_*.py", "*_test.py")),
])
def test_python_files_follow_the_target_pytest_config(tmp_path: Path, name: str, text: str,
                                                      expected: tuple[str, ...]) -> None:
    (tmp_path / name).write_text(text)
    assert gates_shard.python_files(tmp_path) == expected


def test_tier_files_use_python_files(tmp_path: Path) -> None:
    from phasegate.gates.tiers import TierSettings
    from tests.helpers.gates_repo import make_repo

    config = make_repo(tmp_path, files={
        "pytest.ini": "[pytest]\npythonpath = src\npython_files = test_*.py\n",
        "tests/unit/helper_test.py": "x = 1\n"})
    unit = gates_shard.tier_files(config, TierSettings("unit", paths=("tests/unit",)))
    assert unit == ["tests/unit/test_core.py", "tests/unit/test_leaf.py",
                    "tests/unit/test_other.py"]


@given(st.dictionaries(st.from_regex(r"t/test_[a-z0-9]{1,8}\.py", fullmatch=True),
                       st.floats(min_value=0, max_value=1e4, allow_nan=False), max_size=40),
       st.integers(min_value=1, max_value=8))
@settings(max_examples=200, deadline=None)
def test_any_split_is_an_exact_partition(weight: dict[str, float], n: int) -> None:
    files = sorted(weight)
    shards = gates_shard.split(files, weight, n)
    assert len(shards) == n
    flat = [f for s in shards for f in s]
    assert sorted(flat) == files and len(flat) == len(set(flat))
    assert shards == gates_shard.split(files[::-1], dict(weight), n)  # deterministic
