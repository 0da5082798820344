"""The rules of a run, arranged for the lookups detect and plan make on every file.

Picklable (it travels to the worker processes). ``is_candidate`` is the byte prefilter every
file goes through; ``line_words``/``home_words`` say which words make a line hot
(``tasks/hotspots.py``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from ..config import Rule
from ..config.kinds import kind_of


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
    # a hook rule (a kind outside this model, e.g. ``codemod``) without needles cannot be
    # prefiltered: plan runs it on every file, so detect must look at every file too
    every_file: bool = False
    hook_rules: tuple[Rule, ...] = ()  # found by their kind's hook (``detect/hooks.py``)
    # banned members: (their name, the last part of their module). A file can refer to
    # ``a.b.c.name`` only by spelling ``name`` and ``c`` as a word (``from a.b.c import name``,
    # ``import a.b.c``, ``from a.b import c``, ``from .c import``, a string import), or
    # through ``from . import name`` inside the package ``c``: see is_candidate
    member_needles: tuple[tuple[bytes, bytes], ...] = ()

    @classmethod
    def build(cls, rules: list[Rule] | tuple[Rule, ...]) -> RuleIndex:
        members: dict[str, str] = {}
        modules: dict[str, str] = {}
        needles: set[bytes] = set()  # alone enough to make a file a candidate
        names: set[bytes] = set()  # banned members' names: candidates with their module's
        hooks: list[Rule] = []
        every = False
        for rule in rules:
            kind = kind_of(rule)
            if not kind.semantic:
                hooks.append(rule)
                words = kind.needles(rule)
                needles.update(w.encode() for w in words)
                every = every or not words
                continue
            target = modules if rule.kind == "module" else members
            for name in rule.olds:
                target.setdefault(name, rule.id)
                (needles if rule.kind == "module" else names).add(
                    name.rsplit(".", 1)[-1].encode())
        homes = {n.rsplit(".", 1)[0].rsplit(".", 1)[-1].encode() for n in members}
        pairs = sorted({(n.rsplit(".", 1)[-1].encode(),
                         n.rsplit(".", 1)[0].rsplit(".", 1)[-1].encode()) for n in members})
        return cls(tuple(rules), members, modules, tuple(sorted(needles | names)),
                   tuple(sorted(homes - needles - names)), every, tuple(hooks), tuple(pairs))

    def is_candidate(self, data: bytes) -> bool:
        """Cheap byte test: could this file refer to a banned name at all?

        The answer of :meth:`candidate_by_every_needle`, with the scans ordered so that a
        typical file costs a few of them: a module rule's (or hook's) needles, then the words
        of the modules banned members live in; a member's name is looked for only where its
        module is a word, or where a relative import or a non-ASCII byte lets it bind anyway
        (or, for a string import, where it would rule the file out)."""
        if self.every_file:
            return True
        for needle in self._plain_needles:  # a plain loop: this runs on every file of the tree
            if needle in data:
                return True
        present = [home for home in self._homes if home in data]
        for home in present:  # the substring test first: the word pattern is slower
            if self._home_words[home].search(data) is not None and \
                    any(name in data for name in self._home_members[home]):
                return True
        named: bool | None = None  # whether a banned member's name is in the file
        if not data.isascii() or _FROM_PACKAGE.search(data) is not None:
            if any(name in data for name in self._member_names):
                return True
            named = False
        # what is left: a string import of a module banned members live in, by a file that
        # names none of them (one that does and got here cannot bind them)
        if not any(home in self._dynamic_homes for home in present) or \
                b"import_" not in data:  # in both import_module and __import__
            return False
        if b"import_module" not in data and b"__import__" not in data:
            return False
        if named is None:
            named = any(name in data for name in self._member_names)
        return not named

    def candidate_by_every_needle(self, data: bytes) -> bool:
        """The prefilter spelled out, one needle at a time (the slow twin of ``is_candidate``,
        which tests hold equal to it)."""
        if self.every_file:
            return True
        named = False
        for needle in self.needles:
            if needle in data:
                named = True
                break
        if named:
            return self._may_bind(data)
        if b"import_" not in data:
            return False
        if b"import_module" not in data and b"__import__" not in data:
            return False
        return any(home in data for home in self.home_needles)

    def _may_bind(self, data: bytes) -> bool:
        """A file that names a banned member must also name its module, unless it imports from
        a package relatively (``from . import name``) or has non-ASCII bytes (identifiers are
        equal under NFKC, so bytes cannot rule a spelling out)."""
        if not data.isascii():
            return True
        homes: set[bytes] = set()
        for needle in self.needles:
            if needle in data:
                if needle not in self._member_homes:
                    return True  # a module rule's or a codemod's needle
                homes |= self._member_homes[needle]
        if any(home in data and self._home_words[home].search(data) for home in sorted(homes)):
            return True
        return _FROM_PACKAGE.search(data) is not None

    @functools.cached_property
    def has_call_rules(self) -> bool:
        """Whether a ``call`` rule is among them (its context search reads whole scopes)."""
        return any(rule.kind == "call" for rule in self.rules)

    @functools.cached_property
    def _plain_needles(self) -> tuple[bytes, ...]:
        """Needles that are no banned member's name (module rules', hooks'): alone enough."""
        return tuple(n for n in self.needles if n not in self._member_homes)

    @functools.cached_property
    def _member_names(self) -> tuple[bytes, ...]:
        return tuple(sorted(self._member_homes))

    @functools.cached_property
    def _homes(self) -> tuple[bytes, ...]:
        """The last part of each module banned members live in; the longest (rarest) first."""
        return tuple(sorted({home for _, home in self.member_needles}, key=lambda h: (-len(h), h)))

    @functools.cached_property
    def _home_members(self) -> dict[bytes, tuple[bytes, ...]]:
        """The last part of a module -> the names of the members banned in it."""
        out: dict[bytes, list[bytes]] = {}
        for name, home in self.member_needles:
            out.setdefault(home, []).append(name)
        return {home: tuple(names) for home, names in out.items()}

    @functools.cached_property
    def _dynamic_homes(self) -> frozenset[bytes]:
        return frozenset(self.home_needles)

    @functools.cached_property
    def _member_homes(self) -> dict[bytes, set[bytes]]:
        """A banned member's name -> the last part of each module it is banned in."""
        out: dict[bytes, set[bytes]] = {}
        for name, home in self.member_needles:
            out.setdefault(name, set()).add(home)
        return out

    @functools.cached_property
    def _home_words(self) -> dict[bytes, re.Pattern[bytes]]:
        """Each module's last part as a whole word (``_text`` but not ``to_text``)."""
        # the literal first, the look-behind after it: the regex engine then skips ahead with a
        # fast literal search (a leading look-behind makes it try every byte)
        return {home: re.compile(re.escape(home) + rb"(?<![A-Za-z0-9_]" + re.escape(home)
                                 + rb")(?![A-Za-z0-9_])") for _, home in self.member_needles}

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

    @functools.cached_property
    def quiet_names(self) -> frozenset[bytes]:
        """Names (a rule's last part) whose bare use (``name(...)``, ``name[...]``) never
        makes a finding: every rule on that name is a ``move`` or a ``module`` rule that keeps
        it (``a.name`` -> ``b.name``). Such a rule reports imports, attribute chains
        (``x.name``), ``__all__``, star imports and string imports, never a bare name
        (``FileAnalyzer._use``; ``_renamed_in_string`` only for a rule that renames), so only
        where those can be does the name make a line hot (``hotspots._loud_offsets``)."""
        return self._quiet[0]

    @functools.cached_property
    def quiet_modules(self) -> frozenset[bytes]:
        """The quiet names that are a module rule's: also hot before ``import`` (``from name
        import x``) and right after a quote (``import_module('name')``)."""
        return self._quiet[1]

    @functools.cached_property
    def _quiet(self) -> tuple[frozenset[bytes], frozenset[bytes]]:
        quiet: set[str] = set()
        modules: set[str] = set()
        loud: set[str] = set()
        for rule in self.rules:
            kind = kind_of(rule)
            if not kind.semantic:
                loud.update(kind.needles(rule))  # a hook's needles: left hot
                continue
            for old in rule.olds:
                last = old.rsplit(".", 1)[-1]
                keeps = rule.kind in ("move", "module") and \
                    rule.new.rsplit(".", 1)[-1] == last
                (quiet if keeps else loud).add(last)
                if rule.kind == "module":
                    modules.add(last)
        names = frozenset(n.encode() for n in quiet - loud)
        return names, frozenset(n.encode() for n in modules) & names

    @functools.cached_property
    def aliases_matter(self) -> bool:
        """Whether a name bound by ``... as name`` can be a finding where it is used: only a
        ``call`` rule reports a bare use (``import a.f as g; g()``); a move or module rule's
        findings through an alias spell the banned name (``g.name``) or are its import."""
        return any(rule.kind == "call" for rule in self.rules)

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


# ``from . import x``, ``from .. import x``, ``from.import x`` (any whitespace, form feeds and
# backslash continuations between the parts, as the tokenizer allows)
_FROM_PACKAGE = re.compile(rb"from[\s\\]*\.[\s.\\]*import")
