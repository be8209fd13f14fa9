"""`make security-report`: the measured figures, bandit's findings and one verdict.

Reads what `make security-report` left in a directory: `figures.jsonl` (written by
`tests.security_figures.record_figure` during `pytest -m security`), `tests.xml` (pytest's
JUnit report) and `bandit.json`. Prints one table per section and a verdict line; the exit
status is 0 for PASS, 1 for FAIL, 2 for INCOMPLETE (a section not measured, a test skipped).

    python -m tests.security_report DIRECTORY --tests-exit N
"""

import argparse
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# the sections a security officer expects, in the order they are shown, with what they answer
EXPECTED_SECTIONS = {
    "access": "every route × every viewer against the policy; objects across councils",
    "hostile input": "malformed and hostile requests: how many, how many server errors",
    "concurrent edits": "simultaneous saves of each edit form: accepted / refused / lost",
    "sessions": "cookies replayed after logout and after a password change",
    "logins": "wrong passwords until the login is throttled",
    "static analysis": "bandit's findings in brott/ by severity",
}

# parts of a figure that must be zero, and figures that must read "refused"
MUST_BE_ZERO = ("server error", "lost", "leak", "unauthorised", "duplicate")
MUST_BE_REFUSED = ("replayed", "cookie")
SEVERITIES = ("HIGH", "MEDIUM", "LOW")

BANDIT_COMMAND = ["-m", "bandit", "-c", "pyproject.toml", "-r", "brott", "-q", "-f", "json"]


# --- bandit ---------------------------------------------------------------------------------


@dataclass
class BanditFindings:
    """What bandit reported: findings not marked `# nosec`, and how many were marked."""

    results: list[dict] = field(default_factory=list)
    explained: int = 0

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r["issue_severity"] == severity)

    @property
    def unexplained_serious(self) -> list[dict]:
        return [r for r in self.results if r["issue_severity"] in ("HIGH", "MEDIUM")]

    def low_test_ids(self) -> set[str]:
        return {r["test_id"] for r in self.results if r["issue_severity"] == "LOW"}

    def summary(self) -> str:
        return "/".join(str(self.count(s)) for s in SEVERITIES)


def parse_bandit(report: str) -> BanditFindings:
    """Findings from bandit's JSON output."""
    data = json.loads(report)
    return BanditFindings(data["results"], int(data["metrics"]["_totals"].get("nosec", 0)))


