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

from ..detect.engine import _PARALLEL_MIN, MAX_BYTES, _pool, _read
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

Item = tuple[str, str, int, tuple[str, ...], tuple[bytes, ...], "re.Pattern[bytes] | None"]


def scan(root: str, files: dict[str, int], src: tuple[str, ...], needles: tuple[bytes, ...],
         pool: Executor | None, workers: int,
         shape: re.Pattern[bytes] | None = None) -> list[FileFacts]:
    """Facts of every file (path -> size) that contains one of ``needles`` (and, when given,
    matches ``shape``)."""
    items: list[Item] = [(root, rel, size, src, needles, shape) for rel, size in files.items()]
    if pool is None or workers <= 1 or len(items) < _PARALLEL_MIN:
        results: Iterable[list[FileFacts]] = [_scan_batch(items)]
    else:
        chunk = max(16, len(items) // (workers * 32))
        results = pool.map(_scan_batch, [items[i:i + chunk] for i in range(0, len(items), chunk)])
    return [facts for batch in results for facts in batch]


def make_pool(workers: int, files: int) -> Executor | None:
    return _pool(workers) if workers > 1 and files >= _PARALLEL_MIN else None


def _scan_batch(items: list[Item]) -> list[FileFacts]:
    """Read, prefilter and parse files (in a worker). Never raises for a bad file."""
    out = []
    for root, rel, size, src, needles, shape in items:
        module, is_pkg = module_name(rel, src)
        try:
            data = _read(os.path.join(root, rel), size)
        except OSError as exc:
            out.append(FileFacts(rel, module, "", problem=f"unreadable: {exc.strerror}"))
            continue
        if len(data) > MAX_BYTES or not any(n in data for n in needles):
            continue
        if shape is not None and not _shaped(data, needles, shape):
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


_BEFORE, _AFTER = 480, 48  # a marker's shape begins at most this far before "deprecat"
