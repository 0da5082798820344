"""The rewrite side on real code: phasegate plan vs the tools a user would otherwise pick, side by
side in one run, and a file-by-file comparison of what each writes.

    pip install -e ".[bench]"   # django-upgrade
    python benchmarks/bench_rewrite.py [--repeats 5] [--only ruff,django,rename]
                                       [--baseline-python PATH] [-o FILE] [--json FILE]

Three comparisons, each timed in interleaved rounds (the start tool rotates every round):

* **ruff** (``--fix`` on UP035/UP026) on the real corpus (corpus.py: ansible, Django, sympy,
  ~18k files). phasegate gets a phase with only the ``typing`` -> ``collections.abc`` moves of
  the corpus' names and the ``mock`` module rule (``bench-rewrite.toml``), the moves ruff's
  UP035/UP026 make for those names. ``typing.Set`` is left out (ruff's answer for it is the
  builtin ``set``, UP006, not ``collections.abc.Set``), and ``typing.Callable`` unless
  ``--ruff-target`` is py310 or newer (ruff only moves it from 3.10 on). ruff runs
  ``--isolated`` (the corpus' own ruff.toml is not read) on a fresh copy of the tree each round
  (copied untimed); what it rewrites beyond those names is reported, not hidden.
* **django-upgrade** on a real old Django app, django-cms 3.7.4 (its wheel, pinned, from the
  package registry), once with only its rename fixers (``--only``) and once with every fixer,
  as a user runs it; phasegate gets one ``move`` rule per rename those fixers make.
* **LibCST RenameCommand** (``python -m libcst.tool codemod rename.RenameCommand``), one run per
  rule whose name occurs in the tree, as a user would have to, on a copy of a subset of the same
  app (it costs ~0.2 CPU s per file per rule); vs one phasegate plan of the same files.

phasegate runs as ``python -m phasegate plan PHASE --config ... --format json`` (it writes
nothing; its cache under ``.git/phasegate/cache`` is deleted before each run, so every run is
cold), with its bytecode cached as after a normal install. ``--baseline-python`` times a second
phasegate install (a python whose ``-m phasegate`` is an older commit) the same way: "this
commit vs that one". Every figure is a median over the rounds of this one run, and every ratio
is a ratio of two such medians, wall and CPU (user + system of the whole process tree, from
``os.wait4``).

The comparison, on the outputs of the last round: files both tools changed, files only one
changed, and for files both changed whether the outputs parse and import the same qualified
names (``bench_plan.imported``), with each difference put in a category (names of the rules,
names beyond them, attribute uses) and a few concrete files per category.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
from bench_plan import imported  # noqa: E402
from common import REPO, Run, Series, fmt_s, machine, timed, tool  # noqa: E402

CONFIG = "bench-rewrite.toml"
SUBSET_CONFIG = "bench-rewrite-subset.toml"
DJANGO_APP = ("django-cms", "3.7.4")
DJANGO_FORMAT = "django-1"  # bump when the app tree or its rules change
# django-upgrade's fixers that only rename or move names, and the moves they make (the fixers'
# own NAME_MAPs: utils_translation, utils_encoding, utils_http; django_urls for url/include,
# which also turns a url() into path() where the regex allows: not a plain rename)
RENAME_FIXERS = ("utils_translation", "utils_encoding", "utils_http", "django_urls")
DJANGO_MOVES = (
    [(f"django.utils.translation.{o}", f"django.utils.translation.{n}") for o, n in (
        ("ugettext", "gettext"), ("ugettext_lazy", "gettext_lazy"),
        ("ugettext_noop", "gettext_noop"), ("ungettext", "ngettext"),
        ("ungettext_lazy", "ngettext_lazy"))]
    + [("django.utils.encoding.force_text", "django.utils.encoding.force_str"),
       ("django.utils.encoding.smart_text", "django.utils.encoding.smart_str"),
       ("django.utils.http.is_safe_url", "django.utils.http.url_has_allowed_host_and_scheme")]
    + [(f"django.utils.http.{o}", f"urllib.parse.{n}") for o, n in (
        ("urlquote", "quote"), ("urlquote_plus", "quote_plus"), ("urlunquote", "unquote"),
        ("urlunquote_plus", "unquote_plus"))]
    + [("django.conf.urls.url", "django.urls.re_path"),
       ("django.conf.urls.include", "django.urls.include")])
RENAME_SUBSET = ("cms/admin", "cms/forms")  # RenameCommand: ~1 s per file per rule


# ---------------------------------------------------------------- trees and configs

def toml_config(moves: list[tuple[str, str]], modules: list[tuple[str, str]], phase: str,
                files: list[str]) -> str:
    lines = ['[project]\nroot = "."\n']
    ids = []
    for old, new in moves + modules:
        rid = old.replace(".", "-").lower()
        ids.append(rid)
        kind = "module" if (old, new) in modules else "move"
        lines.append(f'[rules.{rid}]\nkind = "{kind}"\nold = "{old}"\nnew = "{new}"\n')
    lines.append(f"[phases.{phase}]\ntitle = \"bench_rewrite\"\nfiles = {json.dumps(files)}\n"
                 f"rules = {json.dumps(ids)}\ngates = [\"syntax\"]\n")
    return "\n".join(lines)


def write_config(tree: Path, name: str, text: str) -> Path:
    """A phases file in the tree, kept out of git (the tree stays clean for phasegate)."""
    path = tree / name
    path.write_text(text)
    exclude = tree / ".git" / "info" / "exclude"
    exclude.parent.mkdir(parents=True, exist_ok=True)
    have = exclude.read_text() if exclude.exists() else ""
    if name not in have.split():
        exclude.write_text(have + f"\n{name}\n")
    return path


def ruff_moves(target: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The corpus' typing ABC names ruff's UP035 moves at ``target``, and the mock module."""
    names = [n for n in corpus.ABC_NAMES if n != "Set"]
    if int(target.removeprefix("py")[1:]) < 10:
        names.remove("Callable")
    return ([(f"typing.{n}", f"collections.abc.{n}") for n in names],
            [("mock", "unittest.mock")])


