"""Hyperparameter sweeps: one run per grid combination, tagged with a sweep id, and a results
table per sweep (hyperparameters against best and final accuracy).

A sweep's record lives in `runs/sweeps/<sweep-id>/sweep.json` (grid, run ids, launcher, job
id); each run's config.json carries `sweep` (the id) and `sweep_params` so the Monitor can
group and overlay them. Launching (one Slurm job array, or a local runner) is in
core.cluster.sweep_launch.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.cluster.status import run_status
from core.errors import UserError
from core.runs.events import epoch_events
from core.runs.store import create_run, read_json, run_file_problem, write_json_atomic
from core.runs.summary_cache import cached_digest
from core.training.config import TrainConfig


class SweepError(UserError):
    """A grid or sweep id that cannot be used."""


def _augment(text: str) -> tuple[str, ...]:
    return () if text in ("none", "") else tuple(part for part in text.split("+") if part)


def _bool(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


GRID_KEYS = {
    "preset": str,
    "dataset": str,
    "epochs": int,
    "batch_size": int,
    "optimizer": str,
    "lr": float,
    "momentum": float,
    "nesterov": _bool,
    "weight_decay": float,
    "augment": _augment,
    "val_split": float,
    "early_stop": int,
    "schedule": str,
    "seed": int,
    "device": str,
    "pipeline": str,
    "train_size": int,
    "test_size": int,
    "eval_every": int,
    "resize": int,
    "data_dir": str,
}
"""Keys a grid (or --set) may vary, with the parser of each value."""


def parse_grid(text: str) -> dict[str, list[Any]]:
    """`"lr=1e-3,5e-4 augment=none,flip+crop"` →
    {"lr": [0.001, 0.0005], "augment": [(), ("flip", "crop")]}."""
    grid: dict[str, list[Any]] = {}
    for item in text.split():
        key, sep, values = item.partition("=")
        key = key.replace("-", "_")
        if not sep or not values:
            raise SweepError(f"Grid entry {item!r} is not KEY=V1,V2 (e.g. lr=1e-3,5e-4).")
        if key not in GRID_KEYS:
            raise SweepError(f"Cannot sweep {key!r}; choose from {', '.join(sorted(GRID_KEYS))}.")
        if key in grid:
            raise SweepError(f"{key} appears twice in the grid; list all its values once.")
        parse = GRID_KEYS[key]
        try:
            grid[key] = [parse(value) for value in values.split(",")]
        except ValueError as error:
            raise SweepError(f"{item!r}: {error} is not a valid {key} value.") from error
    if not grid:
        raise SweepError('The grid is empty; give e.g. --grid "lr=1e-3,5e-4 augment=none,flip".')
    return grid


def combinations(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, the last key varying fastest."""
    keys = list(grid)
    return [dict(zip(keys, values)) for values in itertools.product(*grid.values())]


def format_value(value: Any) -> str:
    """A grid value as the user would type it."""
    if isinstance(value, tuple):
        return "+".join(value) or "none"
    return f"{value:g}" if isinstance(value, float) else str(value)


def label(params: dict[str, Any]) -> str:
    """`lr=0.001 augment=flip+crop` — a combination as one short line."""
    return " ".join(f"{key}={format_value(value)}" for key, value in params.items())


@dataclass(frozen=True)
class Sweep:
    """A created sweep: its id, folder and runs (in grid order)."""

    id: str  # "sweep-YYYYmmdd-HHMMSS-<preset>"
    path: Path  # runs/sweeps/<id>
    run_dirs: tuple[Path, ...]  # one per combination
    params: tuple[dict[str, Any], ...]  # the combination of each run


def sweeps_root(runs_dir: Path | str) -> Path:
    """Where sweep records live (a folder the run listing ignores: it has no config.json)."""
    return Path(runs_dir) / "sweeps"


