"""Runs in TensorBoard: event files written from a run's events, after the fact or live.

events.jsonl stays the source of truth; this is a one-way mirror through `tensorboardX` (an
optional extra: `pip install 'cnn-tui[tensorboard]'`). Each run gets one sub-folder of the
TensorBoard folder, named by the run's display name with its seconds (`lenet5_12-05-01`,
`core.runs.names.folder_name`; a second run whose name clashes gets its full id), holding:

- `step/loss`, `step/lr`, `step/images_per_s` by global step;
- `epoch/<metric>` by epoch and `by_step/<metric>` by global step, for every epoch metric;
- `eval/<split>_loss`, `eval/<split>_acc` by global step (`--eval-every`);
- `per_class/<class>` (the evaluated split's per-class accuracy) by epoch;
- `system/gpu_memory_mb`, … by epoch, when the run trained on a GPU;
- the run's settings through the HParams plugin, so TensorBoard's HParams tab compares a sweep,
  with `data` naming the data ("Shapes-10 (synthetic)", also as the text `run/data`).

Accuracies are fractions 0..1, as in events.jsonl.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from core.errors import UserError
from core.runs.classes import dataset_title
from core.runs.curves import EPOCH_METRICS
from core.runs.events import EventTail
from core.runs.names import folder_name

INSTALL_HINT = "pip install 'cnn-tui[tensorboard]'"
MARKER = "cnn-tui-run.txt"  # in each run's sub-folder: the run id it mirrors
EPOCH_EXTRAS = ("lr", "seconds", "images_per_s")
SYSTEM_KEYS = ("gpu_memory_mb", "gpu_max_memory_mb", "gpu_utilization")
NOT_HPARAMS = ("data_dir", "weights_file", "tensorboard_dir")  # paths, not settings
NO_STEP = -(2**63)  # a step event without a global step (one key, as None was)


class TensorBoardMissing(UserError):
    """tensorboardX is not installed."""


def summary_writer_class():
    """tensorboardX's SummaryWriter, or TensorBoardMissing saying how to install it."""
    try:
        from tensorboardX import SummaryWriter
    except ImportError:
        raise TensorBoardMissing(
            f"TensorBoard files need the optional tensorboardX package: {INSTALL_HINT} "
            "(or `pip install tensorboardX`), then try again."
        ) from None
    return SummaryWriter


def run_folder(root: Path, run_id: str) -> Path:
    """This run's sub-folder of `root`: its display folder name, unless another run already
    owns that folder (then the full run id)."""
    folder = root / folder_name(run_id)
    marker = folder / MARKER
    if folder.exists() and (
        not marker.is_file() or marker.read_text(encoding="utf-8").strip() != run_id
    ):
        folder = root / run_id
    return folder


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def hparams_of(config: Mapping[str, Any]) -> dict[str, Any]:
    """The run's settings as HParams values (numbers, booleans, text; lists as `a,b`)."""
    values: dict[str, Any] = {}
    for key, value in config.items():
        if key in NOT_HPARAMS:
            continue
        if isinstance(value, (bool, str)) or _number(value) is not None:
            values[key] = value
        elif value is None:
            values[key] = "none"
        elif isinstance(value, (list, tuple)):
            values[key] = ",".join(str(part) for part in value) or "none"
    return values


