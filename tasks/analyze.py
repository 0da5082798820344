"""Find every reference to a deprecated name in one file, with stdlib ``ast``.

Pure: source bytes in, violations out (without their phase, which the caller assigns). The
fixable/manual decision for call sites follows the same algorithm as the libcst rewrite in
``tasks/rewrite`` (see ``context_for``); a test holds both to it.
"""

from __future__ import annotations

import ast
import bisect
import functools
import io
import re
import tokenize
from dataclasses import dataclass, field

from tasks.chunks import aligned, is_word_byte, partial_source
from tasks.config import Rule
from tasks.model import FileProblem, Violation
from tasks.scopes import COMPREHENSIONS, FUNCTION_NODES, Scope, ScopeBuilder, lookup

_LINE_SPLIT = re.compile(rb"\r\n|\r|\n")
STRING_IMPORTERS = ("importlib.import_module", "__import__")
TYPE_CASTS = ("typing.cast", "typing_extensions.cast")
_STRING_START = re.compile(rb"[rRuU]?('\'\'|\"\"\"|'|\")")
PARTIAL_MIN_BYTES = 4096  # smaller files are parsed whole: blanking statements saves little
PARTIAL_MAX_HOT = 20  # nor when more than one line in 20 is hot: most statements are needed


@dataclass(frozen=True)
class RuleIndex:
    """The rules of a run, arranged for lookups while walking a file (picklable)."""

    rules: tuple[Rule, ...]
    members: dict[str, str] = field(hash=False)  # banned qualified member name -> rule id
    modules: dict[str, str] = field(hash=False)  # banned module -> rule id
    needles: tuple[bytes, ...] = ()
    # the modules banned members live in: a file naming one is a candidate only together
    # with a dynamic import (importlib.import_module / __import__), see is_candidate
    home_needles: tuple[bytes, ...] = ()
    # a codemod rule with neither ``needles`` nor ``old`` cannot be prefiltered: plan runs it
    # on every file, so detect must look at every file too
    every_file: bool = False

    @classmethod
    def build(cls, rules: list[Rule] | tuple[Rule, ...]) -> RuleIndex:
        members: dict[str, str] = {}
        modules: dict[str, str] = {}
        needles: set[bytes] = set()
        for rule in rules:
            if rule.kind == "codemod":  # found by running the codemod itself: codemod_sites
                needles.update(n.encode() for n in rule.needles)
                if rule.old:
                    needles.add(rule.old.rsplit(".", 1)[-1].encode())
                continue
            target = modules if rule.kind == "module" else members
            for name in rule.olds:
                target.setdefault(name, rule.id)
                needles.add(name.rsplit(".", 1)[-1].encode())
        homes = {n.rsplit(".", 1)[0].rsplit(".", 1)[-1].encode() for n in members} - needles
        every = any(r.kind == "codemod" and not r.needles and not r.old for r in rules)
        return cls(tuple(rules), members, modules, tuple(sorted(needles)), tuple(sorted(homes)),
                   every)

    def is_candidate(self, data: bytes) -> bool:
        """Cheap byte test: could this file refer to a banned name at all?"""
        if self.every_file:
            return True
        for needle in self.needles:  # a plain loop: this runs on every file of the tree
            if needle in data:
                return True
        if b"import_" not in data:  # in both import_module and __import__: one scan, not two
            return False
        if b"import_module" not in data and b"__import__" not in data:
            return False
        return any(home in data for home in self.home_needles)

    @functools.cached_property
    def line_words(self) -> tuple[bytes, ...]:
        """Needles, and the full dotted modules banned members live in: a string import
        names its module in full (the last part alone, ``config``, is in every docstring)."""
        words = set(self.needles)
        for name in self.members:
            words.add(name.rsplit(".", 1)[0].encode())
        return tuple(sorted(words))

    @functools.cached_property
    def home_words(self) -> tuple[bytes, ...]:
        """The last part of each module banned members live in (hot only in files that can
        import by string, as a string import may be split over lines)."""
        return tuple(sorted({n.rsplit(".", 1)[0].rsplit(".", 1)[-1].encode()
                             for n in self.members}))

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)

    def module_rule(self, dotted: str) -> str | None:
        """The module rule banning ``dotted`` or one of its parent packages."""
        parts = dotted.split(".")
        for end in range(len(parts), 0, -1):
            rid = self.modules.get(".".join(parts[:end]))
            if rid:
                return rid
        return None

    def provides(self, module: str, rule_id: str) -> bool:
        """Whether ``module`` is where a rule's deprecated names live (it is never flagged)."""
        rule = self.rule(rule_id)
        if rule.kind == "module":
            return any(module == o or module.startswith(o + ".") for o in rule.olds)
        return any(o.rsplit(".", 1)[0] == module for o in rule.olds)


