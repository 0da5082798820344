"""``codemod``: a custom libcst codemod, bundled (``phasegate.codemods``) or the project's own
(``[project] codemods``), named by ``codemod = "<id>"`` and given ``options``.

Outside the shared semantic model: its sites are whatever the codemod reports when run on the
file (:func:`phasegate.rewrite.codemods.run_codemod`), for detect and plan alike. ``needles``
(or the last part of ``old``) let the byte prefilter skip files; with neither, every file of
the phase is looked at. The examples live in each codemod's module.
"""

from __future__ import annotations

from ...config import Rule
from ...config.kinds import KINDS, RuleInput, RuleKind
from ...config.problems import suggest
from ..codemods import names as bundled_names
from ..codemods import project_files, run_codemod
from ..model import Example


def build(r: RuleInput) -> Rule:
    old = r.name("old")
    new = r.name("new")
    message = r.string("message")
    name = r.string("codemod", required=True)
    options = r.table("options")
    needles = r.strings("needles")
    path = ""
    if name:
        project = project_files(r.codemods_dir) if r.codemods_dir else {}
        known = sorted(set(bundled_names()) | set(project))
        if name in project:
            path = str(project[name])
        elif name not in known:
            r.problem("codemod", f"unknown codemod '{name}'{suggest(name, known)}"
                      f" (available: {', '.join(known) or 'none'})")
    return Rule(id=r.rule_id, kind="codemod", old=old, new=new, message=message, codemod=name,
                codemod_path=path, options=tuple(options.items()), needles=needles)


def needles(rule: Rule) -> tuple[str, ...]:
    return rule.needles + ((rule.old.rsplit(".", 1)[-1],) if rule.old else ())


_RULE = {"kind": "codemod", "codemod": "rename_kwarg", "old": "ws.factory.create_manager",
         "options": {"keyword": "ctx", "to": "user_context"}}
EXAMPLES: dict[str, Example] = {  # each codemod's own examples live in its module
    "codemod-runs-with-options": Example(
        _RULE, "import ws.factory\nws.factory.create_manager(ctx=c)\n",
        "import ws.factory\nws.factory.create_manager(user_context=c)\n"),
    "codemod-reports-for-a-person": Example(
        _RULE, "from ws.factory import create_manager as mk\nmk(ctx=1, user_context=2)\n",
        "from ws.factory import create_manager as mk\nmk(ctx=1, user_context=2)\n",
        manual=("passes both 'ctx' and 'user_context'",)),
}
KINDS.register(RuleKind("codemod", ("codemod", "old", "new", "message", "options", "needles"),
                        build, EXAMPLES, run=run_codemod, needles=needles))