def git_commit(tree: Path) -> None:
    git = ["git", "-C", str(tree), "-c", "user.name=bench", "-c", "user.email=bench@invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "app"], check=True)


def django_tree(workdir: Path) -> Path:
    """django-cms 3.7.4's .py files (its pinned wheel) in a git tree of their own."""
    out = workdir / "django-app"
    stamp = out / ".git" / "bench-format"
    if stamp.exists() and stamp.read_text() == DJANGO_FORMAT:
        return out
    wheels = workdir / "wheels-django"
    wheels.mkdir(parents=True, exist_ok=True)
    name, version = DJANGO_APP
    pattern = f"{name.replace('-', '_')}-{version}-*.whl"
    if not any(wheels.glob(pattern)):
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary", ":all:", "-d", str(wheels), f"{name}=={version}"],
                       check=True)
    wheel = next(wheels.glob(pattern))
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    with zipfile.ZipFile(wheel) as zf:
        for member in zf.namelist():
            if member.endswith(".py") or "LICENSE" in member.upper():
                zf.extract(member, out)
    git_commit(out)
    stamp.write_text(DJANGO_FORMAT)
    return out


def py_files(tree: Path, under: tuple[str, ...] = ("",)) -> list[str]:
    out = []
    for top in under:
        for path in (tree / top).rglob("*.py"):
            if ".git" not in path.relative_to(tree).parts:
                out.append(str(path.relative_to(tree)))
    return sorted(out)


def fresh_copy(tree: Path, dest: Path) -> Path:
    """``tree`` without its .git at ``dest`` (mtimes kept, so a changed file shows)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    entries = [str(p) for p in tree.iterdir() if p.name != ".git"]
    subprocess.run(["cp", "-a", *entries, str(dest)], check=True)
    return dest


def changed_files(tree: Path, copy: Path) -> dict[str, bytes]:
    """.py files of ``copy`` whose bytes differ from ``tree``'s."""
    out = {}
    for rel in py_files(copy):
        mine, orig = copy / rel, tree / rel
        a, b = mine.stat(), orig.stat() if orig.exists() else None
        if b is not None and a.st_mtime_ns == b.st_mtime_ns and a.st_size == b.st_size:
            continue
        data = mine.read_bytes()
        if b is None or data != orig.read_bytes():
            out[rel] = data
    return out


# ---------------------------------------------------------------- timing

def python_env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def state_cache(tree: Path) -> Path:
    return tree / ".git" / "phasegate" / "cache"


