"""New imports where the project's sorter puts them: an import block that was sorted before the
rewrite (ruff's ``I`` rules with the project's own settings, found from the file's path; ruff's
defaults when the project has none) is sorted again after it, keeping only the sorter's moves of
lines the rewrite wrote: a line the phase did not touch is never re-sorted. A block that was not
sorted keeps every new import right after the statement it replaces.
"""

from __future__ import annotations

import ast
import difflib
import json
import os
import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

from ruff.__main__ import find_ruff_bin

_IMPORT_LINE = re.compile(rb"^[ \t]*(?:from[ \t]+\S+[ \t]+)?import[ \t].*$", re.M)
Lines = list[bytes]


def needs_ruff(before: bytes, after: bytes, unsorted_before: list[Diagnostic] | None) -> bool:
    """Whether :func:`keep_sorted` must ask ruff about ``after`` (else ``after`` stands):
    the import lines changed, and not only inside blocks that were not sorted before."""
    if _IMPORT_LINE.findall(before) == _IMPORT_LINE.findall(after):
        return False
    return unsorted_before is None or not _only_unsorted_blocks(before, after, unsorted_before)


def keep_sorted(before: bytes, after: bytes, rel: str, root: str,
                unsorted_before: list[Diagnostic] | None = None, *,
                asked: bool = False, found_after: list[Diagnostic] | None = None) -> bytes:
    """``after`` with the new imports of its once-sorted blocks placed by the sorter.
    ``unsorted_before``: ruff's I001 diagnostics of ``before`` when the caller has them (see
    :func:`unsorted_on_disk`), else ruff is asked here. ``asked``: the caller asked ruff about
    ``after`` already (:func:`ruff_i001`), and ``found_after`` is its answer."""
    if not needs_ruff(before, after, unsorted_before):
        return after
    found = found_after if asked else _i001(after, rel, root)
    if not found:
        return after  # sorted already (the new import landed in place), or ruff failed
    fixed = _apply(after, found)
    if unsorted_before is None:
        unsorted_before = _i001(before, rel, root) or []
    was_unsorted = _lines(unsorted_before)
    old, new = after.splitlines(keepends=True), fixed.splitlines(keepends=True)
    prior = before.splitlines(keepends=True)
    touched = Counter(old) - Counter(prior)
    # a line the rewrite wrote, also once the sorter put its names in order
    wrote = {_names_sorted(ln.rstrip(b"\r\n")) for ln in touched}
    allowed = _sorted_before(prior, old, _lines(found), was_unsorted, touched)
    out: Lines = []
    for tag, i1, i2, j1, j2 in _opcodes(old, new):
        mine = tag != "equal" and all(  # blank lines: layout
            touched[ln] or _names_sorted(ln.rstrip(b"\r\n")) in wrote or not ln.strip()
            for ln in old[i1:i2] + new[j1:j2]) and \
            (i1 in allowed if tag == "insert"  # before a line of the block, its first too
             else all(i in allowed for i in range(max(i1 - 1, 0), i2)))
        out.extend(new[j1:j2] if tag == "equal" or mine else old[i1:i2])
    result = b"".join(out)
    if result == after:
        return after
    same = _code(result) == _code(after) and (
        _within_one_block(after, result, found) or _same_program(result, after))
    return result if same else after