def char_col(lines: list[bytes], line: int, byte_col: int) -> int:
    """ast's UTF-8 byte offset -> ruff's 1-based character column."""
    if 0 < line <= len(lines):
        raw = lines[line - 1]
        if not raw.isascii():
            return len(raw[:byte_col].decode("utf-8", "replace")) + 1
    return byte_col + 1


class FileAnalyzer(ast.NodeVisitor):
    def __init__(self, index: RuleIndex, path: str, module: str, package: str,
                 data: bytes, hot: list[int] | None = None) -> None:
        self.hot = hot  # sorted line numbers that can hold a reference; None = every line
        self.in_annotation = False
        self.index = index
        self.path = path
        self.module = module
        self.package = package
        self.data = data
        self.declarations = b"global" in data or b"nonlocal" in data
        self.walrus = b":=" in data
        self.scopes: list[Scope] = []
        self.found: list[Violation] = []
        self.star_modules: list[tuple[str, ast.ImportFrom]] = []
        self.chain_nodes: set[int] = set()
        self.awaited: set[int] = set()
        self.call_funcs: dict[int, ast.Call] = {}

    @functools.cached_property
    def lines(self) -> list[bytes]:
        """The file's UTF-8 lines, split only when a column or a string annotation needs them."""
        return _utf8_lines(self.data)

    # -- bookkeeping -----------------------------------------------------------------------
    def add(self, node: ast.AST, rule_id: str, kind: str, name: str, *, fixable: bool = True,
            reason: str = "") -> None:
        if self.index.provides(self.module, rule_id):
            return
        rule = self.index.rule(rule_id)
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0) + 1
        if not self.data.isascii():
            col = char_col(self.lines, line, col - 1)
        self.found.append(Violation(self.path, line, col, rule_id, kind, name,
                                    fixable=fixable, reason=reason, message=rule.message))

    def push(self, node: ast.AST, kind: str) -> None:
        parent = self.scopes[-1] if self.scopes else None
        builder = ScopeBuilder(Scope(node, kind, parent), self.package,
                               declarations=self.declarations, walrus=self.walrus)
        self.scopes.append(builder.build())

    def resolve(self, name: str, node: ast.AST) -> str | None:
        binding = lookup(self.scopes, name, getattr(node, "lineno", 0),
                         getattr(node, "col_offset", 0))
        if binding is None:
            return "__import__" if name == "__import__" else None
        return binding.qualname

    def visit(self, node: ast.AST) -> None:
        """Statements with no line that mentions a needle are skipped: most of a file is."""
        if self.hot is not None and isinstance(node, ast.stmt):
            decorators = getattr(node, "decorator_list", None)
            start = min([node.lineno] + [d.lineno for d in decorators or ()])
            first = bisect.bisect_left(self.hot, start)
            if first == len(self.hot) or self.hot[first] > (node.end_lineno or node.lineno):
                return
        super().visit(node)

    def annotation(self, node: ast.expr) -> None:
        """Visit a type expression; string parts are parsed and visited like ruff does."""
        saved, self.in_annotation = self.in_annotation, True
        try:
            self.visit(node)
        finally:
            self.in_annotation = saved

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.annotation(node.annotation)
        self.visit(node.target)
        if node.value is not None:
            self.visit(node.value)

    def visit_Constant(self, node: ast.Constant) -> None:
        if not (self.in_annotation and isinstance(node.value, str)):
            return
        parsed = _parse_string_annotation(node, self.lines)
        if parsed is not None:
            saved, self.hot = self.hot, None
            try:
                self.visit(parsed)
            finally:
                self.hot = saved

    def visit_Await(self, node: ast.Await) -> None:
        self.awaited.add(id(node.value))
        self.generic_visit(node)

    # -- scopes ----------------------------------------------------------------------------
    def run(self, tree: ast.Module) -> list[Violation]:
        self.push(tree, "module")
        for stmt in tree.body:
            self.visit(stmt)
        self._all_exports(tree)
        self._finish_imports()
        return self.found

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for expr in node.decorator_list + _defaults(node.args):
            self.visit(expr)
        for ann in _annotations(node):
            self.annotation(ann)
        self.push(node, "function")
        for stmt in node.body:
            self.visit(stmt)
        self.scopes.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for expr in _defaults(node.args):
            self.visit(expr)
        self.push(node, "function")
        self.visit(node.body)
        self.scopes.pop()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in node.decorator_list + node.bases + [k.value for k in node.keywords]:
            self.visit(expr)
        self.push(node, "class")
        for stmt in node.body:
            self.visit(stmt)
        self.scopes.pop()

    def _comprehension(self, node: ast.AST) -> None:
        self.push(node, "comprehension")
        self.generic_visit(node)
        self.scopes.pop()

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    # -- imports ---------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            rid = self.index.module_rule(alias.name)
            if rid:
                self.add(alias, rid, "import", alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        from tasks.scopes import resolve_relative

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
        if not isinstance(node.ctx, ast.Load):
            return
        qual = self.resolve(node.id, node)
        if qual is None:
            self._star_use(node)
            return
        self._use(node, qual)

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
                     reason="referenced without being called")
            return
        reason = call_problem(rule, call, id(call) in self.awaited) or \
            missing_context(rule, call, self.scopes)
        self.add(at, rid, "call", qual, fixable=not reason, reason=reason)

    def _star_use(self, node: ast.Name) -> None:
        for module, stmt in self.star_modules:
            rid = self.index.members.get(f"{module}.{node.id}")
            if rid and not any(v.line == stmt.lineno and v.kind == "star-import"
                               and v.rule == rid for v in self.found):
                self.add(stmt, rid, "star-import", f"{module}.{node.id}", fixable=False,
                         reason=f"star import may bring in '{node.id}': import it explicitly")

    def visit_Call(self, node: ast.Call) -> None:
        self.call_funcs[id(node.func)] = node
        self.generic_visit(node)
        func = node.func
        name = func.id if isinstance(func, ast.Name) else None
        qual = self.resolve(name, func) if name else _dotted_resolve(self, func)
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
                     reason="dynamic import by string: rewrite it by hand")

    # -- end of file -----------------------------------------------------------------------
    def _all_exports(self, tree: ast.Module) -> None:
        for stmt in tree.body:
            value = _all_value(stmt)
            if value is None:
                continue
            for elt in value.elts:
                if not (isinstance(elt, ast.Constant) and isinstance(elt.value, str)):
                    continue
                qual = self.resolve(elt.value, stmt)
                rid = self.index.members.get(qual or "") or (
                    self.index.module_rule(qual) if qual else None)
                if rid:
                    self.add(elt, rid, "re-export", qual or elt.value, fixable=False,
                             reason="re-exported in __all__: importers of this module break")

    def _finish_imports(self) -> None:
        """An import stays (manual) while a site that needs it is left to a person."""
        blocked: dict[str, str] = {}
        for v in self.found:
            if v.kind == "re-export":
                blocked.setdefault(v.rule, "re-exported in __all__")
            elif v.kind in ("call", "reference") and not v.fixable:
                blocked.setdefault(v.rule, "still used by sites left to a person")
        if not blocked:
            return
        self.found = [
            Violation(v.path, v.line, v.col, v.rule, v.kind, v.name, v.phase, False,
                      blocked[v.rule], v.message)
            if v.kind == "import" and v.rule in blocked and v.fixable else v
            for v in self.found
        ]


