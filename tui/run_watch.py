"""Following a runs folder from a thread: each run's events, status and config as snapshots.

The monitor's tail thread calls `RunsWatcher.poll()` twice a second and posts the snapshots it
returns; nothing here touches the UI, so it is tested without one.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.cluster.states import RunStatus
from core.cluster.status import run_status
from core.runs.digest import RunDigest
from core.runs.events import last_session
from core.runs.store import read_json, run_file_problem
from core.runs.summary_cache import cached_digest, save_digest

STATUS_SECONDS = 2.0  # how often the status of an unfinished run is re-derived from its files


READ_BYTES: int | None = 1 << 20  # of one run's log per poll (None: all of it at once)


@dataclass(frozen=True)
class RunSnapshot:
    """Everything the monitor shows about one run, as of one poll."""

    id: str  # run directory name
    path: Path  # run directory
    config: dict[str, Any]  # config.json as written at launch
    events: tuple[dict[str, Any], ...]  # the kept events (every one but thinned steps), in order
    state: str  # pending | running | … | unreadable (see core.cluster.states.RUN_STATES)
    message: str  # one line explaining the state (the failure message for failed runs)
    corrupt_lines: int  # records of events.jsonl skipped because they were not valid events
    created: float  # unix seconds, config.json's modification time
    skipped: str = ""  # what was skipped or cut off in events.jsonl, said once ("" if nothing)
    revision: int = 0  # changes whenever `events` may have changed
    loading: bool = False  # the log is still being read (a long one is read over several polls)


@dataclass
class _Tracked:
    """The watcher's running state for one run: its digest of the log and its status."""

    path: Path
    config: dict[str, Any]
    created: float
    digest: RunDigest  # what the snapshot shows (a cached summary until the log is read)
    problem: str = ""  # why the run is unreadable ("" when it is not)
    full: RunDigest | None = None  # the log read afresh, steps and all, replacing `digest`
    status: RunStatus = RunStatus("pending", "Not started yet.")
    status_time: float = float("-inf")
    snapshot: RunSnapshot | None = None
    ended: bool = False  # the latest session has an `end` event: final until a relaunch
    cached: bool = False  # the digest was saved to the summary cache once caught up
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
            return RunStatus(str(event.get("status", "failed")), str(event.get("message") or ""))
    return None


class RunsWatcher:
    """Incremental view of every run under one folder; new and deleted runs are noticed.

    Each run's log is followed by a `RunDigest` (bounded memory). A run whose log the summary
    cache knows is listed at once from it (epochs, status) while its log is read again for the
    step curve; all logs together are read at most `READ_BYTES` per poll, so the list shows
    every run at once and fills in (`loading`). A run whose files are not of their shape is
    shown as unreadable; one failing run never stops the others."""

    def __init__(self, runs_dir: Path | str, read_bytes: int | None = None) -> None:
        self.runs_dir = Path(runs_dir)
        self.read_bytes = READ_BYTES if read_bytes is None else read_bytes  # None: no limit
        self._runs: dict[str, _Tracked] = {}
        self._order: tuple[str, ...] = ()
        self._budget: float = 0  # bytes of logs this poll may still read
        self.loading = False  # some log is not read to its end yet: poll again soon

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
            try:
                created = (path / "config.json").stat().st_mtime
            except OSError:
                continue  # deleted meanwhile
            problem = run_file_problem(path)
            config = read_json(path / "config.json")
            digest = cached_digest(path, read=False)
            self._runs[run_id] = _Tracked(
                path,
                config if isinstance(config, dict) and not problem else {},
                created,
                digest,
                problem,
                cached=not digest.steps_complete,  # listed from the cache: no need to save
            )

    def poll(self, now: float | None = None) -> tuple[RunSnapshot, ...] | None:
        """Snapshots of all runs (oldest first), or None when nothing changed since last time."""
        now = time.time() if now is None else now
        self._discover()
        changed = False
        self._budget = math.inf if self.read_bytes is None else self.read_bytes
        self.loading = False
        for run_id, run in self._runs.items():
            try:
                changed |= self._poll_run(run_id, run, now)
            except Exception as error:  # noqa: BLE001 - one bad run never hides the others
                run.problem = f"{type(error).__name__}: {error}"
                changed |= self._snapshot(run_id, run, True)
        order = tuple(sorted(self._runs, key=lambda rid: (self._runs[rid].created, rid)))
        if order != self._order:
            self._order = order
            changed = True
        if not changed:
            return None
        return tuple(self._runs[rid].snapshot for rid in order)

    def _poll_run(self, run_id: str, run: _Tracked, now: float) -> bool:
        if run.problem:
            return self._snapshot(run_id, run, False)
        new_events = self._read(run.digest)
        if not run.digest.steps_complete:
            run.full = run.full or RunDigest(run.digest.tail.path)
            self._read(run.full)
            if not _behind(run.full):
                run.digest, run.full, new_events = run.full, None, True
        loading = _behind(run.digest) or not run.digest.steps_complete
        self.loading |= loading
        if not loading and not run.cached:
            save_digest(run.path, run.digest)
            run.cached = True
        if run.ended and _mtime(run.path / "launch.json") != run.launch_mtime:
            run.ended = False  # resumed: "resuming" until the new worker's start event
            run.status_time = float("-inf")
        elif new_events or run.snapshot is None:
            ended = _ended_status(run.digest.head_events())
            run.ended = ended is not None
            if ended is not None:
                run.status = ended
                run.launch_mtime = _mtime(run.path / "launch.json")
        if not run.ended and (new_events or now - run.status_time >= STATUS_SECONDS):
            problem = run_file_problem(run.path)
            if problem:
                run.problem = problem
                return self._snapshot(run_id, run, False)
            run.status = run_status(run.path, now, run.digest.head_events(), checked=True)
            run.status_time = now
        return self._snapshot(run_id, run, new_events, loading)

    def _read(self, digest: RunDigest) -> bool:
        """Update `digest` within this poll's byte budget; whether it changed."""
        if self._budget <= 0:
            return False
        offset = digest.tail.offset
        changed = digest.update(None if self._budget == math.inf else int(self._budget))
        self._budget -= max(digest.tail.offset - offset, 0)
        return changed

    def _snapshot(self, run_id: str, run: _Tracked, new: bool, loading: bool = False) -> bool:
        """Make the run's snapshot anew when something it shows changed; returns whether so."""
        if run.problem:
            state, message = "unreadable", f"unreadable: {run.problem}"
        else:
            state, message = run.status.state, run.status.message
        previous = run.snapshot
        if not (
            previous is None
            or new
            or previous.state != state
            or previous.message != message
            or previous.loading != loading
        ):
            return False
        digest = run.digest
        run.snapshot = RunSnapshot(
            run_id,
            run.path,
            run.config,
            tuple(digest.events()) if not run.problem else (),
            state,
            message,
            digest.tail.corrupt,
            run.created,
            digest.report(),
            digest.revision,
            loading,
        )
        return True


def _behind(digest: RunDigest) -> bool:
    """Whether the log has bytes the digest has not read yet."""
    try:
        return digest.tail.path.stat().st_size > digest.tail.offset + digest.tail.partial
    except OSError:
        return False
