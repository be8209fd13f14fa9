"""Figures for `make security-report`: tests that measure something record it here.

`record_figure(section, label, value)` appends one line to the JSON-lines file named by the
BROTT_SECURITY_REPORT environment variable; without it (an ordinary `make test`) it does
nothing. The test still asserts what must hold; the figure is what gets quoted.
"""

import json
import os


def record_figure(section: str, label: str, value: object) -> None:
    """Write one measured figure for the security report, when one is being made."""
    target = os.environ.get("BROTT_SECURITY_REPORT")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"section": section, "label": label, "value": value}) + "\n")
