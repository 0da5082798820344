"""phasegate detect vs ruff TID251 (banned-api), side by side in one run on the same trees.

    python benchmarks/bench_detect.py [--sizes 1000,10000] [--big] [--real] [--repeats 5]

``--real`` adds the real corpus (corpus.py: pinned wheels of ansible, Django and sympy, ~18k
files, with rules on deprecations they really carry); its row is the headline figure. It also
says how the candidate files were parsed (import statements alone, partially, or whole, and
why whole).

Per tree and round, interleaved: phasegate cold (its detect cache deleted), ruff cold
(``--no-cache``), phasegate warm (nothing changed: the answer is replayed, tasks/replay.py; an
untimed run first records it, since a cold run is never recorded), ruff warm (its own cache) and
phasegate warm with ``PHASEGATE_NO_REPLAY=1`` (the per-file cache: every file listed and
stat-ed, none read), and phasegate warm with ``phasegate watch`` running (the replay asks the
watcher instead of git; started before and stopped after that run, untimed, its peak RSS read
from /proc).
Medians over the rounds, ratios phasegate/ruff, the largest process's peak RSS from wait4 and,
in one extra untimed run each, the summed RSS of phasegate's whole process tree (it forks
workers). phasegate runs with its bytecode cached (``PYTHONPYCACHEPREFIX``, as after a normal
install). "Cold" means the tools' caches are gone; the OS page cache stays warm for both, since
it cannot be dropped without root. Also checks that every location ruff reports is one
phasegate reports.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
from common import REPO, Series, ensure_tree, fmt_s, machine, timed, tool, tree_peak_mb  # noqa: E402

TARGETS = {"cold": 1.0, "warm": 0.1}
AIMS = {"cold": 0.5, "warm": 0.1}
PER_FILE = "phasegate warm (per-file cache)"  # the warm run without replay, for comparison
WATCHED = "phasegate warm (watcher)"  # the replay asking `phasegate watch` instead of git


@dataclass
class DetectFigures:
    files: int
    series: dict[str, Series]
    tree_peak_mb: dict[str, float]
    phasegate_found: int
    ruff_found: int
    ruff_missed: int  # ruff locations phasegate did not report (must be 0)
    extra_kinds: dict[str, int]  # kinds of phasegate's locations ruff does not report
    returncodes: dict[str, set[int]]

    def ratio(self, mode: str) -> float:
        return self.series[f"phasegate {mode}"].median / self.series[f"ruff {mode}"].median

    def per_file_ratio(self) -> float:
        return self.series[PER_FILE].median / self.series["ruff warm"].median

    def watched_ratio(self) -> float:
        return self.series[WATCHED].median / self.series["ruff warm"].median

    def watched_cpu_ratio(self) -> float:
        return self.series[WATCHED].cpu / max(self.series["ruff warm"].cpu, 1e-3)

    def cpu_ratio(self, mode: str) -> float:
        return self.series[f"phasegate {mode}"].cpu / max(self.series[f"ruff {mode}"].cpu, 1e-3)


def commands(tree: Path) -> dict[str, list[str]]:
    pg = [tool("phasegate"), "detect", "--config", str(tree / "phases.toml"), "--format", "json"]
    ruff = [tool("ruff"), "check", "--select", "TID251", "--output-format", "json",
            "--exit-zero"]
    return {"phasegate cold": pg, "ruff cold": ruff + ["--no-cache", "."],
            "phasegate warm": pg, "ruff warm": ruff + ["."], PER_FILE: pg, WATCHED: pg}


def detect_cache_dir(tree: Path) -> Path:
    """Where phasegate keeps its detect cache for this tree (asked of phasegate itself)."""
    sys.path.insert(0, str(REPO))
    from phasegate import config, statedir

    cfg, _ = config.load(tree / "phases.toml")
    return statedir.state_dir(cfg) / "cache"


def python_env(cache: Path) -> dict[str, str]:
    """As after a normal install: bytecode cached (here outside the repo), whatever the caller's
    PYTHONDONTWRITEBYTECODE says, so phasegate does not recompile itself on every run."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def measure(tree: Path, files: int, repeats: int) -> DetectFigures:
    cmds = commands(tree)
    env = python_env(tree.parent / "pycache")
    cache = detect_cache_dir(tree)
    series = {label: Series(label) for label in cmds}
    codes: dict[str, set[int]] = {label: set() for label in cmds}
    watcher_mb: list[float] = []
    timed(cmds["phasegate warm"], tree, env=env)  # fill the page cache and both tools' caches
    timed(cmds["ruff warm"], tree)
    envs = {label: env if label.startswith("phasegate") else None for label in cmds}
    envs[PER_FILE] = {**env, "PHASEGATE_NO_REPLAY": "1"}
    for _ in range(repeats):
        for label, argv in cmds.items():
            if label == "phasegate cold":
                shutil.rmtree(cache, ignore_errors=True)
            if label == WATCHED:
                start_watcher(tree, env)
            if label in ("phasegate warm", WATCHED):
                timed(argv, tree, env=env)  # untimed: records the answer the timed run replays
            run = timed(argv, tree, env=envs[label])
            if label == WATCHED:
                watcher_mb.append(stop_watcher(tree, env))
            series[label].runs.append(run)
            codes[label].add(run.returncode)
    shutil.rmtree(cache, ignore_errors=True)
    peaks = {"phasegate cold": tree_peak_mb(cmds["phasegate cold"], tree, env=env),
             "phasegate warm": tree_peak_mb(cmds["phasegate warm"], tree, env=env),
             "watcher": max(watcher_mb)}
    return DetectFigures(files, series, peaks, *compare(tree, cmds), returncodes=codes)


