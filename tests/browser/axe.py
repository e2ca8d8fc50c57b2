"""axe-core in the browser tests: the engine ships inside the axe-playwright-python wheel (nothing fetched at run
time). `serious_violations(page)` runs it on the page as it is and returns what a test must not accept.
"""
from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()
BLOCKING = ("serious", "critical")


def serious_violations(page, *, context: str | None = None) -> list[str]:
    """The page's serious and critical axe violations as "rule-id (impact): selector, …" lines; [] when none."""
    results = _AXE.run(page, context=context).response
    return [
        f"{violation['id']} ({violation['impact']}): " + ", ".join(
            " ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
            for node in violation["nodes"][:5]
        )
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]
