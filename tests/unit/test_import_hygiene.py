"""The layering rules, checked in fresh interpreters: core is headless, the UI starts torch-free;
and only Textual's public modules are imported."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def loaded_modules(code: str) -> set[str]:
    """Run `code` in a fresh interpreter and return the names in sys.modules afterwards."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_core_modules_import_without_any_ui_library():
    code = (
        "import pkgutil, importlib, core\n"
        "for info in pkgutil.walk_packages(core.__path__, 'core.'):\n"
        "    importlib.import_module(info.name)\n"
    )
    forbidden = top_level(loaded_modules(code)) & {"textual", "rich", "tui", "screens"}
    assert forbidden == set()


def test_app_and_home_import_without_torch():
    modules = loaded_modules("import tui.app, tui.cli, tui.home_screen; tui.cli.build_parser()")
    assert "textual" in top_level(modules)
    assert {"torch", "torchvision"} & top_level(modules) == set()


def test_every_screen_module_imports_without_torch():
    code = (
        "import importlib, pkgutil, screens, tui\n"
        "from tui.workspaces import WORKSPACES\n"
        "for w in WORKSPACES:\n"
        "    importlib.import_module(w.module)\n"
        "for package in (screens, tui):\n"
        "    for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "        importlib.import_module(info.name)\n"
    )
    assert {"torch", "torchvision"} & top_level(loaded_modules(code)) == set()


def test_no_private_textual_module_is_imported():
    """Textual's `_module`s change without notice between releases (the floor in
    pyproject.toml is only honest if the app keeps to the public API)."""
    private = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        if path.relative_to(ROOT).parts[0] not in ("core", "tui", "screens", "tests", "bench"):
            continue
        text = path.read_text(encoding="utf-8")
        if "textual." not in text:
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            parts = [
                part for name in names if name.startswith("textual.") for part in name.split(".")
            ]
            if any(part.startswith("_") for part in parts):
                private.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert private == []
