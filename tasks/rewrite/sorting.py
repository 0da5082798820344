"""New imports where the project's sorter puts them: an import block that was sorted before the
rewrite (ruff's ``I`` rules with the project's own settings, found from the file's path; ruff's
defaults when the project has none) is sorted again after it, keeping only the sorter's moves of
lines the rewrite wrote: a line the phase did not touch is never re-sorted. A block that was not
sorted keeps every new import right after the statement it replaces.
"""

from __future__ import annotations

import difflib
import json
import re
import subprocess
import sys
from collections import Counter

_IMPORT_LINE = re.compile(rb"^[ \t]*(?:from[ \t]+\S+[ \t]+)?import[ \t].*$", re.M)
Lines = list[bytes]


def keep_sorted(before: bytes, after: bytes, rel: str, root: str) -> bytes:
    """``after`` with the new imports of its once-sorted blocks placed by the sorter."""
    if _IMPORT_LINE.findall(before) == _IMPORT_LINE.findall(after):
        return after
    fixed = _ruff(after, rel, root, ["--fix", "--exit-zero"])
    blocks = _unsorted(after, rel, root)
    if fixed is None or fixed == after or blocks is None:
        return after
    was_unsorted = _unsorted(before, rel, root) or set()
    old, new = after.splitlines(keepends=True), fixed.splitlines(keepends=True)
    prior = before.splitlines(keepends=True)
    touched = Counter(old) - Counter(prior)
    allowed = _sorted_before(prior, old, blocks, was_unsorted, touched)
    out: Lines = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False) \
            .get_opcodes():
        mine = tag != "equal" and all(touched[ln] or not ln.strip()  # blank lines: layout
                                      for ln in old[i1:i2] + new[j1:j2]) and \
            all(i in allowed for i in range(max(i1 - 1, 0), max(i2, i1 + 1)))
        out.extend(new[j1:j2] if tag == "equal" or mine else old[i1:i2])
    result = b"".join(out)
    return result if _code(result) == _code(after) else after


def _code(data: bytes) -> Counter[bytes]:
    return Counter(ln for ln in data.splitlines() if ln.strip())


def _sorted_before(prior: Lines, old: Lines, blocks: set[int], was_unsorted: set[int],
                   touched: Counter[bytes]) -> set[int]:
    """0-based lines of ``old`` (the rewritten file) in unsorted blocks whose untouched lines
    all stood in sorted blocks before."""
    back: dict[int, int] = {}
    for tag, i1, i2, j1, _ in difflib.SequenceMatcher(None, prior, old, autojunk=False) \
            .get_opcodes():
        if tag == "equal":
            back.update({j1 + k: i1 + k for k in range(i2 - i1)})
    allowed: set[int] = set()
    for block in _runs(sorted(blocks)):
        if not any(not touched[old[i]] and back.get(i, -1) in was_unsorted for i in block):
            allowed.update(block)
    return allowed


def _runs(lines: list[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for n in lines:
        if out and out[-1][-1] == n - 1:
            out[-1].append(n)
        else:
            out.append([n])
    return out


def _unsorted(data: bytes, rel: str, root: str) -> set[int] | None:
    """0-based lines inside import blocks ruff would sort (I001), or None if ruff failed."""
    text = _ruff(data, rel, root, ["--exit-zero", "--output-format", "json"])
    try:
        items = json.loads(text or b"")
    except ValueError:
        return None
    lines: set[int] = set()
    for item in items:
        start, end = item["location"]["row"], item["end_location"]["row"]
        lines.update(range(start - 1, end - (item["end_location"]["column"] == 1)))
    return lines


def _ruff(data: bytes, rel: str, root: str, extra: list[str]) -> bytes | None:
    argv = [sys.executable, "-m", "ruff", "check", "--select", "I", "--no-cache",
            "--stdin-filename", rel, *extra, "-"]
    try:
        proc = subprocess.run(argv, input=data, capture_output=True, cwd=root, timeout=60,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None
