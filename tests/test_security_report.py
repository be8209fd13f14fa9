"""The security report's verdict: PASS only when every figure that must hold does."""

import io
import json

import pytest

from .security_report import EXPECTED_SECTIONS, named_counts, report

CLEAN = {
    ("access", "routes × viewers checked"): 600,
    ("access", "unauthorised answers"): 0,
    ("access", "leaks"): 0,
    ("hostile input", "server errors"): 0,
    ("concurrent edits", "measure edit: accepted/refused/lost"): "1/9/0",
    ("sessions", "replayed cookie after logout"): "refused",
    ("logins", "attempts until throttled (account)"): 6,
    ("static analysis", "bandit high/medium/low"): "0/0/3",
}


def _bandit(*severities: str) -> dict:
    results = [
        {
            "test_id": "B101" if severity == "LOW" else "B608",
            "issue_severity": severity,
            "issue_text": "…",
            "filename": "brott/x.py",
            "line_number": 1,
        }
        for severity in severities
    ]
    return {"results": results, "metrics": {"_totals": {"nosec": 1}}}


def _run(tmp_path, figures: dict, bandit: dict | None = None, tests_exit: int = 0):
    lines = [
        json.dumps({"section": s, "label": label, "value": v}) for (s, label), v in figures.items()
    ]
    (tmp_path / "figures.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if bandit is not None:
        (tmp_path / "bandit.json").write_text(json.dumps(bandit), encoding="utf-8")
    out = io.StringIO()
    status = report(tmp_path, tests_exit, out=out)
    return status, out.getvalue()


def test_a_clean_run_passes_and_shows_every_section(tmp_path):
    status, text = _run(tmp_path, CLEAN, _bandit("LOW"))
    assert status == 0, text
    assert text.rstrip().splitlines()[-1].startswith("VERDICT: PASS")
    for section in EXPECTED_SECTIONS:
        assert f"\n{section}\n" in text
    assert "not measured" not in text


@pytest.mark.parametrize(
    ("figure", "value"),
    [
        (("hostile input", "server errors"), 2),
        (("concurrent edits", "measure edit: accepted/refused/lost"), "1/8/1"),
        (("access", "unauthorised answers"), 1),
        (("access", "leaks"), 3),
        (("sessions", "replayed cookie after logout"), "accepted"),
        (("sessions", "old cookie after deactivation"), "accepted"),
        (("reminders", "slow relay: messages sent / duplicates"), "60 / 1"),
    ],
)
def test_a_figure_that_must_hold_and_does_not_fails_the_report(tmp_path, figure, value):
    status, text = _run(tmp_path, {**CLEAN, figure: value}, _bandit("LOW"))
    assert status == 1
    assert text.rstrip().splitlines()[-1].startswith("VERDICT: FAIL")
    assert f"{figure[1]}: {value}" in text


def test_an_unexplained_medium_bandit_finding_fails_the_report(tmp_path):
    status, text = _run(tmp_path, CLEAN, _bandit("LOW", "MEDIUM"))
    assert status == 1
    assert "B608 (medium) at brott/x.py:1 has no explanation" in text


def test_failed_security_tests_fail_the_report(tmp_path):
    status, text = _run(tmp_path, CLEAN, _bandit(), tests_exit=1)
    assert status == 1
    assert "the security tests failed (pytest exit 1)" in text


def test_a_report_without_bandit_fails(tmp_path):
    status, text = _run(tmp_path, CLEAN, bandit=None)
    assert status == 1
    assert "bandit did not run" in text


def test_a_section_nobody_measured_is_shown_as_a_gap(tmp_path):
    figures = {key: value for key, value in CLEAN.items() if key[0] != "logins"}
    status, text = _run(tmp_path, figures, _bandit())
    assert status == 2
    assert "logins\n  (wrong passwords until the login is throttled)\n  not measured" in text
    assert text.rstrip().splitlines()[-1].startswith("VERDICT: INCOMPLETE")


def test_a_figure_recorded_by_both_databases_shows_both_runs(tmp_path):
    lines = [
        json.dumps({"section": "access", "label": "leaks", "value": value}) for value in (0, 0)
    ]
    (tmp_path / "figures.jsonl").write_text("\n".join(lines), encoding="utf-8")
    out = io.StringIO()
    report(tmp_path, 0, out=out)
    assert "leaks  0 (each of 2 runs)" in out.getvalue()


def test_counts_are_read_from_slashed_figures():
    assert named_counts("form: accepted/refused/lost", "1/9/0") == {
        "accepted": 1,
        "refused": 9,
        "lost": 0,
    }
    assert named_counts("server errors", 0) == {"server errors": 0}
    assert named_counts("replayed cookie", "refused") == {}