def _parse_string_annotation(node: ast.Constant, lines: list[bytes]) -> ast.expr | None:
    """A one-line string type expression, parsed, with positions moved to where it sits."""
    if not 0 < node.lineno <= len(lines) or node.end_lineno != node.lineno:
        return None
    opening = _STRING_START.match(lines[node.lineno - 1], node.col_offset)
    if opening is None:
        return None
    try:
        expr = ast.parse(str(node.value).strip(), mode="eval").body
    except SyntaxError:
        return None
    shift = opening.end() + (len(str(node.value)) - len(str(node.value).lstrip()))
    for sub in ast.walk(expr):
        if isinstance(sub, (ast.expr, ast.arg, ast.keyword)):
            if sub.lineno != 1:
                return None  # a multi-line string: positions cannot be mapped back
            sub.lineno = sub.end_lineno = node.lineno
            sub.col_offset += shift
            sub.end_col_offset = (sub.end_col_offset or 0) + shift
    return expr


def _dotted_resolve(analyzer: FileAnalyzer, node: ast.expr) -> str | None:
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    base = analyzer.resolve(node.id, node)
    return ".".join([base] + names[::-1]) if base else None


def _all_value(stmt: ast.stmt) -> ast.List | ast.Tuple | None:
    target: ast.expr | None = None
    value: ast.expr | None = None
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target, value = stmt.targets[0], stmt.value
    elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        target, value = stmt.target, stmt.value
    if isinstance(target, ast.Name) and target.id == "__all__" and \
            isinstance(value, (ast.List, ast.Tuple)):
        return value
    return None