@dataclass
class Contender:
    """One tool of a comparison: how to run it once, untimed preparation included."""
    label: str
    run: Callable[[], Run]
    series: Series = field(init=False)

    def __post_init__(self) -> None:
        self.series = Series(self.label)


def phasegate_runner(python: str, tree: Path, config: Path, phase: str,
                     env: dict[str, str]) -> Callable[[], Run]:
    argv = [python, "-m", "phasegate", "plan", phase, "--config", str(config), "--format",
            "json"]

    def run() -> Run:
        shutil.rmtree(state_cache(tree), ignore_errors=True)  # cold, if plan keeps a cache
        out = timed(argv, tree, env=env)
        if out.returncode not in (0, 1):
            raise SystemExit(f"phasegate plan failed (exit {out.returncode}): {argv}")
        return out
    return run


def on_copy(tree: Path, copy: Path, argvs: Callable[[Path], list[list[str]]],
            ok: tuple[int, ...] = (0,), log: Path | None = None) -> Callable[[], Run]:
    """Copy the tree (untimed), then run each argv in turn in the copy: one summed Run."""
    def run() -> Run:
        fresh_copy(tree, copy)
        total = Run(0.0, 0.0, 0)
        for argv in argvs(copy):
            one = timed(argv, copy, stderr=log)
            if one.returncode not in ok:
                tail = log.read_text(errors="replace")[-600:] if log else ""
                raise SystemExit(f"{argv[:4]}... failed (exit {one.returncode}) {tail}")
            total.seconds += one.seconds
            total.cpu += one.cpu
            total.peak_mb = max(total.peak_mb, one.peak_mb)
            total.returncode = max(total.returncode, one.returncode)
        return total
    return run


def rounds(contenders: list[Contender], repeats: int, title: str) -> None:
    for i in range(repeats):
        order = contenders[i % len(contenders):] + contenders[:i % len(contenders)]
        for c in order:
            c.series.runs.append(c.run())
        print(f"rewrite: {title}: round {i + 1}/{repeats}: "
              + ", ".join(f"{c.label} {fmt_s(c.series.runs[-1].seconds)}" for c in contenders),
              file=sys.stderr)


# ---------------------------------------------------------------- phasegate's outputs

def phasegate_output(config_path: Path, phase: str) -> tuple[dict[str, bytes], dict[str, str]]:
    """{path: after} for every file the phase changes, and {path: reason} for failures."""
    sys.path.insert(0, str(REPO))
    from phasegate import config
    from phasegate.plan import build_plan

    cfg, _ = config.load(config_path)
    plan = build_plan(cfg, phase, jobs=os.cpu_count())
    return ({f.path: f.after for f in plan.changes},
            {p.path: p.reason for p in plan.failures + plan.skipped})


# ---------------------------------------------------------------- file-by-file comparison

@dataclass
class Names:
    """The rules' names, to tell a difference on them from one beyond them."""
    old: set[str]
    new: set[str]

    @classmethod
    def of(cls, moves: list[tuple[str, str]]) -> Names:
        return cls({o for o, _ in moves}, {n for _, n in moves})

    def kind(self, name: str) -> str:
        if name in self.old or any(name.startswith(o + ".") for o in self.old):
            return "old name"
        if name in self.new or any(name.startswith(n + ".") for n in self.new):
            return "new name"
        if any(n.rsplit(".", 1)[0] == name for n in self.new):
            return "new module (attribute use)"
        if any(o.rsplit(".", 1)[0] == name for o in self.old):
            return "old module"
        return "beyond the rules"


def _imports(data: bytes, rel: str) -> set[str] | None:
    try:
        return imported(data, rel)
    except (SyntaxError, ValueError):
        return None


def _signature(names: Names, extra: set[str]) -> str:
    """The kinds of names in ``extra``; names beyond the rules are spelled out."""
    kinds = sorted({names.kind(n) for n in extra} - {"beyond the rules"})
    beyond = sorted(n for n in extra if names.kind(n) == "beyond the rules")
    if beyond:
        more = f" +{len(beyond) - 3}" if len(beyond) > 3 else ""
        kinds.append(f"beyond the rules ({', '.join(beyond[:3])}{more})")
    return ", ".join(kinds) or "-"


