"""Pass 1 of suggest, per file (in a worker): the deprecation markers and the module's names.

Markers: a ``@deprecated(...)`` decorator (PEP 702, typing_extensions, the Deprecated package),
a deprecation ``warnings.warn`` at the top of a function, of a class ``__init__`` or of the
module, a wrapper that warns and returns another call, an alias with a ``# deprecated`` comment,
a module ``__getattr__`` that warns and returns another object, and a docstring that says
"Deprecated". Module-level statements are walked through ``if`` (``TYPE_CHECKING``) and ``try``
blocks. Nothing here resolves across files: that is :mod:`.resolve`'s job.

Why this module is long: it is one walk (``_Walker``) whose seven marker recognizers all read
the same per-file state (bindings, imports, constants, exports) as the walk builds it; split by
marker kind, each part would take that whole state as arguments. Its ast helpers are in
:mod:`.syntax`.
"""

from __future__ import annotations

import ast
import re

from ..semantics.scopes import resolve_relative
from .model import FileFacts, Forward, Marker
from .syntax import (
    compared_names,
    dotted,
    module_statements,
    paragraph,
    params_of,
    returned,
    without_docstring,
)

# a line that starts with "Deprecated" or ".. deprecated::", DEPRECATED in capitals, or "this
# function is deprecated"; not "deprecated" in passing ("migrates off the deprecated factory")
# nor a lower-case "deprecated:" key of a YAML document (scan.MARKER_SHAPES: the same shapes)
_DOC = re.compile(r"(?m:^\s*(?:\.\. deprecated::|Deprecated\b))|\bDEPRECATED\b|"
                  r"(?i:\b(?:this|the)\s+(?:function|class|module|method|alias)\s+is\s+"
                  r"deprecated)")
_QUOTED_NAME = re.compile(r"``([A-Za-z_]\w*)``|`([A-Za-z_]\w*)`")
_CATEGORIES = ("DeprecationWarning", "PendingDeprecationWarning", "FutureWarning")
_Def = ast.FunctionDef | ast.AsyncFunctionDef


def file_facts(data: bytes, rel: str, module: str, is_pkg: bool) -> FileFacts:
    """The file's markers, bindings, re-exports and definitions; a parse error is a problem."""
    package = module if is_pkg else module.rpartition(".")[0]
    try:
        tree = ast.parse(data, filename=rel)
    except (SyntaxError, ValueError) as exc:
        return FileFacts(rel, module, package, problem=f"cannot parse: {exc}")
    walker = _Walker(rel, module, package, data)
    walker.run(tree)
    reexports = tuple((name, qual) for name, qual in walker.imported.items()
                      if is_pkg or name in walker.exports)
    return FileFacts(rel, module, package, tuple(walker.markers),
                     tuple(walker.bindings.items()), reexports, tuple(walker.defs.items()))


