"""The run directory: the only thing the worker, the CLI and the app share about a training run.

Layout (on a filesystem that login and compute nodes share)::

    runs/<run-id>/config.json      the resolved configuration, written once, atomically
                  events.jsonl     append-only, one JSON object per line, flushed as written
                  heartbeat.json   rewritten atomically every few seconds by the worker
                  launch.json      how the worker was started ({"launcher": "local", "pid", ...})
                  checkpoints/     last.pt (every epoch), best.pt
                  control/stop     asks the worker to stop
                  worker.log       the worker's stdout/stderr

Readers never trust change notifications (NFS has none across nodes): they reopen the file,
read from a byte offset, hold back an unterminated last line and skip corrupt lines.
"""

from __future__ import annotations

import json
import math
import os
import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import UserError
from core.paths import atomic_path

HEARTBEAT_SECONDS = 3.0  # how often the worker rewrites heartbeat.json
STALE_SECONDS = 30.0  # a heartbeat older than this means the worker is not making progress
RUN_STATES = ("pending", "running", "stalled", "finished", "stopped", "failed", "died",
              "completing", "cancelled", "timeout", "preempted", "node_fail")  # last 5: Slurm
LIVE_STATES = ("pending", "running", "stalled")  # states whose worker may still be alive


class RunNotFoundError(UserError):
    """A run id that names no run directory."""


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON so that readers see the old or the new file, never half of one."""
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(data, indent=2) + "\n")


def read_json(path: Path) -> Any | None:
    """The JSON in `path`, or None when it is missing or unreadable."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "run"


def create_run(runs_dir: Path | str, config: dict[str, Any], name: str | None = None) -> Path:
    """Make a fresh run directory holding `config.json`; the id is `YYYYmmdd-HHMMSS-<name>`."""
    root = Path(runs_dir)
    root.mkdir(parents=True, exist_ok=True)
    base = f"{time.strftime('%Y%m%d-%H%M%S')}-{_slug(name or str(config.get('preset', 'run')))}"
    for attempt in range(1000):
        run_dir = root / (base if attempt == 0 else f"{base}-{attempt + 1}")
        try:
            run_dir.mkdir()
            break
        except FileExistsError:
            continue
    else:
        raise UserError(f"Could not create a new run folder in {root}: too many runs named {base}.")
    (run_dir / "checkpoints").mkdir()
    (run_dir / "control").mkdir()
    write_json_atomic(run_dir / "config.json", config)
    return run_dir


def resolve_run(runs_dir: Path | str, run_id: str) -> Path:
    """The directory of run `run_id` (an exact id, or a unique part of one)."""
    root = Path(runs_dir)
    exact = root / run_id
    if (exact / "config.json").is_file():
        return exact
    ids = [path.name for path in _run_dirs(root)]
    matches = [rid for rid in ids if run_id in rid]
    if len(matches) == 1:
        return root / matches[0]
    if not matches:
        raise RunNotFoundError(
            f"No run {run_id!r} in {root}. `cnn-tui runs ls --runs-dir {root}` lists the runs."
        )
    raise RunNotFoundError(f"{run_id!r} matches several runs: {', '.join(matches)}; be more exact.")


def _run_dirs(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.iterdir() if (path / "config.json").is_file())


class EventWriter:
    """Appends events to events.jsonl, numbering them on from the events already there."""

    def __init__(self, run_dir: Path | str):
        self.path = Path(run_dir) / "events.jsonl"
        existing = read_events(run_dir)
        self.seq = existing[-1]["seq"] + 1 if existing else 0
        self._terminate_partial_line()
        self._stream = open(self.path, "a", encoding="utf-8")

    def _terminate_partial_line(self) -> None:
        # A worker killed mid-write leaves half a line; end it so the next event starts clean
        # (readers then skip it as one corrupt line).
        if self.path.is_file() and self.path.stat().st_size:
            with open(self.path, "rb") as stream:
                stream.seek(-1, os.SEEK_END)
                last = stream.read(1)
            if last != b"\n":
                with open(self.path, "ab") as stream:
                    stream.write(b"\n")

    def write(self, event: dict[str, Any]) -> dict[str, Any]:
        """Stamp `event` with `seq` and `time`, append it as one line and flush; returns it.

        NaN and infinite numbers become null, so every line stays strict JSON."""
        stamped = {"seq": self.seq, "time": time.time(), **_finite_or_none(event)}
        self._stream.write(json.dumps(stamped, allow_nan=False, default=str) + "\n")
        self._stream.flush()
        self.seq += 1
        return stamped

    def close(self) -> None:
        """Flush to disk and close the file."""
        self._stream.flush()
        os.fsync(self._stream.fileno())
        self._stream.close()


