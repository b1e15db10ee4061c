"""Following a runs folder from a thread: each run's events, status and config as snapshots.

The monitor's tail thread calls `RunsWatcher.poll()` twice a second and posts the snapshots it
returns; nothing here touches the UI, so it is tested without one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.cluster.states import RunStatus
from core.cluster.status import run_status
from core.runs.events import EventTail, last_session
from core.runs.store import read_json

STATUS_SECONDS = 2.0  # how often the status of an unfinished run is re-derived from its files


@dataclass(frozen=True)
class RunSnapshot:
    """Everything the monitor shows about one run, as of one poll."""

    id: str  # run directory name
    path: Path  # run directory
    config: dict[str, Any]  # config.json as written at launch
    events: tuple[dict[str, Any], ...]  # every complete, readable event so far, in file order
    state: str  # one of core.cluster.states.RUN_STATES
    message: str  # one line explaining the state (the failure message for failed runs)
    corrupt_lines: int  # lines of events.jsonl skipped because they were not JSON
    created: float  # unix seconds, config.json's modification time


@dataclass
class _Tracked:
    """The watcher's running state for one run: its tail position and what it has read."""

    path: Path
    config: dict[str, Any]
    created: float
    tail: EventTail
    events: list[dict[str, Any]] = field(default_factory=list)
    status: RunStatus = RunStatus("pending", "Not started yet.")
    status_time: float = float("-inf")
    snapshot: RunSnapshot | None = None
    ended: bool = False  # the latest session has an `end` event: final until a relaunch
    launch_mtime: float | None = None  # launch.json's; a resume rewrites it


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def _ended_status(events: list[dict[str, Any]]) -> RunStatus | None:
    """The status an `end` event of the latest session gives, if there is one."""
    for event in reversed(last_session(events)):
        if event.get("kind") == "end":
            return RunStatus(str(event.get("status", "failed")), str(event.get("message", "")))
    return None


class RunsWatcher:
    """Incremental view of every run under one folder; new and deleted runs are noticed."""

    def __init__(self, runs_dir: Path | str) -> None:
        self.runs_dir = Path(runs_dir)
        self._runs: dict[str, _Tracked] = {}
        self._order: tuple[str, ...] = ()

    def _discover(self) -> None:
        try:
            found = {p.name: p for p in self.runs_dir.iterdir() if (p / "config.json").is_file()}
        except OSError:
            found = {}
        for run_id in set(self._runs) - set(found):
            del self._runs[run_id]
        for run_id, path in found.items():
            if run_id in self._runs:
                continue
            config = read_json(path / "config.json")
            if not isinstance(config, dict):
                continue  # config.json is written atomically: a partial one cannot be seen
            created = (path / "config.json").stat().st_mtime
            self._runs[run_id] = _Tracked(path, config, created, EventTail(path / "events.jsonl"))

    def poll(self, now: float | None = None) -> tuple[RunSnapshot, ...] | None:
        """Snapshots of all runs (oldest first), or None when nothing changed since last time."""
        now = time.time() if now is None else now
        self._discover()
        changed = False
        for run_id, run in self._runs.items():
            new_events = run.tail.poll()
            run.events.extend(new_events)
            if run.ended and _mtime(run.path / "launch.json") != run.launch_mtime:
                run.ended = False  # resumed: "resuming" until the new worker's start event
                run.status_time = float("-inf")
            elif new_events or run.snapshot is None:
                ended = _ended_status(run.events)
                run.ended = ended is not None
                if ended is not None:
                    run.status = ended
                    run.launch_mtime = _mtime(run.path / "launch.json")
            if not run.ended and (new_events or now - run.status_time >= STATUS_SECONDS):
                run.status = run_status(run.path, now, run.events)
                run.status_time = now
            previous = run.snapshot
            if (
                previous is None
                or new_events
                or previous.state != run.status.state
                or previous.message != run.status.message
                or previous.corrupt_lines != run.tail.corrupt
            ):
                run.snapshot = RunSnapshot(
                    run_id,
                    run.path,
                    run.config,
                    tuple(run.events),
                    run.status.state,
                    run.status.message,
                    run.tail.corrupt,
                    run.created,
                )
                changed = True
        order = tuple(sorted(self._runs, key=lambda rid: (self._runs[rid].created, rid)))
        if order != self._order:
            self._order = order
            changed = True
        if not changed:
            return None
        return tuple(self._runs[rid].snapshot for rid in order)
