"""The run directory: the only thing the worker, the CLI and the app share about a training run.

Layout (on a filesystem that login and compute nodes share)::

    runs/<run-id>/config.json      the resolved configuration, written once, atomically
                  events.jsonl     append-only, one JSON object per line, flushed as written
                  heartbeat.json   rewritten atomically every few seconds by the worker
                  launch.json      how the worker was started ({"launcher": "local", "pid", ...})
                  checkpoints/     last.pt (every epoch), best.pt
                  control/stop     asks the worker to stop
                  worker.log       the worker's stdout/stderr

events.jsonl has its own module (`core.runs.events`); a run's status, which needs the launchers,
lives in `core.cluster.status`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import time
from pathlib import Path
from typing import Any

from core.errors import StorageError, UserError, storage_error
from core.paths import atomic_path
from core.runs.schema import file_problem

HEARTBEAT_SECONDS = 3.0  # how often the worker rewrites heartbeat.json


class RunNotFoundError(UserError):
    """A run id that names no run directory."""


def write_json_atomic(path: Path, data: Any, make_parents: bool = True) -> None:
    """Write JSON so that readers see the old or the new file, never half of one
    (`make_parents=False`: into a folder that must still exist)."""
    with atomic_path(path, make_parents) as temporary:
        temporary.write_text(json.dumps(data, indent=2) + "\n")


def read_json(path: Path) -> Any | None:
    """The JSON in `path`, or None when it is missing or unreadable."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def run_file_problem(run_dir: Path | str) -> str:
    """Why run `run_dir` cannot be read ("" when it can): config.json must be a JSON object of
    its shape; launch.json and heartbeat.json, when present, too (`core.runs.schema`)."""
    run_dir = Path(run_dir)
    for name in ("config.json", "launch.json", "heartbeat.json"):
        path = run_dir / name
        try:
            text = path.read_bytes()
        except FileNotFoundError:
            if name == "config.json":
                return "config.json is missing"
            continue
        except OSError as error:
            return f"{name} cannot be read ({error.strerror or error})"
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return f"{name} is not JSON"
        problem = file_problem(name, data)
        if problem:
            return problem
    return ""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "run"


def create_run(runs_dir: Path | str, config: dict[str, Any], name: str | None = None) -> Path:
    """Make a fresh run directory holding `config.json`; the id is `YYYYmmdd-HHMMSS-<name>`."""
    root = Path(runs_dir)
    check_run_name(name)
    if root.exists() and not root.is_dir():
        raise UserError(f"The runs folder {root} is a file, not a folder; pick another --runs-dir.")
    base = f"{time.strftime('%Y%m%d-%H%M%S')}-{_slug(name or str(config.get('preset', 'run')))}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        for attempt in range(1000):
            run_dir = root / (base if attempt == 0 else f"{base}-{attempt + 1}")
            try:
                run_dir.mkdir()
                break
            except FileExistsError:
                continue
        else:
            raise UserError(
                f"Could not create a new run folder in {root}: too many runs named {base}."
            )
    except OSError as error:
        raise storage_error(error) or error from error
    try:
        (run_dir / "checkpoints").mkdir()
        (run_dir / "control").mkdir()
        write_json_atomic(run_dir / "config.json", config)
    except (OSError, StorageError) as error:
        for folder in (run_dir / "checkpoints", run_dir / "control", run_dir):
            with contextlib.suppress(OSError):
                folder.rmdir()  # a half-made run folder is not left behind
        if isinstance(error, OSError):
            raise storage_error(error) or error from error
        raise
    return run_dir


MAX_NAME_LENGTH = 64
"""Longest run name: the id (`YYYYmmdd-HHMMSS-<name>`) must stay a short, valid file name."""


def check_run_name(name: str | None) -> None:
    """A run name fits in a folder name: at most MAX_NAME_LENGTH characters."""
    if name is not None and len(name) > MAX_NAME_LENGTH:
        raise UserError(
            f"A run name has at most {MAX_NAME_LENGTH} characters (it becomes part of the run "
            f"folder's name), not {len(name)}."
        )


def resolve_run(runs_dir: Path | str, run_id: str) -> Path:
    """The directory of run `run_id` (an exact id, or a unique part of one), always inside
    `runs_dir`: an id with a path separator or `..` is refused."""
    root = Path(runs_dir)
    if not run_id or "/" in run_id or "\\" in run_id or run_id in (".", ".."):
        raise RunNotFoundError(
            f"{run_id!r} is not a run id: give the name of a folder inside {root} (as "
            f"`cnn-tui runs ls --runs-dir {root}` lists them), not a path."
        )
    exact = root / run_id
    if (exact / "config.json").is_file():
        return exact
    ids = [path.name for path in run_dirs(root)]
    matches = [rid for rid in ids if run_id in rid]
    if len(matches) == 1:
        return root / matches[0]
    if not matches:
        raise RunNotFoundError(
            f"No run {run_id!r} in {root}. `cnn-tui runs ls --runs-dir {root}` lists the runs."
        )
    raise RunNotFoundError(f"{run_id!r} matches several runs: {', '.join(matches)}; be more exact.")


def run_dirs(root: Path) -> list[Path]:
    """Every run directory directly under `root` (one with a config.json), by name."""
    if not root.is_dir():
        return []
    return sorted(path for path in root.iterdir() if (path / "config.json").is_file())


def write_heartbeat(run_dir: Path | str, **fields: Any) -> None:
    """Rewrite heartbeat.json atomically with the current time, pid and host; a run folder
    that was deleted is not made again (FileNotFoundError)."""
    beat = {"time": time.time(), "pid": os.getpid(), "host": socket.gethostname(), **fields}
    write_json_atomic(Path(run_dir) / "heartbeat.json", beat, make_parents=False)


def request_stop(run_dir: Path | str) -> Path:
    """Ask the worker to stop (it checkpoints and ends with `stopped`); returns the control file."""
    control = Path(run_dir) / "control"
    control.mkdir(parents=True, exist_ok=True)
    path = control / "stop"
    path.write_text(f"{time.time()}\n")
    return path


def stop_requested(run_dir: Path | str) -> bool:
    """Whether someone asked this run to stop."""
    return (Path(run_dir) / "control" / "stop").exists()


def clear_stop(run_dir: Path | str) -> None:
    """Forget an earlier stop request (before resuming)."""
    (Path(run_dir) / "control" / "stop").unlink(missing_ok=True)
