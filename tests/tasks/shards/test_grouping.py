"""Shards: every file with a violation in exactly one shard, at most --max-files each, ids."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phasegate.shards import codeowners as co
from phasegate.shards.grouping import FileSites, common_dir, owner_slug, pack, shard

FILES = [FileSites(p, 1, 0) for p in (
    "pay/api/a.py", "pay/api/b.py", "pay/core/c.py", "pay/d.py",
    "web/x.py", "web/y.py", "web/views/z.py", "top.py")]
OWNERS = co.parse("* @acme/platform\n/pay/ @acme/payments\n/web/ @acme/web @ann\n"
                  "/web/views/\n")


def _paths(groups: list[list[FileSites]]) -> list[list[str]]:
    return [[f.path for f in g] for g in groups]


@pytest.mark.parametrize(("limit", "expected"), [
    (None, [["top.py"], ["pay/d.py"], ["pay/api/a.py", "pay/api/b.py"], ["pay/core/c.py"],
            ["web/x.py", "web/y.py"], ["web/views/z.py"]]),
    (8, [["top.py", "pay/d.py", "pay/api/a.py", "pay/api/b.py", "pay/core/c.py", "web/x.py",
          "web/y.py", "web/views/z.py"]]),
    (4, [["top.py"], ["pay/d.py", "pay/api/a.py", "pay/api/b.py", "pay/core/c.py"],
         ["web/x.py", "web/y.py", "web/views/z.py"]]),
    (2, [["top.py", "pay/d.py"], ["pay/api/a.py", "pay/api/b.py"], ["pay/core/c.py"],
         ["web/x.py", "web/y.py"], ["web/views/z.py"]]),  # whole groups merge, never cut
    (1, [[f] for f in ["top.py", "pay/d.py", "pay/api/a.py", "pay/api/b.py",
                            "pay/core/c.py", "web/x.py", "web/y.py", "web/views/z.py"]]),
], ids=["per-directory", "all-fit", "four", "two", "one"])
def test_directory_packing(limit: int | None, expected: list[list[str]]) -> None:
    assert _paths(pack(FILES, limit)) == expected


def test_codeowners_shards_with_ids_titles_and_limits() -> None:
    shards = shard("p2", "Everything else", FILES, by="codeowners", owners_of=OWNERS.owners,
                   limit=3, taken=["p0", "p2"])
    assert [(s.id, s.owners, [f.path for f in s.files]) for s in shards] == [
        ("p2-payments", ("@acme/payments",), ["pay/d.py", "pay/api/a.py", "pay/api/b.py"]),
        ("p2-payments-2", ("@acme/payments",), ["pay/core/c.py"]),
        ("p2-platform", ("@acme/platform",), ["top.py"]),
        ("p2-web-ann", ("@acme/web", "@ann"), ["web/x.py", "web/y.py"]),
        ("p2-unowned", (), ["web/views/z.py"]),  # the unowned come last
    ]
    assert shards[3].title == "Everything else: @acme/web, @ann"
    assert shards[4].title == "Everything else: unowned"
    assert shards[0].directory == "pay"


def test_directory_shards_are_named_by_their_deepest_common_directory() -> None:
    shards = shard("p1", "", FILES, by="directory", limit=4, taken=["p1-pay"])
    assert [(s.id, s.directory, s.title) for s in shards] == [
        ("p1-root", "", "p1: ./"), ("p1-pay-2", "pay", "p1: pay/"), ("p1-web", "web", "p1: web/")]


@pytest.mark.parametrize(("owners", "slug"), [
    ((), "unowned"), (("@acme/payments",), "payments"), (("@ann",), "ann"),
    (("bo@x.io",), "bo"), (("@a/B_C.d",), "b-c-d"),
    (("@a", "@b", "@c", "@d"), "a-b-and-2-more"),
])
def test_owner_slug(owners: tuple[str, ...], slug: str) -> None:
    assert owner_slug(owners) == slug


def test_common_dir() -> None:
    assert common_dir(["a/b/c.py", "a/b/d/e.py"]) == "a/b"
    assert common_dir(["a/x.py", "b/y.py"]) == ""


_segment = st.sampled_from(["a", "b", "c", "pkg", "tests"])
_path = st.lists(_segment, min_size=0, max_size=3).map(lambda d: "/".join([*d, ""])) \
    .flatmap(lambda d: st.sampled_from(["m.py", "n.py", "o.py"]).map(lambda f: d + f))


@settings(max_examples=150, deadline=None)
@given(paths=st.sets(_path, min_size=1, max_size=40),
       limit=st.one_of(st.none(), st.integers(min_value=1, max_value=9)),
       by=st.sampled_from(["codeowners", "directory"]))
def test_every_file_lands_in_exactly_one_shard_within_the_limit(
        paths: set[str], limit: int | None, by: str) -> None:
    files = [FileSites(p, 1, 1) for p in paths]
    owners = co.parse("* @x\n/a/ @y\n**/tests/ @z\n/b/c/\n")
    shards = shard("p", "t", files, by=by, owners_of=owners.owners, limit=limit)
    listed = [f.path for s in shards for f in s.files]
    assert sorted(listed) == sorted(paths)  # each file exactly once
    assert len({s.id for s in shards}) == len(shards)
    if limit is not None:
        assert all(len(s.files) <= limit for s in shards)
    if by == "codeowners":
        assert all(owners.owners(f.path) == s.owners for s in shards for f in s.files)
