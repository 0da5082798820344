"""Find every reference to a deprecated name in one file, with stdlib ``ast``.

Pure: source bytes in, violations out (without their phase, which the caller assigns). The
fixable/manual decision for call sites is made here for the rewrite too: the expression each
placeholder of a new call takes is found once (``callsite.call_contexts``) and handed to the
libcst engine (``analyze_source(contexts=...)``).
"""

from __future__ import annotations

import ast

from ..model import FileProblem, Violation
from .callsite import NOT_CALLED, Contexts, call_contexts, call_problem, context_for
from .hotspots import annotation_strings, hot_lines, hot_offsets
from .partial import import_statements, parse_partial, partial_source, partial_source_in_classes
from .rule_index import RuleIndex
from .scopes import COMPREHENSIONS, FUNCTION_NODES
from .syntax import all_value
from .walker import ScopeWalker, deeper_recursion

STRING_IMPORTERS = ("importlib.import_module", "__import__")  # the rewrite uses these too
IN_STRING_ANNOTATION = "inside a string annotation: rewrite it by hand"
REEXPORT_REASON = "re-exported in __all__: importers of this module break"
STRING_REASON = "dynamic import by string: rewrite it by hand"
STILL_USED = "still used by sites left to a person"


def star_reason(name: str) -> str:
    """Why a name a star import may bring in is left to a person (detect and plan say it)."""
    return f"star import may bring in '{name}': import it explicitly"
TYPE_CASTS = ("typing.cast", "typing_extensions.cast")
PARTIAL_MIN_BYTES = 4096  # smaller files are parsed whole: blanking statements saves little
PARTIAL_MAX_HOT = 20  # nor when more than one line in 20 is hot: most statements are needed