class TensorBoardMirror:
    """Writes one run's events into its TensorBoard sub-folder, one event at a time.

    `fresh` (an export) first removes the event files an earlier export or mirror of the same
    run left there; a live mirror (`fresh=False`) appends, and TensorBoard itself drops the
    steps a resumed run trains again."""

    def __init__(
        self,
        root: Path | str,
        run_id: str,
        config: Mapping[str, Any],
        fresh: bool = True,
        flush_secs: int = 2,
    ):
        writer_class = summary_writer_class()
        self.folder = run_folder(Path(root), run_id)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / MARKER).write_text(run_id + "\n", encoding="utf-8")
        if fresh:
            for old in self.folder.glob("events.out.tfevents.*"):
                old.unlink()
        self.config = dict(config)
        self.classes: list[str] = []
        self.epoch = 0
        self.hparams_written = False
        self.writer = writer_class(logdir=str(self.folder), flush_secs=flush_secs)

    def scalar(self, tag: str, value: Any, step: Any, wall: Any = None) -> None:
        number = _number(value)
        if number is not None and isinstance(step, int):
            self.writer.add_scalar(tag, number, step, walltime=_number(wall))

    def write_hparams(self, data_title: str = "") -> None:
        """The run's settings (and `data`, the data's title: "Shapes-10 (synthetic)"), and the
        metrics TensorBoard's HParams tab lists beside them."""
        from tensorboardX.summary import hparams

        splits = ("train", "val", "test") if self.config.get("val_split") else ("train", "test")
        metrics = {f"epoch/{split}_{kind}": 0.0 for split in splits for kind in ("acc", "loss")}
        values = hparams_of(self.config)
        if data_title:
            values["data"] = data_title
            self.writer.add_text("run/data", data_title, 0)
        file_writer = self.writer._get_file_writer()
        for summary in hparams(values, metrics):
            file_writer.add_summary(summary)
        self.hparams_written = True

    def write(self, event: Mapping[str, Any]) -> None:
        """Mirror one event (events of other kinds are ignored)."""
        kind, wall = event.get("kind"), event.get("time")
        if kind == "start":
            names = event.get("classes")
            self.classes = [str(n) for n in names] if isinstance(names, list) else []
            fresh_start = not event.get("resumed_from_epoch") and not event.get("resumed_from_step")
            if not self.hparams_written and fresh_start:
                self.write_hparams(str(event.get("dataset_title") or ""))
        elif kind == "step":
            step = event.get("global_step")
            for key in ("loss", "lr", "images_per_s"):
                self.scalar(f"step/{key}", event.get(key), step, wall)
        elif kind == "eval":
            split = str(event.get("split", "val"))
            for key in ("loss", "acc"):
                self.scalar(
                    f"eval/{split}_{key}", event.get(f"{split}_{key}"), event.get("step"), wall
                )
        elif kind == "epoch":
            self._epoch(event, wall)
        elif kind == "system":
            for key in SYSTEM_KEYS:
                self.scalar(f"system/{key}", event.get(key), self.epoch, wall)
        elif kind == "end":
            self.writer.flush()

    def _epoch(self, event: Mapping[str, Any], wall: Any) -> None:
        epoch = event.get("epoch")
        self.epoch = epoch if isinstance(epoch, int) else self.epoch
        for metric in (*EPOCH_METRICS, *EPOCH_EXTRAS):
            self.scalar(f"epoch/{metric}", event.get(metric), epoch, wall)
            self.scalar(f"by_step/{metric}", event.get(metric), event.get("step"), wall)
        per_class = event.get("per_class_acc")
        if isinstance(per_class, list):
            names = self.classes if len(self.classes) == len(per_class) else None
            for index, value in enumerate(per_class):
                name = names[index] if names else str(index)
                self.scalar(f"per_class/{name}", value, epoch, wall)
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()


def export_tensorboard(
    run_id: str, config: Mapping[str, Any], events: Sequence[Mapping[str, Any]], root: Path
) -> Path:
    """Write one run's TensorBoard files under `root` from its events; returns its folder.
    A repeated step or epoch (a resumed run trains the lost part again) keeps its latest value."""
    return _export(run_id, config, lambda: events, root)


def export_tensorboard_log(run_id: str, config: Mapping[str, Any], log: Path, root: Path) -> Path:
    """`export_tensorboard` of a whole events.jsonl, streamed twice (which steps a resumed
    session repeated, then the writing): memory stays bounded however long the log; an event
    appended while it is written waits for the next export."""
    return _export(run_id, config, lambda: EventTail(log).follow(), root)


def _export(
    run_id: str,
    config: Mapping[str, Any],
    read: Callable[[], Iterable[Mapping[str, Any]]],
    root: Path,
) -> Path:
    import numpy as np

    steps = array("q")  # every step's global step, in order (8 bytes each)
    latest_epoch: dict[int, int] = {}  # epoch → position of its latest epoch event
    starts: list[Mapping[str, Any]] = []
    count = 0
    for position, event in enumerate(read()):
        kind, count = event.get("kind"), position + 1
        if kind == "step":
            step = event.get("global_step")
            steps.append(step if isinstance(step, int) and NO_STEP < step < 2**63 else NO_STEP)
        elif kind == "epoch":
            latest_epoch[event["epoch"]] = position
        elif kind == "start":
            starts.append(event)
    order = np.frombuffer(steps, dtype=np.int64) if steps else np.zeros(0, np.int64)
    _, from_end = np.unique(order[::-1], return_index=True)
    keep_step = np.zeros(len(order), dtype=bool)
    keep_step[len(order) - 1 - from_end] = True  # the last event of each global step
    keep_epoch = set(latest_epoch.values())
    mirror = TensorBoardMirror(root, run_id, config, fresh=True)
    try:
        if starts:
            mirror.write_hparams(dataset_title(starts))  # once, whichever session starts it
        step_index = 0
        for position, event in zip(range(count), read()):
            kind = event.get("kind")
            if kind == "step":
                step_index += 1
                if not keep_step[step_index - 1]:
                    continue
            if kind == "epoch" and position not in keep_epoch:
                continue
            mirror.write(event)
    finally:
        mirror.close()
    return mirror.folder
