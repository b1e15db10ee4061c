"""What the Monitor remembers across reopening: the marked runs and the run under the cursor.

One small JSON file per user, `monitor.json` in `core.paths.state_dir()` (never inside a runs
folder, which a whole course may share), keyed by the runs folder's absolute path. A missing,
unreadable or garbled file is an empty memory; a failed write is ignored (it is a convenience).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from core.paths import atomic_path, state_dir

FOLDERS_KEPT = 20  # runs folders remembered, most recent last


@dataclass(frozen=True)
class Remembered:
    """The Monitor's view of one runs folder."""

    marked: frozenset[str] = frozenset()  # run ids marked for comparison
    current: str | None = None  # the run under the cursor


def memory_file() -> Path:
    return state_dir() / "monitor.json"


def _folders() -> dict[str, object]:
    try:
        data = json.loads(memory_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    folders = data.get("folders") if isinstance(data, dict) else None
    return folders if isinstance(folders, dict) else {}


def _key(runs_dir: Path) -> str:
    return str(Path(runs_dir).expanduser().resolve())


def recall(runs_dir: Path) -> Remembered:
    """What was marked and selected in this runs folder (nothing when unknown or garbled)."""
    entry = _folders().get(_key(runs_dir))
    if not isinstance(entry, dict):
        return Remembered()
    marked = entry.get("marked")
    current = entry.get("current")
    return Remembered(
        frozenset(m for m in marked if isinstance(m, str))
        if isinstance(marked, list)
        else frozenset(),
        current if isinstance(current, str) else None,
    )


def remember(runs_dir: Path, view: Remembered) -> None:
    """Save this folder's marks and current run (other folders' entries are kept)."""
    folders = _folders()
    key = _key(runs_dir)
    folders.pop(key, None)
    folders[key] = {"marked": sorted(view.marked), "current": view.current}
    kept = dict(list(folders.items())[-FOLDERS_KEPT:])
    try:
        with atomic_path(memory_file()) as temporary:
            temporary.write_text(json.dumps({"folders": kept}, indent=1) + "\n", encoding="utf-8")
    except OSError:
        pass