def create_sweep(
    runs_dir: Path | str,
    preset: str | None,
    grid: dict[str, list[Any]],
    base: dict[str, Any] | None = None,
    check: Callable[[TrainConfig], Any] | None = None,
    arch: dict[str, Any] | None = None,
) -> Sweep:
    """Validate every combination (and `check` it: data present, …), then create one run
    directory per combination. `arch` holds an own architecture's config fields
    (`Architecture.arch_fields`): every run trains that network, a Python file copied into
    each run folder."""
    base = {**(arch or {}), **(base or {})}
    combos = combinations(grid)
    configs = []
    for params in combos:
        values = {**base, **params}
        run_preset = values.pop("preset", preset)
        config = TrainConfig.for_preset(run_preset, **values).validate()
        if check is not None:
            check(config)
        configs.append(config)
    title = (arch or {}).get("arch_name") or preset or "custom"
    sweep_id = f"sweep-{time.strftime('%Y%m%d-%H%M%S')}-{re.sub(r'[^A-Za-z0-9.-]+', '-', title)}"
    folder = sweeps_root(runs_dir) / sweep_id
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = sweeps_root(runs_dir) / f"{sweep_id}-{suffix}"
    sweep_id = folder.name
    folder.mkdir(parents=True)
    run_dirs = []
    for index, (config, params) in enumerate(zip(configs, combos)):
        data = {
            **config.to_dict(),
            "sweep": sweep_id,
            "sweep_params": {key: format_value(value) for key, value in params.items()},
        }
        run_dir = create_run(runs_dir, data, name=f"{sweep_id}-{index}")
        if data.get("arch_file"):  # each run rebuilds from its own copy of the file
            from core.models.architecture import attach

            write_json_atomic(run_dir / "config.json", attach(data, run_dir))
        run_dirs.append(run_dir)
    record = {
        "id": sweep_id,
        "preset": preset,
        "arch": (arch or {}).get("arch_name"),
        "grid": {key: [format_value(v) for v in values] for key, values in grid.items()},
        "base": {key: format_value(value) for key, value in base.items()},
        "runs": [path.name for path in run_dirs],
        "created": time.time(),
    }
    write_json_atomic(folder / "sweep.json", record)
    return Sweep(sweep_id, folder, tuple(run_dirs), tuple(combos))


def load_sweep_record(runs_dir: Path | str, sweep_id: str) -> dict[str, Any]:
    """sweep.json of a sweep (an exact id or a unique prefix/suffix)."""
    root = sweeps_root(runs_dir)
    names = sorted(path.name for path in root.iterdir()) if root.is_dir() else []
    matches = [name for name in names if name == sweep_id] or [
        name for name in names if name.startswith(sweep_id) or name.endswith(sweep_id)
    ]
    if len(matches) != 1:
        known = ", ".join(names) or "none yet"
        raise SweepError(f"No single sweep matches {sweep_id!r} in {root} (sweeps: {known}).")
    path = root / matches[0] / "sweep.json"
    record = read_json(path)
    if not isinstance(record, dict):
        raise SweepError(f"{path} is missing or unreadable.")
    problem = _record_problem(record)
    if problem:
        raise SweepError(f"{path} is not a sweep record: {problem}.")
    return record


def _record_problem(record: dict[str, Any]) -> str:
    """Why a parsed sweep.json cannot be used ("" when it can)."""
    for key, kind in (("id", str), ("grid", dict), ("runs", list)):
        if not isinstance(record.get(key), kind):
            return (
                f"{key!r} is missing or not {'a string' if kind is str else 'a ' + kind.__name__}"
            )
    if not isinstance(record.get("base") or {}, dict):
        return "'base' is not an object"
    for run_id in record["runs"]:
        if not isinstance(run_id, str) or "/" in run_id or run_id in ("", ".", ".."):
            return f"{run_id!r} is not a run id"
    return ""


def update_sweep_record(runs_dir: Path | str, sweep_id: str, **fields: Any) -> None:
    """Add fields (launcher, job id, runner pid) to sweep.json."""
    path = sweeps_root(runs_dir) / sweep_id / "sweep.json"
    write_json_atomic(path, {**(read_json(path) or {}), **fields})


@dataclass(frozen=True)
class SweepRow:
    """One line of a sweep's results table."""

    run_id: str  # run directory name
    params: dict[str, str]  # the run's grid values, as typed
    state: str  # run state (core.runs.store / core.cluster.slurm)
    epochs_done: int  # epochs with an `epoch` event
    best_acc: float | None  # best validation accuracy (test accuracy without a val split), 0..1
    final_acc: float | None  # last epoch's test accuracy, 0..1


def sweep_results(runs_dir: Path | str, sweep_id: str) -> list[SweepRow]:
    """The results table of a sweep, in grid order."""
    record = load_sweep_record(runs_dir, sweep_id)
    rows = []
    for run_id in record["runs"]:
        run_dir = Path(runs_dir) / run_id
        if run_file_problem(run_dir):  # deleted, or files of the wrong shape
            rows.append(SweepRow(run_id, {}, "unreadable", 0, None, None))
            continue
        config = read_json(run_dir / "config.json") or {}
        events = cached_digest(run_dir, steps=False).head_events()
        epochs = epoch_events(events)
        key = "val_acc" if any(e.get("val_acc") is not None for e in epochs) else "test_acc"
        accs = [event[key] for event in epochs if event.get(key) is not None]
        rows.append(
            SweepRow(
                run_id=run_id,
                params=dict(config.get("sweep_params", {})),
                state=run_status(run_dir, events=events).state,
                epochs_done=len(epochs),
                best_acc=max(accs) if accs else None,
                final_acc=epochs[-1].get("test_acc") if epochs else None,
            )
        )
    return rows
