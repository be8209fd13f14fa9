"""SECURITY.md says what `brott/policy.py` does: its tables are compared with RULES."""

import re

from brott.models import Role
from brott.policy import _BODY_ONLY, _OWN_ONLY, RULES, Permission, ViewerKind

from .security_report import ROOT

SECURITY_MD = (ROOT / "SECURITY.md").read_text(encoding="utf-8")

COLUMNS = {
    "admin": Role.ADMIN,
    "coordinator": Role.COORDINATOR,
    "member": Role.MEMBER,
    "police": Role.POLICE,
    "body staff": Role.BODY_STAFF,
    "visitor": ViewerKind.PUBLIC,
    "API token": ViewerKind.TOKEN,
}
YES, NO = "✓", "–"


def _between(marker: str) -> str:
    match = re.search(rf"<!-- {marker}:start -->\n(.*?)<!-- {marker}:end -->", SECURITY_MD, re.S)
    assert match, f"SECURITY.md lost its {marker} markers"
    return match.group(1)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def expected_matrix() -> str:
    """The permission table as RULES has it (the failure message shows it for copying)."""
    lines = [
        "| permission | " + " | ".join(COLUMNS) + " |",
        "| --- |" + " --- |" * len(COLUMNS),
    ]
    for permission in Permission:
        marks = [YES if permission in RULES[key] else NO for key in COLUMNS.values()]
        lines.append(f"| `{permission.value}` — … | " + " | ".join(marks) + " |")
    return "\n".join(lines)


def test_the_permission_table_is_the_policy():
    lines = _between("permissions").strip().splitlines()
    assert _cells(lines[0]) == ["permission", *COLUMNS], "the table's columns changed"
    documented = {}
    for line in lines[2:]:
        cells = _cells(line)
        name = re.match(r"`([a-z_]+)`", cells[0])
        assert name, f"a row without a permission: {line}"
        documented[name.group(1)] = {
            column: mark == YES for column, mark in zip(COLUMNS, cells[1:], strict=True)
        }
    actual = {
        permission.value: {column: permission in RULES[key] for column, key in COLUMNS.items()}
        for permission in Permission
    }
    assert documented == actual, (
        "SECURITY.md's permission table differs from RULES in brott/policy.py; it should read "
        f"(descriptions kept):\n{expected_matrix()}"
    )


def test_every_role_and_viewer_kind_of_the_policy_has_a_column():
    assert set(COLUMNS.values()) == set(RULES)


def test_the_own_object_rules_are_the_policy():
    documented = {
        (found.group(1), found.group(2))
        for found in re.finditer(r"- `([a-z_]+)`:.*?`([a-z_]+)`", _between("own-only"))
    }
    actual = {(narrow.value, wider.value) for narrow, wider in _OWN_ONLY.items()}
    assert documented == actual


def test_the_body_only_rules_are_the_policy():
    documented = {
        (found.group(1), found.group(2))
        for found in re.finditer(r"- `([a-z_]+)`:.*?`([a-z_]+)`", _between("body-only"), re.S)
    }
    actual = {(narrow.value, wider.value) for narrow, wider in _BODY_ONLY.items()}
    assert documented == actual


def test_who_may_read_each_data_class_is_the_policy():
    section = SECURITY_MD.split("## Data and who may see it", 1)[1].split("\n### ", 1)[0]
    rows = [_cells(line) for line in section.splitlines() if line.startswith("| ")][2:]
    checked = 0
    for _, what, permission_cell, readers in rows:
        name = re.fullmatch(r"`([a-z_]+)`", permission_cell)
        if name is None:
            continue  # a class without a permission yet (the public pages, residents' data)
        permission = Permission(name.group(1))
        may_read = {column for column, key in COLUMNS.items() if permission in RULES[key]}
        said = {reader.strip() for reader in readers.split(",")}
        assert said == may_read, f"SECURITY.md says {said} may read {what}; the policy: {may_read}"
        checked += 1
    assert checked >= 8


def test_the_readme_points_to_security_md():
    assert "SECURITY.md" in (ROOT / "README.md").read_text(encoding="utf-8")