def _only_unsorted_blocks(before: bytes, after: bytes, unsorted: list[Diagnostic]) -> bool:
    """Every line the rewrite changed (in place: the same number of lines) lies in an import
    block that was not sorted before and keeps a line the rewrite did not touch: the sorter
    may move nothing there, and nothing else changed, so ``after`` stands as it is."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    if len(old) != len(new):
        return False
    ranges = [span(item) for item in unsorted]
    changed = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    for i in changed:
        block = next(((lo, hi) for lo, hi in ranges if lo <= i <= hi), None)
        if block is None or all(old[j] != new[j] for j in range(block[0], block[1] + 1)):
            return False
    return True


def unsorted_on_disk(root: str, rels: list[str]) -> dict[str, list[Diagnostic]]:
    """ruff's I001 diagnostics for files as they are on disk, in one ruff run: rel -> its
    diagnostics ([] when sorted). A file ruff did not report on, or not UTF-8, is left out
    (the caller asks ruff about it alone)."""
    out: dict[str, list[Diagnostic]] = {}
    for start in range(0, len(rels), 1000):  # argv stays far below the system's limit
        out.update(_unsorted_batch(root, rels[start:start + 1000]))
    return out


def _unsorted_batch(root: str, rels: list[str]) -> dict[str, list[Diagnostic]]:
    argv = [find_ruff_bin(), "check", "--select", "I", "--no-cache", "--exit-zero",
            "--output-format", "json", "--", *rels]
    try:
        proc = subprocess.run(argv, capture_output=True, cwd=root, timeout=300, check=False)
        found = json.loads(proc.stdout) if proc.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return {}
    if not isinstance(found, list):
        return {}
    top = Path(root).resolve()
    out: dict[str, list[Diagnostic]] = {rel: [] for rel in rels}
    for item in found:
        try:
            rel = Path(item["filename"]).resolve().relative_to(top).as_posix()
        except (KeyError, TypeError, ValueError):
            return {}
        if item.get("code") == "I001" and rel in out:
            out[rel].append(item)
        elif item.get("code") != "I001":
            out.pop(rel, None)  # a syntax error: ask about this file alone
    return out


def _within_one_block(after: bytes, result: bytes, found: list[Diagnostic]) -> bool:
    """Every line that differs between ``after`` and ``result`` lies inside one import block
    ruff sorts (one I001 range: consecutive imports of one block), so no line can have moved
    to another block and the whole-tree comparison is not needed."""
    a, b = after.splitlines(keepends=True), result.splitlines(keepends=True)
    head, tail = _shared_ends(a, b)
    first, last = head, len(a) - tail - 1  # 0-based lines of ``after`` that differ
    return any(start <= first and last <= end for start, end in map(span, found))


def _same_program(a: bytes, b: bytes) -> bool:
    """The same code but for the order of consecutive imports and of one import's names (a
    line the sorter moved must not land in another block, e.g. from ``try`` into ``except``)."""
    try:
        return _imports_in_order(ast.parse(a)) == _imports_in_order(ast.parse(b))
    except (SyntaxError, ValueError):
        return False  # newer syntax than this Python's: keep the rewrite's own order


def _imports_in_order(tree: ast.Module) -> str:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            node.names.sort(key=lambda alias: (alias.name, alias.asname or ""))
        for name in ("body", "orelse", "finalbody"):
            stmts = getattr(node, name, None)
            if isinstance(stmts, list) and all(isinstance(s, ast.stmt) for s in stmts):
                setattr(node, name, _sorted_runs(stmts))
    return ast.dump(tree)


def _sorted_runs(stmts: list[ast.stmt]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    run: list[ast.stmt] = []
    for stmt in [*stmts, None]:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            run.append(stmt)
            continue
        out += sorted(run, key=ast.dump)
        run = []
        if stmt is not None:
            out.append(stmt)
    return out


def _code(data: bytes) -> Counter[bytes]:
    """The file's non-blank lines, each one-line ``from m import a, b`` with its names in order:
    the sorter may reorder lines and the names of a line, nothing else."""
    return Counter(_names_sorted(ln) for ln in data.splitlines() if ln.strip())


_FROM_ONE_LINE = re.compile(rb"^([ \t]*from[ \t]+\S+[ \t]+import[ \t]+)([^()\\#]*?)[ \t]*$")


def _names_sorted(line: bytes) -> bytes:
    match = _FROM_ONE_LINE.match(line)
    if match is None:
        return line
    names = sorted(n.strip() for n in match.group(2).split(b","))
    return match.group(1) + b", ".join(names)


def _sorted_before(prior: Lines, old: Lines, blocks: set[int], was_unsorted: set[int],
                   touched: Counter[bytes]) -> set[int]:
    """0-based lines of ``old`` (the rewritten file) in unsorted blocks whose untouched lines
    all stood in sorted blocks before."""
    back: dict[int, int] = {}
    for tag, i1, i2, j1, _ in _opcodes(prior, old):
        if tag == "equal":
            back.update({j1 + k: i1 + k for k in range(i2 - i1)})
    allowed: set[int] = set()
    for block in _runs(sorted(blocks)):
        if not any(not touched[old[i]] and back.get(i, -1) in was_unsorted for i in block):
            allowed.update(block)
    return allowed


def _shared_ends(a: Lines, b: Lines) -> tuple[int, int]:
    """How many lines ``a`` and ``b`` share at their start, and then at their end."""
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return head, tail


def _opcodes(a: Lines, b: Lines) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes turning ``a`` into ``b``, with the lines both start and end with
    matched as they are first: a rewrite changes a few lines of a long file, and the matcher
    costs the square of what it is given."""
    head, tail = _shared_ends(a, b)
    out: list[tuple[str, int, int, int, int]] = [("equal", 0, head, 0, head)] if head else []
    middle = difflib.SequenceMatcher(None, a[head:len(a) - tail], b[head:len(b) - tail],
                                     autojunk=False).get_opcodes()
    out += [(tag, i1 + head, i2 + head, j1 + head, j2 + head) for tag, i1, i2, j1, j2 in middle]
    if tail:
        out.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    return out


