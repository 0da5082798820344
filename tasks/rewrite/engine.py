"""Rewrite one file: every rule of a phase in one pass, in a defined order.

Order: the kinds of the shared semantic model (move, module, call) together in one planned pass
over the parsed tree, then each rule of a hook kind (``codemod``, or a kind registered from
outside) in the phase's order on the resulting tree. Bytes in, bytes out: libcst detects the
encoding (BOM, coding cookie) and line endings, and untouched code keeps its exact bytes. When
nothing changed the input bytes are returned as they were.

Three paths give the same bytes and sites (the differential test holds them to it): the import
splice without libcst when detect's sites allow it (:mod:`.splice`), libcst on the statements a
rule can concern only (:mod:`.holes`), and libcst on the whole file (hook kinds, and whenever
the other two do not apply).
"""

from __future__ import annotations

import ast
import difflib
from typing import TYPE_CHECKING

from ..config import Rule
from ..config.kinds import is_semantic, kind_of
from ..model import Violation
from ..semantics.analyze import IN_STRING_ANNOTATION, analyze_source
from ..semantics.callsite import Contexts
from ..semantics.references import FileReads, read_names
from ..semantics.rule_index import RuleIndex
from .holes import punch
from .model import FileOutcome, Site
from .splice import splice

if TYPE_CHECKING:  # libcst is imported when a file needs it: a splice never does
    import libcst as cst


# punch holes when at least this share of the lines can go: below it the saving does not pay
# for the extra ast parse
WORTH_IT = 0.1


def rewrite_source(data: bytes, path: str, module: str, is_package: bool,
                   rules: list[Rule] | tuple[Rule, ...], *,
                   holes: bool | None = None,
                   found: list[Violation] | None = None,
                   parsed: ast.Module | None = None,
                   contexts: Contexts | None = None) -> FileOutcome:
    """Apply ``rules`` to one file's bytes. Raises on unparseable input (the caller turns any
    exception into a per-file failure). ``found``: detect's analysis of this file with the
    same rules, when the caller has it. ``holes``: None splices the file's imports without
    libcst when detect's sites allow it (:mod:`.splice`), else punches out the statements no
    rule can concern when that is worth it (:mod:`.holes`); True always punches (the
    differential test); False never does either (the whole-file engine). ``parsed``: the
    file's ``ast`` tree when the caller parsed it already (the splice reads it). ``contexts``:
    what each call site's placeholders take, from the same analysis as ``found``."""
    index = RuleIndex.build(list(rules))
    active = [r for r in rules if not index.provides(module, r.id)]
    builtin = [r for r in active if is_semantic(r)]
    hooks = [r for r in active if not is_semantic(r)]
    held = held_sites(found, path) if found is not None else None
    if builtin and not hooks and holes is None and found is not None:
        spliced = splice(data, path, module, package_of(module, is_package), builtin,
                         found, parsed)
        if spliced is not None:
            return spliced
    if builtin and not hooks and holes is not False:
        reduced = punch(data, builtin, minimum=0.0 if holes else WORTH_IT)
        if reduced is not None:
            tree, outcome = _semantic(reduced.source, data, path, module, is_package, builtin,
                                      held, contexts)
            after = reduced.fill(tree.bytes) if tree is not None else data
            if after is not None:
                outcome.before, outcome.after, outcome.engine = data, after, "statements"
                return _deduplicated(outcome)
    tree, outcome = _semantic(data, data, path, module, is_package, builtin, held, contexts)
    changed = tree is not None
    as_read: cst.Module | None = None  # the file as libcst read it, before any codemod
    if hooks and tree is None:
        import libcst as cst

        tree = as_read = cst.parse_module(data)
    for rule in hooks:
        assert tree is not None
        before_codemod = tree.code if changed else ""
        run = kind_of(rule).run
        assert run is not None
        tree, sites, did = run(tree, rule, path, package_of(module, is_package))
        if before_codemod:  # report where the site is in the file as it is on disk
            sites = _map_lines(sites, before_codemod, outcome.before, tree)
        changed = changed or did
        outcome.rewritten += [s for s in sites if not s.reason]
        outcome.manual += [s for s in sites if s.reason]
    if changed:
        assert tree is not None
        if as_read is not None:  # (a tree the shared kinds changed was checked there)
            lossless(as_read, data)
        outcome.after = tree.bytes
    outcome.engine = "file"
    return _deduplicated(outcome)