def compare(tree: Path, ours: dict[str, bytes], theirs: dict[str, bytes], other: str,
            names: Names, failures: dict[str, str]) -> dict[str, object]:
    """Files both changed / only one; for both, same imports or a categorised difference."""
    both = sorted(set(ours) & set(theirs))
    categories: dict[str, list[str]] = defaultdict(list)
    same = identical = 0
    for rel in both:
        identical += ours[rel] == theirs[rel]
        a, b = _imports(ours[rel], rel), _imports(theirs[rel], rel)
        if a is None or b is None:
            who = [w for w, s in (("phasegate", a), (other, b)) if s is None]
            categories[f"output does not parse ({', '.join(who)})"].append(rel)
        elif a == b:
            same += 1
        else:
            key = (f"phasegate only imports: {_signature(names, a - b)} | {other} only imports:"
                   f" {_signature(names, b - a)}")
            categories[key].append(f"{rel}: phasegate +{sorted(a - b)} {other} +{sorted(b - a)}")

    def alone(mine: dict[str, bytes], who: str) -> dict[str, list[str]]:
        cats: dict[str, list[str]] = defaultdict(list)
        for rel in sorted(set(mine) - set(theirs if who == "phasegate" else ours)):
            orig = (tree / rel).read_bytes()
            before, after = _imports(orig, rel), _imports(mine[rel], rel)
            if before is None or after is None:
                cats["does not parse (before or after)"].append(rel)
                continue
            added, removed = after - before, before - after
            key = (f"imports added: {_signature(names, added)};"
                   f" removed: {_signature(names, removed)}")
            if who != "phasegate" and rel in failures:
                key = f"phasegate could not rewrite the file: {failures[rel]}"
            cats[key].append(f"{rel}: +{sorted(added)} -{sorted(removed)}")
        return cats

    return {
        "other": other, "phasegate_changed": len(ours), "other_changed": len(theirs),
        "both": len(both),
        "same_imports": same, "identical_bytes": identical,
        "both_differ": {k: {"files": len(v), "examples": v[:3]} for k, v in categories.items()},
        "only_phasegate": {k: {"files": len(v), "examples": v[:3]}
                           for k, v in alone(ours, "phasegate").items()},
        "only_other": {k: {"files": len(v), "examples": v[:3]}
                          for k, v in alone(theirs, other).items()},
        "phasegate_failures": len(failures),
        "phasegate_failure_examples": [f"{k}: {v}" for k, v in sorted(failures.items())[:3]],
    }


def diff_excerpt(tree: Path, rel: str, data: bytes, limit: int = 12) -> str:
    import difflib

    old = (tree / rel).read_text(errors="replace").splitlines()
    new = data.decode(errors="replace").splitlines()
    lines = [ln for ln in difflib.unified_diff(old, new, lineterm="", n=0)
             if not ln.startswith(("---", "+++"))]
    return "\n".join(lines[:limit])


# ---------------------------------------------------------------- the three comparisons

