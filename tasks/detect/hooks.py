"""Sites of the rule kinds outside the shared semantic model (``codemod``, and any kind
registered from outside): each kind's hook is run on the file without writing it; what it would
rewrite is fixable, what it reports for a person is manual. plan runs the same hook, so detect
and plan agree by construction. Only files holding one of the kind's needles get here."""

from __future__ import annotations

from ..config.kinds import kind_of
from ..model import Violation
from ..semantics.rule_index import RuleIndex


def hook_sites(data: bytes, path: str, module: str, is_package: bool,
               index: RuleIndex) -> list[Violation]:
    wanted = []
    for rule in index.hook_rules:
        words = kind_of(rule).needles(rule)
        if not words or any(w.encode() in data for w in words):
            wanted.append(rule)
    if not wanted:
        return []
    import libcst as cst  # only files a hook concerns pay for libcst

    tree = cst.parse_module(data)
    package = module if is_package else module.rpartition(".")[0]
    found: list[Violation] = []
    for rule in wanted:
        if index.provides(module, rule.id):
            continue
        _, sites, _ = kind_of(rule).run(tree, rule, path, package)  # type: ignore[misc]
        found.extend(Violation(path, s.line, s.col, rule.id, s.kind, rule.old or rule.kind,
                               fixable=not s.reason, reason=s.reason, message=rule.message)
                     for s in sites)
    return found
