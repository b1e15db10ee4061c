"""Valid JSON of the wrong shape for every event kind and every run file: each field a reader
uses, set to each of a few values of another type (or out of range)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from core.runs.schema import EVENT_FIELDS
from tests.helpers.runs import write_run

WRONG = ("x", -1, 10**30, [], {}, True, [[1, "a"]])
"""Values of the wrong type or size for some field: a string, a negative, a number too large
for C, an empty list and object, a boolean, a ragged matrix."""
WRONG_IN_FILES = ("x", [], 10**30)
"""For run files (one value per run): every field gets a value of another type."""

READ_FIELDS: dict[str, tuple[str, ...]] = {
    "start": ("dataset_title", "dataset", "device", "resumed_from_step", "class_names"),
    "eval": ("val_acc", "val_loss", "test_acc", "test_loss"),
    "end": ("traceback", "fault"),
    "system": ("gpu_memory_mb", "gpu_max_memory_mb", "gpu_utilization"),
    "requeue": ("reason", "max", "job_id"),
}
"""Fields readers use beyond those the schema lists (`core.runs.schema.EVENT_FIELDS`)."""

BASE_EVENTS: dict[str, dict[str, Any]] = {
    "start": {"kind": "start", "parameters": 10, "epochs": 4, "classes": ["a", "b"]},
    "step": {"kind": "step", "epoch": 2, "step": 1, "loss": 1.0, "global_step": 11,
             "steps_per_epoch": 10, "lr": 0.001, "images_per_s": 10.0},
    "epoch": {"kind": "epoch", "epoch": 2, "train_loss": 1.0, "train_acc": 0.5, "test_loss": 1.0,
              "test_acc": 0.5, "step": 20, "seconds": 1.0, "per_class_acc": [0.5, 0.5],
              "confusion": [[1, 1], [1, 1]], "per_class_split": "test"},
    "eval": {"kind": "eval", "epoch": 2, "step": 15, "split": "val", "val_acc": 0.5},
    "end": {"kind": "end", "status": "stopped", "message": "Stopped."},
    "requeue": {"kind": "requeue", "count": 1, "epoch": 2},
    "checkpoint": {"kind": "checkpoint", "epoch": 2, "files": ["last.pt"]},
    "system": {"kind": "system", "gpu_memory_mb": 1.0},
}  # fmt: skip
"""A well-formed event of each kind (epoch 2: an epoch a canned run already has)."""

FILE_READ_FIELDS: dict[str, tuple[str, ...]] = {
    "config.json": ("epochs", "preset", "dataset", "arch_name", "arch", "arch_file", "arch_class",
                    "arch_args", "arch_sha256", "batch_size", "lr", "optimizer", "augment",
                    "val_split", "resize", "sweep", "sweep_params"),
    "launch.json": ("launcher", "pid", "pid_start", "started", "job_id", "host"),
    "heartbeat.json": ("time", "pid", "host"),
    "slurm_state.json": ("job_id", "state", "reason", "node", "source", "start"),
}  # fmt: skip
"""The fields of each run file that some reader uses (listed here, not taken from the schema,
so a field the schema forgets is still tried)."""

RUN_FILES = (*FILE_READ_FIELDS, "summary cache")
"""Every JSON file a run has besides its log: config.json, launch.json, heartbeat.json,
slurm_state.json, and the per-user summary cache of its log."""


def wrong_events(kind: str) -> list[dict[str, Any]]:
    """Events of `kind`, each with one field set to one wrong value."""
    fields = (*EVENT_FIELDS[kind], *READ_FIELDS.get(kind, ()), "seq", "time")
    return [{**BASE_EVENTS[kind], field: value} for field in fields for value in WRONG]


def template(root: Path) -> Path:
    """A canned run (2 of 4 epochs, stopped) to clone victims from (cloning spares each its
    own dead worker process)."""
    return write_run(root, "template", "stopped", epochs_done=2, epochs=4)


def clone(template_dir: Path, root: Path, name: str) -> Path:
    """A copy of `template_dir` in `root`, named `20260101-000000-<name>`."""
    run_dir = root / f"20260101-000000-{name}"
    shutil.copytree(template_dir, run_dir)
    return run_dir


def event_victim(template_dir: Path, root: Path, kind: str) -> Path:
    """A clone whose log ends in every wrong event of `kind`."""
    run_dir = clone(template_dir, root, f"event-{kind}")
    with open(run_dir / "events.jsonl", "a", encoding="utf-8") as stream:
        for event in wrong_events(kind):
            stream.write(json.dumps(event) + "\n")
    return run_dir


SLURM_LAUNCH = {"launcher": "slurm", "job_id": "4242", "started": 1.0}
SLURM_STATE = {"job_id": "4242", "state": "COMPLETED", "reason": "None", "node": "node1",
               "source": "cache", "start": 1.0}  # fmt: skip


def file_victims(
    template_dir: Path, root: Path, name: str, values: tuple[Any, ...] = WRONG_IN_FILES
) -> list[Path]:
    """Clones whose file `name` has one field (of its schema's) of one wrong value each; for
    slurm_state.json, which only a Slurm run reads, with a Slurm launch.json."""
    victims = []
    for field in FILE_READ_FIELDS[name]:
        for index, value in enumerate(values):
            run_dir = clone(template_dir, root, f"{name[:-5]}-{field}-{index}")
            if name == "slurm_state.json":
                (run_dir / "launch.json").write_text(json.dumps(SLURM_LAUNCH))
                content = dict(SLURM_STATE)
            else:
                content = json.loads((run_dir / name).read_text())
            (run_dir / name).write_text(json.dumps({**content, field: value}))
            victims.append(run_dir)
    return victims


def _last(data: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(e for _, e in reversed(data["digest"]["head"]) if e["kind"] == kind)


CACHE_DAMAGES = {
    "epoch field": lambda d: _last(d, "epoch").update(train_acc="x"),
    "epoch number": lambda d: _last(d, "epoch").update(epoch=[2]),
    "end status": lambda d: _last(d, "end").update(status=3),
    "count": lambda d: d["digest"].update(count="many"),
    "offset": lambda d: d["digest"]["tail"].update(offset=10**30),
    "head": lambda d: d["digest"].update(head={"a": 1}),
    "digest": lambda d: d.update(digest=[]),
    "last step": lambda d: d["digest"].update(last_step=[0, "low", {"kind": 1}]),
}
"""Ways a cached digest can be valid JSON of the wrong shape."""


def cache_victims(template_dir: Path, root: Path) -> list[Path]:
    """Clones whose cached digest (per user, outside the run) is damaged one way each."""
    from core.runs.summary_cache import _cache_file, cached_digest

    victims = []
    for index, damage in enumerate(CACHE_DAMAGES.values()):
        run_dir = clone(template_dir, root, f"cache-{index}")
        cached_digest(run_dir)
        cache = _cache_file(run_dir)
        data = json.loads(cache.read_text())
        damage(data)
        cache.write_text(json.dumps(data))
        victims.append(run_dir)
    return victims


def victims(
    template_dir: Path, root: Path, name: str, values: tuple[Any, ...] = WRONG_IN_FILES
) -> list[Path]:
    """The victims for one run file of RUN_FILES."""
    if name == "summary cache":
        return cache_victims(template_dir, root)
    return file_victims(template_dir, root, name, values)
