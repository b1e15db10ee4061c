"""The detached worker imports the very code that launched it (a checkout, a worktree, a wheel)."""

from __future__ import annotations

from pathlib import Path

import core
from core.cluster.local import PROJECT_ROOT, spawn_detached


def test_project_root_holds_the_core_package():
    assert PROJECT_ROOT == Path(core.__file__).resolve().parent.parent
    assert (PROJECT_ROOT / "core" / "worker.py").is_file()


def test_spawned_module_imports_core_from_this_tree(tmp_path, monkeypatch):
    probes = tmp_path / "probes"
    probes.mkdir()
    (probes / "where_is_core.py").write_text("import core\nprint(core.__file__)\n")
    monkeypatch.setenv("PYTHONPATH", str(probes))
    monkeypatch.chdir(tmp_path)  # launched from elsewhere: the root still comes first
    log = tmp_path / "worker.log"
    assert spawn_detached(["where_is_core"], log).wait(timeout=60) == 0
    assert Path(log.read_text().strip()).resolve() == Path(core.__file__).resolve()