def _defaults(args: ast.arguments) -> list[ast.expr]:
    return list(args.defaults) + [d for d in args.kw_defaults if d is not None]


def _annotations(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    a = node.args
    every = a.posonlyargs + a.args + a.kwonlyargs + [x for x in (a.vararg, a.kwarg) if x]
    anns = [arg.annotation for arg in every if arg.annotation is not None]
    return anns + ([node.returns] if node.returns is not None else [])


def call_problem(rule: Rule, call: ast.Call, awaited: bool) -> str:
    """Why this call cannot be rewritten mechanically, or ''."""
    starred = any(isinstance(a, ast.Starred) for a in call.args) or \
        any(k.arg is None for k in call.keywords)
    return arguments_problem(rule, len(call.args), [k.arg for k in call.keywords if k.arg],
                             starred, awaited)


def arguments_problem(rule: Rule, positional: int, keywords: list[str], starred: bool,
                      awaited: bool) -> str:
    """The one decision detect (ast) and the rewrite (libcst, tasks/rewrite/call.py) share:
    why a call with these arguments cannot be rewritten mechanically, or ''."""
    if starred:
        return "call uses *args or **kwargs"
    if positional > len(rule.params):
        return "more positional arguments than the old callee's params"
    used = set(rule.required)
    for name in list(rule.params[:positional]) + keywords:
        if name not in rule.params:
            return f"unexpected keyword argument '{name}'"
        if name not in used:
            return f"argument '{name}' has no place in the new call"
    if rule.awaitable and not awaited:
        return "the new callee is async but this call is not awaited"
    return ""


def missing_context(rule: Rule, call: ast.Call, scopes: list[Scope]) -> str:
    """'' when every placeholder is passed or found in scope, else 'no <name> in scope'."""
    for placeholder in rule.required:
        if _passed(rule, call, placeholder):
            continue
        if context_for(rule, placeholder, call.lineno, scopes) is None:
            return f"no {placeholder.replace('_', ' ')} in scope"
    return ""


def _passed(rule: Rule, call: ast.Call, placeholder: str) -> bool:
    if placeholder in rule.params and rule.params.index(placeholder) < len(call.args):
        return True
    return any(k.arg == placeholder for k in call.keywords)


def context_for(rule: Rule, placeholder: str, line: int, scopes: list[Scope]) -> str | None:
    """The expression that supplies ``placeholder`` at a call on ``line``, searched outwards
    through enclosing functions: a parameter by name, a parameter by annotation, a local
    assigned before the call, then ``self.<attr>`` in a method whose class sets it."""
    source = dict(rule.context).get(placeholder)
    if source is None:
        return None
    for scope in reversed(scopes):
        if scope.kind != "function":
            continue
        params = dict(zip(scope.param_names, scope.params, strict=False))
        for name in source.names:
            if name in params:
                return name
        for name, binding in params.items():
            if binding.annotation and binding.annotation in source.annotations:
                return name
        for name in source.names:
            if any(not b.is_param and b.qualname is None and b.line < line
                   for b in scope.bindings.get(name, [])):
                return name
        if scope.is_method and scope.parent is not None:
            for attr in source.attributes:
                head, _, tail = attr.partition(".")
                if head == "self" and tail and tail in scope.parent.self_attrs:
                    return attr
    return None


# ``as name``: a literal first lets the regex engine skip ahead fast (a leading \b or
# lookbehind makes it ten times slower), so the word boundary is checked by hand in _aliases
_AS_NAME = re.compile(rb"as\s+([A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)")
_STAR_IMPORT = re.compile(rb"import\s*\*")


def hot_offsets(data: bytes, index: RuleIndex) -> list[int]:
    """Sorted byte offsets where a reference could be: a needle, the module of a banned member
    (string imports), a star import, or a name bound by ``... as name`` (whose uses carry no
    needle). Found with ``bytes.find``, far faster here than one regex alternation."""
    found: set[int] = set()
    for word in index.line_words:
        _find_all(data, word, found, bounded=False)
    if b"import_" in data:  # import_module / __import__: a string import may split its module
        for word in index.home_words:  # over lines ("a." "b"), so its last part is hot too
            _find_all(data, word, found, bounded=True)
    for name in _aliases(data):
        _find_all(data, name, found, bounded=True)
    if b"*" in data:
        found.update(m.start() for m in _STAR_IMPORT.finditer(data))
    return sorted(found)


def _aliases(data: bytes) -> set[bytes]:
    """Every ``name`` in ``... as name``; a search that restarts one byte on after an ``as``
    inside a word (``Canvas as C``: not the ``as`` of Canvas)."""
    out: set[bytes] = set()
    pos = 0
    while (m := _AS_NAME.search(data, pos)) is not None:
        at = m.start()
        if at and is_word_byte(data[at - 1]):
            pos = at + 1
            continue
        out.add(m.group(1))
        pos = m.end()
    return out


def _find_all(data: bytes, word: bytes, into: set[int], *, bounded: bool) -> None:
    at = data.find(word)
    last = len(data)
    while at >= 0:
        end = at + len(word)
        if not bounded or ((at == 0 or not is_word_byte(data[at - 1]))
                           and (end == last or not is_word_byte(data[end]))):
            into.add(at)
        at = data.find(word, end)


def hot_lines(data: bytes, index: RuleIndex, offsets: list[int] | None = None) -> list[int]:
    """1-based numbers of the lines where a reference could be (see ``hot_offsets``)."""
    if b"\r" in data and b"\r" in data.replace(b"\r\n", b""):
        return list(range(1, len(_LINE_SPLIT.split(data)) + 1))  # lone CRs: every line is hot
    hot: list[int] = []
    line, pos = 1, 0
    for start in hot_offsets(data, index) if offsets is None else offsets:
        line += data.count(b"\n", pos, start)
        pos = start
        if not hot or hot[-1] != line:
            hot.append(line)
    return hot


def codemod_sites(data: bytes, path: str, module: str, is_package: bool,
                  index: RuleIndex) -> list[Violation]:
    """Sites of the ``codemod`` rules, found by running each codemod on the file without
    writing it: what the codemod would rewrite is fixable, what it reports for a person is
    manual. Detect and plan agree by construction; only files holding a needle get here."""
    rules = [r for r in index.rules if r.kind == "codemod"]
    wanted = [r for r in rules if not (r.needles or r.old) or any(
        n.encode() in data for n in r.needles + ((r.old.rsplit(".", 1)[-1],) if r.old else ()))]
    if not wanted:
        return []
    import libcst as cst

    from tasks.rewrite.engine import run_codemod

    tree = cst.parse_module(data)
    package = module if is_package else module.rpartition(".")[0]
    found: list[Violation] = []
    for rule in wanted:
        _, sites, _ = run_codemod(tree, rule, path, package)
        found.extend(Violation(path, s.line, s.col, rule.id, s.kind, rule.old or rule.codemod,
                               fixable=not s.reason, reason=s.reason, message=rule.message)
                     for s in sites)
    return found


def _utf8_lines(data: bytes) -> list[bytes]:
    """The file's lines as UTF-8 (what ast's byte offsets count in), without a BOM."""
    if data.isascii():
        return _LINE_SPLIT.split(data)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return _LINE_SPLIT.split(data)
    return [line.encode("utf-8") for line in re.split(r"\r\n|\r|\n", text.lstrip("\ufeff"))]


def analyze_source(data: bytes, path: str, module: str, is_package: bool,
                   index: RuleIndex) -> tuple[list[Violation], FileProblem | None]:
    """Parse one file and return its violations, or the reason it could not be parsed.

    Only the top-level statements that can matter are parsed when the file is large enough
    for that to pay (``tasks/chunks.py``); any doubt there means the whole file is parsed."""
    offsets = hot_offsets(data, index)
    hot: list[int] | None = hot_lines(data, index, offsets)
    tree = None
    if not data.isascii():
        # Python equates identifiers under NFKC (a fullwidth "ｏld" is "old"): byte searches
        # for names cannot be trusted, so every statement is parsed and visited
        hot = None
    elif len(data) > PARTIAL_MIN_BYTES and len(hot or ()) * PARTIAL_MAX_HOT <= data.count(b"\n"):
        tree = _parse_partial(data, path, offsets)
    if tree is None:
        try:
            tree = ast.parse(data, filename=path)
        except SyntaxError as exc:
            return [], FileProblem(path, f"unparseable: {exc.msg}", exc.lineno or 0)
        except (ValueError, UnicodeDecodeError) as exc:
            return [], FileProblem(path, f"unparseable: {exc}")
        except RecursionError:
            return [], FileProblem(path, "unparseable: nested too deeply for the parser")
    package = module if is_package else module.rpartition(".")[0]
    analyzer = FileAnalyzer(index, path, module, package, data, hot)
    try:
        found = analyzer.run(tree)
    except RecursionError:
        return [], FileProblem(path, "too deeply nested to analyse")
    if any(r.kind == "codemod" for r in index.rules):
        found = found + codemod_sites(data, path, module, is_package, index)
    return sorted(set(found)), None


def _parse_partial(data: bytes, path: str, offsets: list[int]) -> ast.Module | None:
    """The tree of the statements that matter, or None to parse the whole file instead."""
    partial = partial_source(data, offsets)
    if partial is None:
        return None
    try:
        tree = ast.parse(partial.source, filename=path)
    except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError):
        return None  # the whole file's parse gives the exact error, or shows the lexer erred
    return tree if aligned(tree, partial) else None


__all__ = ["COMPREHENSIONS", "FUNCTION_NODES", "RuleIndex", "analyze_source", "context_for"]
