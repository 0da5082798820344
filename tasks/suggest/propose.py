"""From markers to proposed rules: one per deprecated object, its kind, replacement and mapping.

``move`` for aliases, re-exports, ``__getattr__`` shims, same-signature wrappers and messages that
name a replacement without arguments; ``call`` when the message or the wrapper shows the new
call's arguments and every one maps by name to the old parameters (or to an importable name);
``module`` for a module whose replacement is a module. Methods are listed, not supported.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable

from .messages import candidates
from .model import MARKERS, FileFacts, Forward, Marker, Suggestion
from .resolve import Found, Project

_BUILTINS = frozenset(dir(builtins))  # need no import in a call template
METHOD_REASON = ("a method: its calls go through instances, and finding them needs type "
                 "information phasegate does not have")


def propose(markers: Iterable[Marker], project: Project,
            facts: dict[str, FileFacts]) -> list[Suggestion]:
    """One suggestion per deprecated object (markers grouped by qualified name)."""
    groups: dict[str, list[Marker]] = {}
    for marker in markers:
        groups.setdefault(marker.old, []).append(marker)
    out = []
    for old, group in groups.items():
        group.sort(key=lambda m: (MARKERS.index(m.marker), m.line))
        out.append(_one(old, group, project, facts[group[0].path]))
    return sorted(out, key=lambda s: s.old)


def _one(old: str, group: list[Marker], project: Project, facts: FileFacts) -> Suggestion:
    target = group[0].target
    message = next((m.message for m in group if m.message), "")
    params = next((list(m.params) for m in group if m.params), [])
    sugg = Suggestion(id="", kind="", old=old, target=target, message=message or
                      f"{old} is deprecated", params=params, evidence=group)
    if target == "method":
        sugg.reason = METHOD_REASON
        return sugg
    forward = next((m.forward for m in group if m.forward is not None), None)
    code = next((m.new_code for m in group if m.new_code), "")
    if forward is not None:
        _from_wrapper(sugg, forward, project, facts)
    elif code:
        _from_code(sugg, code, project, facts)
    else:
        _from_messages(sugg, [m.message for m in group if m.message], project, facts)
    if not sugg.new and not sugg.reason:
        sugg.reason = next((m.reason for m in group if m.reason), "") or \
            "no marker names a replacement"
    return sugg


def _accept(sugg: Suggestion, found: Found, kind: str) -> bool:
    """Set ``new`` and ``kind`` when the found object fits the deprecated one."""
    if not found.qual:
        sugg.reason = found.reason
        return False
    is_module = found.kind == "module"
    if (sugg.target == "module") != is_module:
        what = "a module" if is_module else f"a {found.kind or 'name'}"
        sugg.reason = (f"names {found.qual}, {what}, which cannot replace the "
                       f"{sugg.target} {sugg.old} by a rewrite")
        sugg.kind = "move" if sugg.target != "module" else "module"
        return False
    sugg.new, sugg.kind = found.qual, "module" if is_module else kind
    return True


def _from_code(sugg: Suggestion, code: str, project: Project, facts: FileFacts) -> None:
    _accept(sugg, project.resolve(code, facts), "move")


def _from_wrapper(sugg: Suggestion, forward: Forward, project: Project,
                  facts: FileFacts) -> None:
    sugg.kind = "move"
    if forward.unclear:
        sugg.reason = forward.unclear
        return
    if not _accept(sugg, project.resolve(forward.callee, facts), "move"):
        return
    parts = [*forward.args, *(f"**{v}" if k == "**" else f"{k}={v}" for k, v in forward.keywords)]
    call = ast.parse(f"f({', '.join(parts)})", mode="eval").body
    assert isinstance(call, ast.Call)
    _map_call(sugg, list(call.args), [(k.arg or "**", k.value) for k in call.keywords], project,
              facts)


def _from_messages(sugg: Suggestion, messages: list[str], project: Project,
                   facts: FileFacts) -> None:
    sugg.kind = "module" if sugg.target == "module" else "move"
    skip = (sugg.old, sugg.old.rsplit(".", 1)[-1])
    first_reason = ""
    for message in messages:
        for cand in candidates(message, skip=skip):
            found = project.resolve(cand.name, facts)
            if not found.qual:
                first_reason = first_reason or f"the message names {found.reason}"
                continue
            if _accept(sugg, found, "move"):
                if cand.call:
                    call = ast.parse(cand.call, mode="eval").body
                    assert isinstance(call, ast.Call)  # messages.candidates checked it
                    _map_call(sugg, list(call.args),
                              [(k.arg or "**", k.value) for k in call.keywords], project, facts)
                return
            first_reason = first_reason or sugg.reason
    if sugg.target == "module" and _reexported_module(sugg, project):
        return
    sugg.reason = first_reason or ("the message names no replacement" if messages
                                   else "no marker names a replacement")


def _reexported_module(sugg: Suggestion, project: Project) -> bool:
    """A deprecated module that only re-exports one other module is replaced by that module."""
    facts = project.module_facts(sugg.old)
    if facts is None:
        return False
    homes = {qual.rsplit(".", 1)[0] for _, qual in facts.bindings  # from-imports only
             if "." in qual and not qual.startswith(f"{sugg.old}.")}
    homes.discard("__future__")
    if len(homes) != 1:
        return False
    return _accept(sugg, project.check(homes.pop()), "module")


def _map_call(sugg: Suggestion, args: list[ast.expr], keywords: list[tuple[str, ast.expr]],
              project: Project, facts: FileFacts) -> None:
    """Same signature: stays a move. Else a call rule when every argument maps by name."""
    names = [a.id if isinstance(a, ast.Name) else "" for a in args]
    starred = [a.value.id for a in args if isinstance(a, ast.Starred)
               and isinstance(a.value, ast.Name)]
    # keywords are never "the same signature": the new callee's positional order is unknown
    kw_same = all(k == "**" for k, _ in keywords)
    if (names == sugg.params[:len(names)] or starred) and kw_same:
        return  # forwards the old arguments unchanged: a move
    if args:
        sugg.new, sugg.kind = "", "move"
        shown = ", ".join(map(ast.unparse, args))
        sugg.reason = (f"the new call passes positional arguments ({shown}) whose parameter"
                       " names are not known: map them by hand")
        return
    mapped: list[tuple[str, str]] = []
    imports: list[str] = []
    for key, value in keywords:
        template, why = _template(value, sugg.params, project, facts, imports)
        if key == "**" or not template:
            sugg.new, sugg.kind = "", "move"
            sugg.reason = why or f"'**{ast.unparse(value)}' cannot be mapped by name"
            return
        mapped.append((key, template))
    sugg.kind, sugg.arguments, sugg.imports = "call", mapped, imports


def _template(value: ast.expr, params: list[str], project: Project, facts: FileFacts,
              imports: list[str]) -> tuple[str, str]:
    """The argument template (``{param}`` for the old parameters), or "" and why not."""
    if any(isinstance(n, ast.Constant) and n.value is Ellipsis for n in ast.walk(value)):
        return "", f"the message elides the argument ({ast.unparse(value)})"
    for node in ast.walk(value):
        if isinstance(node, ast.Name) and node.id not in params and node.id not in _BUILTINS:
            found = project.resolve(node.id, facts)
            if not found.qual or "." not in found.qual or found.kind == "module":
                return "", (f"'{node.id}' in the new call is neither a parameter of the old one"
                            " nor an importable name")
            if found.qual not in imports:
                imports.append(found.qual)
    return ast.unparse(_Placeholders(set(params)).visit(value)), ""


class _Placeholders(ast.NodeTransformer):
    """The old parameters become ``{name}`` placeholders (a copy: the tree is not reused)."""

    def __init__(self, params: set[str]) -> None:
        self.params = params

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.Name(id=f"{{{node.id}}}") if node.id in self.params else node