@dataclass
class Comparison:
    title: str
    tree: str
    files: int
    contenders: list[Contender]
    reference: str  # the phasegate label the ratios are taken against
    equivalence: dict[str, dict[str, object]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


def baseline_contender(args: argparse.Namespace, tree: Path, config: Path,
                       phase: str) -> list[Contender]:
    if not args.baseline_python:
        return []
    env = python_env(args.workdir / "pycache-baseline")
    return [Contender("phasegate plan (baseline)",
                      phasegate_runner(str(args.baseline_python), tree, config, phase, env))]


def ruff_comparison(args: argparse.Namespace) -> Comparison:
    tree = corpus.build(args.workdir / "real")
    moves, modules = ruff_moves(args.ruff_target)
    config = write_config(tree, CONFIG, toml_config(moves, modules, "rewrite", ["**"]))
    env = python_env(args.workdir / "pycache")
    copy = args.workdir / "rewrite-ruff"
    ruff = [tool("ruff"), "check", "--isolated", "--select", "UP035,UP026", "--fix",
            "--no-cache", "--target-version", args.ruff_target, "--exit-zero", "--quiet", "."]
    pg = "phasegate plan"
    contenders = [Contender(pg, phasegate_runner(sys.executable, tree, config, "rewrite", env)),
                  Contender("ruff --fix UP035,UP026", on_copy(tree, copy, lambda _: [ruff])),
                  *baseline_contender(args, tree, config, "rewrite")]
    files = corpus.py_files(tree)
    print(f"rewrite: ruff vs phasegate on the corpus ({files:,} files) ...", file=sys.stderr)
    rounds(contenders, args.repeats, "ruff")
    comp = Comparison("ruff --fix UP035/UP026 vs phasegate plan", f"real corpus ({tree})", files,
                      contenders, pg)
    ours, failures = phasegate_output(config, "rewrite")
    theirs = changed_files(tree, copy)
    names = Names.of(moves + [("mock", "unittest.mock")])
    comp.equivalence["ruff"] = compare(tree, ours, theirs, "ruff", names, failures)
    comp.notes.append(f"phasegate rules: {', '.join(o for o, _ in moves)} -> collections.abc;"
                      f" mock -> unittest.mock. ruff --target-version {args.ruff_target}.")
    comp.examples += examples(tree, ours, theirs, "ruff")
    return comp


def examples(tree: Path, ours: dict[str, bytes], theirs: dict[str, bytes], other: str,
             count: int = 2) -> list[str]:
    """A few concrete diffs: a file only phasegate changed, one only the other tool did, and one
    both changed differently."""
    out = []
    for rel in sorted(set(ours) - set(theirs))[:count]:
        out.append(f"only phasegate, `{rel}`:\n```diff\n{diff_excerpt(tree, rel, ours[rel])}\n```")
    for rel in sorted(set(theirs) - set(ours))[:count]:
        out.append(f"only {other}, `{rel}`:\n```diff\n{diff_excerpt(tree, rel, theirs[rel])}\n```")
    differ = [r for r in sorted(set(ours) & set(theirs)) if ours[r] != theirs[r]]
    for rel in differ[:count]:
        out.append(f"both, different bytes, `{rel}`: phasegate\n```diff\n"
                   f"{diff_excerpt(tree, rel, ours[rel])}\n```\n{other}\n```diff\n"
                   f"{diff_excerpt(tree, rel, theirs[rel])}\n```")
    return out


def django_upgrade_argvs(target: str, only: tuple[str, ...]) -> Callable[[Path], list[list[str]]]:
    flags = [f for name in only for f in ("--only", name)]

    def argvs(copy: Path) -> list[list[str]]:
        return [[tool("django-upgrade"), "--target-version", target, *flags,
                 "--exit-zero-even-if-changed", *py_files(copy)]]
    return argvs


def fixer_counts(tree: Path, target: str) -> dict[str, int]:
    """Files each django-upgrade fixer would change alone (``--check``, untimed)."""
    listed = subprocess.run([tool("django-upgrade"), "--list-fixers"], capture_output=True,
                            text=True, check=True).stdout.split()
    files = py_files(tree)
    out = {}
    for fixer in listed:
        res = subprocess.run([tool("django-upgrade"), "--target-version", target, "--check",
                              "--only", fixer, *files], cwd=tree, capture_output=True,
                             text=True, check=False)
        out_lines = (res.stdout + res.stderr).splitlines()
        n = sum(1 for ln in out_lines if ln.startswith("Would rewrite"))
        if n:
            out[fixer] = n
    return out


def django_comparison(args: argparse.Namespace) -> Comparison:
    tree = django_tree(args.workdir)
    moves = list(DJANGO_MOVES)
    config = write_config(tree, CONFIG, toml_config(moves, [], "rewrite", ["**"]))
    env = python_env(args.workdir / "pycache")
    pg = "phasegate plan"
    copies = {k: args.workdir / f"rewrite-django-{k}" for k in ("renames", "all")}
    log = args.workdir / "rewrite-django-upgrade.log"
    contenders = [
        Contender(pg, phasegate_runner(sys.executable, tree, config, "rewrite", env)),
        Contender("django-upgrade, rename fixers (--only)",
                  on_copy(tree, copies["renames"],
                          django_upgrade_argvs(args.django_target, RENAME_FIXERS), log=log)),
        Contender("django-upgrade, every fixer",
                  on_copy(tree, copies["all"], django_upgrade_argvs(args.django_target, ()),
                          log=log)),
        *baseline_contender(args, tree, config, "rewrite")]
    files = len(py_files(tree))
    print(f"rewrite: django-upgrade vs phasegate on {DJANGO_APP} ({files} files) ...",
          file=sys.stderr)
    rounds(contenders, args.repeats, "django-upgrade")
    name, version = DJANGO_APP
    comp = Comparison("django-upgrade vs phasegate plan", f"{name} {version} (its wheel)",
                      files, contenders, pg)
    ours, failures = phasegate_output(config, "rewrite")
    names = Names.of(moves)
    renames = changed_files(tree, copies["renames"])
    comp.equivalence["django-upgrade (rename fixers)"] = compare(
        tree, ours, renames, "django-upgrade", names, failures)
    comp.equivalence["django-upgrade (every fixer)"] = compare(
        tree, ours, changed_files(tree, copies["all"]), "django-upgrade", names, failures)
    counts = fixer_counts(tree, args.django_target)
    comp.notes += [
        f"django-upgrade --target-version {args.django_target}; rename fixers:"
        f" {', '.join(RENAME_FIXERS)}; phasegate: {len(moves)} move rules (their name maps).",
        "files each django-upgrade fixer changes alone (--check): "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))]
    comp.examples += examples(tree, ours, renames, "django-upgrade")
    return comp


