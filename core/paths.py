"""Where runs and datasets live: one rule shared by every command, the app and the worker."""

from __future__ import annotations

import os
from pathlib import Path


def runs_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The runs folder: `--runs-dir`, else $CNN_TUI_RUNS, else ./runs."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get("CNN_TUI_RUNS"):
        return Path(os.environ["CNN_TUI_RUNS"]).expanduser()
    return Path("runs")


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The dataset folder: `--data-dir`, else $CNN_TUI_DATA, else ~/.cache/cnn-tui/data."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get("CNN_TUI_DATA"):
        return Path(os.environ["CNN_TUI_DATA"]).expanduser()
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return cache / "cnn-tui" / "data"
