"""A run's honest status: its own events and heartbeat merged with what its launcher knows.

Lives with the launchers (not in `core.runs`) because only they can tell whether a worker is
still alive: a local process, or a Slurm job that the scheduler may have ended.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.cluster.launch import worker_alive
from core.cluster.slurm import slurm_run_status
from core.cluster.states import STALE_SECONDS, RunStatus
from core.runs.events import epoch_events, last_session
from core.runs.store import read_json, run_dirs, run_file_problem
from core.runs.summary_cache import cached_digest


def run_status(
    run_dir: Path | str,
    now: float | None = None,
    events: list[dict[str, Any]] | None = None,
    checked: bool = False,
) -> RunStatus:
    """Honest status: `end` event → its status; fresh heartbeat → running; stale → stalled;
    worker gone without an `end` → died. `events`: the run's events when the caller already
    read them (a tailing reader), else they are read here; `checked`: the caller has just
    checked the run's files (`run_file_problem`)."""
    run_dir = Path(run_dir)
    now = time.time() if now is None else now
    problem = "" if checked else run_file_problem(run_dir)
    if problem:
        return RunStatus("unreadable", f"unreadable: {problem}")
    events = cached_digest(run_dir, steps=False).head_events() if events is None else events
    scheduled = slurm_run_status(run_dir, now, events)
    if scheduled is not None:
        return scheduled
    session = last_session(events)
    end = next((event for event in reversed(session) if event["kind"] == "end"), None)
    launch = read_json(run_dir / "launch.json")
    first = session[0] if session and session[0]["kind"] == "start" else None
    relaunched = _relaunched(launch, end or first)
    if end is not None and not relaunched:
        return RunStatus(end.get("status", "failed"), end.get("message") or "")
    if relaunched:
        session = []  # a resumed worker is starting; the old session no longer applies
    alive = worker_alive(run_dir)
    beat = read_json(run_dir / "heartbeat.json")
    started = any(event["kind"] == "start" for event in session)
    if alive is False:
        if not started and beat is None:
            return RunStatus("died", "The worker exited before training started; see worker.log.")
        return RunStatus(
            "died",
            "The worker is gone without finishing; `cnn-tui runs resume` "
            "continues from the last checkpoint.",
        )
    if relaunched:
        return RunStatus(
            "resuming", "Resuming from the last checkpoint: the worker is loading data and model."
        )
    if beat is None or not started:
        if alive is None and launch is None:
            return RunStatus("pending", "Not started yet.")
        return RunStatus("pending", "Starting: loading data and model.")
    age = now - float(beat.get("time") or 0)
    if age > STALE_SECONDS:
        return RunStatus("stalled", f"No heartbeat for {age:.0f} s.")
    return RunStatus("running", f"Heartbeat {max(age, 0):.0f} s ago.")


def _relaunched(launch: Any, last: dict[str, Any] | None) -> bool:
    """Whether the worker was started again after `last` (the latest session's end, else its
    start event): a resumed run, whose new worker has not written its own start yet."""
    if not isinstance(launch, dict) or last is None:
        return False
    try:
        return float(launch.get("started", 0)) > float(last.get("time", 0))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class RunSummary:
    """One line of `runs ls`: who the run is and how far it got."""

    id: str  # directory name
    path: Path  # run directory
    preset: str  # the network's name: a custom architecture's, else the model preset
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
    parameters: int | None = None  # the network's parameter count (from the start event)
    custom: bool = False  # a custom architecture (SPEC or Python file), not a preset's network

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = dict(self.__dict__)
        data["path"] = str(self.path)
        return data


def summarize_run(
    run_dir: Path | str, now: float | None = None, events: list[dict[str, Any]] | None = None
) -> RunSummary:
    """Summary of one run directory; a run whose files are not of their shape (or that fails
    to read in any way) is summarised as `unreadable`, with why, and never raises.
    `events`: the run's (kept) events when the caller has them, else its cached digest's."""
    run_dir = Path(run_dir)
    problem = run_file_problem(run_dir)
    if not problem:
        try:
            if events is None:
                events = cached_digest(run_dir, steps=False).head_events()
            return _summary(run_dir, now, events)
        except Exception as error:  # noqa: BLE001 - one bad run never hides the others
            problem = f"{type(error).__name__}: {error}"
    return unreadable_summary(run_dir, problem)


def unreadable_summary(run_dir: Path, problem: str) -> RunSummary:
    """The line of a run that cannot be read: state `unreadable`, message `unreadable: why`."""
    try:
        created = (run_dir / "config.json").stat().st_mtime
    except OSError:
        created = 0.0
    return RunSummary(
        id=run_dir.name,
        path=run_dir,
        preset="?",
        dataset="?",
        created=created,
        state="unreadable",
        message=f"unreadable: {problem}",
        epochs_done=0,
        epochs_total=0,
        train_acc=None,
        val_acc=None,
        test_acc=None,
        best_val_acc=None,
    )


def _summary(run_dir: Path, now: float | None, events: list[dict[str, Any]]) -> RunSummary:
    config = read_json(run_dir / "config.json") or {}
    epochs = epoch_events(events)
    last = epochs[-1] if epochs else {}
    val_accs = [event["val_acc"] for event in epochs if event.get("val_acc") is not None]
    status = run_status(run_dir, now, events, checked=True)
    return RunSummary(
        id=run_dir.name,
        path=run_dir,
        preset=str(config.get("arch_name") or config.get("preset") or "?"),
        dataset=str(config.get("dataset", "?")),
        created=(run_dir / "config.json").stat().st_mtime,
        state=status.state,
        message=status.message,
        epochs_done=len(epochs),
        epochs_total=int(config.get("epochs") or 0),
        train_acc=last.get("train_acc"),
        val_acc=last.get("val_acc"),
        test_acc=last.get("test_acc"),
        best_val_acc=max(val_accs) if val_accs else None,
        parameters=_parameters(events),
        custom=bool(config.get("arch") or config.get("arch_file")),
    )


def _parameters(events: list[dict[str, Any]]) -> int | None:
    for event in reversed(events):
        if event.get("kind") == "start" and isinstance(event.get("parameters"), int):
            return event["parameters"]
    return None


def list_runs(runs_dir: Path | str, now: float | None = None) -> list[RunSummary]:
    """Every run under `runs_dir`, oldest first."""
    summaries = [summarize_run(path, now) for path in run_dirs(Path(runs_dir))]  # never raises
    return sorted(summaries, key=lambda summary: (summary.created, summary.id))
