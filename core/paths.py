"""Where runs and datasets live (one rule shared by every command, the app and the worker),
and how a file there is replaced so that readers never see half of it."""

from __future__ import annotations

import errno
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: Path, make_parents: bool = True) -> Iterator[Path]:
    """A temporary name beside `path` for the block to write (this process and thread only);
    it replaces `path` when the block succeeds and is removed when it fails, so readers see the
    old or the new file, never half of one. `make_parents=False`: a missing folder is an error
    (FileNotFoundError), never made again (a run folder deleted under its worker stays gone)."""
    from core.errors import storage_error

    temporary = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        if make_parents:
            path.parent.mkdir(parents=True, exist_ok=True)
        yield temporary
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        plain = storage_error(error, temporary)
        if plain is None:
            raise
        raise plain from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def check_writable(folder: Path) -> None:
    """Raise the StorageError a write into `folder` would meet (a read-only file system or a
    folder without write permission) before any work is done; creates nothing. The nearest
    folder on the way that exists must be writable."""
    from core.errors import storage_error

    folder = Path(folder).absolute()
    missing = [folder, *folder.parents]
    existing = next((path for path in missing if path.exists()), None)
    if existing is None or not existing.is_dir() or os.access(existing, os.W_OK | os.X_OK):
        return  # writable, or a file where a folder should be (the caller says so)
    code = errno.EROFS if os.statvfs(existing).f_flag & os.ST_RDONLY else errno.EACCES
    target = missing[missing.index(existing) - 1] if existing != folder else folder / "run"
    error = OSError(code, os.strerror(code), str(target))
    raise storage_error(error) or error


@contextmanager
def folders_undone_on_failure(path: Path) -> Iterator[None]:
    """When the block fails, remove the folders on the way to `path` that it created and left
    empty (an offline download leaves nothing behind)."""
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    try:
        yield
    except BaseException:
        for folder in missing:  # deepest first
            try:
                folder.rmdir()
            except OSError:
                pass  # not empty, or never made: keep it
        raise


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete the temporaries `atomic_path` left in `folder` when a process was killed mid-write
    (`.<name>.<pid>-<thread>.tmp` of a process that no longer exists); returns them."""
    removed = []
    for path in folder.glob(".*.tmp") if folder.is_dir() else ():
        match = re.fullmatch(r"\..+\.(\d+)-\d+\.tmp", path.name)
        if match and not _process_exists(int(match.group(1))):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def runs_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The runs folder: `--runs-dir`, else $CNN_TUI_RUNS, else settings.toml's runs_dir,
    else ./runs."""
    if explicit:
        return _folder(Path(explicit).expanduser(), "--runs-dir")
    if os.environ.get("CNN_TUI_RUNS"):
        return _folder(Path(os.environ["CNN_TUI_RUNS"]).expanduser(), "$CNN_TUI_RUNS")
    configured = _configured_folder("runs_dir")
    return _folder(configured or Path("runs"), "the runs folder")


def _folder(path: Path, source: str) -> Path:
    """`path` unless it exists as something other than a folder (a file named by mistake)."""
    if path.exists() and not path.is_dir():
        from core.errors import UserError

        raise UserError(f"{source} {path} is a file, not a folder; name a folder for the runs.")
    return path


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
