"""Which lines a rewrite changed cannot unsort an import block the project's sorter sorted:
found in the worker, which has the file's tree, so that the sorter's check
(``sorter.stays_sorted``) asks ruff only about the rest.
"""

from __future__ import annotations

import ast
import re
from collections import Counter

# a one-line ``from M import N`` (``as A``), without a comment: (prefix, module, name, rest)
_ONE_NAME = re.compile(rb"([ \t]*from[ \t]+([A-Za-z0-9_.]+)[ \t]+import[ \t]+)"
                       rb"([A-Za-z_][A-Za-z0-9_]*)((?:[ \t]+as[ \t]+[A-Za-z_][A-Za-z0-9_]*)?"
                       rb"[ \t]*\r?\n?)")
_LOOKS_IMPORTED = re.compile(rb"[ \t]*(?:from|import)[ \t\\]")


def harmless_lines(before: bytes, after: bytes, tree: ast.Module) -> frozenset[int] | None:
    """The 0-based lines the rewrite changed that cannot unsort a block the sorter sorted
    (``tree``: ``before``'s): code, outside every import statement and still no import, or
    a one-line ``from M import N`` (``as A``, no comment) of which only ``N`` changed, to a
    name no longer, no other import in the file being of M. The sorter orders statements by
    their module (with ``length-sort``, by its length; the first name only between
    statements of one module) and a statement's names among themselves: one name renamed
    moves nothing, and a line no longer than before needs no wrapping. None when the line
    count changed. Made in the worker, which has the tree (``sorter.stays_sorted``)."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    if len(old) != len(new):
        return None
    changed = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    if not changed:
        return frozenset()
    imports = _import_statements(tree)
    modules = Counter(key for _, _, key, _ in imports)
    where = {line: (key, first == last and names == 1)
             for first, last, key, names in imports for line in range(first, last + 1)}
    out: set[int] = set()
    for i in changed:
        found = where.get(i + 1)
        if found is None:
            if _LOOKS_IMPORTED.match(new[i]) is None:
                out.add(i)  # code, and no import now either
            continue
        key, one_name = found
        was, now = _ONE_NAME.fullmatch(old[i]), _ONE_NAME.fullmatch(new[i])
        if one_name and modules[key] == 1 and was is not None and now is not None and \
                (was[1], was[4]) == (now[1], now[4]) and len(new[i]) <= len(old[i]):
            out.add(i)
    return frozenset(out)


def _import_statements(tree: ast.Module) -> list[tuple[int, int, str, int]]:
    """(first line, last line, module, number of names) of each import statement, at any
    depth (only statements are walked: imports are no expressions); ``import a, b`` is one
    entry a module."""
    out: list[tuple[int, int, str, int]] = []
    todo: list[list[ast.stmt]] = [tree.body]
    while todo:
        for node in todo.pop():
            if isinstance(node, ast.ImportFrom):
                out.append((node.lineno, node.end_lineno or node.lineno,
                            "." * node.level + (node.module or ""), len(node.names)))
            elif isinstance(node, ast.Import):
                out += [(node.lineno, node.end_lineno or node.lineno, a.name, len(node.names))
                        for a in node.names]
            else:
                for name in ("body", "orelse", "finalbody"):
                    body = getattr(node, name, None)
                    if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                        todo.append(body)
                for sub in getattr(node, "handlers", None) or getattr(node, "cases", None) or ():
                    todo.append(sub.body)
    return out