def _runs(lines: list[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for n in lines:
        if out and out[-1][-1] == n - 1:
            out[-1].append(n)
        else:
            out.append([n])
    return out


Diagnostic = dict[str, Any]


def _lines(found: list[Diagnostic]) -> set[int]:
    """0-based lines inside the import blocks ruff would sort (its I001 diagnostics)."""
    lines: set[int] = set()
    for start, end in map(span, found):
        lines.update(range(start, end + 1))
    return lines


def span(item: Diagnostic) -> tuple[int, int]:
    """First and last 0-based line of a diagnostic (an end at column 1 is the line before)."""
    end = item["end_location"]
    return item["location"]["row"] - 1, end["row"] - 1 - (end["column"] == 1)


def _apply(data: bytes, found: list[Diagnostic]) -> bytes:
    """``data`` with the fixes of ruff's diagnostics applied (rows and columns 1-based, columns
    in characters), last first so earlier offsets hold."""
    text = data.decode("utf-8")
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    edits = [e for item in found for e in (item.get("fix") or {}).get("edits", [])]
    for edit in sorted(edits, key=lambda e: (e["location"]["row"], e["location"]["column"]),
                       reverse=True):
        begin = starts[edit["location"]["row"] - 1] + edit["location"]["column"] - 1
        end = starts[edit["end_location"]["row"] - 1] + edit["end_location"]["column"] - 1
        text = text[:begin] + (edit.get("content") or "") + text[end:]
    return text.encode("utf-8")


def ruff_i001(data: bytes, rel: str, root: str) -> list[Diagnostic] | None:
    """ruff's I001 diagnostics for a file's bytes (see :func:`_i001`)."""
    return _i001(data, rel, root)


def _i001(data: bytes, rel: str, root: str) -> list[Diagnostic] | None:
    """ruff's I001 diagnostics for ``data`` (with their fixes), or None if ruff failed or the
    file is not UTF-8 (ruff's columns count its characters)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    argv = [find_ruff_bin(), "check", "--select", "I", "--no-cache", "--exit-zero",
            "--output-format", "json", "--stdin-filename", rel, "-"]
    one_thread = {**os.environ, "RAYON_NUM_THREADS": "1"}  # one file: ~10% less CPU
    try:
        proc = subprocess.run(argv, input=data, capture_output=True, cwd=root, timeout=60,
                              check=False, env=one_thread)
        found = json.loads(proc.stdout) if proc.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return None
    return [d for d in found if d.get("code") == "I001"] if isinstance(found, list) else None
