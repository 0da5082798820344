"""The tracker page of the bundled example, after p0 and p1 were migrated over several detect
runs, opened in headless Chromium: the charts are drawn (their series have an area on the
rendered page), the tracker table lists every phase, and a screenshot is kept.

Chromium comes from the system packages (`.ci/run` installs Debian's when it is missing). When
it is absent the test fails under CI (``CI`` set) and is skipped elsewhere. No Python driver:
one run with ``--dump-dom`` prints the DOM after a probe script (added to a copy of the page,
never to the page itself, which has no script) wrote what it measured into it, and takes the
screenshot.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from phasegate import config as config_mod
from phasegate.report import history
from phasegate.statedir import state_dir
from tests.helpers.example import REPO, expect, make_project, phasegate

pytestmark = pytest.mark.slow


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A git repo holding a copy of phases.toml (recorded status dropped) and the example."""
    return make_project(tmp_path)


ARTIFACTS = Path(os.environ.get("PHASEGATE_TEST_ARTIFACTS") or REPO / ".test-artifacts")
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage", "--hide-scrollbars")
PROBE = """<script>
const out = {charts: [], rows: []};
for (const svg of document.querySelectorAll('figure.burndown svg')) {
  const paths = [...svg.querySelectorAll('.series path')];
  const area = paths.map(p => p.getBBox()).reduce((a, b) => a + b.width * b.height, 0);
  out.charts.push({phase: svg.closest('section').id, width: svg.getBoundingClientRect().width,
                   series: paths.length, area: area,
                   events: [...svg.querySelectorAll('.axis.x text.major')]
                             .map(t => t.textContent)});
}
out.rows = [...document.querySelectorAll('#tracker tbody tr')].map(tr => tr.dataset.phase);
const pre = document.createElement('pre');
pre.id = 'probe';
pre.style.display = 'none';  // measured, not shown: the screenshot is the page as it is
pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>"""


def browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    why = ("no headless Chromium on PATH (looked for " + ", ".join(BROWSERS) + "); .ci/run "
           "installs it with: apt-get install -y chromium")
    if os.environ.get("CI"):
        pytest.fail(why)
    pytest.skip(why)


def chromium(exe: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"chromium exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    return proc


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_tracker_page_in_a_browser(project: Path, tmp_path: Path) -> None:
    exe = browser()
    # history over several detect runs around two migrations (two gates each: kept fast)
    for step in (("detect",), ("detect",), ("migrate", "p0", "--gates", "syntax,lint"),
                 ("detect",), ("migrate", "p1", "--gates", "syntax,lint"), ("detect",)):
        expect(phasegate(project, *step, "--format", "json") if step[0] == "detect"
               else phasegate(project, *step), 1 if step[0] == "detect" else 0)
    config = config_mod.load(project / "phases.toml")[0]
    records, warnings = history.load(state_dir(config) / "history.jsonl")
    assert warnings == []
    assert [(r.event, r.phase) for r in records] == [
        ("detect", None), ("detect", None), ("migrated", "p0"), ("detect", None),
        ("migrated", "p1"), ("detect", None)]
    page = tmp_path / "tracker.html"
    expect(phasegate(project, "status", "--format", "html", "-o", str(page)), 0)

    probe = tmp_path / "probe.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                     encoding="utf-8")
    shot = tmp_path / "tracker.png"
    dom = chromium(exe, tmp_path / "profile", "--window-size=1200,1800", f"--screenshot={shot}",
                   "--dump-dom", probe.as_uri()).stdout
    found = re.search(r'<pre id="probe"[^>]*>(.*?)</pre>', dom, re.S)
    assert found, f"the probe did not run:\n{dom[-2000:]}"
    seen = json.loads(html.unescape(found.group(1)))
    phases = [p.id for p in config.phases]
    assert seen["rows"] == phases
    charts = {c["phase"]: c for c in seen["charts"]}
    assert sorted(charts) == sorted(f"phase-{p}" for p in phases)
    for chart in charts.values():
        assert chart["width"] > 500 and chart["series"] >= 1 and chart["area"] > 1000, chart
    assert any("p0 migrated" in e for e in charts["phase-p0"]["events"])
    assert any("p1 migrated" in e for e in charts["phase-p1"]["events"])

    assert png_size(shot.read_bytes()) == (1200, 1800)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, ARTIFACTS / "tracker.png")
    shutil.copyfile(page, ARTIFACTS / "tracker.html")