def _finite_or_none(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite_or_none(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_none(item) for item in value]
    return value


class EventTail:
    """Incremental reader of an events.jsonl that another process (maybe another node) appends."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.offset = 0  # bytes consumed so far (complete lines only)
        self.corrupt = 0  # lines skipped because they were not JSON objects

    def poll(self) -> list[dict[str, Any]]:
        """The complete events appended since the last poll (reopens the file every time)."""
        try:
            with open(self.path, "rb") as stream:
                if os.fstat(stream.fileno()).st_size < self.offset:
                    self.offset = 0  # the file was replaced: start over
                stream.seek(self.offset)
                data = stream.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n")
        if end < 0:
            return []
        self.offset += end + 1
        events = []
        for line in data[: end + 1].splitlines():
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except ValueError:
                self.corrupt += 1
                continue
            if isinstance(event, dict) and "kind" in event:
                events.append(event)
            else:
                self.corrupt += 1
        return events


def read_events(run_dir: Path | str) -> list[dict[str, Any]]:
    """Every complete, readable event of a run, in file order."""
    return EventTail(Path(run_dir) / "events.jsonl").poll()


def last_session(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events since the last `start` (a resumed run has one session per start)."""
    starts = [index for index, event in enumerate(events) if event["kind"] == "start"]
    return events[starts[-1]:] if starts else events


def epoch_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One `epoch` event per epoch number (the latest wins), sorted by epoch."""
    by_epoch = {event["epoch"]: event for event in events if event["kind"] == "epoch"}
    return [by_epoch[epoch] for epoch in sorted(by_epoch)]


def write_heartbeat(run_dir: Path | str, **fields: Any) -> None:
    """Rewrite heartbeat.json atomically with the current time, pid and host."""
    beat = {"time": time.time(), "pid": os.getpid(), "host": socket.gethostname(), **fields}
    write_json_atomic(Path(run_dir) / "heartbeat.json", beat)


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


@dataclass(frozen=True)
class RunStatus:
    """What a run is doing, derived from its files (never from what a UI last saw)."""

    state: str  # one of RUN_STATES
    message: str  # one line for people


def run_status(run_dir: Path | str, now: float | None = None,
               events: list[dict[str, Any]] | None = None) -> RunStatus:
    """Honest status: `end` event → its status; fresh heartbeat → running; stale → stalled;
    worker gone without an `end` → died. `events`: the run's events when the caller already
    read them (a tailing reader), else they are read here."""
    run_dir = Path(run_dir)
    now = time.time() if now is None else now
    events = read_events(run_dir) if events is None else events
    from core.slurm import slurm_run_status

    scheduled = slurm_run_status(run_dir, now, events)
    if scheduled is not None:
        return scheduled
    session = last_session(events)
    end = next((event for event in reversed(session) if event["kind"] == "end"), None)
    launch = read_json(run_dir / "launch.json")
    relaunched = (
        end is not None
        and isinstance(launch, dict)
        and float(launch.get("started", 0)) > float(end.get("time", 0))
    )
    if end is not None and not relaunched:
        return RunStatus(end.get("status", "failed"), end.get("message", ""))
    if relaunched:
        session = []  # a resumed worker is starting; the old session's end no longer applies
    from core.launch import worker_alive

    alive = worker_alive(run_dir)
    beat = read_json(run_dir / "heartbeat.json")
    started = any(event["kind"] == "start" for event in session)
    if alive is False:
        if not started and beat is None:
            return RunStatus("died", "The worker exited before training started; see worker.log.")
        return RunStatus("died", "The worker is gone without finishing; `cnn-tui runs resume` "
                         "continues from the last checkpoint.")
    if beat is None or not started:
        if alive is None and launch is None:
            return RunStatus("pending", "Not started yet.")
        return RunStatus("pending", "Starting: loading data and model.")
    age = now - float(beat.get("time", 0))
    if age > STALE_SECONDS:
        return RunStatus("stalled", f"No heartbeat for {age:.0f} s.")
    return RunStatus("running", f"Heartbeat {max(age, 0):.0f} s ago.")


@dataclass(frozen=True)
class RunSummary:
    """One line of `runs ls`: who the run is and how far it got."""

    id: str  # directory name
    path: Path  # run directory
    preset: str  # model preset
    dataset: str  # dataset name
    created: float  # unix seconds (config.json's modification time)
    state: str  # see RunStatus
    message: str  # see RunStatus
    epochs_done: int  # epochs with an `epoch` event
    epochs_total: int  # configured epochs
    train_acc: float | None  # last epoch, fraction 0..1
    val_acc: float | None  # last epoch, fraction 0..1
    test_acc: float | None  # last epoch, fraction 0..1
    best_val_acc: float | None  # best epoch, fraction 0..1

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = dict(self.__dict__)
        data["path"] = str(self.path)
        return data


def summarize_run(run_dir: Path | str, now: float | None = None) -> RunSummary:
    """Summary of one run directory."""
    run_dir = Path(run_dir)
    config = read_json(run_dir / "config.json") or {}
    events = read_events(run_dir)
    epochs = epoch_events(events)
    last = epochs[-1] if epochs else {}
    val_accs = [event["val_acc"] for event in epochs if event.get("val_acc") is not None]
    status = run_status(run_dir, now, events)
    return RunSummary(
        id=run_dir.name,
        path=run_dir,
        preset=str(config.get("preset", "?")),
        dataset=str(config.get("dataset", "?")),
        created=(run_dir / "config.json").stat().st_mtime,
        state=status.state,
        message=status.message,
        epochs_done=len(epochs),
        epochs_total=int(config.get("epochs", 0)),
        train_acc=last.get("train_acc"),
        val_acc=last.get("val_acc"),
        test_acc=last.get("test_acc"),
        best_val_acc=max(val_accs) if val_accs else None,
    )


def list_runs(runs_dir: Path | str, now: float | None = None) -> list[RunSummary]:
    """Every run under `runs_dir`, oldest first."""
    summaries = [summarize_run(path, now) for path in _run_dirs(Path(runs_dir))]
    return sorted(summaries, key=lambda summary: (summary.created, summary.id))