class FileAnalyzer(ScopeWalker):
    """Every site of the rules in one file, with its decision (fixable, or the reason)."""

    # -- bookkeeping -----------------------------------------------------------------------
    def add(self, node: ast.AST, rule_id: str, kind: str, name: str, *, fixable: bool = True,
            reason: str = "") -> None:
        if self.index.provides(self.module, rule_id):
            return
        if self.in_string and fixable:  # never rewritten inside the string: plan agrees
            fixable, reason = False, IN_STRING_ANNOTATION
        rule = self.index.rule(rule_id)
        line, col = self.where(node)
        self.found.append(Violation(self.path, line, col, rule_id, kind, name,
                                    fixable=fixable, reason=reason, message=rule.message))

    # (line, column) of a call site the rewrite can make -> the expression for each
    # placeholder the call does not pass (callsite.call_contexts)
    contexts: Contexts

    def run(self, tree: ast.Module) -> list[Violation]:
        self.contexts = {}
        self.push(tree, "module")
        for stmt in tree.body:
            self.visit(stmt)
        self._all_exports(tree)
        self._finish_imports()
        return self.found

    # -- imports ---------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            rid = self.index.module_rule(alias.name)
            if rid:
                self.add(alias, rid, "import", alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        from .scopes import resolve_relative

        module = resolve_relative(node.module or "", node.level, self.package)
        if module is None:
            return
        rid = self.index.module_rule(module)
        if rid:
            self.add(node, rid, "import", module)
        for alias in node.names:
            if alias.name == "*":
                self.star_modules.append((module, node))
                continue
            full = f"{module}.{alias.name}"
            member = self.index.members.get(full)
            if member:
                self.add(alias, member, "import", full)
            elif not rid:
                sub = self.index.modules.get(full)
                if sub:
                    self.add(alias, sub, "import", full)

    # -- uses ------------------------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            return  # ``del f`` reads ``f`` (the rewrite follows it too)
        qual = self.resolve(node.id, node)
        if qual is None:
            if isinstance(node.ctx, ast.Load):
                self._star_use(node)
            return
        if self.in_string:
            self._renamed_in_string(node, qual)
        self._use(node, qual)

    def _renamed_in_string(self, node: ast.Name, qual: str) -> None:
        """A name a rule renames (``f`` of ``from a.b import f`` -> ``G``), spelled inside a
        string annotation: the string is not rewritten, so the site (and the import) is left
        to a person instead of keeping the deprecated name as an alias."""
        rid = self.index.members.get(qual) or self.index.modules.get(qual)
        rule = self.index.rule(rid) if rid else None
        if rule is None or rule.kind == "call" or qual not in rule.olds:
            return
        if node.id == qual.rsplit(".", 1)[-1] != rule.new.rsplit(".", 1)[-1]:
            self.add(node, rule.id, "reference", qual)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        parts: list[ast.Attribute] = []
        base: ast.expr = node
        while isinstance(base, ast.Attribute):
            parts.append(base)
            base = base.value
        if not isinstance(base, ast.Name):
            self.generic_visit(node)
            return
        qual = self.resolve(base.id, base)
        if qual is None:
            return
        # shortest prefix first: a.b, a.b.f, ...; the most specific rule wins per chain
        best: tuple[ast.AST, str, str] | None = None
        dotted = qual
        if self.index.members.get(dotted) or self.index.module_rule(dotted):
            best = (base, dotted, "")
        for attr in reversed(parts):
            dotted = f"{dotted}.{attr.attr}"
            if dotted in self.index.members:
                best = (attr, dotted, "member")
                break
            if best is None and self.index.modules.get(dotted):
                best = (attr, dotted, "module")
        if best is None:
            return
        target, dotted, how = best
        if target is node and not isinstance(node.ctx, ast.Load):
            self.add(base, self.index.members.get(dotted) or self.index.modules[dotted],
                     "attribute", dotted, fixable=False,
                     reason="assigned or deleted through the old name: change it by hand")
            return
        if target is base:
            if self.in_string:
                self._renamed_in_string(base, dotted)
            self._use(base, dotted)
            return
        if how == "member":
            self._use(target, dotted, start=base)
        else:
            self.add(base, self.index.modules[dotted], "attribute", dotted)

    def _use(self, node: ast.AST, qual: str, start: ast.AST | None = None) -> None:
        rid = self.index.members.get(qual)
        at = start or node
        if not rid:
            return
        rule = self.index.rule(rid)
        if rule.kind != "call":
            if start is not None:
                self.add(at, rid, "attribute", qual)
            return
        call = self.call_funcs.get(id(node))
        if call is None:
            self.add(at, rid, "reference", qual, fixable=False,
                     reason=NOT_CALLED)
            return
        reason = call_problem(rule, call, id(call) in self.awaited)
        if not reason:
            found, reason = call_contexts(rule, call, self.scopes)
            if found and not reason:
                self.contexts[self.where(at)] = found
        self.add(at, rid, "call", qual, fixable=not reason, reason=reason)

    def _star_use(self, node: ast.Name) -> None:
        for module, stmt in self.star_modules:
            rid = self.index.members.get(f"{module}.{node.id}")
            if rid and not any(v.line == stmt.lineno and v.kind == "star-import"
                               and v.rule == rid for v in self.found):
                self.add(stmt, rid, "star-import", f"{module}.{node.id}", fixable=False,
                         reason=star_reason(node.id))

    def visit_Call(self, node: ast.Call) -> None:
        self.call_funcs[id(node.func)] = node
        self.generic_visit(node)
        qual = self.qualified(node.func)
        if qual in TYPE_CASTS and node.args:
            self.annotation(node.args[0])
            return
        if qual not in STRING_IMPORTERS or not node.args:
            return
        arg = node.args[0]
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            return
        target = arg.value
        rid = self.index.module_rule(target) or next(
            (r for n, r in self.index.members.items() if n.rsplit(".", 1)[0] == target
             or n == target), None)
        if rid:
            self.add(node, rid, "string-import", target, fixable=False,
                     reason=STRING_REASON)

    # -- end of file -----------------------------------------------------------------------
    def _all_exports(self, tree: ast.Module) -> None:
        for stmt in tree.body:
            value = all_value(stmt)
            if value is None:
                continue
            for elt in value.elts:
                if not (isinstance(elt, ast.Constant) and isinstance(elt.value, str)):
                    continue
                qual = self.resolve(elt.value, stmt)
                rid = self.index.members.get(qual or "") or (
                    self.index.module_rule(qual) if qual else None)
                if rid:  # a move keeps the public name; a call rule cannot
                    manual = self.index.rule(rid).kind == "call"
                    self.add(elt, rid, "re-export", qual or elt.value, fixable=not manual,
                             reason=REEXPORT_REASON if manual else "")

    def _finish_imports(self) -> None:
        """An import stays (manual) while a site that needs it is left to a person."""
        blocked: dict[str, str] = {}
        for v in self.found:
            if v.kind == "re-export" and not v.fixable:
                blocked.setdefault(v.rule, "re-exported in __all__")
            elif v.kind in ("call", "reference") and not v.fixable or \
                    v.reason == IN_STRING_ANNOTATION:
                blocked.setdefault(v.rule, STILL_USED)
        if not blocked:
            return
        self.found = [
            Violation(v.path, v.line, v.col, v.rule, v.kind, v.name, v.phase, False,
                      blocked[v.rule], v.message)
            if v.kind == "import" and v.rule in blocked and v.fixable else v
            for v in self.found
        ]


def analyze_source(data: bytes, path: str, module: str, is_package: bool,
                   index: RuleIndex, *, tree: ast.Module | None = None,
                   contexts: Contexts | None = None
                   ) -> tuple[list[Violation], FileProblem | None]:
    """Parse one file and return its violations, or the reason it could not be parsed.

    When the file is large enough for it to pay, only what can matter is parsed
    (``partial.py``): the import statements alone when they hold every hot line and no
    ``__all__`` reads the file's bindings, else the top-level statements that can matter.
    ``tree``: the whole file's tree, when the caller parsed it already (plan does).
    ``contexts``: filled with the expressions the rewrite puts in each new call (by site)."""
    offsets = hot_offsets(data, index)
    texts = annotation_strings(data, index)
    if texts:  # a one-line string may be a type annotation: parsed where it is, like code
        offsets = sorted(set(offsets).union(texts))
    hot: list[int] | None = hot_lines(data, index, offsets)
    if texts is None:  # a non-ASCII identifier, equal to a name under NFKC ("ｏld" is "old")
        hot = None  # may be anywhere: byte searches cannot be trusted, every line is visited
    elif not hot and tree is None:
        # no line can hold a finding (no import can bind a banned name): dismissed unparsed,
        # like every file the prefilter drops (a syntax error in it is the syntax gate's)
        return [], None
    elif tree is None and len(data) > PARTIAL_MIN_BYTES and \
            len(hot or ()) * PARTIAL_MAX_HOT <= data.count(b"\n"):
        if b"__all__" not in data:  # every hot line an import: those statements alone decide
            tree = parse_partial(data, path, offsets, import_statements)
        if tree is None:
            tree = parse_partial(data, path, offsets, partial_source if index.has_call_rules
                                 else partial_source_in_classes)
    if tree is None:
        try:
            tree = ast.parse(data, filename=path)
        except SyntaxError as exc:
            return [], FileProblem(path, f"unparseable: {exc.msg}", exc.lineno or 0)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            why = "nested too deeply for the parser" if isinstance(exc, RecursionError) else exc
            return [], FileProblem(path, f"unparseable: {why}")
    package = module if is_package else module.rpartition(".")[0]
    analyzer = FileAnalyzer(index, path, module, package, data, hot)
    try:
        with deeper_recursion():  # real code nests 500 deep (generated tables of expressions)
            found = analyzer.run(tree)
    except RecursionError:
        return [], FileProblem(path, "too deeply nested to analyse")
    if contexts is not None:
        contexts.update(analyzer.contexts)
    return sorted(set(found)), None


__all__ = ["COMPREHENSIONS", "FUNCTION_NODES", "RuleIndex", "analyze_source", "context_for"]
