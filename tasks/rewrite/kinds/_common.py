"""What the built-in kinds share when a ``[rules.<id>]`` table is validated."""

from __future__ import annotations

from ...config.kinds import RuleInput
from ...config.model import Rule


def moved_rule(r: RuleInput, kind: str) -> Rule:
    """``old``, ``new``, ``message`` and ``aliases``: what ``move`` and ``module`` rules hold."""
    old = r.name("old", required=True)
    new = r.name("new", required=True)
    aliases = r.names("aliases")
    return Rule(id=r.rule_id, kind=kind, old=old, new=new, message=r.string("message"),
                aliases=aliases)