def start_watcher(tree: Path, env: dict[str, str]) -> None:
    """``phasegate watch`` for the tree (untimed), so the replay asks it instead of git."""
    subprocess.run([tool("phasegate"), "watch", "--config", str(tree / "phases.toml")],
                   cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)


def stop_watcher(tree: Path, env: dict[str, str]) -> float:
    """Stop the tree's watcher; its peak RSS (MB), read from /proc before it stops."""
    config = ["--config", str(tree / "phases.toml")]
    status = subprocess.run([tool("phasegate"), "watch", "--status", *config], cwd=tree, env=env,
                            check=True, capture_output=True, text=True).stdout
    pid = status.rsplit("(pid ", 1)[1].split(")")[0]
    peak = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    subprocess.run([tool("phasegate"), "watch", "--stop", *config], cwd=tree, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    return peak


def compare(tree: Path, cmds: dict[str, list[str]]) -> tuple[int, int, int, dict[str, int]]:
    """Counts, ruff locations phasegate missed, and the kinds of phasegate's extra findings."""
    pg = json.loads(timed(cmds["phasegate warm"], tree, keep_stdout=True).stdout or b"{}")
    ruff = json.loads(timed(cmds["ruff warm"], tree, keep_stdout=True).stdout or b"[]")
    mine = {(v["path"], v["line"], v["col"]): v["kind"] for v in pg.get("violations", [])}
    theirs = {(str(Path(d["filename"]).relative_to(tree.resolve())), d["location"]["row"],
               d["location"]["column"]) for d in ruff}
    extra: dict[str, int] = {}
    for loc, kind in mine.items():
        if loc not in theirs:
            extra[kind] = extra.get(kind, 0) + 1
    return len(mine), len(theirs), len(theirs - set(mine)), extra


def candidate_paths(tree: Path) -> dict[str, int]:
    """How the candidate files of ``tree`` are parsed (in this process, untimed): their import
    statements alone, their statements that matter (partial), or whole, and why whole."""
    sys.path.insert(0, str(REPO))
    from phasegate import config
    from phasegate.detect import engine, scan
    from phasegate.discover import discover
    from phasegate.semantics import analyze, chunks
    from phasegate.semantics.hotspots import hot_lines, hot_offsets, naming_strings

    cfg, _ = config.load(tree / "phases.toml")
    index = analyze.RuleIndex.build(engine.rules_for(cfg, None))
    built: list[str] = []
    real = analyze.parse_partial

    def counting(data: bytes, path: str, offsets: list[int], build: object) -> object:
        parsed = real(data, path, offsets, build)  # type: ignore[arg-type]
        if parsed is not None:
            built.append(getattr(build, "__name__", "?"))
        return parsed

    counts: dict[str, int] = {}
    analyze.parse_partial = counting  # type: ignore[assignment]
    try:
        for rel in discover(cfg.root, cfg.exclude).files:
            data = (cfg.root / rel).read_bytes()
            if not index.is_candidate(data):
                continue
            built.clear()
            scan.analyze(cfg.src, rel, data, index)
            texts = chunks.non_ascii_strings(data) if not data.isascii() else []
            if texts:
                texts = naming_strings(data, texts, index)
            offsets = sorted(set(hot_offsets(data, index)).union(texts or ()))
            if built:
                key = {"import_statements": "imports only"}.get(built[0], "partial")
            elif texts is None:
                key = "whole: non-ASCII identifiers possible"
            elif not hot_lines(data, index, offsets):
                key = "dismissed unparsed: no line can hold a finding"
            elif len(data) <= analyze.PARTIAL_MIN_BYTES:
                key = "whole: small"
            elif len(hot_lines(data, index, hot_offsets(data, index))) \
                    * analyze.PARTIAL_MAX_HOT > data.count(b"\n"):
                key = "whole: too hot"
            else:
                key = "whole: most of the file needed, or the lexer unsure"
            counts[key] = counts.get(key, 0) + 1
    finally:
        analyze.parse_partial = real  # type: ignore[assignment]
    return dict(sorted(counts.items()))


def table(figures: list[DetectFigures]) -> list[str]:
    rows = ["| files | phasegate cold | ruff cold | ratio cold | phasegate warm (replay) |"
            " ruff warm | ratio warm | phasegate warm (replay, watcher) | ratio |"
            " phasegate warm (per-file cache) | ratio |"
            " peak RSS phasegate (largest proc / whole tree / watcher) | peak RSS ruff |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for f in figures:
        s = f.series
        pg_peak = max(s["phasegate cold"].peak_mb, s["phasegate warm"].peak_mb)
        tree_peak = max(v for k, v in f.tree_peak_mb.items() if k != "watcher")
        ruff_peak = max(s["ruff cold"].peak_mb, s["ruff warm"].peak_mb)
        rows.append(
            f"| {f.files:,} | {fmt_s(s['phasegate cold'].median)} | {fmt_s(s['ruff cold'].median)}"
            f" | **{f.ratio('cold'):.2f}** | {fmt_s(s['phasegate warm'].median)}"
            f" | {fmt_s(s['ruff warm'].median)} | **{f.ratio('warm'):.2f}**"
            f" | {fmt_s(s[WATCHED].median)} | **{f.watched_ratio():.2f}**"
            f" | {fmt_s(s[PER_FILE].median)} | {f.per_file_ratio():.2f}"
            f" | {pg_peak:.0f} MB / {tree_peak:.0f} MB / {f.tree_peak_mb['watcher']:.0f} MB"
            f" | {ruff_peak:.0f} MB |")
    return rows


def details(figures: list[DetectFigures]) -> list[str]:
    lines = []
    for f in figures:
        verdict = [f"cold {f.ratio('cold'):.2f} (target <= {TARGETS['cold']}, aim {AIMS['cold']})",
                   f"warm (replay) {f.ratio('warm'):.2f} (target <= {TARGETS['warm']}, aim "
                   f"{AIMS['warm']})", f"warm (replay, watcher) {f.watched_ratio():.2f}",
                   f"warm (per-file cache) {f.per_file_ratio():.2f}"]
        spreads = ", ".join(f"{label} {fmt_s(s.spread[0])}..{fmt_s(s.spread[1])}"
                            for label, s in f.series.items())
        codes = ", ".join(f"{label} {sorted(c)}" for label, c in f.returncodes.items())
        cpu = {label: fmt_s(s.cpu) for label, s in f.series.items()}
        lines += [f"- {f.files:,} files: ratios {'; '.join(verdict)}.",
                  f"  - median CPU seconds (user+system, whole process tree): {cpu}; CPU ratio"
                  f" cold {f.cpu_ratio('cold'):.2f}, warm {f.cpu_ratio('warm'):.2f}, warm"
                  f" (watcher) {f.watched_cpu_ratio():.2f}.",
                  f"  - min..max over rounds: {spreads}.",
                  f"  - findings: phasegate {f.phasegate_found}, ruff {f.ruff_found}; ruff "
                  f"locations phasegate missed: {f.ruff_missed}; phasegate-only by kind: "
                  f"{json.dumps(f.extra_kinds, sort_keys=True)}.",
                  f"  - exit codes: {codes}."]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated file counts")
    parser.add_argument("--big", action="store_true", help="also 50,000 files (~1 GB of disk)")
    parser.add_argument("--real", action="store_true",
                        help="also the real corpus (corpus.py; downloads pinned wheels once)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/phasegate-bench"))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s] + ([50_000] if args.big else [])
    figures = []
    for files in sizes:
        tree = ensure_tree(args.workdir / f"tree-{files}", files)
        print(f"detect: {files:,} files, {args.repeats} rounds ...", file=sys.stderr)
        figures.append(measure(tree, files, args.repeats))
    if args.real:
        tree = corpus.build(args.workdir / "real")
        files = corpus.py_files(tree)
        print(f"detect: real corpus, {files:,} files, {args.repeats} rounds ...", file=sys.stderr)
        figures.append(measure(tree, files, args.repeats))
        paths = candidate_paths(tree)
        print(f"- real corpus, how the {sum(paths.values()):,} candidate files are parsed: "
              + "; ".join(f"{k} {v:,}" for k, v in paths.items()) + ".")
    print("\n".join(table(figures) + [""] + details(figures)))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "detect": [
            {"files": f.files, "ratio_cold": f.ratio("cold"), "ratio_warm": f.ratio("warm"),
             "ratio_warm_per_file_cache": f.per_file_ratio(),
             "ratio_warm_watcher": f.watched_ratio(),
             "medians": {k: s.median for k, s in f.series.items()},
             "cpu": {k: s.cpu for k, s in f.series.items()},
             "peak_mb": {k: s.peak_mb for k, s in f.series.items()},
             "tree_peak_mb": f.tree_peak_mb, "ruff_missed": f.ruff_missed,
             "found": {"phasegate": f.phasegate_found, "ruff": f.ruff_found},
             "extra_kinds": f.extra_kinds} for f in figures]}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
