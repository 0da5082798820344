"""The two scans of suggest, over the same discovery, reader and process pool as detect.

Pass 1 reads every file and parses those that mention a deprecation (``deprecat`` in any case);
pass 2 parses the files that mention names the first pass could not place (a replacement named
in a message, a deprecated object re-exported elsewhere).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from concurrent.futures import Executor

from ..detect.scan import MAX_BYTES, PARALLEL_MIN, read_file, worker_pool
from ..discover import module_name
from .markers import file_facts
from .model import FileFacts

# "deprecat" in every case real code writes it: deprecated, Deprecated, DEPRECATED, deprecation
MARKER_NEEDLES = (b"eprecat", b"EPRECAT")
# ... and then the shape of a marker (a superset of what markers.py accepts), so prose that only
# mentions a deprecation (an option's documentation) is not parsed
MARKER_SHAPES = re.compile(
    rb"@[\w.]*deprecated"  # a decorator
    rb"|\w+Deprecat\w*|Deprecat\w*Warning|FutureWarning"  # a warning category
    rb"|(?i:\w*(?:deprecat\w*warn|warn\w*deprecat)\w*\s*\()"  # a warn_deprecated(...) helper
    rb"|(?is:\bwarn\w*\(.{0,400}?deprecat)"  # warn("... deprecated ...")
    rb"|(?m:^\s*[rRbBuU]?(?:\"\"\"|\'\'\')?\s*(?:\.\. deprecated::|Deprecated\b))|DEPRECATED"
    rb"|(?i:(?:this|the)\s+(?:function|class|module|method|alias)\s+is\s+deprecated)"
    rb"|(?i:=[^\n#]*#[^\n]*deprecat)|(?i:#[^\n]*deprecat[^\n]*\n\s*\w+\s*=)")  # an alias

# pass 2's test: names whose definition is wanted, names whose import (a re-export) is wanted
Lines = tuple[tuple[bytes, ...], tuple[bytes, ...]]
Item = tuple[str, str, int, tuple[str, ...], tuple[bytes, ...], "re.Pattern[bytes] | Lines"]


def scan(root: str, files: dict[str, int], src: tuple[str, ...], needles: tuple[bytes, ...],
         pool: Executor | None, workers: int,
         shape: re.Pattern[bytes] | Lines) -> list[FileFacts]:
    """Facts of every file (path -> size) that contains one of ``needles`` and matches
    ``shape`` near it: a regex, or pass 2's :data:`Lines`."""
    items: list[Item] = [(root, rel, size, src, needles, shape) for rel, size in files.items()]
    if pool is None or workers <= 1 or len(items) < PARALLEL_MIN:
        results: Iterable[list[FileFacts]] = [_scan_batch(items)]
    else:
        chunk = max(16, len(items) // (workers * 32))
        results = pool.map(_scan_batch, [items[i:i + chunk] for i in range(0, len(items), chunk)])
    return [facts for batch in results for facts in batch]


def make_pool(workers: int, files: int) -> Executor | None:
    return worker_pool(workers) if workers > 1 and files >= PARALLEL_MIN else None


def _scan_batch(items: list[Item]) -> list[FileFacts]:
    """Read, prefilter and parse files (in a worker). Never raises for a bad file."""
    out = []
    for root, rel, size, src, needles, shape in items:
        module, is_pkg = module_name(rel, src)
        try:
            data = read_file(os.path.join(root, rel), size)
        except OSError as exc:
            out.append(FileFacts(rel, module, "", problem=f"unreadable: {exc.strerror}"))
            continue
        if len(data) > MAX_BYTES or not any(n in data for n in needles):
            continue
        if not (_shaped(data, needles, shape) if isinstance(shape, re.Pattern)
                else _defines_or_imports(data, shape[0],
                                         shape[1] if _reexporter(rel, data) else ())):
            continue
        try:
            out.append(file_facts(data, rel, module, is_pkg))
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the scan
            out.append(FileFacts(rel, module, "", problem=f"analysis failed: {exc!r}"))
    return out


def _shaped(data: bytes, needles: tuple[bytes, ...], shape: re.Pattern[bytes]) -> bool:
    """Whether ``shape`` matches near an occurrence of a needle: the regex runs on a short
    window around each one, never over the whole file."""
    for needle in needles:
        start = data.find(needle)
        while start >= 0:
            if shape.search(data, max(0, start - _BEFORE), start + _AFTER):
                return True
            start = data.find(needle, start + _AFTER)
    return False


def _reexporter(rel: str, data: bytes) -> bool:
    """Only a package ``__init__`` or a module with ``__all__`` re-exports (markers.py)."""
    return rel.endswith("__init__.py") or b"__all__" in data


def _defines_or_imports(data: bytes, defined: tuple[bytes, ...],
                        imported: tuple[bytes, ...]) -> bool:
    """Whether a line defines one of ``defined`` (``def``/``class`` it, or assign it at the
    start of a line) or imports one of ``imported``: plain byte tests, line by line of the
    occurrences only."""
    for needle, wanted in [*((n, True) for n in defined), *((n, False) for n in imported)]:
        start = data.find(needle)
        while start >= 0:
            begin = data.rfind(b"\n", 0, start) + 1
            end = data.find(b"\n", start)
            line = data[begin:end if end >= 0 else len(data)]
            if wanted:
                before = line[:start - begin].strip()
                after = line[start - begin + len(needle):]
                word_ends = not (after[:1].isalnum() or after[:1] == b"_")
                if word_ends and before in (b"def", b"class", b"async def"):
                    return True
                after = after.lstrip()
                if begin == start and after[:1] in (b"=", b":") and after[:2] != b"==":
                    return True
            elif b"import" in line:
                return True
            start = data.find(needle, end if end >= 0 else len(data))
    return False


_BEFORE, _AFTER = 480, 48  # a marker's shape begins at most this far before "deprecat"
