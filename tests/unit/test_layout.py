"""The layout by area, enforced: import-linter's contracts, small modules, a documented package
per area (docs/ARCHITECTURE.md maps them)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "tui", "screens")


def test_import_contracts_hold():
    """`lint-imports` with the contracts in pyproject.toml: layers, headless core, independent
    workspaces and commands, no cycles."""
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout and " KEPT" in result.stdout


def test_ruff_lint_and_format_are_clean():
    """`ruff check` and `ruff format --check` with the settings in pyproject.toml."""
    ruff = Path(sys.executable).parent / "ruff"
    for command in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run([str(ruff), *command], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_core_keeps_only_shared_modules_at_its_top():
    modules = sorted(path.name for path in (ROOT / "core").glob("*.py"))
    assert len(modules) <= 8, modules


def test_every_package_says_what_it_is():
    for package in PACKAGES:
        for init in (ROOT / package).rglob("__init__.py"):
            docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
            assert docstring, f"{init.relative_to(ROOT)} has no docstring"


def test_no_module_over_400_lines():
    long = {
        str(path.relative_to(ROOT)): count
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}
