"""Static analysis: bandit finds nothing of medium or high severity in brott/ that is not
explained, and every low finding is one SECURITY.md accepts."""

import re
from pathlib import Path

import pytest

from .security_figures import record_figure
from .security_report import ROOT, accepted_low_findings, run_bandit

pytestmark = pytest.mark.security

# `# nosec B608 — why this is safe`: the test ids it silences and a reason of a few words
EXPLAINED_NOSEC = re.compile(r"#\s*nosec\s+B\d{3}(?:\s*,\s*B\d{3})*\s+(?:—|--?)\s+\S.{9,}")


def test_bandit_finds_no_unexplained_medium_or_high_issue():
    findings = run_bandit()
    record_figure("static analysis", "bandit high/medium/low", findings.summary())
    serious = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} ({r['issue_severity']}): "
        f"{r['issue_text']}"
        for r in findings.unexplained_serious
    ]
    assert not serious, "fix these, or explain them with `# nosec BXXX — reason`:\n" + "\n".join(
        serious
    )


def test_every_low_bandit_finding_is_of_a_kind_security_md_accepts():
    unaccepted = run_bandit().low_test_ids() - accepted_low_findings()
    assert not unaccepted, (
        f"bandit reports {sorted(unaccepted)}: fix them, or accept them with a reason in "
        "SECURITY.md's static analysis table"
    )


def test_every_nosec_names_what_it_silences_and_why():
    unexplained = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "brott").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"#\s*nosec", line) and not EXPLAINED_NOSEC.search(line)
    ]
    assert not unexplained, "write `# nosec BXXX — reason`:\n" + "\n".join(unexplained)


def test_the_nosec_rule_accepts_a_reason_and_refuses_a_bare_nosec():
    assert EXPLAINED_NOSEC.search("x = 1  # nosec B608 — the column names are constants")
    assert not EXPLAINED_NOSEC.search("x = 1  # nosec")
    assert not EXPLAINED_NOSEC.search("x = 1  # nosec B608")
    assert not EXPLAINED_NOSEC.search("x = 1  # nosec — trust me")


def test_the_accepted_low_findings_are_read_from_security_md():
    assert {"B101", "B105"} <= accepted_low_findings()
    assert Path(ROOT / "SECURITY.md").exists()
