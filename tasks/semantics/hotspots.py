"""Where in a file a reference to a deprecated name can be: its hot offsets and lines.

Only statements on hot lines are visited, and only top-level statements holding a hot offset
(and what they need) are parsed (``tasks/chunks.py``). A reference always spells one of: a
rule's last name, the module a banned member lives in (a string import), a star import, or an
alias bound by ``... as name``.
"""

from __future__ import annotations

import re

from .chunks import is_word_byte, word_offsets
from .rule_index import RuleIndex

_LINE_SPLIT = re.compile(rb"\r\n|\r|\n")


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
        found.update(word_offsets(data, word, bounded=False))
    if b"import_" in data:  # import_module / __import__: a string import may split its module
        for word in index.home_words:  # over lines ("a." "b"), so its last part is hot too
            found.update(word_offsets(data, word))
    for name in _aliases(data):
        found.update(word_offsets(data, name))
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
