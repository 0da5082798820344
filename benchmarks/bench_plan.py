"""phasegate plan vs LibCST's RenameCommand (one run per ``move`` rule), on the same tree.

    python benchmarks/bench_plan.py [--sizes 1000,10000] [--rename-sizes 1000] [--repeats 3]

phasegate plans every phase (it writes nothing), once with all rules and once with only the
move rules (the same rules RenameCommand is given). RenameCommand writes in place, so it runs on
a copy of the tree, ``--no-format``, one job per core, one run per move rule; it is slow, so it only
runs for ``--rename-sizes`` and any other size is extrapolated linearly *and labelled so*.
Equivalence on the files both change: both outputs parse, and they import the same qualified
names.
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, Series, ensure_tree, fmt_s, timed, tool  # noqa: E402
from core_api import PHASES_TOML  # noqa: E402

MOVE_ONLY = "bench-move-only.toml"


@dataclass
class PlanFigures:
    files: int
    plan_all: Series
    plan_move: Series
    rename: float | None = None  # seconds, summed over the move rules (None: not run)
    rename_cpu: float | None = None  # CPU seconds, summed likewise
    rename_per_rule: dict[str, list[float]] = field(default_factory=dict)  # [wall, cpu]
    equivalence: dict[str, object] = field(default_factory=dict)
    note: str = ""


def move_rules() -> list[tuple[str, str]]:
    sys.path.insert(0, str(REPO))
    import tomlkit

    rules = tomlkit.parse(PHASES_TOML).unwrap()["rules"]
    return [(r["old"], r["new"]) for r in rules.values() if r["kind"] == "move"]


def write_move_only(tree: Path) -> Path:
    """phases.toml with only the move rules (what RenameCommand is given)."""
    import tomlkit

    doc = tomlkit.parse((tree / "phases.toml").read_text())
    keep = [rid for rid, r in doc["rules"].items() if r["kind"] == "move"]
    for rid in [r for r in doc["rules"] if r not in keep]:
        del doc["rules"][rid]
    for phase in doc["phases"].values():
        phase["rules"] = keep
    path = tree / MOVE_ONLY
    path.write_text(tomlkit.dumps(doc))
    exclude = tree / ".git" / "info" / "exclude"
    if MOVE_ONLY not in exclude.read_text():
        exclude.write_text(exclude.read_text() + f"\n{MOVE_ONLY}\n")
    return path


def plan_argvs(config: Path) -> list[list[str]]:
    """`plan --all` when phasegate has it, else one `plan PHASE` per phase."""
    base = [tool("phasegate"), "plan"]
    helptext = subprocess.run(base + ["--help"], capture_output=True, text=True).stdout
    if "--all" in helptext:
        return [base + ["--all", "--config", str(config), "--format", "json"]]
    return [base + [p, "--config", str(config), "--format", "json"] for p in ("p0", "p1", "p2")]


def time_plan(tree: Path, config: Path, repeats: int, label: str) -> Series:
    series = Series(label)
    argvs = plan_argvs(config)
    for _ in range(repeats):
        runs = [timed(argv, tree) for argv in argvs]
        total = runs[0]
        total.seconds = sum(r.seconds for r in runs)
        total.peak_mb = max(r.peak_mb for r in runs)
        total.cpu = sum(r.cpu for r in runs)
        total.returncode = max(r.returncode for r in runs)
        series.runs.append(total)
    return series


def run_rename(tree: Path, copy: Path, *, reuse: bool) -> dict[str, list[float]]:
    """Seconds per move rule; with ``reuse``, an earlier measurement of this copy if any."""
    saved = copy.with_suffix(".timings.json")
    if reuse and saved.exists() and copy.exists():
        print(f"plan: reusing RenameCommand timings from {saved}", file=sys.stderr)
        return dict(json.loads(saved.read_text()))
    saved.unlink(missing_ok=True)
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(tree, copy, symlinks=True)
    seconds: dict[str, list[float]] = {}
    for old, new in move_rules():
        # -j defaults to one job per core (an explicit -j is misparsed by libcst.tool)
        argv = [sys.executable, "-m", "libcst.tool", "codemod", "--no-format", "--hide-progress",
                "rename.RenameCommand", "--old_name", old, "--new_name", new, "."]
        print(f"plan: RenameCommand {old} -> {new} on {copy} ...", file=sys.stderr)
        log = copy.with_suffix(f".{old}.log")
        run = timed(argv, copy, stderr=log)
        tail = log.read_text(errors="replace").strip().splitlines()[-5:]
        if run.returncode != 0 or not any("Finished codemodding" in t for t in tail):
            raise SystemExit(f"RenameCommand failed (exit {run.returncode}): {tail}")
        print("plan:   " + " / ".join(t.strip(" -") for t in tail), file=sys.stderr)
        seconds[old] = [run.seconds, run.cpu]
    saved.write_text(json.dumps(seconds))
    return seconds


def changed_by_rename(copy: Path) -> dict[str, bytes]:
    out = subprocess.run(["git", "diff", "--name-only"], cwd=copy, capture_output=True,
                         text=True, check=True).stdout.split()
    return {rel: (copy / rel).read_bytes() for rel in out if rel.endswith(".py")}


def changed_by_phasegate(config_path: Path) -> dict[str, bytes]:
    sys.path.insert(0, str(REPO))
    from phasegate import config
    from phasegate.plan import build_plan

    cfg, _ = config.load(config_path)
    out: dict[str, bytes] = {}
    for phase in cfg.phases:
        for fp in build_plan(cfg, phase.id).changes:
            out[fp.path] = fp.after
    return out


def imported(source: bytes, rel: str) -> set[str]:
    """Qualified names a module imports (relative imports resolved from its path)."""
    package = rel[:-3].replace("/", ".").rsplit(".", 1)[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[:len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            names.update(f"{base}.{a.name}" for a in node.names)
    return names


def equivalence(ours: dict[str, bytes], theirs: dict[str, bytes]) -> dict[str, object]:
    both = sorted(set(ours) & set(theirs))
    differ = []
    for rel in both:
        try:
            a, b = imported(ours[rel], rel), imported(theirs[rel], rel)
            if a != b:
                differ.append(f"{rel}: phasegate imports {sorted(a - b)}, RenameCommand"
                              f" {sorted(b - a)}")
        except SyntaxError:
            differ.append(f"{rel} (does not parse)")
    return {"phasegate_changed": len(ours), "rename_changed": len(theirs), "both": len(both),
            "same_imports": len(both) - len(differ), "differ": differ[:10],
            "only_phasegate": sorted(set(ours) - set(theirs))[:5],
            "only_rename": sorted(set(theirs) - set(ours))[:5]}


def measure(workdir: Path, files: int, repeats: int, rename: bool,
            reuse: bool = False) -> PlanFigures:
    tree = ensure_tree(workdir / f"tree-{files}", files)
    move_cfg = write_move_only(tree)
    print(f"plan: {files:,} files, {repeats} rounds ...", file=sys.stderr)
    fig = PlanFigures(files, time_plan(tree, tree / "phases.toml", repeats, "plan all rules"),
                      time_plan(tree, move_cfg, repeats, "plan move rules"))
    if rename:
        copy = workdir / f"rename-{files}"
        fig.rename_per_rule = run_rename(tree, copy, reuse=reuse)
        fig.rename = sum(v[0] for v in fig.rename_per_rule.values())
        fig.rename_cpu = sum(v[1] for v in fig.rename_per_rule.values())
        try:
            fig.equivalence = equivalence(changed_by_phasegate(move_cfg), changed_by_rename(copy))
        except ImportError as exc:
            fig.note = f"equivalence not checked: {exc}"
    return fig


def table(figs: list[PlanFigures]) -> list[str]:
    measured = {f.files: f for f in figs if f.rename}
    rows = ["| files | phasegate plan, move rules: wall / CPU | plan, all rules: wall / CPU"
            " | RenameCommand (sum over move rules): wall / CPU | ratio wall | ratio CPU |",
            "|---:|---:|---:|---:|---:|---:|"]
    for f in figs:
        failed = {r.returncode for r in f.plan_move.runs + f.plan_all.runs} - {0, 1}
        if failed:
            rows.append(f"| {f.files:,} | phasegate plan failed (exit {sorted(failed)}) | | | |"
                        " |")
            continue
        how, wall, cpu = "not run", None, None
        if f.rename and f.rename_cpu:
            how, wall, cpu = "measured", f.rename, f.rename_cpu
        elif measured:
            base = measured[max(measured)]
            scale = f.files / base.files
            how = f"extrapolated linearly from {base.files:,} files"
            wall, cpu = (base.rename or 0) * scale, (base.rename_cpu or 0) * scale
        pm, pa = f.plan_move, f.plan_all
        cells = [f"{f.files:,}", f"{fmt_s(pm.median)} / {fmt_s(pm.cpu)}",
                 f"{fmt_s(pa.median)} / {fmt_s(pa.cpu)}"]
        if wall and cpu:
            cells += [f"{fmt_s(wall)} / {fmt_s(cpu)} ({how})",
                      f"**{wall / pm.median:.0f}x**", f"**{cpu / pm.cpu:.0f}x**"]
        else:
            cells += [how, "-", "-"]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def details(figs: list[PlanFigures]) -> list[str]:
    lines = []
    for f in figs:
        codes = sorted({r.returncode for r in f.plan_all.runs + f.plan_move.runs})
        lo, hi = f.plan_move.spread
        lines.append(f"- {f.files:,} files: plan exit codes {codes}; move-only plan wall"
                     f" min..max {fmt_s(lo)}..{fmt_s(hi)} over {len(f.plan_move.runs)} run(s);"
                     f" peak RSS (largest process)"
                     f" {max(f.plan_all.peak_mb, f.plan_move.peak_mb):.0f} MB.")
        if f.rename_per_rule:
            per = ", ".join(f"{k}: {fmt_s(v[0])} wall / {fmt_s(v[1])} CPU"
                            for k, v in f.rename_per_rule.items())
            lines.append(f"  - RenameCommand per rule (one run each): {per}.")
        if f.equivalence:
            lines.append(f"  - equivalence: {json.dumps(f.equivalence)}")
        if f.note:
            lines.append(f"  - {f.note}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--rename-sizes", default="1000",
                        help="sizes RenameCommand really runs on (slow: ~1 s per file per rule)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/phasegate-bench"))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--reuse-rename", action="store_true",
                        help="reuse RenameCommand timings measured earlier on the same copy")
    args = parser.parse_args(argv)
    rename_sizes = {int(s) for s in args.rename_sizes.split(",") if s}
    figs = [measure(args.workdir, int(s), args.repeats, int(s) in rename_sizes, args.reuse_rename)
            for s in args.sizes.split(",") if s]
    print("\n".join(table(figs) + [""] + details(figs)))
    if args.json:
        args.json.write_text(json.dumps([{
            "files": f.files, "plan_all": f.plan_all.median, "plan_move": f.plan_move.median,
            "rename": f.rename, "rename_cpu": f.rename_cpu, "rename_per_rule": f.rename_per_rule,
            "equivalence": f.equivalence, "note": f.note} for f in figs], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
