"""The commit message, PR body and publish lines, from plain values."""

from __future__ import annotations

import shlex

from phasegate.branches import prbody
from phasegate.config import Phase, Rule
from phasegate.model import Violation

PHASE = Phase("p2-pay", "Payments: @acme/pay's code", ("pay/a.py", "pay/b.py"), ("mv",),
              ("syntax", "unit"))
RULE = Rule("mv", "move", "app.old.f", "app.new.f", message="f moved | see docs")
FOUND = (Violation("pay/a.py", 3, 1, "mv", "import", "app.old.f"),
         Violation("pay/a.py", 9, 5, "mv", "attribute", "app.old.f"),
         Violation("pay/b.py", 7, 9, "mv", "string-import", "app.old.f", fixable=False,
                   reason="dynamic import by string: rewrite it by hand"))
STATUS = {"status": "complete", "violations_before": 3, "violations_after": 1,
          "files_done": ["pay/a.py"],
          "gates": {"syntax": {"result": "pass", "duration": 0.12, "summary": "1 file(s) compile"},
                    "unit": {"result": "pass", "duration": 1.5,
                             "summary": "2 passed, 0 failed; selected 1 of 4 test files"}}}
EV = prbody.Evidence(PHASE, (RULE,), FOUND, STATUS, ("svc/tests/test_a.py",), "svc/",
                     "0123456789abcdef", "main", "phasegate/p2-pay", "/r/records/p2-pay")


def test_commit_message() -> None:
    assert prbody.commit_message(EV) == (
        "phasegate p2-pay: Payments: @acme/pay's code\n\n"
        "Rules: mv (move)\n"
        "Files changed: 1; sites rewritten: 2; left to a person: 1\n"
        "Gates: syntax pass 0.12s, unit pass 1.50s\n"
        "Reproduce: nox -s migrate-p2-pay -- --branch\n")


def test_pr_body_sections() -> None:
    body = prbody.pr_body(EV)
    for part in [
        "from `0123456789ab` (main)",
        "| `mv` | move | `app.old.f` | `app.new.f` | f moved \\| see docs |",  # cells escaped
        "### Changes: 1 file(s), 2 site(s) rewritten, 1 left to a person\n\n"
        "- `svc/pay/a.py` (2 site(s))\n",
        "| `svc/pay/b.py:7:9` | `mv` | dynamic import by string: rewrite it by hand |",
        "### Gates (2, 1.62s)",
        "| unit | pass | 1.50s | 2 passed, 0 failed; selected 1 of 4 test files |",
        "unit: 2 passed, 0 failed; selected 1 of 4 test files\n- `svc/tests/test_a.py`\n",
        "git checkout 0123456789ab\nnox -s migrate-p2-pay -- --branch\n",
    ]:
        assert part in body, part


def test_publish_lines_quote_for_the_shell() -> None:
    gh, glab = prbody.publish_lines(EV, "/r/records/p2-pay/pr-body.md")
    words = shlex.split(gh.split("&&", 1)[1])
    assert words[:3] == ["gh", "pr", "create"]
    assert words[words.index("--title") + 1] == "phasegate p2-pay: Payments: @acme/pay's code"
    assert words[words.index("--base") + 1] == "main"
    assert words[words.index("--body-file") + 1] == "/r/records/p2-pay/pr-body.md"
    assert gh.strip().startswith("git push -u origin phasegate/p2-pay && ")
    assert "glab mr create --target-branch main --source-branch phasegate/p2-pay" in glab
