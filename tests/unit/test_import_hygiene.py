"""The layering rules, checked in fresh interpreters: core is headless, the UI starts torch-free."""

from __future__ import annotations

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
