"""A train task's target (`min_test_acc`, `within_epochs`) checked against the student's run:
the answer is the run's id in the runs folder, read as untrusted files (JSON events only).
A task that names an architecture (`arch`: a preset, a SPEC or a saved design) accepts only a
run of that network."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from core.course.pack import Task

DATASET_WORDS = {"shapes": "synthetic Shapes-10", "cifar10": "CIFAR-10"}


def has_target(task: Task) -> bool:
    return task.kind == "train" and bool(task.target)


def target_text(task: Task) -> str:
    """ "≥ 75 % test accuracy within 10 epochs on CIFAR-10" (the data always named)."""
    parts = []
    if "min_test_acc" in task.target:
        parts.append(f"≥ {task.target['min_test_acc']:.0%} test accuracy")
    if "within_epochs" in task.target:
        parts.append(f"within {task.target['within_epochs']:g} epochs")
    wanted = task.options.get("dataset")
    if wanted == "shapes":
        parts.append("on synthetic Shapes-10 (not a CIFAR-10 figure)")
    elif wanted:
        parts.append(f"on {DATASET_WORDS.get(str(wanted), str(wanted))}")
    else:
        parts.append("on the run's data (a CIFAR-10 figure only for a CIFAR-10 run)")
    return " ".join(parts)


def task_architecture(task: Task):
    """The architecture a train task names (checked: it builds, takes the task's images and
    gives 10 scores), or None when the task leaves the network to the student."""
    from core.models.architecture import resolve

    if task.kind != "train" or not task.options.get("arch"):
        return None
    arch = resolve(str(task.options["arch"]), task.options.get("arch_args"))
    side = int(task.options.get("resize") or 32)
    arch.check((3, side, side), 10)  # Shapes-10 and CIFAR-10 both have ten classes
    return arch


def _network_of(arch) -> dict[str, Any]:
    """What identifies a network, comparable between a task and a run's config."""
    from core.arch.spec import format_sequential
    from core.models.pyfile import file_hash

    if arch.kind == "python":
        return {"file": file_hash(arch.path), "class": arch.class_name}
    if arch.kind == "spec" or arch.has_spec:
        return {"spec": format_sequential(arch.layers())}
    return {"preset": arch.preset}


def arch_mismatch(task: Task, run: Path, config: dict[str, Any]) -> str | None:
    """Why the run did not train the task's architecture, or None when it did (or the task
    names none)."""
    from core.models.architecture import from_config

    wanted = task_architecture(task)
    if wanted is None:
        return None
    trained = from_config(config, run)
    if _network_of(trained) == _network_of(wanted):
        return None
    return (
        f"Run {run.name} trained {trained.name}, not this task's architecture ({wanted.name}): "
        f"train it with `cnn-tui train --arch {task.options['arch']}` and answer with that run."
    )


def run_verdict(task: Task, runs_dir: Path, run_id: str) -> tuple[bool, str]:
    """(met, why) for the run `run_id`; a missing run is a UserError naming the runs folder."""
    from core.runs.curves import epoch_series
    from core.runs.store import read_json, resolve_run
    from core.runs.summary_cache import cached_digest

    run = resolve_run(runs_dir, run_id.strip())
    config = read_json(run / "config.json") or {}
    dataset = config.get("dataset") if isinstance(config, dict) else None
    wanted = task.options.get("dataset")
    if wanted and dataset != wanted:
        found = DATASET_WORDS.get(str(dataset), str(dataset))
        return False, f"Run {run.name} trained on {found}, not {DATASET_WORDS.get(wanted, wanted)}."
    mismatch = arch_mismatch(task, run, config if isinstance(config, dict) else {})
    if mismatch:
        return False, mismatch
    series = epoch_series(cached_digest(run, steps=False).head_events(), "test_acc")
    within = task.target.get("within_epochs", math.inf)
    points = [(x, y) for x, y in zip(series.x, series.y) if x <= within and not math.isnan(y)]
    synthetic = " (synthetic Shapes-10)" if dataset == "shapes" else ""
    if not points:
        return False, f"Run {run.name} has no test accuracy within the epochs allowed yet."
    epoch, best = max(points, key=lambda point: point[1])
    reached = f"best test accuracy {best:.1%}{synthetic} at epoch {epoch:g}"
    goal = task.target.get("min_test_acc")
    if goal is None or best >= goal:
        return True, f"Run {run.name}: {reached}."
    return False, f"Run {run.name}: {reached}; the target is {target_text(task)}."
