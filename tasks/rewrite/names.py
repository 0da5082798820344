"""The alias policy: which name a new spelling may use.

A name is *free* for a qualified name when every binding of it anywhere in the file (module,
function, class, comprehension scopes) is an import of exactly that qualified name, or when the
file neither binds nor spells it (so no scope can see another meaning). Checking the whole file
is stricter than checking each scope where the name is used, never looser. When the natural
name is not free, a fresh, readable alias is made from where the name comes from
(``c.d.G`` -> ``d_G``, then ``d_G_2``, ...): never the deprecated name, never a name bound or
spelled in the file, never one already handed out for another qualified name.
"""

from __future__ import annotations

from .scan import FileScan


class Namer:
    def __init__(self, scan: FileScan) -> None:
        self.scan = scan
        self.given: dict[str, str] = {}  # fresh alias -> the qualified name it stands for

    def free(self, name: str, full: str) -> bool:
        if name in self.given:
            return self.given[name] == full
        if name in self.scan.reads.other_bound:  # bound other than by an import somewhere
            return False
        bound = self.scan.import_bound.get(name)
        if bound is not None:
            return bound == {full}
        return name not in self.scan.taken

    def head_free(self, module: str, dropped: tuple[str, str] = ("", "")) -> bool:
        """``import a.b.c`` binds ``a``: can ``a.b.c.X`` be spelled in this file? ``dropped``
        is (local, qualified) of an import the rewrite removes: its name is free then."""
        head = module.split(".")[0]
        if head == dropped[0] and self.free(head, dropped[1]):
            return True
        return self.free(head, head)

    def fresh(self, full: str, avoid: str = "") -> str:
        """A readable alias for ``full`` free in the whole file (and not ``avoid``, the
        deprecated local name)."""
        parts = full.split(".")
        base = "_".join(parts[-2:]) if len(parts) > 1 else f"{parts[0]}_"
        name, n = base, 1
        while name == avoid or not self.free(name, full) or name in self.scan.taken:
            n += 1
            name = f"{base}_{n}"
        self.given[name] = full
        return name
