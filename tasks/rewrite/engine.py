"""Rewrite one file: every rule of a phase in one libcst parse, in a defined order.

Order: the kinds of the shared semantic model (move, module, call) together in one planned pass
over the parsed tree, then each rule of a hook kind (``codemod``, or a kind registered from
outside) in the phase's order on the resulting tree. Bytes in, bytes
out: libcst detects the encoding (BOM, coding cookie) and line endings, and untouched code keeps
its exact bytes. When nothing changed the input bytes are returned as they were.
"""

from __future__ import annotations

import difflib

import libcst as cst
from libcst.metadata import MetadataWrapper

from ..config import Rule
from ..config.kinds import is_semantic, kind_of
from ..semantics.analyze import IN_STRING_ANNOTATION, analyze_source
from ..semantics.rule_index import RuleIndex
from .imports import Applier
from .model import FileOutcome, Site
from .planner import Planner
from .scan import FileScan


def rewrite_source(data: bytes, path: str, module: str, is_package: bool,
                   rules: list[Rule] | tuple[Rule, ...]) -> FileOutcome:
    """Apply ``rules`` to one file's bytes. Raises on unparseable input (the caller turns any
    exception into a per-file failure)."""
    index = RuleIndex.build(list(rules))
    active = [r for r in rules if not index.provides(module, r.id)]
    builtin = [r for r in active if is_semantic(r)]
    hooks = [r for r in active if not is_semantic(r)]
    tree = cst.parse_module(data)
    outcome = FileOutcome(path, data, data)
    changed = False
    package = module if is_package else module.rpartition(".")[0]
    if builtin:
        wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
        held = _held(data, path, module, is_package, builtin)
        planner = Planner(FileScan(wrapper, package, module_name=module), path, builtin, held)
        edits = planner.plan()
        outcome.rewritten += planner.rewritten
        outcome.manual += planner.manual
        if edits:
            tree = wrapper.module.visit(Applier(edits))
            changed = True
    for rule in hooks:
        before_codemod = tree.code if changed else ""
        run = kind_of(rule).run
        assert run is not None
        tree, sites, did = run(tree, rule, path, package)
        if before_codemod:  # report where the site is in the file as it is on disk
            sites = _map_lines(sites, before_codemod, outcome.before, tree)
        changed = changed or did
        outcome.rewritten += [s for s in sites if not s.reason]
        outcome.manual += [s for s in sites if s.reason]
    if changed:
        outcome.after = tree.bytes
    # a use reached through two imports (try/except ImportError fallbacks) is one site
    outcome.rewritten = sorted(set(outcome.rewritten))
    outcome.manual = sorted(set(outcome.manual))
    return outcome


def _held(data: bytes, path: str, module: str, is_package: bool,
          rules: list[Rule]) -> list[Site]:
    """Sites the semantic model leaves to a person before any rewrite (names inside string
    annotations): decided once, there, and carried by the plan as they are."""
    if b"'" not in data and b'"' not in data:
        return []
    found, _ = analyze_source(data, path, module, is_package, RuleIndex.build(rules))
    return [Site(path, v.line, v.col, v.rule, v.kind, v.reason) for v in found
            if v.reason == IN_STRING_ANNOTATION]


def _map_lines(sites: list[Site], code: str, original: bytes, tree: cst.Module) -> list[Site]:
    """Sites found on a tree earlier rules already rewrote, moved back to the original's lines
    (unchanged lines map exactly; a line inside a rewritten block maps to the block's start)."""
    old = original.decode(tree.encoding, "replace").splitlines()
    matcher = difflib.SequenceMatcher(None, old, code.splitlines(), autojunk=False)
    mapping: dict[int, int] = {}
    for tag, i1, _i2, j1, j2 in matcher.get_opcodes():
        for j in range(j1, j2):
            mapping[j + 1] = (i1 + (j - j1) if tag == "equal" else i1) + 1
    return [Site(s.path, mapping.get(s.line, s.line), s.col, s.rule, s.kind, s.reason)
            for s in sites]
