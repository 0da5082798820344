"""phasegate suggest vs phasegate detect cold, on a real tree of pinned wheels (>= 10k files).

    python benchmarks/bench_suggest.py [--repeats 5] [--corpus benchmarks/corpus]

The wheels below are downloaded once (``pip download --no-deps``) into the gitignored corpus
directory, their ``.py`` files extracted into one tree and committed to git (discovery asks git,
as on a real repository). The tree's ``phases.toml`` gets the rules ``suggest --write`` proposes
for it (untimed), so detect looks for exactly what suggest proposes. Then, interleaved per
round: detect cold (its cache deleted) and suggest (``--format json``, which also counts the
uses of every proposed rule with a cold detect of its own). Medians; the ratio is
suggest / detect cold (the issue's target: <= 2).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_detect import detect_cache_dir, python_env  # noqa: E402
from common import REPO, Series, fmt_s, machine, timed, tool  # noqa: E402

WHEELS = ("ansible==10.7.0", "Django==5.1.4", "sympy==1.13.3")
TARGET = 2.0
PHASES = '[project]\nroot = "."\n\n[phases.all]\nfiles = ["**/*.py"]\nrules = []\n'


def ensure_corpus(corpus: Path) -> Path:
    """The extracted, committed tree (built once; the wheels are pinned)."""
    tree = corpus / "suggest-tree"
    if (tree / ".git").is_dir():
        return tree
    wheels = corpus / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d",
                    str(wheels), *WHEELS], check=True)
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    for wheel in sorted(wheels.glob("*.whl")):
        with zipfile.ZipFile(wheel) as zf:
            for name in zf.namelist():
                if name.endswith(".py") and ".dist-info/" not in name:
                    zf.extract(name, tree)
    (tree / "phases.toml").write_text(PHASES)
    git = ["git", "-C", str(tree)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "-c", "user.name=bench", "-c", "user.email=bench@example.invalid",
                    "commit", "-qm", "corpus"], check=True)
    return tree


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=REPO / "benchmarks" / "corpus")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    tree = ensure_corpus(args.corpus)
    env = python_env(tree.parent / "pycache")
    cfg = str(tree / "phases.toml")
    pg = tool("phasegate")
    (tree / "phases.toml").write_text(PHASES)
    wrote = timed([pg, "suggest", "--config", cfg, "--write", "--no-uses"], tree, env=env)
    assert wrote.returncode == 0, "suggest --write failed"
    files = len(subprocess.run(["git", "-C", str(tree), "ls-files", "*.py"], check=True,
                               capture_output=True).stdout.splitlines())
    cmds = {"detect cold": [pg, "detect", "--config", cfg, "--format", "json", "--no-cache"],
            "suggest": [pg, "suggest", "--config", cfg, "--format", "json"]}
    series = {label: Series(label) for label in cmds}
    cache = detect_cache_dir(tree)
    for argv_ in cmds.values():  # warm the page cache and the bytecode
        timed(argv_, tree, env=env)
    out = json.loads(timed(cmds["suggest"], tree, env=env, keep_stdout=True).stdout)
    for _ in range(args.repeats):
        for label, argv_ in cmds.items():
            shutil.rmtree(cache, ignore_errors=True)
            series[label].runs.append(timed(argv_, tree, env=env))
    ratio = series["suggest"].median / series["detect cold"].median
    cpu = series["suggest"].cpu / series["detect cold"].cpu
    states: dict[str, int] = {}
    for sugg in out["suggestions"]:
        states[sugg["status"]] = states.get(sugg["status"], 0) + 1
    print(f"| files | detect cold | suggest | ratio (target <= {TARGET}) | CPU ratio |")
    print("|---:|---:|---:|---:|---:|")
    print(f"| {files:,} | {fmt_s(series['detect cold'].median)} | "
          f"{fmt_s(series['suggest'].median)} | **{ratio:.2f}** | {cpu:.2f} |")
    print(f"\nrules in phases.toml (from suggest --write): {states}; files parsed by suggest: "
          f"{out['files_parsed']}; exit codes: "
          f"{ {k: sorted({r.returncode for r in s.runs}) for k, s in series.items()} }")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "files": files, "ratio": ratio,
                                         "cpu_ratio": cpu, "states": states,
                                         "medians": {k: s.median for k, s in series.items()}},
                                        indent=2))
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
