"""`python -m core.worker RUN_DIR`: the process that trains one run directory to its end.

It writes every event of `core.training.fit.fit` to events.jsonl, keeps heartbeat.json fresh from a
background thread, turns `control/stop`, SIGTERM (and, in the foreground, Ctrl-C) into a clean
`stopped` end, and records any crash as a `failed` end with its traceback. The CLI's
foreground mode runs the same loop in its own process.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.errors import StorageError, UserError, storage_error
from core.paths import remove_stale_temporaries
from core.runs.events import EventWriter
from core.runs.store import HEARTBEAT_SECONDS, read_json, stop_requested, write_heartbeat

STOP_POLL_SECONDS = 0.5  # how often the control/stop file is looked at


class RunFolderDeleted(Exception):
    """The run folder was deleted while its worker ran: training ends at once, and nothing
    (checkpoint, heartbeat, log) makes the folder again."""

    def __init__(self, run_dir: Path):
        super().__init__(
            f"The run folder {run_dir} was deleted while its worker was training; the worker "
            "stopped without re-creating it."
        )


def folder_deleted(run_dir: Path) -> bool:
    """Whether the run folder is gone (config.json is written once and never removed, so its
    absence also catches a folder still being deleted)."""
    return not (run_dir / "config.json").is_file()


class Heartbeat:
    """Rewrites heartbeat.json every few seconds with the latest progress, from a thread."""

    def __init__(self, run_dir: Path):
        self.run_dir = run_dir
        self.progress: dict[str, Any] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="heartbeat", daemon=True)

    def start(self) -> None:
        self.beat()
        self._thread.start()

    def update(self, event: dict[str, Any]) -> None:
        if "epoch" in event:
            self.progress = {"epoch": event["epoch"], "seq": event["seq"], "kind": event["kind"]}

    def beat(self) -> None:
        write_heartbeat(self.run_dir, **self.progress)

    def _loop(self) -> None:
        while not self._done.wait(HEARTBEAT_SECONDS):
            if folder_deleted(self.run_dir):
                return  # the training thread finds out at its next stop check
            try:
                self.beat()
            except OSError:
                continue  # a full or flaky disk must not kill the training thread

    def stop(self) -> None:
        self._done.set()
        self._thread.join(timeout=5)
        try:
            if not folder_deleted(self.run_dir):
                self.beat()
        except OSError:
            pass  # a full disk: the run's end is told by its end event


class StopSignal:
    """True once a stop was asked for: by signal, or by the control file (polled sparingly);
    raises RunFolderDeleted when the run folder is gone."""

    def __init__(self, run_dir: Path):
        self.run_dir = run_dir
        self.flag = threading.Event()
        self._checked = 0.0

    def __call__(self) -> bool:
        now = time.monotonic()
        if not self.flag.is_set() and now - self._checked >= STOP_POLL_SECONDS:
            self._checked = now
            if folder_deleted(self.run_dir):
                raise RunFolderDeleted(self.run_dir)
            if stop_requested(self.run_dir):
                self.flag.set()
        return self.flag.is_set()

    def on_signal(self, signum, frame) -> None:
        if signum == signal.SIGINT and self.flag.is_set():
            raise KeyboardInterrupt  # a second Ctrl-C: give up on the clean stop
        self.flag.set()


class TensorBoardLink:
    """The live TensorBoard mirror of a run whose config names a `tensorboard_dir`: written
    as each event is appended to events.jsonl. A mirror that fails (tensorboardX missing on
    this node, a full disk) is reported in worker.log and dropped; training goes on."""

    def __init__(self, run_dir: Path):
        self.run_dir = run_dir
        self.mirror = None

    def open(self, config: dict[str, Any]) -> None:
        folder = config.get("tensorboard_dir")
        if not folder:
            return
        try:
            from core.runs.tensorboard import TensorBoardMirror

            self.mirror = TensorBoardMirror(folder, self.run_dir.name, config, fresh=False)
        except (UserError, OSError) as error:
            print(f"TensorBoard mirror off: {error}", flush=True)

    def write(self, event: dict[str, Any]) -> None:
        if self.mirror is None:
            return
        try:
            self.mirror.write(event)
        except Exception as error:  # the mirror must never end a training run
            print(f"TensorBoard mirror stopped: {type(error).__name__}: {error}", flush=True)
            self.close()

    def close(self) -> None:
        mirror, self.mirror = self.mirror, None
        if mirror is not None:
            try:
                mirror.close()
            except Exception:
                pass


def run_worker(
    run_dir: Path | str,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    *,
    catch_sigint: bool = False,
) -> dict[str, Any]:
    """Train the run in `run_dir` (resuming from its checkpoint); returns the `end` event."""
    from core.training.config import TrainConfig
    from core.training.fit import fit

    run_dir = Path(run_dir)
    for folder in (run_dir, run_dir / "checkpoints"):
        remove_stale_temporaries(folder)  # left by a worker killed mid-write
    writer = EventWriter(run_dir)
    stop = StopSignal(run_dir)
    previous = _install_signals(stop, catch_sigint)
    heartbeat = Heartbeat(run_dir)
    heartbeat.start()
    end: dict[str, Any] | None = None

    mirror = TensorBoardLink(run_dir)

    def emit(event: dict[str, Any]) -> dict[str, Any]:
        stamped = writer.write(event)
        heartbeat.update(stamped)
        mirror.write(stamped)
        if on_event:
            on_event(stamped)
        return stamped

    try:
        config = TrainConfig.from_dict(read_json(run_dir / "config.json") or {})
        mirror.open(config.to_dict())
        for event in fit(config, run_dir, resume=True, stop=stop):
            stamped = emit(event)
            if event["kind"] == "end":
                end = stamped
        if end is None:
            end = emit({"kind": "end", "status": "failed", "message": "Training ended early."})
    except RunFolderDeleted as error:
        end = _emit_end(emit, _deleted_end(error))
    except KeyboardInterrupt:
        end = _emit_end(emit, {"kind": "end", "status": "stopped", "message": "Interrupted."})
    except StorageError as error:
        end = _emit_end(emit, _storage_end(error))
    except UserError as error:
        end = _emit_end(emit, {"kind": "end", "status": "failed", "message": str(error)})
    except Exception as error:
        end = _emit_end(emit, _crash_end(error, run_dir))
    finally:
        heartbeat.stop()
        _close_quietly(writer)
        mirror.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return end


def _deleted_end(error: RunFolderDeleted) -> dict[str, Any]:
    # Emitted into the deleted log's still-open file (never re-created) and the worker's output.
    return {"kind": "end", "status": "failed", "message": str(error), "fault": "deleted"}


def _crash_end(error: Exception, run_dir: Path) -> dict[str, Any]:
    """The end of a run that an unexpected exception ended: a deleted run folder or a full
    disk said plainly, anything else with its traceback."""
    if folder_deleted(run_dir):  # a write into the deleted folder failed first
        return _deleted_end(RunFolderDeleted(run_dir))
    plain = storage_error(error, run_dir / "events.jsonl") if isinstance(error, OSError) else None
    if plain:
        return _storage_end(plain)
    return {
        "kind": "end",
        "status": "failed",
        "message": f"{type(error).__name__}: {error}",
        "traceback": traceback.format_exc(),
    }


def _storage_end(error: StorageError) -> dict[str, Any]:
    return {"kind": "end", "status": "failed", "message": str(error), "fault": "storage"}


def _emit_end(emit: Callable[[dict[str, Any]], dict[str, Any]], end: dict[str, Any]):
    """Record the end event; when even that cannot be written (the disk is full) the run's files
    keep what they had and the caller still gets the end to report."""
    try:
        return emit(end)
    except (OSError, StorageError):
        return {**end, "time": time.time()}


def _close_quietly(writer: EventWriter) -> None:
    try:
        writer.close()
    except OSError:
        pass  # a full disk: the lines already flushed stay as they are


def _install_signals(stop: StopSignal, catch_sigint: bool) -> dict[int, Any]:
    """Route SIGTERM (and SIGINT) to `stop`; returns the handlers to put back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    signums = [signal.SIGTERM, signal.SIGUSR1]  # SIGUSR1: Slurm's warning before a time limit
    signums += [signal.SIGINT] if catch_sigint else []
    return {signum: signal.signal(signum, stop.on_signal) for signum in signums}


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:5.1f} %"


