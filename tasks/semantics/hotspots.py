"""Where in a file a reference to a deprecated name can be: its hot offsets and lines.

Only statements on hot lines are visited, and only top-level statements holding a hot offset
(and what they need) are parsed (``tasks/chunks.py``). A reference always spells one of: a
rule's last name, the module a banned member lives in (a string import), a star import, or an
alias bound by ``... as name``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from .chunks import is_word_byte, non_ascii_strings, word_offsets
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
    stars = [m.start() for m in _STAR_IMPORT.finditer(data)] if b"*" in data else []
    quiet = index.quiet_names if not stars else frozenset()  # a star import: every use counts
    for word in index.line_words:
        if word in quiet:
            found.update(_loud_offsets(data, word, module=word in index.quiet_modules))
        else:
            found.update(word_offsets(data, word, bounded=False))
    if b"import_" in data:  # import_module / __import__: a string import may split its module
        for word in index.home_words:  # over lines ("a." "b"), so its last part is hot too
            found.update(word_offsets(data, word))
    if index.aliases_matter:
        for name in _aliases(data):
            found.update(word_offsets(data, name))
    found.update(stars)
    return sorted(found)


# What may stand before a name that is then surely no attribute (``x.name``): the end of a
# word (a keyword, or the name is part of a longer one), an operator, or a quote (the name
# starts a string's text: for a quiet name, even a type annotation's). Anything else (a dot,
# a line break, a backslash, a closing bracket, the start of the file) keeps it hot.
_NOT_AFTER_DOT = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
                           b"([{,=:+-*/%<>!&|^~@;'\"")
_BLANKS = frozenset(b" \t")
_QUOTES = frozenset(b"'\"")
_CALL_OR_SUBSCRIPT = frozenset(b"([")  # after a name, never in an import statement
# every byte an import statement holds between ``import`` and a name it imports, but a
# comment's (a line holding a ``#`` keeps the name hot) and a line break (crossed line by line)
_IN_IMPORTS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
                        b" \t\f\r,()\\.")
_IMPORT = re.compile(rb"(?<![A-Za-z0-9_])import(?![A-Za-z0-9_])")


def _loud_offsets(data: bytes, word: bytes, *, module: bool = False) -> Iterator[int]:
    """Where a quiet name (``RuleIndex.quiet_names``) can make a finding: at an attribute
    (after a dot) or in an import statement; a module's name also before ``import`` and in a
    string (a string import). Every other occurrence is cold: inside a longer word, on a
    comment line, or surely after no dot and then either called or subscripted (``name(``,
    ``name[``) or in no import. Conservative: any doubt keeps it hot."""
    at = data.find(word)
    size = len(data)
    while at >= 0:
        end = at + len(word)
        if (at and is_word_byte(data[at - 1])) or (end < size and is_word_byte(data[end])):
            pass  # part of a longer name
        elif _comment_line(data, at):
            pass
        elif not _bare(data, at, quoted=not module):
            yield at
        elif end < size and data[end] in _CALL_OR_SUBSCRIPT:
            pass
        elif _maybe_imported(data, at) or (module and _import_follows(data, end)):
            yield at
        at = data.find(word, end)


def _comment_line(data: bytes, at: int) -> bool:
    """Whether ``at`` is on a line that starts (past spaces and tabs) with ``#``: a comment,
    or a line of a multi-line string; a name there is no code either way."""
    start = data.rfind(b"\n", 0, at) + 1
    return data[start:at].lstrip(b" \t").startswith(b"#")


def _maybe_imported(data: bytes, at: int) -> bool:
    """Whether the name at ``at`` may be in an import statement: going back from it over
    bytes an import holds between ``import`` and its names (``_IN_IMPORTS``), line by line,
    the word ``import`` comes before any other byte; or a line crossed holds a ``#``, or the
    start of the file is reached."""
    pos = at
    while True:
        before = pos - 1
        while before >= 0 and data[before] in _IN_IMPORTS:
            before -= 1
        if _IMPORT.search(data, before + 1, pos) is not None or before < 0:
            return True
        if data[before] != 0x0A:
            return False  # a byte no import statement holds there: '=', ':', a quote, ...
        start = data.rfind(b"\n", 0, before) + 1
        if data.find(b"#", start, before) >= 0:
            return True
        pos = before


def _import_follows(data: bytes, end: int) -> bool:
    """Whether the word ``import`` follows the name ending at ``end`` with only bytes of an
    import statement between (``from name import x``, ``from name.sub \\`` ``import x``)."""
    size = len(data)
    after = end
    while after < size:
        if data[after] in _IN_IMPORTS:
            after += 1
        elif data[after] == 0x0A and data[end:after].rstrip(b" \t\r").endswith(b"\\"):
            after += 1  # a backslash continuation
        else:
            break
    return _IMPORT.search(data, end, after) is not None


def _bare(data: bytes, at: int, *, quoted: bool = True) -> bool:
    """Whether the name at ``at`` surely follows no dot: the last byte before it, past spaces
    and tabs, ends a word or is an operator (see ``_NOT_AFTER_DOT``), or with ``quoted`` is
    a quote. At the start of a line, the end of the line before decides, unless that line
    holds a ``#`` (its end may be a comment after a dot) or ends in a backslash."""
    before = at - 1
    while before >= 0 and data[before] in _BLANKS:
        before -= 1
    if before >= 0 and not quoted and data[before] in _QUOTES:
        return False
    if before < 0 or data[before] != 0x0A:
        return before >= 0 and data[before] in _NOT_AFTER_DOT
    start = data.rfind(b"\n", 0, before) + 1
    if data.find(b"#", start, before) >= 0:
        return False
    before -= 1
    if before >= 0 and data[before] == 0x0D:
        before -= 1
    while before >= start and data[before] in _BLANKS:
        before -= 1
    return before >= start and data[before] in _NOT_AFTER_DOT


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


def annotation_strings(data: bytes, index: RuleIndex) -> list[int] | None:
    """Where the one-line strings that may be a type annotation naming a rule's name start
    (:func:`naming_strings`); None when a non-ASCII byte may be in code (an identifier)."""
    if data.isascii():
        return []
    texts = non_ascii_strings(data)
    return naming_strings(data, texts, index) if texts else texts


def naming_strings(data: bytes, starts: list[int], index: RuleIndex) -> list[int]:
    """Of the one-line strings with non-ASCII text starting at ``starts`` (``non_ascii_strings``
    of a UTF-8 file), those that may be a type annotation naming a rule's name: Python reads an
    annotation's names under NFKC, so only a string whose NFKC text holds a word that makes
    a line hot (a needle, a banned member's module, an alias) can, or one a concatenation or
    an escape may complete (strings side by side, an escape such as ``\\x61``, or a character
    NFKC reads as ASCII). The rest (box drawing, accents, emoji in messages) cannot, and
    their lines stay cold."""
    words = set(index.line_words) | set(index.home_words)
    if index.aliases_matter:
        words.update(_nfkc(alias) for alias in _aliases(data))
    spelled = frozenset(chr(byte) for word in words for byte in word  # their letters
                        if is_word_byte(byte))
    out: list[int] = []
    for start in starts:
        end = data.find(b"\n", start)
        line = data[data.rfind(b"\n", 0, start) + 1:len(data) if end < 0 else end]
        if _JOINED.search(line) or any(word in _nfkc(line) for word in words) or \
                _reads_as(line, spelled):
            out.append(start)
    return out


def _reads_as(line: bytes, spelled: frozenset[str]) -> bool:
    """Whether a non-ASCII character of ``line`` reads, under NFKC, as a character the hot
    words are spelled with (a fullwidth ``Ｇ``, a ligature ``ﬁ``): it may then complete a
    name with what a concatenated string or an escape adds, which the search for words
    cannot see. (A superscript digit, read as a digit no hot word holds, cannot.)"""
    text = line.decode("utf-8", "surrogateescape")
    return any(not char.isascii() and not spelled.isdisjoint(unicodedata.normalize("NFKC", char))
               for char in text)


# strings side by side (implicitly joined), or an escape that may write a name's character
_JOINED = re.compile(rb"""['"][ \t\f]*[rRuUbBfF]{0,2}['"]|\\[xuUN0-7]""")


def _nfkc(text: bytes) -> bytes:
    return unicodedata.normalize("NFKC", text.decode("utf-8", "surrogateescape")).encode(
        "utf-8", "surrogateescape")


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
