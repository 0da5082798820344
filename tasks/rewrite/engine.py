"""Rewrite one file: every rule of a phase in one libcst parse, in a defined order.

Order: the built-in kinds (move, module, call) together in one planned pass over the parsed
tree, then each ``codemod`` rule in the phase's order on the resulting tree. Bytes in, bytes
out: libcst detects the encoding (BOM, coding cookie) and line endings, and untouched code keeps
its exact bytes. When nothing changed the input bytes are returned as they were.
"""

from __future__ import annotations

import difflib

import libcst as cst
from libcst.metadata import MetadataWrapper

from ..config import Rule
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
    builtin = [r for r in active if r.kind != "codemod"]
    codemods = [r for r in active if r.kind == "codemod"]
    tree = cst.parse_module(data)
    outcome = FileOutcome(path, data, data)
    changed = False
    package = module if is_package else module.rpartition(".")[0]
    if builtin:
        wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
        planner = Planner(FileScan(wrapper, package, module_name=module), path, builtin)
        edits = planner.plan()
        outcome.rewritten += planner.rewritten
        outcome.manual += planner.manual
        if edits:
            tree = wrapper.module.visit(Applier(edits))
            changed = True
    for rule in codemods:
        before_codemod = tree.code if changed else ""
        tree, sites, did = run_codemod(tree, rule, path, package)
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


def run_codemod(tree: cst.Module, rule: Rule, path: str,
                package: str = "") -> tuple[cst.Module, list[Site], bool]:
    """Run the custom codemod a rule names on ``tree``; its sites are reported for ``rule``."""
    from . import codemods as codemod_registry

    mod = codemod_registry.load(rule.codemod)
    transformer = mod.Codemod(rule, package)
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    new = wrapper.visit(transformer)
    sites = [Site(path, line, col, rule.id, kind, reason)
             for line, col, kind, reason in transformer.sites]
    return new, sites, not new.deep_equals(tree)
