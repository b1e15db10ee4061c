"""Where runs and datasets live: one rule shared by every command, the app and the worker."""

from __future__ import annotations

import os
from pathlib import Path


def runs_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The runs folder: `--runs-dir`, else $CNN_TUI_RUNS, else settings.toml's runs_dir,
    else ./runs."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get("CNN_TUI_RUNS"):
        return Path(os.environ["CNN_TUI_RUNS"]).expanduser()
    configured = _configured_folder("runs_dir")
    return configured or Path("runs")


def _configured_folder(name: str) -> Path | None:
    """A folder named in settings.toml (an unreadable file counts as none; `doctor` says why)."""
    from core.settings import SettingsError, load_settings

    try:
        value = getattr(load_settings(), name)
    except SettingsError:
        return None
    return Path(os.path.expandvars(value)).expanduser() if value else None


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The dataset folder: `--data-dir`, else $CNN_TUI_DATA, else settings.toml's data_dir,
    else ~/.cache/cnn-tui/data."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get("CNN_TUI_DATA"):
        return Path(os.environ["CNN_TUI_DATA"]).expanduser()
    configured = _configured_folder("data_dir")
    if configured:
        return configured
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return cache / "cnn-tui" / "data"
