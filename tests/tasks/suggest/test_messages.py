"""The names a deprecation message proposes as the replacement."""

from __future__ import annotations

import pytest

from phasegate.suggest.messages import Candidate, candidates

CASES = [
    ("plain-use", "old() is deprecated, use pkg.new instead", [Candidate("pkg.new")]),
    ("backticks", "`parse_obj_as` is deprecated. Use `pydantic.TypeAdapter.validate_python`.",
     [Candidate("pydantic.TypeAdapter.validate_python"), Candidate("parse_obj_as")]),
    ("from-import", "deprecated: from jsonschema.exceptions import ErrorTree",
     [Candidate("jsonschema.exceptions.ErrorTree")]),
    ("call-with-args", "use WebSocketManager(user_context=ctx) instead",
     [Candidate("WebSocketManager", "WebSocketManager(user_context=ctx)")]),
    ("empty-call-is-a-name", "use fresh() instead", [Candidate("fresh")]),
    ("prose-after-use", "use the literal values instead", []),
    ("in-favour-of", "deprecated in favour of new_api", [Candidate("new_api")]),
    ("rst-literal", "Deprecated: moved to ``a.b.types`` (same names).", [Candidate("a.b.types")]),
]


@pytest.mark.parametrize(("message", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_candidates(message: str, want: list[Candidate]) -> None:
    assert candidates(message) == want


def test_the_old_name_is_skipped() -> None:
    got = candidates("`stale` is deprecated, use `fresh`", skip=("pkg.stale", "stale"))
    assert got == [Candidate("fresh")]
