"""A real corpus: pinned wheels of large pure-Python projects from the package registry, unpacked
side by side into one git tree, with rules on deprecations those projects really carry.

    python benchmarks/corpus.py OUT          # builds OUT (about 16k .py files, 190 MB)

The wheels are downloaded once into ``OUT/../wheels`` (``pip download --no-deps``, exact
versions) and only their ``.py`` files and licences are unpacked. The tree is committed to git,
as phasegate and ruff both expect a repository. ``phases.toml`` and ``ruff.toml`` ban the same
names, so detect and ruff's banned-api rule (TID251) answer the same question:

* ansible's ``module_utils._text`` helpers, deprecated for ``module_utils.common.text.converters``
  (ansible-core's porting guides), and ``module_utils.common._collections_compat``, deprecated for
  ``collections.abc``;
* ``typing`` aliases of ``collections.abc`` (PEP 585; ruff's UP035), and ``mock`` for
  ``unittest.mock`` (ruff's UP026).

Generated trees (generate.py) show how cost grows; this tree is what real code looks like: big
modules, coding cookies, non-ASCII docstrings, Python 2 leftovers, common words as names.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import zipfile
from pathlib import Path

WHEELS = (("ansible", "10.7.0"), ("Django", "5.1.4"), ("sympy", "1.13.3"))
FORMAT = "corpus-1"  # bump when the tree or its rules change

TEXT = "ansible.module_utils._text"
CONVERTERS = "ansible.module_utils.common.text.converters"
COMPAT = "ansible.module_utils.common._collections_compat"
ABC_NAMES = ("Mapping", "MutableMapping", "Sequence", "Iterable", "Callable", "Set")


def moves() -> list[tuple[str, str, str]]:
    """(rule id, old, new) for every move rule of the corpus."""
    out = [(f"text-{n}", f"{TEXT}.{n}", f"{CONVERTERS}.{n}")
           for n in ("to_native", "to_text", "to_bytes")]
    out += [(f"compat-{n.lower()}", f"{COMPAT}.{n}", f"collections.abc.{n}") for n in ABC_NAMES]
    out += [(f"typing-{n.lower()}", f"typing.{n}", f"collections.abc.{n}") for n in ABC_NAMES]
    return out


def phases_toml() -> str:
    lines = ['[project]\nroot = "."\n']
    for rule_id, old, new in moves():
        lines.append(f'[rules.{rule_id}]\nkind = "move"\nold = "{old}"\nnew = "{new}"\n')
    lines.append('[rules.mock]\nkind = "module"\nold = "mock"\nnew = "unittest.mock"\n')
    ids = [r for r, _, _ in moves()] + ["mock"]
    lines.append('[phases.p0]\ntitle = "the whole corpus"\nfiles = ["**"]\n'
                 f"rules = {ids!r}\n".replace("'", '"') + 'gates = ["syntax"]\n')
    return "\n".join(lines)


def ruff_toml() -> str:
    banned = [f'"{old}".msg = "use {new}"' for _, old, new in moves()]
    banned.append('"mock".msg = "use unittest.mock"')
    return ("[lint.flake8-tidy-imports.banned-api]\n" + "\n".join(banned) + "\n")


def download(cache: Path) -> list[Path]:
    cache.mkdir(parents=True, exist_ok=True)
    wanted = [f"{name}=={version}" for name, version in WHEELS]
    found = [next(iter(cache.glob(f"{name}-{version}-*.whl")), None) for name, version in WHEELS]
    if any(w is None for w in found):
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary", ":all:", "-d", str(cache), *wanted], check=True)
        found = [next(iter(cache.glob(f"{n}-{v}-*.whl"))) for n, v in WHEELS]
    return [w for w in found if w is not None]


def unpack(wheel: Path, out: Path) -> int:
    """The wheel's .py files and licences under ``out/<distribution>/``; returns the .py count."""
    dest = out / wheel.name.split("-")[0].lower()
    count = 0
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            keep = name.endswith(".py") or "LICENSE" in name.upper() or "COPYING" in name.upper()
            if keep and not name.endswith("/"):
                zf.extract(name, dest)
                count += name.endswith(".py")
    return count


def build(out: Path) -> Path:
    """The corpus tree at ``out``, built unless one of this FORMAT is already there."""
    stamp = out / ".git" / "corpus-format"
    if stamp.exists() and stamp.read_text() == FORMAT:
        return out
    if out.exists():
        subprocess.run(["rm", "-rf", str(out)], check=True)
    out.mkdir(parents=True)
    total = sum(unpack(w, out) for w in download(out.parent / "wheels"))
    (out / "phases.toml").write_text(phases_toml())
    (out / "ruff.toml").write_text(ruff_toml())
    git = ["git", "-C", str(out), "-c", "user.name=bench", "-c", "user.email=bench@invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "corpus"], check=True)
    stamp.write_text(FORMAT)
    print(f"corpus: {total:,} .py files from {len(WHEELS)} wheels in {out}", file=sys.stderr)
    return out


def py_files(tree: Path) -> int:
    return sum(1 for _ in tree.rglob("*.py") if ".git" not in _.parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    build(parser.parse_args(argv).out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
