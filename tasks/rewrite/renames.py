"""Which uses of a name a module-level import binds follow a rename: the reads the semantic
model ties to the import (:mod:`..semantics.references`, the model the libcst engine asks too),
each renamed at its byte position by the splice (:mod:`.splice`).

The splice renames only where the libcst engine would rename every read and nothing else: the
import is the name's only binding at module level (else the engine keeps the old name), no read
is inside a string type expression, and every read's bytes are the name where ``ast`` places
them (a position Python 3.11 misplaces inside an f-string returns None: the libcst engine
decides, from the same model).
"""

from __future__ import annotations

import ast

from ..semantics.references import read_names
from ..semantics.scopes import resolve_relative
from ..semantics.syntax import char_col, utf8_lines
from .fromlines import Stmt, hot_lines, in_type_strings, module_level, walk_statements

Edit = tuple[int, int, bytes]  # absolute byte span and its new bytes


def rename_edits(data: bytes, starts: list[int], tree: ast.Module, stmts: list[Stmt],
                renamed: dict[str, str], targets: set[str], package: str,
                merged: set[int]) -> list[Edit] | None:
    """The edits renaming every use of a renamed name; None when a name is bound in any other
    way, or another import of the file concerns a module the statements move to (or rename
    in)."""
    top = {node.lineno: node for node in module_level(tree.body)
           if isinstance(node, ast.ImportFrom)}
    ours: set[int] = set()
    for stmt in stmts:
        read = stmt.node or top.get(stmt.first)
        if read is None or read.level or read.module != stmt.module or \
                (renamed and top.get(stmt.first) is not read):
            return None  # not the statement read, or a rename below module level
        ours.add(id(read))
    edits: list[Edit] = []
    if renamed:
        if in_type_strings(tree, set(renamed)):
            return None  # libcst reads the name in a string as a type: it keeps it bound
        found = _renamed_reads(data, starts, tree, stmts, renamed, package)
        if found is None:
            return None
        edits += found
    for other in walk_statements(tree.body, hot_lines(data, starts, {"import"})):
        if not isinstance(other, (ast.Import, ast.ImportFrom)):
            continue
        if id(other) in merged:
            if _concerns(other, renamed, set(), package):
                return None
        elif id(other) not in ours and _concerns(other, renamed, targets, package):
            return None
    return edits


def _concerns(node: ast.Import | ast.ImportFrom, renamed: dict[str, str], targets: set[str],
              package: str) -> bool:
    """Whether another import is one the libcst engine may merge into or reuse (a ``from``
    import from a target module), binds a renamed name, or is a star import while names are
    renamed. A plain ``import``, or a ``from`` import of the target module itself, binds no
    name a ``from`` import could reuse."""
    if isinstance(node, ast.Import):
        return any((a.asname or a.name.split(".")[0]) in renamed for a in node.names)
    base = resolve_relative(node.module or "", node.level, package)
    if base is None or (renamed and any(a.name == "*" for a in node.names)):
        return True
    if any((a.asname or a.name) in renamed for a in node.names):
        return True
    return base in targets


def _renamed_reads(data: bytes, starts: list[int], tree: ast.Module, stmts: list[Stmt],
                   renamed: dict[str, str], package: str) -> list[Edit] | None:
    """The edits renaming every read of the renamed aliases of ``stmts``, or None."""
    reads = read_names(data, "", package, tree=tree,
                       hot=hot_lines(data, starts, set(renamed)))
    lines = utf8_lines(data) if not data.isascii() else []
    top = {node.lineno: node for node in module_level(tree.body)
           if isinstance(node, ast.ImportFrom)}
    edits: list[Edit] = []
    for stmt in stmts:
        for alias in top[stmt.first].names:
            name = alias.asname or alias.name
            if name not in renamed:
                continue
            key = (alias.lineno, char_col(lines, alias.lineno, alias.col_offset)
                   if lines else alias.col_offset + 1)
            if reads.siblings.get(key) != [key]:
                return None  # bound otherwise too: the libcst engine keeps the old name
            for read in reads.of_import.get(key, ()):
                line, begin, end = read.span
                start = starts[line - 1] + begin
                if read.in_string or read.name != name or \
                        data[start:starts[line - 1] + end] != name.encode():
                    return None
                edits.append((start, start + len(name), renamed[name].encode()))
    return edits