def epoch_line(event: dict[str, Any], epochs: int) -> str:
    """One line of per-epoch metrics, e.g. `epoch 3/10  train loss 0.9100 acc  68.0 %  …`."""
    parts = [
        f"epoch {event['epoch']}/{epochs}",
        f"train loss {event['train_loss']:.4f} acc {_percent(event['train_acc'])}",
    ]
    if event.get("val_loss") is not None:
        parts.append(f"val loss {event['val_loss']:.4f} acc {_percent(event['val_acc'])}")
    parts.append(f"test loss {event['test_loss']:.4f} acc {_percent(event['test_acc'])}")
    parts.append(f"{event['seconds']:.1f} s")
    return "  ".join(parts)


class WorkerLog:
    """What worker.log shows: the start, one line per epoch and the end (with a traceback)."""

    def __init__(self) -> None:
        self.epochs = 0  # configured epochs, from the start event

    def __call__(self, event: dict[str, Any]) -> None:
        if event["kind"] == "start":
            self.epochs = event["epochs"]
            print(
                f"start: {event['preset']} on {event['dataset_title']}, "
                f"{event['device_name']}, torch {event['torch']}, resumed from epoch "
                f"{event['resumed_from_epoch']}",
                flush=True,
            )
        elif event["kind"] == "epoch":
            print(epoch_line(event, self.epochs), flush=True)
        elif event["kind"] == "end":
            print(f"{event['status']}: {event.get('message', '')}", flush=True)
            if event.get("traceback"):
                print(event["traceback"], flush=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m core.worker RUN_DIR`; exit code 0 unless the run failed."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m core.worker RUN_DIR", file=sys.stderr)
        return 2
    if folder_deleted(Path(args[0])):
        print(f"core.worker: no run folder with a config.json at {args[0]}", file=sys.stderr)
        return 2
    end = run_worker(args[0], WorkerLog())
    if end.get("fault") == "deleted":
        print(end["message"], file=sys.stderr, flush=True)
    return 0 if end["status"] in ("finished", "stopped") else 1


if __name__ == "__main__":
    sys.exit(main())
