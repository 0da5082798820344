"""Every marker kind, and the rule suggest proposes for it (one row each)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from phasegate.suggest.propose import METHOD_REASON

from .conftest import Run

NEW = {
    "pkg/__init__.py": "",
    "pkg/modern.py": """\
        def fresh(a, b=1):
            return a + b


        class Fresh:
            def __init__(self, user_context=None, token=None):
                self.user_context = user_context


        class NewName:
            pass


        def make_token(ctx):
            return str(ctx)
        """,
}


@dataclass(frozen=True)
class Case:
    id: str
    source: str  # pkg/old.py
    old: str
    want: dict[str, Any]
    reason: str = ""  # a part of the reason, when new is empty
    extra: dict[str, str] = field(default_factory=dict)


CASES = [
    Case("pep702-typing-extensions", """\
        from typing_extensions import deprecated

        @deprecated("use pkg.modern.fresh instead")
        def stale(a, b=1):
            return a + b
        """, "pkg.old.stale",
         {"kind": "move", "new": "pkg.modern.fresh", "confidence": "high", "marker": "decorator"}),
    Case("pep702-warnings-module", """\
        import warnings

        from pkg.modern import Fresh

        @warnings.deprecated("Stale is deprecated; use Fresh")
        class Stale:
            pass
        """, "pkg.old.Stale",
         {"kind": "move", "new": "pkg.modern.Fresh", "confidence": "high", "target": "class"}),
    Case("warn-at-function-top", """\
        import warnings

        def stale(a, b=1):
            warnings.warn("stale() is deprecated, use pkg.modern.fresh instead",
                          DeprecationWarning, stacklevel=2)
            return a - b
        """, "pkg.old.stale",
         {"kind": "move", "new": "pkg.modern.fresh", "confidence": "medium",
          "marker": "warning", "params": ["a", "b"]}),
    Case("warn-in-class-init", """\
        from warnings import warn

        from .modern import NewName

        class OldName:
            def __init__(self):
                warn(f"{type(self).__name__} is deprecated; use NewName", DeprecationWarning)
        """, "pkg.old.OldName",
         {"kind": "move", "new": "pkg.modern.NewName", "target": "class",
          "confidence": "medium"}),
    Case("wrapper-same-signature", """\
        import warnings

        from pkg.modern import fresh

        def stale(a, b=1):
            warnings.warn("stale is deprecated", DeprecationWarning)
            return fresh(a, b)
        """, "pkg.old.stale",
         {"kind": "move", "new": "pkg.modern.fresh", "confidence": "high", "marker": "wrapper"}),
    Case("wrapper-star-args", """\
        import warnings

        from pkg import modern

        def stale(*args, **kwargs):
            warnings.warn("stale is deprecated", DeprecationWarning)
            return modern.fresh(*args, **kwargs)
        """, "pkg.old.stale", {"kind": "move", "new": "pkg.modern.fresh", "marker": "wrapper"}),
    Case("wrapper-maps-by-name", """\
        import warnings

        from pkg.modern import Fresh, make_token

        def stale(ctx):
            warnings.warn("stale is deprecated", DeprecationWarning)
            return Fresh(user_context=ctx, token=make_token(ctx))
        """, "pkg.old.stale",
         {"kind": "call", "new": "pkg.modern.Fresh", "params": ["ctx"],
          "arguments": [("user_context", "{ctx}"), ("token", "make_token({ctx})")],
          "imports": ["pkg.modern.make_token"]}),
    Case("wrapper-does-more-clear-mapping", """\
        import logging
        import warnings

        from pkg.modern import Fresh

        def stale(ctx):
            warnings.warn("stale is deprecated", DeprecationWarning)
            logging.getLogger(__name__).info("stale called")
            return Fresh(user_context=ctx)
        """, "pkg.old.stale",
         {"kind": "call", "new": "pkg.modern.Fresh", "arguments": [("user_context", "{ctx}")]}),
    Case("wrapper-does-more-unclear", """\
        import warnings

        from pkg.modern import fresh

        def stale(x):
            warnings.warn("stale is deprecated", DeprecationWarning)
            doubled = x * 2
            return fresh(doubled)
        """, "pkg.old.stale", {"kind": "move", "new": "", "confidence": "medium"},
         reason="the wrapper does more than forward: it computes doubled"),
    Case("message-shows-the-call", """\
        import warnings

        def make(user_context=None):
            warnings.warn("make() is deprecated: use Fresh(user_context=user_context) instead",
                          DeprecationWarning)
            return None
        """, "pkg.old.make",
         {"kind": "call", "new": "pkg.modern.Fresh", "params": ["user_context"],
          "arguments": [("user_context", "{user_context}")]}),
    Case("message-elides-arguments", """\
        import warnings

        def make(user_context=None):
            warnings.warn("deprecated: use Fresh(user_context=...)", DeprecationWarning)
        """, "pkg.old.make", {"new": ""}, reason="elides the argument"),
    Case("message-names-no-importable-class", """\
        import warnings

        def make():
            warnings.warn("make is deprecated, use GhostManager instead", DeprecationWarning)
        """, "pkg.old.make", {"kind": "move", "new": ""},
         reason="'GhostManager' is neither imported in the file nor defined in the project"),
    Case("message-names-missing-attribute", """\
        import warnings

        def make():
            warnings.warn("deprecated; use pkg.modern.nothing_here", DeprecationWarning)
        """, "pkg.old.make", {"new": ""}, reason="pkg.modern has no 'nothing_here'"),
    Case("message-names-a-module-for-a-function", """\
        import warnings

        def make():
            warnings.warn("deprecated; use pkg.modern instead", DeprecationWarning)
        """, "pkg.old.make", {"new": ""}, reason="a module, which cannot replace the function"),
    Case("alias-relative-import", """\
        from .modern import NewName

        OldName = NewName  # deprecated: kept for compatibility
        """, "pkg.old.OldName",
         {"kind": "move", "new": "pkg.modern.NewName", "target": "alias", "marker": "alias",
          "confidence": "high"}),
    Case("alias-comment-above", """\
        from .. import pkg as _pkg
        from . import modern

        # Deprecated alias, use modern.fresh
        stale = modern.fresh
        """, "pkg.old.stale", {"kind": "move", "new": "pkg.modern.fresh", "marker": "alias"}),
    Case("type-checking-and-try-blocks", """\
        from typing import TYPE_CHECKING

        try:
            from warnings import deprecated
        except ImportError:
            from typing_extensions import deprecated

        if TYPE_CHECKING:
            from pkg.modern import Fresh

        try:
            @deprecated("Use Fresh")
            class Stale:
                pass
        except Exception:
            pass
        """, "pkg.old.Stale", {"kind": "move", "new": "pkg.modern.Fresh", "marker": "decorator"}),
    Case("deprecated-method", """\
        from typing_extensions import deprecated

        class Service:
            @deprecated("use run() instead")
            def start(self):
                return self.run()

            def run(self):
                return 1
        """, "pkg.old.Service.start",
         {"kind": "", "new": "", "target": "method", "confidence": "high"}, reason=METHOD_REASON),
    Case("getattr-shim", """\
        import warnings

        def __getattr__(name):
            if name == "Legacy":
                warnings.warn("Importing Legacy from pkg.old is deprecated", DeprecationWarning)
                from pkg.modern import NewName
                return NewName
            raise AttributeError(name)
        """, "pkg.old.Legacy",
         {"kind": "move", "new": "pkg.modern.NewName", "target": "attribute",
          "marker": "getattr", "confidence": "high"}),
    Case("module-warns-and-reexports", """\
        import warnings

        from pkg.modern import *  # noqa: F403

        warnings.warn("pkg.old is deprecated", DeprecationWarning, stacklevel=2)
        """, "pkg.old",
         {"kind": "module", "new": "pkg.modern", "target": "module",
          "marker": "module-warning", "confidence": "medium"}),
    Case("module-docstring", '''\
        """DEPRECATED: this module moved to ``pkg.modern``."""

        from pkg.modern import fresh
        ''', "pkg.old",
         {"kind": "module", "new": "pkg.modern", "confidence": "low", "marker": "docstring"}),
    Case("function-docstring-only", '''\
        def stale():
            """Deprecated: use pkg.modern.fresh instead."""
        ''', "pkg.old.stale",
         {"kind": "move", "new": "pkg.modern.fresh", "confidence": "low"}),
    Case("reexported-in-package-init", """\
        from typing_extensions import deprecated

        @deprecated("use pkg.modern.fresh")
        def stale():
            pass
        """, "pkg.old.stale",
         {"kind": "move", "new": "pkg.modern.fresh", "aliases": ["pkg.sub.stale"]},
         extra={"pkg/sub/__init__.py": "from pkg.old import stale\n"}),
]


def _got(sugg: Any, key: str) -> Any:
    if key == "marker":
        return sugg.evidence[0].marker
    return getattr(sugg, key)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_marker_to_rule(suggested: Run, case: Case) -> None:
    found = suggested({**NEW, "pkg/old.py": case.source, **case.extra})
    assert case.old in found, sorted(found)
    sugg = found[case.old]
    assert {k: _got(sugg, k) for k in case.want} == case.want
    if case.reason:
        assert case.reason in sugg.reason
    elif sugg.new:
        assert sugg.reason == ""
    assert sugg.evidence[0].path == "pkg/old.py"


def test_prose_that_mentions_deprecation_is_no_marker(suggested: Run) -> None:
    found = suggested({**NEW, "pkg/old.py": '''\
        """Helpers for the migration off the deprecated factory."""

        def check():
            """Whether two calls share a manager (the deprecated behaviour)."""
            message = "the old factory is deprecated"
            return message
        '''})
    assert found == {}