def run_bandit() -> BanditFindings:
    """Run bandit over brott/ as `make lint` does, and read its findings."""
    finished = subprocess.run(
        [sys.executable, *BANDIT_COMMAND], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if finished.returncode not in (0, 1):  # 1: findings were reported
        raise RuntimeError(f"bandit failed: {finished.stderr}")
    return parse_bandit(finished.stdout)


def accepted_low_findings() -> set[str]:
    """The bandit test ids SECURITY.md accepts as low findings (its static analysis table)."""
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    section = text.split("## Static analysis", 1)[-1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `?(B\d{3})`? \|", section, flags=re.MULTILINE))


# --- figures --------------------------------------------------------------------------------


def read_figures(path: Path) -> dict[str, dict[str, list[object]]]:
    """The recorded figures by section and label; a label recorded by several runs (one per
    database backend) keeps every value."""
    figures: dict[str, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                figures[row["section"]][row["label"]].append(row["value"])
    return figures


def named_counts(label: str, value: object) -> dict[str, int]:
    """The counts a figure holds, by name: "server errors" 0 → {"server errors": 0};
    "form: accepted/refused/lost" "1/9/0" → {"accepted": 1, "refused": 9, "lost": 0}."""
    if isinstance(value, bool):
        return {}
    if isinstance(value, int):
        return {label: value}
    names = [n.strip() for n in label.rsplit(":", 1)[-1].split("/")]
    parts = [p.strip() for p in str(value).split("/")]
    if len(names) != len(parts) or not all(p.isdigit() for p in parts):
        return {}
    return {name: int(part) for name, part in zip(names, parts, strict=True)}


def problems_in(section: str, label: str, value: object) -> list[str]:
    """Why this figure fails the report, if it does."""
    found = []
    for name, count in named_counts(label, value).items():
        serious = section == "static analysis" and name.lower() in ("high", "medium")
        if count > 0 and (serious or any(word in name.lower() for word in MUST_BE_ZERO)):
            found.append(f"{section} — {label}: {value}")
    refusal = any(word in label.lower() for word in MUST_BE_REFUSED)
    if refusal and str(value).strip().lower() != "refused":
        found.append(f"{section} — {label}: {value} (an old cookie must be refused)")
    return found


def shown(values: list[object]) -> str:
    if len(values) == 1:
        return str(values[0])
    if all(v == values[0] for v in values):
        return f"{values[0]} (each of {len(values)} runs)"
    return "; ".join(str(v) for v in values) + f" ({len(values)} runs)"


# --- tests ----------------------------------------------------------------------------------


@dataclass
class TestRun:
    exit_code: int
    run: int = 0
    failed: int = 0
    skipped: int = 0


def read_test_run(path: Path, exit_code: int) -> TestRun:
    """Counts from pytest's JUnit report, when there is one."""
    outcome = TestRun(exit_code)
    if path.exists():
        for suite in ElementTree.parse(path).getroot().iter("testsuite"):
            outcome.run += int(suite.get("tests", 0))
            outcome.failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            outcome.skipped += int(suite.get("skipped", 0))
    return outcome


# --- the report -----------------------------------------------------------------------------


def report(directory: Path, tests_exit: int, out=sys.stdout) -> int:
    """Print the report; return the exit status of its verdict."""
    figures = read_figures(directory / "figures.jsonl")
    tests = read_test_run(directory / "tests.xml", tests_exit)
    failures: list[str] = []
    gaps: list[str] = []

    bandit_file = directory / "bandit.json"
    bandit = parse_bandit(bandit_file.read_text()) if bandit_file.exists() else None
    if bandit is None:
        failures.append("bandit did not run")
    else:
        analysis = figures["static analysis"]
        analysis["bandit findings high/medium/low (this run)"] = [bandit.summary()]
        analysis["findings explained with # nosec"] = [bandit.explained]
        accepted = accepted_low_findings()
        for test_id in sorted(bandit.low_test_ids()):
            verdict = "accepted in SECURITY.md" if test_id in accepted else "NOT accepted"
            analysis[f"low: {test_id}"] = [verdict]
            if test_id not in accepted:
                failures.append(f"bandit {test_id} is not among the accepted low findings")
        for finding in bandit.unexplained_serious:
            failures.append(
                f"bandit {finding['test_id']} ({finding['issue_severity'].lower()}) at "
                f"{finding['filename']}:{finding['line_number']} has no explanation"
            )

    print("Security report — brott", file=out)
    print("=" * 72, file=out)
    state = "passed" if tests.exit_code == 0 else f"FAILED (exit {tests.exit_code})"
    print(
        f"tests marked `security`: {tests.run} run, {tests.failed} failed, "
        f"{tests.skipped} skipped — {state}",
        file=out,
    )
    if tests.exit_code != 0:
        failures.append(f"the security tests failed (pytest exit {tests.exit_code})")
    if tests.skipped:
        gaps.append(f"{tests.skipped} security tests skipped")

    sections = [*EXPECTED_SECTIONS, *sorted(set(figures) - set(EXPECTED_SECTIONS))]
    for section in sections:
        print(f"\n{section}", file=out)
        if section in EXPECTED_SECTIONS:
            print(f"  ({EXPECTED_SECTIONS[section]})", file=out)
        rows = figures.get(section)
        if not rows:
            print("  not measured", file=out)
            gaps.append(f"{section} not measured")
            continue
        width = max(len(label) for label in rows)
        for label, values in rows.items():
            print(f"  {label:<{width}}  {shown(values)}", file=out)
            for value in values:
                failures.extend(problems_in(section, label, value))

    print("\n" + "=" * 72, file=out)
    for reason in dict.fromkeys([*failures, *gaps]):
        print(f"  ! {reason}", file=out)
    if failures:
        print(f"VERDICT: FAIL ({_count(failures, 'problem')} above)", file=out)
        return 1
    if gaps:
        print(f"VERDICT: INCOMPLETE ({_count(gaps, 'gap')} above)", file=out)
        return 2
    print(
        "VERDICT: PASS — no server error, no lost edit, no unauthorised answer, replayed "
        "cookies refused, no unexplained medium or high bandit finding",
        file=out,
    )
    return 0


def _count(items: list[str], noun: str) -> str:
    return f"{len(items)} {noun}" + ("" if len(items) == 1 else "s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--tests-exit", type=int, required=True)
    arguments = parser.parse_args()
    return report(arguments.directory, arguments.tests_exit)


if __name__ == "__main__":
    sys.exit(main())