def package_of(module: str, is_package: bool) -> str:
    return module if is_package else module.rpartition(".")[0]


def _semantic(source: bytes, data: bytes, path: str, module: str, is_package: bool,
              rules: list[Rule], held: list[Site] | None, contexts: Contexts | None
              ) -> tuple[cst.Module | None, FileOutcome]:
    """The kinds of the shared model on ``source`` (the file, or it with holes punched out;
    ``data`` is the file itself): the rewritten tree (None when nothing changed) and the
    sites."""
    outcome = FileOutcome(path, data, data)
    if not rules:
        return None, outcome
    import libcst as cst
    from libcst.metadata import MetadataWrapper

    from .imports import Applier
    from .planner import Planner
    from .scan import FileScan

    wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
    held, contexts = _decided(data, path, module, is_package, rules, held, contexts)
    scan = FileScan(wrapper, package_of(module, is_package),
                    _reads(wrapper, source, path, module, is_package),
                    module_name=module,
                    by_string=b"import_module" in source or b"__import__" in source,
                    contexts=contexts)
    planner = Planner(scan, path, rules, held)
    edits = planner.plan()
    outcome.rewritten += planner.rewritten
    outcome.manual += planner.manual
    if edits:
        lossless(wrapper.module, source)
    return (wrapper.module.visit(Applier(edits)) if edits else None), outcome


def _reads(wrapper: cst.MetadataWrapper, source: bytes, path: str, module: str,
           is_package: bool) -> FileReads:
    """Which import each name of ``source`` may read: the semantic model detect resolves
    through; for a file only a newer Python parses (libcst reads it, ``ast`` here cannot),
    the same answers from libcst's scopes (:mod:`.newer_syntax`)."""
    try:
        return read_names(source, path, package_of(module, is_package))
    except (SyntaxError, ValueError, UnicodeDecodeError):
        from .newer_syntax import reads_from_libcst

        return reads_from_libcst(wrapper, package_of(module, is_package))
    except RecursionError:
        raise ValueError("too deeply nested to analyse: rewrite it by hand") from None


def lossless(tree: cst.Module, source: bytes) -> None:
    """Raise unless libcst writes ``source`` back byte for byte: where it does not (it drops
    the blank in ``except (A, B) :``), every rewrite of the file would change code no rule is
    about. The caller makes that a per-file outcome."""
    if tree.bytes != source:
        raise ValueError("libcst cannot write this file back byte for byte, so a rewrite "
                         "would change lines no rule is about: rewrite it by hand")


def _deduplicated(outcome: FileOutcome) -> FileOutcome:
    """A use reached through two imports (try/except ImportError fallbacks) is one site."""
    outcome.rewritten = sorted(set(outcome.rewritten))
    outcome.manual = sorted(set(outcome.manual))
    return outcome


def _decided(data: bytes, path: str, module: str, is_package: bool, rules: list[Rule],
             held: list[Site] | None, contexts: Contexts | None
             ) -> tuple[list[Site], Contexts | None]:
    """What detect's analysis decides for the libcst engine, when the caller did not pass it:
    the sites left to a person before any rewrite (names inside string annotations), and what
    each call site's placeholders take (None: this Python cannot parse the file, so no scope
    was searched). Decided once, there."""
    calls = any(rule.kind == "call" and rule.required for rule in rules)
    quoted = b"'" in data or b'"' in data
    if (held is not None or not quoted) and (contexts is not None or not calls):
        return held if held is not None else [], contexts if contexts is not None else {}
    found_contexts: Contexts = {}
    found, problem = analyze_source(data, path, module, is_package, RuleIndex.build(rules),
                                    contexts=found_contexts)
    return (held if held is not None else held_sites(found, path),
            contexts if contexts is not None else None if problem else found_contexts)


def held_sites(found: list[Violation], path: str) -> list[Site]:
    """Of detect's violations, those inside string annotations, as sites."""
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
