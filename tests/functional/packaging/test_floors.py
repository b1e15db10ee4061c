"""The floors README says were installed and tested are exactly the ones pyproject.toml declares
(a raised or lowered floor must be tried again, and README's recipe for it updated)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def release(version: str) -> tuple[int, ...]:
    """'2.4' and '2.4.0' are the same release."""
    parts = [int(part) for part in version.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def test_readme_floors_are_pyprojects():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "dependencies"
    ]
    declared = {}
    for requirement in dependencies:
        match = re.match(r"([A-Za-z0-9_.-]+)\s*>=\s*([\d.]+)", requirement)
        assert match, f"{requirement!r} has no floor"
        declared[match[1].lower()] = release(match[2])

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Dependency floors", 1)[1].split("\n## ", 1)[0]
    tried = {
        name.lower(): release(version)
        for name, version in re.findall(r"'([A-Za-z0-9_.-]+)==([\d.]+)'", section)
    }
    assert tried == declared