class _Walker:
    def __init__(self, rel: str, module: str, package: str, data: bytes) -> None:
        self.rel, self.module, self.package = rel, module, package
        self.lines = data.splitlines()
        self.markers: list[Marker] = []
        self.bindings: dict[str, str] = {}
        self.imported: dict[str, str] = {}
        self.defs: dict[str, str] = {}
        self.exports: set[str] = set()
        self.consts: dict[str, str] = {}

    def run(self, tree: ast.Module) -> None:
        stmts = list(module_statements(tree.body))
        for stmt in stmts:
            self._bind(stmt)
        for name in self.exports - set(self.defs):  # provided lazily (module __getattr__)
            self.defs[name] = "export"
        for stmt in stmts:
            self._markers(stmt)
        self._module_docstring(tree)

    # -- names ------------------------------------------------------------------------------
    def _bind(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                local = alias.asname or alias.name.split(".")[0]
                self.bindings[local] = alias.name if alias.asname else local
                self.defs.setdefault(local, "import")
        elif isinstance(stmt, ast.ImportFrom):
            base = resolve_relative(stmt.module or "", stmt.level, self.package)
            for alias in stmt.names:
                if base is not None and alias.name == "*":
                    self.bindings["*"] = f"{base}.*"  # a re-exported module (pass 2 reads it)
                if base is None or alias.name == "*":
                    continue
                local = alias.asname or alias.name
                self.bindings[local] = self.imported[local] = f"{base}.{alias.name}"
                self.defs.setdefault(local, "import")
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            self.bindings[stmt.name] = f"{self.module}.{stmt.name}"
            self.defs[stmt.name] = "class" if isinstance(stmt, ast.ClassDef) else "function"
        elif isinstance(stmt, ast.Assign | ast.AnnAssign):
            self._bind_assign(stmt)

    def _bind_assign(self, stmt: ast.Assign | ast.AnnAssign) -> None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for target in targets:
            if not isinstance(target, ast.Name):
                continue
            if target.id == "__all__" and isinstance(stmt.value, ast.List | ast.Tuple):
                self.exports.update(e.value for e in stmt.value.elts
                                    if isinstance(e, ast.Constant) and isinstance(e.value, str))
                continue
            self.defs.setdefault(target.id, "value")
            self.bindings.setdefault(target.id, f"{self.module}.{target.id}")
            text = self.text(stmt.value) if stmt.value is not None else None
            if text is not None:
                self.consts[target.id] = text

    # -- markers ----------------------------------------------------------------------------
    def _markers(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            if stmt.name == "__getattr__":
                self._getattr_shim(stmt)
            else:
                self._function(stmt, f"{self.module}.{stmt.name}", "function")
        elif isinstance(stmt, ast.ClassDef):
            self._class(stmt)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            message = self.warning(stmt.value)
            if message is not None:
                self.add(stmt, "module-warning", "module", self.module, message)
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            self._alias(stmt, self.module, "alias")

    def add(self, node: ast.AST, marker: str, target: str, old: str, message: str = "",
            **extra: object) -> None:
        line = int(getattr(node, "lineno", 1))
        self.markers.append(Marker(self.rel, line, marker, target, old, message,
                                   **extra))  # type: ignore[arg-type]

    def _function(self, node: _Def, old: str, target: str) -> None:
        method = target == "method"
        params = params_of(node, method=method)
        for dec in node.decorator_list:
            message = self.decorator(dec)
            if message is not None:
                self.add(dec, "decorator", target, old, message, params=params)
        body = without_docstring(node.body)
        warns = [(s, m) for s in body if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
                 for m in [self.warning(s.value)] if m is not None]
        if warns:
            stmt, message = warns[0]
            forward, reason = self._forward(body, params, {s for s, _ in warns})
            kind = "wrapper" if forward is not None and not forward.unclear else "warning"
            self.add(stmt, kind, target, old, message, params=params, forward=forward,
                     reason=reason)
        self._docstring(node, target, old, params)

    def _class(self, node: ast.ClassDef) -> None:
        old = f"{self.module}.{node.name}"
        init = next((s for s in node.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
                     and s.name == "__init__"), None)
        params = params_of(init, method=True) if init is not None else ()
        for dec in node.decorator_list:
            message = self.decorator(dec)
            if message is not None:
                self.add(dec, "decorator", "class", old, message, params=params)
        self._docstring(node, "class", old, params)
        for stmt in node.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                if stmt.name in ("__init__", "__new__"):
                    self._init(stmt, old, params)
                else:
                    self._function(stmt, f"{old}.{stmt.name}", "method")
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                self._alias(stmt, old, "method")

    def _init(self, node: _Def, old: str, params: tuple[str, ...]) -> None:
        for stmt in without_docstring(node.body):
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                message = self.warning(stmt.value)
                if message is not None:
                    self.add(stmt, "warning", "class", old, message, params=params)
                    return

    def _alias(self, stmt: ast.Assign, owner: str, target: str) -> None:
        name, value = stmt.targets[0], dotted(stmt.value)
        if not isinstance(name, ast.Name) or not value:
            return
        line = self.lines[stmt.end_lineno - 1] if stmt.end_lineno else b""
        above = self.lines[stmt.lineno - 2].strip() if stmt.lineno > 1 else b""
        comment = line.partition(b"#")[2] if b"#" in line else b""
        if not above.startswith(b"#"):
            above = b""
        said = comment + b" " + above
        if b"eprecat" in said.lower():
            text = (comment or above).decode("utf-8", "replace").strip(" #")
            self.add(stmt, "alias", target, f"{owner}.{name.id}", text, new_code=value)

    def _getattr_shim(self, node: _Def) -> None:
        for branch in ast.walk(node):
            if not isinstance(branch, ast.If):
                continue
            names = compared_names(branch.test)
            warn = next((m for s in branch.body if isinstance(s, ast.Expr)
                         and isinstance(s.value, ast.Call)
                         for m in [self.warning(s.value)] if m is not None), None)
            if not names or warn is None:
                continue
            new = returned(branch.body, self.package)
            for name in names:
                self.add(branch, "getattr", "attribute", f"{self.module}.{name}", warn,
                         new_code=new,
                         reason="" if new else "the __getattr__ branch returns no plain name")

    def _forward(self, body: list[ast.stmt], params: tuple[str, ...],
                 warns: set[ast.stmt]) -> tuple[Forward | None, str]:
        """The call a wrapper returns, and why its mapping is unclear (when it is)."""
        last = body[-1] if body else None
        if not (isinstance(last, ast.Return) and isinstance(last.value, ast.Call)):
            return None, ""
        call = last.value
        callee = dotted(call.func)
        if not callee:
            return None, "the wrapper returns a call of a computed callee"
        extra = [s for s in body[:-1] if s not in warns]
        local = {t.id for s in extra for t in ast.walk(s) if isinstance(t, ast.Name)
                 and isinstance(t.ctx, ast.Store)}
        used = {n.id for arg in [*call.args, *(k.value for k in call.keywords)]
                for n in ast.walk(arg) if isinstance(n, ast.Name)}
        unclear = ""
        if used & local:
            names = ", ".join(sorted(used & local))
            unclear = (f"the wrapper does more than forward: it computes {names} before calling"
                       f" {callee}, so the old arguments do not map to the new ones by name")
        args = tuple(ast.unparse(a) for a in call.args)
        keywords = tuple((k.arg or "**", ast.unparse(k.value)) for k in call.keywords)
        return Forward(callee, args, keywords, unclear), unclear

    def _docstring(self, node: _Def | ast.ClassDef, target: str, old: str,
                   params: tuple[str, ...]) -> None:
        doc = ast.get_docstring(node, clean=True) or ""
        if _DOC.search(doc):
            self.add(node, "docstring", target, old, paragraph(doc), params=params)

    def _module_docstring(self, tree: ast.Module) -> None:
        doc = ast.get_docstring(tree, clean=True) or ""
        if not _DOC.search(doc):
            return
        first = paragraph(doc)
        # "Deprecated: ``Old`` was renamed ``New``": the module names what in it is deprecated
        for match in _QUOTED_NAME.finditer(first):
            name = match.group(1) or match.group(2)
            if self.defs.get(name) in ("class", "function", "value"):
                target = {"class": "class", "function": "function"}.get(self.defs[name], "alias")
                value = self._alias_value(tree, name)
                self.markers.append(Marker(self.rel, 1, "docstring", target,
                                           f"{self.module}.{name}", first, new_code=value))
                return
        self.markers.append(Marker(self.rel, 1, "docstring", "module", self.module, first))

    def _alias_value(self, tree: ast.Module, name: str) -> str:
        for stmt in module_statements(tree.body):
            if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == name):
                return dotted(stmt.value)
        return ""

    # -- expressions ------------------------------------------------------------------------
    def decorator(self, node: ast.expr) -> str | None:
        """The message of a ``@deprecated(...)`` decorator, or None when it is not one."""
        call = node if isinstance(node, ast.Call) else None
        name = dotted(call.func if call is not None else node)
        qual = self.qualify(name)
        if not name or qual.rsplit(".", 1)[-1] != "deprecated":
            return None
        if call is None:
            return ""
        texts = [self.text(a) for a in call.args[:1]]
        texts += [self.text(k.value) for k in call.keywords if k.arg in ("reason", "message")]
        return next((t for t in texts if t is not None), "")

    def warning(self, call: ast.Call) -> str | None:
        """The message of a deprecation warning call, or None when it is not one."""
        name = self.qualify(dotted(call.func))
        last = name.rsplit(".", 1)[-1].lower()
        helper = "deprecat" in last and "warn" in last
        if name != "warnings.warn" and not helper:
            return None
        message = self.text(call.args[0]) if call.args else None
        message = message if message is not None else ""
        if helper:
            return message
        category = call.args[1] if len(call.args) > 1 else next(
            (k.value for k in call.keywords if k.arg == "category"), None)
        cat = dotted(category).rsplit(".", 1)[-1] if category is not None else ""
        if cat in _CATEGORIES or "Deprecat" in cat or "deprecat" in message.lower():
            return message
        return None

    def qualify(self, name: str) -> str:
        head, _, rest = name.partition(".")
        bound = self.bindings.get(head)
        if bound is None or bound == f"{self.module}.{head}":
            return name
        return f"{bound}.{rest}" if rest else bound

    def text(self, node: ast.expr) -> str | None:
        """The string an expression evaluates to, as far as the source shows it."""
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.JoinedStr):
            return "".join(str(v.value) if isinstance(v, ast.Constant) else
                           "{" + ast.unparse(v.value) + "}"  # type: ignore[attr-defined]
                           for v in node.values)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.text(node.left), self.text(node.right)
            return None if left is None or right is None else left + right
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            return self.text(node.left)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "format"):
            return self.text(node.func.value)
        if isinstance(node, ast.Name):
            return self.consts.get(node.id)
        return None
