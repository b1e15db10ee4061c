"""Where runs and datasets live (one rule shared by every command, the app and the worker),
and how a file there is replaced so that readers never see half of it."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary name beside `path` for the block to write (this process and thread only);
    it replaces `path` when the block succeeds and is removed when it fails, so readers see the
    old or the new file, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


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


def state_dir() -> Path:
    """Per-user state (course progress, what the Monitor had marked), never in a shared runs
    folder: $XDG_STATE_HOME/cnn-tui, else $XDG_CONFIG_HOME/cnn-tui, else
    ~/.local/state/cnn-tui."""
    for variable in ("XDG_STATE_HOME", "XDG_CONFIG_HOME"):
        if os.environ.get(variable):
            return Path(os.environ[variable]) / "cnn-tui"
    return Path.home() / ".local" / "state" / "cnn-tui"
