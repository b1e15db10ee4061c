"""Suite-wide settings: keep every test off the user's real folders and colour settings."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory, monkeypatch):
    """Runs, data, caches and settings go to temporary folders; no test sees the user's."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CNN_TUI_RUNS", str(home / "runs"))
    monkeypatch.setenv("CNN_TUI_DATA", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("TORCH_HOME", str(home / "torch"))
    monkeypatch.delenv("COLORTERM", raising=False)
