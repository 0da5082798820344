"""Whether a source file decodes: one check that detect and plan share.

CPython refuses a source file with one undecodable byte anywhere, a comment included, so such a
file is reported as a per-file outcome ("undecodable", with the byte offset) by both detect and
plan, instead of passing detect's partial parse and failing plan with a raw exception.
"""

from __future__ import annotations

import io
import tokenize


def undecodable(data: bytes) -> str:
    """Why ``data`` cannot be decoded with its own encoding ('' when it can)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # a bad coding cookie, or a BOM that contradicts it
        return f"undecodable: {exc.msg if hasattr(exc, 'msg') else exc}"
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return (f"undecodable: byte 0x{data[exc.start]:02x} at offset {exc.start} is not "
                f"valid {exc.encoding}")
    except LookupError:
        return f"undecodable: unknown encoding '{encoding}'"
    return ""
