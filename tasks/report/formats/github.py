"""``--format github``: one workflow command per violation, shown as a PR annotation.

Escaping follows the runner's workflow-command rules: in the message ``%``, CR and LF are
percent-encoded; in property values ``:`` and ``,`` are as well.
"""

from __future__ import annotations

from ...config import Config
from ...model import DetectResult, Violation
from ..tally import message, problem_line, repo_base, summary_line
from . import FORMATS, ReportFormat


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(v: Violation, prefix: str = "") -> str:
    how = "fixable by phasegate" if v.fixable else f"manual: {v.reason or 'needs a person'}"
    props = ",".join(f"{key}={escape_property(value)}" for key, value in (
        ("file", prefix + v.path), ("line", str(v.line)), ("col", str(v.col)),
        ("title", f"phasegate {v.rule}")))
    text = f"{message(v)} [{v.kind}] (phase {v.phase}, {how})"
    return f"::warning {props}::{escape_data(text)}"


def render_github(result: DetectResult, config: Config) -> str:
    _, prefix = repo_base(config.root)
    lines = [annotation(v, prefix) for v in result.violations]
    for p in result.problems:
        props = f"file={escape_property(prefix + p.path)}"
        if p.line:
            props += f",line={p.line}"
        lines.append(f"::error {props},title=phasegate::{escape_data(problem_line(p))}")
    lines.append(f"::notice title=phasegate::{escape_data(summary_line(result))}")
    return "\n".join(lines) + "\n"


FORMATS.register(ReportFormat(
    "github", "GitHub Actions workflow annotations, one per site",
    lambda result, config, _t: render_github(result, config), order=50))