def rename_comparison(args: argparse.Namespace) -> Comparison:
    tree = django_tree(args.workdir)
    subset = tuple(s for s in args.rename_subset.split(",") if s)
    globs = [f"{s}/**" for s in subset]
    config = write_config(tree, SUBSET_CONFIG, toml_config(list(DJANGO_MOVES), [], "subset",
                                                           globs))
    files = py_files(tree, subset)
    text = b"".join((tree / f).read_bytes() for f in files)
    moves = [(o, n) for o, n in DJANGO_MOVES if o.rsplit(".", 1)[1].encode() in text]
    env = python_env(args.workdir / "pycache")
    copy = args.workdir / "rewrite-rename"
    log = args.workdir / "rewrite-rename.log"

    def argvs(_: Path) -> list[list[str]]:
        # --jobs=N as one word: libcst.tool misreads a separate "-j N" as the codemod's name
        return [[sys.executable, "-m", "libcst.tool", "codemod", f"--jobs={args.jobs}",
                 "--no-format", "--hide-progress", "rename.RenameCommand", "--old_name", old,
                 "--new_name", new, *subset] for old, new in moves]

    pg = "phasegate plan"
    contenders = [
        Contender(pg, phasegate_runner(sys.executable, tree, config, "subset", env)),
        Contender(f"RenameCommand x{len(moves)} rules", on_copy(tree, copy, argvs, log=log)),
        *baseline_contender(args, tree, config, "subset")]
    print(f"rewrite: RenameCommand vs phasegate on {len(files)} files, {len(moves)} rules ...",
          file=sys.stderr)
    rounds(contenders, args.rename_repeats or args.repeats, "RenameCommand")
    comp = Comparison("LibCST RenameCommand (one run per rule) vs phasegate plan",
                      f"{DJANGO_APP[0]} {DJANGO_APP[1]}: {', '.join(subset)}", len(files),
                      contenders, pg)
    ours, failures = phasegate_output(config, "subset")
    theirs = changed_files(tree, copy)
    comp.equivalence["RenameCommand"] = compare(tree, ours, theirs, "RenameCommand",
                                                Names.of(moves), failures)
    comp.notes.append(f"RenameCommand --jobs={args.jobs}, rules whose name occurs in the files:"
                      f" {', '.join(o for o, _ in moves)}; phasegate's phase has all"
                      f" {len(DJANGO_MOVES)} rules.")
    comp.examples += examples(tree, ours, theirs, "RenameCommand", count=1)
    return comp


# ---------------------------------------------------------------- report

def table(comps: list[Comparison]) -> list[str]:
    rows = ["| comparison | files | tool | wall median (min..max) | CPU median |"
            " wall ratio tool / phasegate | CPU ratio | exit codes |",
            "|---|---:|---|---:|---:|---:|---:|---|"]
    for comp in comps:
        ref = next(c.series for c in comp.contenders if c.label == comp.reference)
        for c in comp.contenders:
            s = c.series
            lo, hi = s.spread
            codes = sorted({r.returncode for r in s.runs})
            ratio = (f"**{s.median / ref.median:.2f}x**", f"**{s.cpu / ref.cpu:.2f}x**")
            if c.label == comp.reference:
                ratio = ("1", "1")
            rows.append(f"| {comp.title} | {comp.files:,} | {c.label} | {fmt_s(s.median)}"
                        f" ({fmt_s(lo)}..{fmt_s(hi)}) | {fmt_s(s.cpu)} | {ratio[0]} | {ratio[1]}"
                        f" | {codes} |")
    return rows


def details(comps: list[Comparison]) -> list[str]:
    lines: list[str] = []
    for comp in comps:
        lines += [f"### {comp.title}", "", f"Tree: {comp.tree}, {comp.files:,} .py files; "
                  f"{len(comp.contenders[0].series.runs)} round(s).", ""]
        lines += [f"- {n}" for n in comp.notes]
        for other, eq in comp.equivalence.items():
            lines.append(f"- **vs {other}**: phasegate changed {eq['phasegate_changed']} files,"
                         f" {eq['other']} {eq['other_changed']};"
                         f" both {eq['both']}, of which {eq['same_imports']} import the same"
                         f" qualified names ({eq['identical_bytes']} byte-identical);"
                         f" phasegate could not rewrite {eq['phasegate_failures']} file(s)"
                         + (f" (e.g. {'; '.join(eq['phasegate_failure_examples'])})"  # type: ignore[arg-type]
                            if eq["phasegate_failures"] else "") + ".")
            heads = {"both_differ": "both changed, imports differ",
                     "only_phasegate": "only phasegate changed",
                     "only_other": f"only {eq['other']} changed"}
            for section, head in heads.items():
                for cat, v in eq[section].items():  # type: ignore[attr-defined]
                    ex = "; ".join(v["examples"])
                    lines.append(f"  - {head}: {v['files']} file(s): {cat}. e.g. {ex}")
        if comp.examples:
            lines += ["", "<details><summary>example diffs</summary>", ""]
            lines += [e + "\n" for e in comp.examples]
            lines += ["</details>", ""]
        lines.append("")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rename-repeats", type=int, default=0,
                        help="rounds for the RenameCommand comparison (default: --repeats)")
    parser.add_argument("--only", default="ruff,django,rename")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/phasegate-bench"))
    parser.add_argument("--ruff-target", default="py39",
                        help="ruff --target-version (Callable moves from py310 on)")
    parser.add_argument("--django-target", default="3.0", help="django-upgrade --target-version")
    parser.add_argument("--rename-subset", default=",".join(RENAME_SUBSET),
                        help="folders of the Django app RenameCommand runs on")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="RenameCommand's --jobs (phasegate uses its default, one per core)")
    parser.add_argument("--baseline-python", type=Path,
                        help="a python whose -m phasegate is another commit, timed the same way")
    parser.add_argument("-o", "--output", type=Path, help="also write the markdown here")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    comps = []
    if "ruff" in only:
        comps.append(ruff_comparison(args))
    if "django" in only:
        comps.append(django_comparison(args))
    if "rename" in only:
        comps.append(rename_comparison(args))
    info = machine()
    info["django-upgrade"] = subprocess.run([tool("django-upgrade"), "--version"],
                                            capture_output=True, text=True).stdout.strip()
    if args.baseline_python:
        info["baseline"] = str(args.baseline_python)
    report = ["| machine | |", "|---|---|", *[f"| {k} | {v} |" for k, v in info.items()],
              f"| load average at end | {' '.join(f'{x:.2f}' for x in os.getloadavg())} |", "",
              *table(comps), "", *details(comps)]
    text = "\n".join(report)
    print(text)
    if args.output:
        args.output.write_text(text + "\n")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "comparisons": [{
            "title": c.title, "tree": c.tree, "files": c.files, "reference": c.reference,
            "tools": {x.label: {"wall": x.series.median, "cpu": x.series.cpu,
                                "walls": [r.seconds for r in x.series.runs],
                                "cpus": [r.cpu for r in x.series.runs],
                                "peak_mb": x.series.peak_mb,
                                "returncodes": sorted({r.returncode for r in x.series.runs})}
                      for x in c.contenders},
            "ratios": {x.label: {
                "wall": x.series.median / _ref(c).median, "cpu": x.series.cpu / _ref(c).cpu}
                for x in c.contenders},
            "equivalence": c.equivalence, "notes": c.notes} for c in comps]}, indent=2))
    return 0


def _ref(comp: Comparison) -> Series:
    return next(c.series for c in comp.contenders if c.label == comp.reference)


if __name__ == "__main__":
    raise SystemExit(main())
